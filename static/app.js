// rqdash page behaviour: live counts over SSE, theme and time-zone toggles, small conveniences.
// Everything works without this file; it only makes pages live and nicer.
(function () {
  "use strict";

  var body = document.body;
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var store = {
    get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) { /* ignore */ } }
  };
  var fmt = new Intl.NumberFormat("en-US");

  // ---- Theme -------------------------------------------------------------
  var themeBtn = $("#theme-toggle");
  if (themeBtn) {
    themeBtn.hidden = false;
    themeBtn.addEventListener("click", function () {
      var root = document.documentElement;
      var current = root.getAttribute("data-theme") ||
        (window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
      var next = current === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      store.set("rqdash-theme", next);
    });
  }

  // ---- Times: relative text, exact on hover in UTC or local time ------------
  var tzBtn = $("#tz-toggle");
  var tz = store.get("rqdash-tz") === "local" ? "local" : "utc";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function exact(d) {
    if (tz === "utc") {
      return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
        pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()) + " UTC";
    }
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + " local";
  }
  function relative(d) {
    var s = (Date.now() - d.getTime()) / 1000, a = Math.abs(s), t;
    if (a < 1) return "just now";
    if (a < 60) t = Math.round(a) + " s";
    else if (a < 3600) t = Math.floor(a / 60) + " min";
    else if (a < 86400) t = Math.floor(a / 3600) + " h";
    else t = Math.floor(a / 86400) + " d";
    return s >= 0 ? t + " ago" : "in " + t;
  }
  function refreshTimes() {
    $$("time[data-rel]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) return;
      el.textContent = relative(d);
      el.title = exact(d);
    });
  }
  if (tzBtn) {
    tzBtn.hidden = false;
    tzBtn.textContent = tz === "utc" ? "UTC" : "Local";
    tzBtn.addEventListener("click", function () {
      tz = tz === "utc" ? "local" : "utc";
      store.set("rqdash-tz", tz);
      tzBtn.textContent = tz === "utc" ? "UTC" : "Local";
      refreshTimes();
    });
  }
  refreshTimes();
  setInterval(refreshTimes, 15000);
  // Scripts that add rows later (search.js) format their <time data-rel> with this same code.
  window.rqdashRefreshTimes = refreshTimes;

  // ---- Small conveniences ----------------------------------------------------
  $$("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { if (s.form) s.form.submit(); });
  });
  $$("[data-copy]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var src = $(b.getAttribute("data-copy"));
      if (!src || !navigator.clipboard) return;
      navigator.clipboard.writeText(src.textContent.trim()).then(function () {
        var old = b.textContent; b.textContent = "Copied"; setTimeout(function () { b.textContent = old; }, 1200);
      });
    });
  });
  $$("input[data-filter]").forEach(function (input) {
    var rows = $$(input.getAttribute("data-filter"));
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      rows.forEach(function (r) {
        var name = (r.getAttribute("data-queue") || r.textContent).toLowerCase();
        r.hidden = needle !== "" && name.indexOf(needle) === -1;
      });
    });
  });

  // ---- Phone layout and keyboard reach ------------------------------------------
  // On a phone, job tables become one card per row (app.css): each cell gets its column's name.
  function labelCells(root) {
    $$("table.jobs", root).forEach(function (t) {
      var heads = $$("thead th", t).map(function (th) { return th.textContent.trim(); });
      $$("tbody tr", t).forEach(function (tr) {
        var i = 0;
        Array.prototype.forEach.call(tr.cells, function (td) {
          if (heads[i] && !td.classList.contains("sel") && td.colSpan === 1) td.setAttribute("data-label", heads[i]);
          i += td.colSpan || 1;
        });
      });
    });
  }
  // A region that scrolls but holds nothing focusable cannot be scrolled by keyboard: make it
  // focusable (WCAG 2.1.1; axe "scrollable-region-focusable").
  function reachScrollers() {
    $$(".table-wrap, pre").forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
      if (scrolls && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
    });
  }
  function tidy() { labelCells(document); reachScrollers(); }
  tidy();
  window.addEventListener("resize", reachScrollers);
  document.addEventListener("toggle", reachScrollers, true);

  // A notice left by the page before (a job deleted from its own page leads here).
  (function () {
    var text = null;
    try { text = sessionStorage.getItem("rqdash-notice"); sessionStorage.removeItem("rqdash-notice"); } catch (e) { /* none */ }
    var main = $("main");
    if (!text || !main) return;
    var p = document.createElement("p");
    p.className = "notice";
    p.id = "notice";
    p.setAttribute("role", "status");
    p.textContent = text;
    main.insertBefore(p, main.firstChild);
  })();

  // ---- Live updates ------------------------------------------------------------
  var liveUrl = body.getAttribute("data-live");
  var status = $("#live-status");
  var toggle = $("#live-toggle");
  var source = null;
  var paused = sessionStorage.getItem("rqdash-paused") === "1";
  var lastSig = null;

  function setState(s) {
    if (!status) return;
    status.setAttribute("data-state", s);
    $(".live-text", status).textContent = s;
  }
  function setCount(el, n) {
    var text = fmt.format(n);
    if (el.textContent === text) return false;
    el.textContent = text;
    var cell = el.closest("td, .card, .tab") || el;
    cell.classList.toggle("nonzero", n > 0);
    cell.classList.remove("flash"); void cell.offsetWidth; cell.classList.add("flash");
    return true;
  }
  // Re-fetch this page and swap the regions that list jobs, keeping scroll and focus. The tick
  // that asked for it goes along: every tab asks at once, and the server renders the page once
  // for all of them, never from data older than that tick.
  function swap(selectors, tick) {
    var headers = { "Accept": "text/html" };
    if (tick) headers["X-Rqdash-Tick"] = String(tick);
    fetch(location.href, { headers: headers, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        selectors.forEach(function (sel) {
          var now = $(sel), next = $(sel, doc);
          if (now && next) now.replaceWith(next);
          else if (now && !next) now.remove();
          else if (!now && next) { var main = $("main"); if (main) main.appendChild(next); }
        });
        refreshTimes();
        tidy();
        // select.js re-ticks the selected rows in the new table and reads the new totals.
        document.dispatchEvent(new CustomEvent("rqdash:swapped", { detail: { doc: doc } }));
      })
      .catch(function () { /* next tick will try again */ });
  }
  // The page answered 503 ("Redis is unreachable"): Redis answers again, so load the real page.
  var unreachable = !!$('.error-page[data-status="503"]');
  function apply(snap) {
    if (snap.error) { setState("disconnected"); return; }
    setState("live");
    if (unreachable) { unreachable = false; location.reload(); return; }
    var o = snap.overview;
    if (!o) return;
    var banner = $("#suspended-banner");
    if (banner) banner.hidden = !o.suspended;
    Object.keys(o.totals).forEach(function (k) {
      $$('[data-total="' + k + '"]').forEach(function (el) { setCount(el, o.totals[k]); });
    });
    Object.keys(snap.workers).forEach(function (k) {
      $$('[data-workers="' + k + '"]').forEach(function (el) { setCount(el, snap.workers[k]); });
    });
    var table = $("#queues");
    if (table) {
      var known = $$("tbody tr", table).map(function (r) { return r.getAttribute("data-queue"); }).sort().join("\n");
      var names = o.queues.map(function (q) { return q.name; }).sort().join("\n");
      var filter = $("#queue-filter");
      $$(".panel dt").forEach(function (dt) {
        if (dt.textContent.trim() === "Queues" && dt.nextElementSibling) dt.nextElementSibling.textContent = fmt.format(o.queues.length);
      });
      // A paged table (queue-table.js) shows one page: it is re-read (with its heading count) when
      // the number of queues changes.
      var paged = table.getAttribute("data-queues-total");
      if (paged !== null ? +paged !== o.queues.length : known !== names && !(filter && filter.value)) {
        swap(paged !== null ? ["#queue-count", "#queue-list"] : ["#queues"], snap.seq); return;
      }
      // The "Oldest queued" column: an emptied queue has no oldest job any more.
      var oldestCol = -1;
      $$("thead th", table).forEach(function (th, i) { if (/oldest/i.test(th.textContent)) oldestCol = i; });
      o.queues.forEach(function (q) {
        var row = null;
        $$("tbody tr", table).some(function (r) { if (r.getAttribute("data-queue") === q.name) { row = r; return true; } return false; });
        if (!row) return;
        Object.keys(q.counts).forEach(function (k) {
          var el = $('[data-count="' + k + '"]', row);
          if (el) setCount(el, q.counts[k]);
        });
        var w = $('[data-count="workers"]', row);
        if (w) setCount(w, q.workers);
        var oldest = oldestCol >= 0 ? row.cells[oldestCol] : null;
        if (oldest && q.counts.queued === 0 && $("time", oldest)) oldest.innerHTML = '<span class="muted">–</span>';
      });
    }
    var qname = $(".qname");
    if (qname) {
      var name = qname.textContent;
      var q = o.queues.filter(function (x) { return x.name === name; })[0];
      if (!q) return;
      $$(".tabs [data-count]").forEach(function (el) {
        var k = el.getAttribute("data-count");
        if (k in q.counts) setCount(el, q.counts[k]);
      });
      var params = new URLSearchParams(location.search);
      var st = params.get("state") || "queued";
      var sig = st + ":" + q.counts[st];
      if (lastSig !== null && sig !== lastSig) swap([".table-wrap", ".list-head p", ".pager"], snap.seq);
      lastSig = sig;
    }
  }
  function connect() {
    if (!liveUrl || !window.EventSource) return;
    source = new EventSource(liveUrl);
    source.addEventListener("snapshot", function (e) {
      try { apply(JSON.parse(e.data)); } catch (err) { /* a malformed event is skipped */ }
    });
    source.onerror = function () { setState("disconnected"); };
  }
  function disconnect() {
    if (source) { source.close(); source = null; }
  }
  if (toggle && liveUrl && window.EventSource) {
    toggle.hidden = false;
    var render = function () {
      toggle.textContent = paused ? "Resume" : "Pause";
      toggle.setAttribute("aria-pressed", paused ? "true" : "false");
    };
    toggle.addEventListener("click", function () {
      paused = !paused;
      sessionStorage.setItem("rqdash-paused", paused ? "1" : "0");
      if (paused) { disconnect(); setState("paused"); } else { setState("connecting"); connect(); }
      render();
    });
    render();
    if (paused) setState("paused"); else { setState("connecting"); connect(); }
  }
  window.addEventListener("pagehide", disconnect);
})();
