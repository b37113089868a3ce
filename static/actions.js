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
  var committed = false;   // OK was pressed: this dialog now belongs to that action until closed

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

  // "1 job", "3 jobs", "2 entries": counts agree with their noun.
  function plural(n, one, many) { return fmt.format(n) + " " + (n === 1 ? one : many); }

  // What a worker control did (suspend, resume, remove-stale), or null for a bulk outcome.
  function describeControl(o) {
    if (o.suspended === true) return "Workers suspended" + (o.ttl > 0 ? " for " + plural(o.ttl, "second", "seconds") : " until resumed");
    if (typeof o.resumed === "boolean") return o.was_suspended ? "Workers resumed" : "Workers were not suspended; nothing changed";
    if ("removed_from_workers" in o) {
      if (!o.removed_from_workers && !o.removed_from_queue_sets) return "No stale worker entry was left to remove";
      return "Removed " + plural(o.removed_from_workers, "stale worker entry", "stale worker entries") +
        " (" + plural(o.removed_from_queue_sets, "queue-set membership", "queue-set memberships") + ")";
    }
    return null;
  }

  // "Requeued 99,997; removed 3 orphaned ids; skipped 1 in another state"
  function describe(o) {
    var control = describeControl(o);
    if (control) return control;
    var parts = [];
    [["requeued", "requeued"], ["enqueued", "enqueued"], ["deleted", "deleted"], ["canceled", "canceled"]].forEach(function (p) {
      if (o[p[0]]) parts.push(p[1] + " " + fmt.format(o[p[0]]));
    });
    if (o.orphans_removed) parts.push("removed " + plural(o.orphans_removed, "orphaned id", "orphaned ids"));
    if (o.missing) parts.push(fmt.format(o.missing) + " not found");
    if (o.skipped) parts.push("skipped " + fmt.format(o.skipped) + " in another state");
    if (o.expired_removed) parts.push("removed " + plural(o.expired_removed, "expired entry", "expired entries") + " (RQ's cleanup)");
    if (o.arrived) parts.push("left " + plural(o.arrived, "job", "jobs") + " that arrived after the start");
    // "Nothing to do" only when nothing at all happened (compact once said "Nothing to do;
    // removed 1 orphaned id").
    if (parts.length === 0) parts.push("nothing to do");
    if (o.unconfirmed) parts.push("connection lost and resumed" + (o.resumed > 1 ? " " + plural(o.resumed, "time", "times") : "") + ": counts are at least these, with up to " + fmt.format(o.unconfirmed) + " more unconfirmed");
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

  // `items` (optional) lists what the action touches: [{id, func}], the first 10 shown.
  function open(title, message, action, items) {
    // select.js re-opens the dialog on a live refresh; once OK was pressed, a re-open would reset
    // `running`, turn Stop into a plain close and let the task run to the end.
    if (dialog.open && committed) return;
    committed = false;
    $("#action-title").textContent = title;
    text.textContent = message;
    list(items || []);
    result.hidden = true;
    progressBox.hidden = true;
    okBtn.hidden = false;
    cancelBtn.textContent = "Cancel";
    cancelBtn.disabled = false;
    pending = action;
    running = null;
    finished = false;
    okBtn.disabled = !action;
    // select.js re-opens an open dialog when a live refresh changes the selection. The dialog
    // opens on Cancel: Enter or Space right after a click must not delete anything.
    if (!dialog.open) { dialog.showModal(); cancelBtn.focus(); }
  }

  function list(items) {
    var ul = $("#action-items");
    if (!ul) return;
    ul.textContent = "";
    ul.hidden = items.length === 0;
    items.slice(0, 10).forEach(function (it) {
      var li = document.createElement("li"), code = document.createElement("code");
      code.textContent = it.id;
      li.appendChild(code);
      if (it.func) {
        var fn = document.createElement("span");
        fn.className = "muted";
        fn.textContent = " " + it.func;
        li.appendChild(fn);
      }
      ul.appendChild(li);
    });
    if (items.length > 10) {
      var more = document.createElement("li");
      more.className = "muted";
      more.textContent = "and " + fmt.format(items.length - 10) + " more";
      ul.appendChild(more);
    }
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
      // Stop must not stay a cancel button once the dialog offers Close.
      running = null;
      // The task keeps going on the server; read its final state once.
      fetch(events.replace(/\/events$/, ""), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
        if (s.done) { show(s.error || describe(s.outcome), !s.error); finish(); }
        else { show("Lost the progress stream; the operation continues on the server.", false); finish(); }
      }).catch(function () { show("Lost the connection to rqdash.", false); finish(); });
    };
  }

  okBtn.addEventListener("click", function () {
    if (!pending) return;
    committed = true;
    okBtn.disabled = true;
    var a = pending;
    pending = null;
    var url = a.background && a.url.indexOf("background=") === -1 ? a.url + (a.url.indexOf("?") === -1 ? "?" : "&") + "background=1" : a.url;
    post(url, a.body).then(function (r) {
      if (r.status === 202 && r.json.task) { follow(r.json.task, r.json.events); return; }
      if (r.status >= 400) { show(r.json.error || ("HTTP " + r.status), false); finish(); return; }
      if (a.leave && r.json.to === "deleted") { leave(a.leave, "Job " + r.json.id + " was deleted."); return; }
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
    committed = false;
    if (finished) location.reload();
  });
  dialog.addEventListener("cancel", function (e) { if (running) e.preventDefault(); });

  // A job deleted from its own page has no page left: go to its queue (or the overview) and
  // say there what happened (app.js shows the notice).
  function leave(href, notice) {
    try { sessionStorage.setItem("rqdash-notice", notice); } catch (e) { /* no notice then */ }
    finished = false;
    location.href = href;
  }
  function queueHref() {
    var links = $$(".crumbs a");
    return links.length > 1 ? links[1].href : (links[0] ? links[0].href : (document.body.getAttribute("data-prefix") || "") + "/");
  }

  // Whole-list and single-job buttons.
  $$("[data-action]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var url = b.getAttribute("data-url");
      var onJobPage = !!b.closest(".job-actions") && /\/delete\?/.test(url);
      open(b.textContent.trim(), b.getAttribute("data-confirm"), { url: url, background: b.hasAttribute("data-background"), leave: onJobPage ? queueHref() : null });
    });
  });

  // static/select.js (queue pages) opens the same dialog for the selected rows.
  window.rqdashConfirm = open;
})();
