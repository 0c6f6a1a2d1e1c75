// Drag a deliverable card to another column: one htmx POST moves it and returns the board.
// The buttons on each card do the same without a mouse.
(function () {
  "use strict";
  var dragged = null;
  document.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".board-card[draggable=true]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.id);
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    document.querySelectorAll(".column.drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
    dragged = null;
  });
  document.addEventListener("dragover", function (e) {
    var column = e.target.closest && e.target.closest(".column");
    if (!column || !dragged) return;
    e.preventDefault();
    document.querySelectorAll(".column.drop-target").forEach(function (c) { if (c !== column) c.classList.remove("drop-target"); });
    column.classList.add("drop-target");
  });
  document.addEventListener("drop", function (e) {
    var column = e.target.closest && e.target.closest(".column");
    if (!column || !dragged) return;
    e.preventDefault();
    if (dragged.closest(".column") === column) return;
    htmx.ajax("POST", dragged.dataset.moveUrl, {
      source: dragged, target: "#board", swap: "outerHTML", values: { status: column.dataset.status }
    });
  });
})();
