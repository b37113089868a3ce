// rqdash overview: the queue table pages, sorts and filters in place. Each change asks the
// server for the same page with the new query (one page of rows, never all 1,000+ queues) and
// swaps in the table, its count and its pager; the address bar follows, so reload and back work.
// Without this file, the same links and the filter form load the page.
(function () {
  "use strict";

  var section = document.getElementById("queue-section");
  var form = document.getElementById("queue-filter-form");
  var input = document.getElementById("queue-filter");
  if (!section || !form || !input || !window.fetch || !window.DOMParser) return;
  var seq = 0;
  var timer = null;

  function load(href) {
    var mine = ++seq;
    section.setAttribute("aria-busy", "true");
    fetch(href, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        // A later request was made meanwhile: its answer is the one to show.
        if (mine !== seq || html === null) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        ["queue-list", "queue-count"].forEach(function (id) {
          var now = document.getElementById(id), next = doc.getElementById(id);
          if (now && next) now.replaceWith(next);
        });
        history.replaceState(null, "", href);
        if (window.rqdashRefreshTimes) window.rqdashRefreshTimes();
      })
      .catch(function () { /* the links still work: the next click tries again */ })
      .then(function () { if (mine === seq) section.removeAttribute("aria-busy"); });
  }

  // The filter's query: the current address without its page, with the new text.
  function filtered() {
    var u = new URL(location.href);
    u.searchParams.delete("qpage");
    var v = input.value.trim();
    if (v) u.searchParams.set("q", v); else u.searchParams.delete("q");
    return u.pathname + u.search;
  }

  section.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a[data-swap]") : null;
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    load(a.getAttribute("href"));
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { load(filtered()); }, 200);
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearTimeout(timer);
    load(filtered());
  });
})();
