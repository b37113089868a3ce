// Applies the remembered theme before first paint (loaded without defer; no inline script under CSP).
(function () {
  try {
    var t = localStorage.getItem("rqdash-theme");
    if (t === "dark" || t === "light") document.documentElement.setAttribute("data-theme", t);
  } catch (e) { /* storage disabled: follow the system */ }
})();
