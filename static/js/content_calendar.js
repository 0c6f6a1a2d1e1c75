// Drag a scheduled post to another day of the content calendar: one htmx POST reschedules it
// (same time of day) and returns the calendar. The post page's form does the same by keyboard.
(function () {
  "use strict";
  var dragged = null;
  document.addEventListener("dragstart", function (e) {
    var chip = e.target.closest && e.target.closest("[data-post-calendar] .cal-item[draggable=true]");
    if (!chip) return;
    dragged = chip;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", chip.dataset.moveUrl);
  });
  document.addEventListener("dragend", function () {
    dragged = null;
    document.querySelectorAll(".day.drop-target").forEach(function (d) { d.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (e) {
    var day = dragged && e.target.closest && e.target.closest("[data-post-calendar] .day");
    if (!day) return;
    e.preventDefault();
    document.querySelectorAll(".day.drop-target").forEach(function (d) { if (d !== day) d.classList.remove("drop-target"); });
    day.classList.add("drop-target");
  });
  document.addEventListener("drop", function (e) {
    var day = dragged && e.target.closest && e.target.closest("[data-post-calendar] .day");
    if (!day) return;
    e.preventDefault();
    htmx.ajax("POST", dragged.dataset.moveUrl, { source: dragged, target: "#calendar", swap: "innerHTML", values: { date: day.dataset.date } });
  });
})();
