// rqdash row selection on queue pages: shift-click ranges, select-page and "select all N".
// The selection is a list of job ids, not of checkboxes: when a live refresh (app.js) replaces
// the table, the boxes of the ids still shown are ticked again, and an id that left the view is
// unselected and the toolbar says so. An action only ever sends ids the user can see ticked.
(function () {
  "use strict";

  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var toolbar = $(".toolbar");
  var selection = toolbar ? $(".selection", toolbar) : null;
  var confirm = window.rqdashConfirm;
  if (!toolbar || !selection || !confirm) return;
  var fmt = new Intl.NumberFormat("en-US");
  var state = toolbar.getAttribute("data-state");
  var queue = toolbar.getAttribute("data-queue");
  var total = parseInt(toolbar.getAttribute("data-total"), 10) || 0;
  var countEl = $("[data-selected]", selection);
  var droppedEl = $("[data-dropped]", selection);

  var chosen = [];        // the selected ids, in row order
  var dropped = 0;        // selected ids that left the view since the user last changed the selection
  var allMode = false;    // every job of the registry, not only the rows shown
  var lastId = null;      // anchor of a shift-click range
  var confirming = null;  // {act, label} while the dialog confirms an action on the selection
  var boxes = [];
  var pageBox = null;

  var allBtn = document.createElement("button");
  allBtn.type = "button";
  allBtn.className = "btn ghost";
  selection.appendChild(allBtn);
  // The whole-registry buttons, which "select all N" hands its action to.
  var wholeList = {};
  $$("[data-action]", toolbar).forEach(function (b) {
    var l = b.textContent.trim();
    if (l === "Requeue all") wholeList.requeue = b;
    if (l === "Delete all" || l === "Empty queue") wholeList["delete"] = b;
  });

  function ids() { return boxes.map(function (b) { return b.value; }); }
  function ticked() { return boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }); }
  function plural(n, one, many) { return fmt.format(n) + " " + (n === 1 ? one : many); }

  // Picks up the boxes of the table now in the page and ticks those of the selection.
  function bind() {
    boxes = $$("input.row-sel");
    pageBox = $("input[data-select-page]");
    boxes.concat(pageBox ? [pageBox] : []).forEach(function (b) { b.hidden = false; });
    if (allMode) chosen = ids();
    boxes.forEach(function (b) { b.checked = chosen.indexOf(b.value) !== -1; });
  }

  function render() {
    var n = allMode ? total : chosen.length;
    selection.hidden = n === 0 && dropped === 0;
    countEl.textContent = fmt.format(n) + (allMode ? " (all)" : "");
    droppedEl.hidden = dropped === 0;
    droppedEl.textContent = dropped === 0 ? "" :
      " · " + plural(dropped, "left the view and was unselected", "left the view and were unselected");
    if (pageBox) pageBox.checked = boxes.length > 0 && chosen.length === boxes.length;
    var canAll = !allMode && boxes.length > 0 && chosen.length === boxes.length && total > boxes.length &&
      Object.keys(wholeList).length > 0;
    allBtn.hidden = !canAll && !allMode;
    allBtn.textContent = allMode ? "Clear selection" : "Select all " + fmt.format(total) + " " + state + " jobs";
    $$("[data-bulk]", selection).forEach(function (b) {
      b.hidden = n === 0 || (allMode && !wholeList[b.getAttribute("data-bulk")]);
    });
  }

  // The user changed the selection: it is what is ticked now, and older news is dropped.
  function changed() {
    chosen = ticked();
    dropped = 0;
    render();
  }

  document.addEventListener("click", function (e) {
    var b = e.target;
    if (!(b instanceof HTMLInputElement) || !b.classList.contains("row-sel")) return;
    allMode = false;
    var from = lastId === null ? -1 : ids().indexOf(lastId), to = boxes.indexOf(b);
    if (e.shiftKey && from !== -1 && to !== -1) {
      for (var k = Math.min(from, to); k <= Math.max(from, to); k++) boxes[k].checked = b.checked;
    }
    lastId = b.value;
    changed();
  });
  document.addEventListener("change", function (e) {
    if (!e.target.hasAttribute || !e.target.hasAttribute("data-select-page")) return;
    allMode = false;
    boxes.forEach(function (b) { b.checked = e.target.checked; });
    changed();
  });
  allBtn.addEventListener("click", function () {
    allMode = !allMode;
    boxes.forEach(function (b) { b.checked = allMode; });
    changed();
  });

  // The confirmation names every job it will act on (the first 10 of them, then a count).
  function confirmSelection() {
    var act = confirming.act, label = confirming.label;
    var func = function (id) {
      var box = boxes.filter(function (b) { return b.value === id; })[0];
      var row = box && box.closest("tr");
      var fn = row && $("code.fn", row);
      return fn ? fn.textContent.trim() : row ? "(job data missing)" : "";
    };
    var items = chosen.map(function (id) { return { id: id, func: func(id) }; });
    var gone = dropped ? " " + plural(dropped, "selected job", "selected jobs") + " left the view and " +
      (dropped === 1 ? "is" : "are") + " not included." : "";
    if (chosen.length === 0) {
      confirm(label + " selected", "Nothing is selected any more." + gone, null, []);
      return;
    }
    // /failed lists many queues: its toolbar names none, and each job is found by its own hash.
    var where = queue === null ? " across queues" : " of queue “" + queue + "”";
    var msg = label + " these " + plural(chosen.length, "selected " + state + " job", "selected " + state + " jobs") +
      where + "?" + (act === "delete" ? " This cannot be undone." : "") + gone;
    var body = { action: act, ids: chosen.slice() };
    if (queue !== null) { body.queue = queue; body.state = state; }
    confirm(label + " selected", msg, {
      url: toolbar.getAttribute("data-bulk-url"),
      background: true,
      body: body
    }, items);
  }
  $$("[data-bulk]", selection).forEach(function (b) {
    b.addEventListener("click", function () {
      var act = b.getAttribute("data-bulk");
      if (allMode && wholeList[act]) { wholeList[act].click(); return; }
      confirming = { act: act, label: b.textContent.trim() };
      confirmSelection();
    });
  });
  var dialog = $("#action-dialog"), okBtn = $("#action-ok");
  if (okBtn) okBtn.addEventListener("click", function () { confirming = null; });
  if (dialog) dialog.addEventListener("close", function () { confirming = null; });

  // A live refresh replaced the table: keep the selection by id, and take the registry's new
  // total and the whole-list confirmations (which state the count) from the fresh page.
  document.addEventListener("rqdash:swapped", function (e) {
    var fresh = e.detail && e.detail.doc ? $(".toolbar", e.detail.doc) : null;
    if (fresh) {
      total = parseInt(fresh.getAttribute("data-total"), 10) || 0;
      $$("[data-action]", toolbar).forEach(function (b) {
        var twin = $$("[data-action]", fresh).filter(function (t) { return t.textContent.trim() === b.textContent.trim(); })[0];
        if (twin) b.setAttribute("data-confirm", twin.getAttribute("data-confirm"));
        b.hidden = !twin;
      });
    }
    var before = chosen;
    bind();
    if (!allMode) {
      chosen = before.filter(function (id) { return ids().indexOf(id) !== -1; });
      dropped += before.length - chosen.length;
    }
    render();
    if (confirming) confirmSelection();
  });

  bind();
  render();
})();
