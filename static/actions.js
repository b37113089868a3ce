// rqdash actions: confirm exactly what will happen, POST with the CSRF token, follow bulk
// progress over SSE (cancellable), then show the counts. Loaded only when actions are enabled.
(function () {
  "use strict";

  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var tokenMeta = $('meta[name="csrf-token"]');
  var token = tokenMeta ? tokenMeta.getAttribute("content") : "";
  var dialog = $("#action-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var fmt = new Intl.NumberFormat("en-US");
  var text = $("#action-text"), result = $("#action-result"), progressBox = $("#action-progress");
  var bar = $("progress", progressBox), count = $("#action-count");
  var okBtn = $("#action-ok"), cancelBtn = $("#action-cancel");
  var pending = null;      // {url, background, body}
  var running = null;      // {task, source}
  var finished = false;

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: body ? { "X-CSRF-Token": token, "Content-Type": "application/json" } : { "X-CSRF-Token": token },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, json: j }; });
    });
  }

  // "Requeued 99,997; removed 3 orphaned ids; skipped 0"
  function describe(o) {
    var parts = [];
    [["requeued", "requeued"], ["enqueued", "enqueued"], ["deleted", "deleted"], ["canceled", "canceled"]].forEach(function (p) {
      if (o[p[0]]) parts.push(p[1] + " " + fmt.format(o[p[0]]));
    });
    if (parts.length === 0) parts.push("nothing to do");
    if (o.orphans_removed) parts.push("removed " + fmt.format(o.orphans_removed) + " orphaned id" + (o.orphans_removed === 1 ? "" : "s"));
    if (o.missing) parts.push(fmt.format(o.missing) + " not found");
    if (o.skipped) parts.push("skipped " + fmt.format(o.skipped) + " in another state");
    if (o.expired_removed) parts.push("removed " + fmt.format(o.expired_removed) + " expired entr" + (o.expired_removed === 1 ? "y" : "ies") + " (RQ's cleanup)");
    if (o.arrived) parts.push("left " + fmt.format(o.arrived) + " that arrived after the start");
    if (o.unconfirmed) parts.push("connection lost and resumed" + (o.resumed > 1 ? " " + o.resumed + " times" : "") + ": counts are at least these, with up to " + fmt.format(o.unconfirmed) + " more unconfirmed");
    var s = parts.join("; ");
    s = s.charAt(0).toUpperCase() + s.slice(1);
    return o.interrupted ? s + " (cancelled before the end)" : s;
  }

  function show(msg, ok) {
    result.hidden = false;
    result.textContent = msg;
    result.className = ok ? "ok" : "bad";
  }

  function finish() {
    finished = true;
    okBtn.hidden = true;
    cancelBtn.textContent = "Close";
    cancelBtn.disabled = false;
  }

  function open(title, message, action) {
    $("#action-title").textContent = title;
    text.textContent = message;
    result.hidden = true;
    progressBox.hidden = true;
    okBtn.hidden = false;
    okBtn.disabled = false;
    cancelBtn.textContent = "Cancel";
    cancelBtn.disabled = false;
    pending = action;
    running = null;
    finished = false;
    dialog.showModal();
    okBtn.focus();
  }

  function follow(task, events) {
    progressBox.hidden = false;
    cancelBtn.textContent = "Stop";
    var source = new EventSource(events);
    running = { task: task, source: source };
    source.addEventListener("progress", function (e) {
      var s = JSON.parse(e.data);
      bar.max = Math.max(s.total, 1);
      bar.value = Math.min(s.processed, bar.max);
      count.textContent = fmt.format(s.processed) + " of " + fmt.format(s.total);
      if (s.done) {
        source.close();
        running = null;
        if (s.error) show(s.error, false); else show(describe(s.outcome), true);
        bar.value = bar.max;
        finish();
      }
    });
    source.onerror = function () {
      if (finished) return;
      source.close();
      // The task keeps going on the server; read its final state once.
      fetch(events.replace(/\/events$/, ""), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
        if (s.done) { show(s.error || describe(s.outcome), !s.error); finish(); }
        else { show("Lost the progress stream; the operation continues on the server.", false); finish(); }
      }).catch(function () { show("Lost the connection to rqdash.", false); finish(); });
    };
  }

  okBtn.addEventListener("click", function () {
    if (!pending) return;
    okBtn.disabled = true;
    var a = pending;
    pending = null;
    var url = a.background && a.url.indexOf("background=") === -1 ? a.url + (a.url.indexOf("?") === -1 ? "?" : "&") + "background=1" : a.url;
    post(url, a.body).then(function (r) {
      if (r.status === 202 && r.json.task) { follow(r.json.task, r.json.events); return; }
      if (r.status >= 400) { show(r.json.error || ("HTTP " + r.status), false); finish(); return; }
      if (r.json.message) show(r.json.message, r.json.heard !== false);
      else if (r.json.to) show("Job " + r.json.id + ": " + r.json.from + " → " + r.json.to, true);
      else show(describe(r.json), true);
      finish();
    }).catch(function (e) { show("Request failed: " + e, false); finish(); });
  });

  cancelBtn.addEventListener("click", function () {
    if (running) {
      cancelBtn.disabled = true;
      var base = document.body.getAttribute("data-prefix") || "";
      post(base + "/api/v1/tasks/" + running.task + "/cancel");
      return;
    }
    dialog.close();
  });
  dialog.addEventListener("close", function () {
    if (finished) location.reload();
  });
  dialog.addEventListener("cancel", function (e) { if (running) e.preventDefault(); });

  // Whole-list and single-job buttons.
  $$("[data-action]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      open(b.textContent.trim(), b.getAttribute("data-confirm"), { url: b.getAttribute("data-url"), background: b.hasAttribute("data-background") });
    });
  });

  // Row selection with shift-click ranges, select-page, and "select all N".
  var toolbar = $(".toolbar");
  var boxes = $$("input.row-sel");
  var pageBox = $("input[data-select-page]");
  var selection = toolbar ? $(".selection", toolbar) : null;
  if (!toolbar || !selection || boxes.length === 0) return;
  var allMode = false;
  var last = null;
  var total = parseInt(toolbar.getAttribute("data-total"), 10) || 0;
  var state = toolbar.getAttribute("data-state");
  var queue = toolbar.getAttribute("data-queue");
  var allBtn = document.createElement("button");
  allBtn.type = "button";
  allBtn.className = "btn ghost";
  selection.appendChild(allBtn);
  var wholeList = {};
  $$("[data-action]", toolbar).forEach(function (b) {
    var l = b.textContent.trim();
    if (l === "Requeue all") wholeList.requeue = b;
    if (l === "Delete all" || l === "Empty queue") wholeList["delete"] = b;
  });
  boxes.concat(pageBox ? [pageBox] : []).forEach(function (b) { b.hidden = false; });

  function selected() { return boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }); }
  function refresh() {
    var n = allMode ? total : selected().length;
    selection.hidden = n === 0;
    $("[data-selected]", selection).textContent = fmt.format(n) + (allMode ? " (all)" : "");
    if (pageBox) pageBox.checked = n > 0 && selected().length === boxes.length;
    var canAll = !allMode && selected().length === boxes.length && total > boxes.length && Object.keys(wholeList).length > 0;
    allBtn.hidden = !canAll && !allMode;
    allBtn.textContent = allMode ? "Clear selection" : "Select all " + fmt.format(total) + " " + state + " jobs";
    $$("[data-bulk]", selection).forEach(function (b) { b.hidden = allMode && !wholeList[b.getAttribute("data-bulk")]; });
  }
  boxes.forEach(function (b, i) {
    b.addEventListener("click", function (e) {
      allMode = false;
      if (e.shiftKey && last !== null) {
        var lo = Math.min(last, i), hi = Math.max(last, i);
        for (var k = lo; k <= hi; k++) boxes[k].checked = b.checked;
      }
      last = i;
      refresh();
    });
  });
  if (pageBox) pageBox.addEventListener("change", function () {
    allMode = false;
    boxes.forEach(function (b) { b.checked = pageBox.checked; });
    refresh();
  });
  allBtn.addEventListener("click", function () {
    allMode = !allMode;
    if (!allMode) boxes.forEach(function (b) { b.checked = false; });
    refresh();
  });
  $$("[data-bulk]", selection).forEach(function (b) {
    b.addEventListener("click", function () {
      var act = b.getAttribute("data-bulk");
      if (allMode && wholeList[act]) { wholeList[act].click(); return; }
      var ids = selected();
      var label = b.textContent.trim();
      var msg = label + " " + fmt.format(ids.length) + " selected " + state + " job" + (ids.length === 1 ? "" : "s") +
        " of queue `" + queue + "`?" + (act === "delete" ? " This cannot be undone." : "");
      open(label + " selected", msg, {
        url: toolbar.getAttribute("data-bulk-url"),
        background: true,
        body: { action: act, ids: ids, queue: queue, state: state }
      });
    });
  });
  refresh();
})();
