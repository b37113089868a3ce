// rqdash reveal: an admin's one click shows a job's values without --redact masking. A POST with
// the CSRF token (the server checks the role and records the request); text only, never HTML.
(function () {
  "use strict";

  var btn = document.querySelector("[data-reveal]");
  var out = document.getElementById("reveal-out");
  var text = document.getElementById("reveal-text");
  if (!btn || !out || !text) return;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute("content") : "";

  function lines(j) {
    var l = [];
    if (j.description) l.push("description: " + j.description);
    if (j.call) l.push("call: " + j.call);
    (j.args || []).forEach(function (a, i) { l.push("args[" + i + "]: " + a.repr); });
    (j.kwargs || []).forEach(function (a) { l.push(a.name + ": " + a.repr); });
    if (j.result) l.push("result: " + j.result.repr);
    if (j.meta) l.push("meta: " + j.meta.repr);
    (j.results || []).forEach(function (r, i) { if (r.return_value) l.push("results[" + i + "]: " + r.return_value.repr); });
    return l.join("\n");
  }

  btn.addEventListener("click", function () {
    btn.disabled = true;
    fetch(btn.getAttribute("data-reveal"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": token }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        text.textContent = r.ok ? lines(j) : (j.error || ("HTTP " + r.status));
        out.hidden = false;
        btn.disabled = false;
      });
    }).catch(function (e) {
      text.textContent = "Reveal failed: " + e;
      out.hidden = false;
      btn.disabled = false;
    });
  });
})();
