// rqdash search: stream more hits into the page (fetching the API with the cursor until the
// scan is done or enough rows are shown), "select all matching" with the exact count and its
// breakdown by state confirmed before a bulk action, and a progress wait on the failure-groups
// page. The pages work without this file: the continue link and the refresh link do the same.
(function () {
  "use strict";

  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var fmt = new Intl.NumberFormat("en-US");
  var prefix = document.body.getAttribute("data-prefix") || "";
  var instance = document.body.getAttribute("data-instance") || "0";
  var instQ = instance === "0" ? "" : "?instance=" + instance;
  var instAmp = instance === "0" ? "" : "&instance=" + instance;
  var tokenMeta = $('meta[name="csrf-token"]');
  var token = tokenMeta ? tokenMeta.getAttribute("content") : "";
  var enc = encodeURIComponent;
  // A path segment, with the server's rule for names made only of dots (src/web/fmt.rs `seg`):
  // browsers drop `.` and `..` segments even when percent-encoded, so they get two more dots.
  function seg(s) { return enc(s) + (/^\.+$/.test(s) ? ".." : ""); }
  // Rows streamed into one page before asking the user to continue.
  var STREAM_MAX = 500;

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, json: j }; });
    });
  }
  function post(url) {
    return fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": token } }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, json: j }; });
    });
  }
  // Bidi controls in names are shown as a marked \u{202e}, as the server renders them.
  var BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;
  function setText(e, text) {
    text = String(text);
    if (!BIDI.test(text)) { e.textContent = text; return; }
    text.split(/([\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C])/).forEach(function (part, i) {
      if (i % 2 === 0) { if (part) e.appendChild(document.createTextNode(part)); return; }
      var s = document.createElement("span"), hex = part.charCodeAt(0).toString(16);
      s.className = "bidi";
      s.title = "bidirectional control character U+" + ("000" + hex.toUpperCase()).slice(-4);
      s.textContent = "\\u{" + hex + "}";
      e.appendChild(s);
    });
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) setText(e, text);
    return e;
  }
  function td(child) {
    var c = el("td");
    if (child) c.appendChild(child);
    return c;
  }

  // ---- Streaming hits ----------------------------------------------------------
  var results = $("#search-results");
  // A worker that exited and left nothing to show is named, not linked (as on the server's rows).
  function workerCell(name, linked) {
    if (!name) return null;
    if (linked.indexOf(name) >= 0) return el("a", { href: prefix + "/workers/" + seg(name) + instQ }, name);
    return el("span", { title: "This worker has exited and left nothing to show" }, name);
  }
  function hitRow(h, linked) {
    var j = h.job, tr = el("tr");
    var a = el("a", { "class": "id", href: prefix + "/jobs/" + seg(j.id) + instQ });
    a.appendChild(el("code", {}, j.id));
    tr.appendChild(td(a));
    var qh = prefix + "/queues/" + seg(h.queue) + (h.state && !h.archived ? "?state=" + h.state + instAmp : instQ);
    tr.appendChild(td(el("a", { href: qh }, h.queue)));
    var st = td(h.state ? el("span", { "class": "badge state-" + h.state }, h.state) : null);
    // A record from the job archive (RQ deleted the job) is marked, as on the server's rows.
    if (h.archived) {
      st.appendChild(document.createTextNode(" "));
      st.appendChild(el("span", { "class": "badge archived", "data-archived": "", title: "From the job archive: RQ deleted this job" }, "archived"));
    }
    tr.appendChild(st);
    if (j.missing) {
      tr.className = "orphan";
      var c = td(el("span", { "class": "badge warn" }, "job data missing"));
      c.colSpan = 4;
      tr.appendChild(c);
      return tr;
    }
    tr.appendChild(td(el("code", { "class": "fn" }, j.func_name || "")));
    var exc = td(null);
    exc.className = "exc";
    setText(exc, j.exc_summary || "");
    tr.appendChild(exc);
    var when = j.ended_at || j.started_at || j.enqueued_at || j.created_at;
    tr.appendChild(td(when ? el("time", { datetime: when, title: when, "data-rel": "" }, when) : null));
    tr.appendChild(td(workerCell(j.worker_name, linked)));
    return tr;
  }
  function stream() {
    var cursor = results.getAttribute("data-cursor");
    if (results.hasAttribute("data-done") || !cursor) return;
    var box = $(".search-stream", results), bar = $("progress", box), stop = $("[data-stop]", box);
    var tbody = $("tbody", results), wrap = $(".table-wrap", results), more = $("[data-continue]", results);
    var stopped = false, shown = tbody.children.length;
    box.hidden = false;
    stop.addEventListener("click", function () { stopped = true; });
    function step() {
      if (stopped || shown >= STREAM_MAX) { box.hidden = true; return; }
      getJSON(results.getAttribute("data-api") + "&limit=50&cursor=" + enc(cursor)).then(function (r) {
        if (r.status !== 200) { box.hidden = true; $("[role=status]", results).textContent = r.json.error || ("HTTP " + r.status); return; }
        var p = r.json;
        p.hits.forEach(function (h) { tbody.appendChild(hitRow(h, p.linked_workers || [])); });
        if (window.rqdashRefreshTimes) window.rqdashRefreshTimes();
        shown += p.hits.length;
        if (shown > 0) wrap.hidden = false;
        $("[data-hits]", results).textContent = fmt.format(shown);
        $("[data-hits-word]", results).textContent = shown === 1 ? "job" : "jobs";
        $("[data-scanned]", results).textContent = fmt.format(p.scanned);
        $("[data-total]", results).textContent = fmt.format(p.total);
        bar.max = Math.max(p.total, 1);
        bar.value = Math.min(p.scanned, bar.max);
        if (p.done) {
          box.hidden = true;
          results.setAttribute("data-done", "");
          var m = $("[data-more]", results);
          if (m) m.remove();
          if (more) more.remove();
          if (shown === 0) wrap.insertAdjacentElement("beforebegin", el("p", { "class": "empty" }, "No job matches."));
          return;
        }
        cursor = p.cursor;
        results.setAttribute("data-cursor", cursor);
        if (more) more.href = more.href.replace(/([?&]cursor=)[^&]*/, "$1" + enc(cursor));
        step();
      }).catch(function () { box.hidden = true; });
    }
    step();
  }
  if (results) stream();

  // ---- Select all matching -----------------------------------------------------
  var dialog = $("#search-dialog");
  var buttons = $$("[data-select-all]");
  if (dialog && typeof dialog.showModal === "function" && buttons.length) {
    var text = $("#search-dialog-text"), result = $("#search-dialog-result"), box = $("#search-dialog-progress");
    var bar = $("progress", box), count = $("#search-dialog-count");
    var ok = $("#search-dialog-ok"), cancel = $("#search-dialog-cancel");
    var state = null; // {phase: "collect"|"confirm"|"run"|"end", selection, task, source, ...}

    var show = function (msg, good) { result.hidden = false; result.textContent = msg; result.className = good ? "ok" : "bad"; };
    var end = function () { state.phase = "end"; ok.hidden = true; cancel.textContent = "Close"; cancel.disabled = false; };
    var describe = function (o) {
      var parts = [];
      ["requeued", "deleted", "canceled", "enqueued"].forEach(function (k) { if (o[k]) parts.push(k + " " + fmt.format(o[k])); });
      if (!parts.length) parts.push("nothing to do");
      if (o.orphans_removed) parts.push("removed " + fmt.format(o.orphans_removed) + " orphaned ids");
      if (o.missing) parts.push(fmt.format(o.missing) + " no longer exist");
      if (o.skipped) parts.push("skipped " + fmt.format(o.skipped) + " in another state");
      var s = parts.join("; ");
      return s.charAt(0).toUpperCase() + s.slice(1) + (o.interrupted ? " (stopped before the end)" : "");
    };
    // "480 failed, 20 queued": what the selection holds per state, largest first.
    var breakdown = function (byState) {
      var parts = Object.keys(byState || {}).map(function (k) { return [k, byState[k]]; });
      parts.sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
      return parts.map(function (p) { return fmt.format(p[1]) + " " + p[0]; }).join(", ");
    };
    var progress = function (done, all, label) {
      box.hidden = false;
      bar.max = Math.max(all, 1);
      bar.value = Math.min(done, bar.max);
      count.textContent = label;
    };

    var poll = function () {
      if (!state || state.phase !== "collect") return;
      getJSON(prefix + "/api/v1/search/selections/" + state.selection + "?instance=" + instance).then(function (r) {
        if (!state || state.phase !== "collect") return;
        var s = r.json;
        if (r.status !== 200) { show(s.error || ("HTTP " + r.status), false); end(); return; }
        progress(s.scanned, s.total, "scanned " + fmt.format(s.scanned) + " of " + fmt.format(s.total) + " · " + fmt.format(s.count) + " matching");
        if (!s.done) { setTimeout(poll, 300); return; }
        if (s.error) { show(s.error, false); end(); return; }
        if (s.count === 0) { show("No job matches" + (s.interrupted ? " so far (stopped)." : "."), true); end(); return; }
        state.phase = "confirm";
        state.count = s.count;
        box.hidden = true;
        var jobs = s.count === 1 ? "job" : "jobs";
        var parts = breakdown(s.by_state);
        text.textContent = state.label + " exactly " + fmt.format(s.count) + " matching " + jobs +
          (parts ? ": " + parts : "") + "?" +
          (s.truncated ? " (More match: only the first " + fmt.format(s.count) + " are selected.)" : "") +
          (s.interrupted ? " (Collection was stopped early: only these were found.)" : "") +
          (state.action === "delete" ? " This cannot be undone." : "") +
          " Jobs in a state the action does not apply to are skipped and counted.";
        ok.hidden = false;
        ok.disabled = false;
        ok.focus();
      }).catch(function (e) { show("Request failed: " + e, false); end(); });
    };

    var follow = function (task, events) {
      state.phase = "run";
      state.task = task;
      cancel.textContent = "Stop";
      var source = new EventSource(events);
      state.source = source;
      source.addEventListener("progress", function (e) {
        var s = JSON.parse(e.data);
        progress(s.processed, s.total, fmt.format(s.processed) + " of " + fmt.format(s.total));
        if (s.done) {
          source.close();
          if (s.error) show(s.error, false); else show(describe(s.outcome), true);
          end();
          state.reload = true;
        }
      });
      source.onerror = function () {
        if (state.phase !== "run") return;
        source.close();
        show("Lost the progress stream; the operation continues on the server.", false);
        end();
        state.reload = true;
      };
    };

    ok.addEventListener("click", function () {
      if (!state || state.phase !== "confirm") return;
      ok.disabled = true;
      var url = prefix + "/api/v1/search/selections/" + state.selection + "/" + state.action + "?instance=" + instance + "&count=" + state.count;
      post(url).then(function (r) {
        if (r.status === 202 && r.json.task) { ok.hidden = true; follow(r.json.task, r.json.events); return; }
        show(r.json.error || ("HTTP " + r.status), false);
        end();
      }).catch(function (e) { show("Request failed: " + e, false); end(); });
    });

    cancel.addEventListener("click", function () {
      if (state && state.phase === "collect") {
        post(prefix + "/api/v1/search/selections/" + state.selection + "/stop?instance=" + instance);
        state.phase = "end";
        dialog.close();
        return;
      }
      if (state && state.phase === "run") {
        cancel.disabled = true;
        post(prefix + "/api/v1/tasks/" + state.task + "/cancel");
        return;
      }
      dialog.close();
    });
    dialog.addEventListener("cancel", function (e) { if (state && state.phase === "run") e.preventDefault(); });
    dialog.addEventListener("close", function () { if (state && state.reload) location.reload(); });

    buttons.forEach(function (b) {
      var holder = b.closest(".search-select, .group-buttons");
      if (holder) holder.hidden = false;
      b.addEventListener("click", function () {
        var q = b.getAttribute("data-q") || (results && results.getAttribute("data-q")) || "";
        var label = b.getAttribute("data-label") || "Act on";
        state = { phase: "collect", action: b.getAttribute("data-select-all"), label: label };
        $("#search-dialog-title").textContent = label + " all matching";
        text.textContent = "Finding every job matching " + (b.getAttribute("data-what") || q) + "…";
        result.hidden = true;
        ok.hidden = true;
        cancel.textContent = "Cancel";
        cancel.disabled = false;
        progress(0, 1, "starting");
        dialog.showModal();
        post(prefix + "/api/v1/search/select?instance=" + instance + "&q=" + enc(q)).then(function (r) {
          if (r.status !== 202) { show(r.json.error || ("HTTP " + r.status), false); end(); return; }
          state.selection = r.json.selection;
          poll();
        }).catch(function (e) { show("Request failed: " + e, false); end(); });
      });
    });
  }

  // ---- Failure groups still computing: wait, then show them ----------------------
  var computing = $("#groups-computing[data-poll]");
  if (computing) {
    var wait = function () {
      getJSON(computing.getAttribute("data-poll")).then(function (r) {
        if (r.status === 200 && r.json.status === "ready") { location.reload(); return; }
        if (r.status === 200 && r.json.progress) {
          var p = r.json.progress, nums = $$(".num", computing);
          if (nums.length >= 2) { nums[0].textContent = fmt.format(p.scanned); nums[1].textContent = fmt.format(p.total); }
        }
        setTimeout(wait, r.status === 200 ? 100 : 2000);
      }).catch(function () { setTimeout(wait, 2000); });
    };
    wait();
  }
})();
