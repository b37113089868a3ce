// rqdash workers page: the run time of each busy worker's current job ticks every second,
// counted from the job's started_at (the server rendered it once, for readers without JS).
(function () {
  "use strict";

  function duration(s) {
    s = Math.max(0, Math.floor(s));
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
    if (s < 86400) return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
    return Math.floor(s / 86400) + " d " + Math.floor((s % 86400) / 3600) + " h";
  }
  function tick() {
    var now = Date.now();
    // Queried each time: a live refresh may have replaced the rows.
    document.querySelectorAll("[data-running-since]").forEach(function (el) {
      var t = Date.parse(el.getAttribute("data-running-since"));
      if (!isNaN(t)) el.textContent = duration((now - t) / 1000);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
