// Drag an item to another drop zone: one htmx POST to the item's data-move-url moves it and returns the
// page part to swap in. Used by the deliverables board (drag a card to a column) and the content calendar
// (drag a scheduled post to a day, same time of day); each page also has buttons or a form for keyboards.
//
// Markup, on the container:
//   data-drag-move="<selector of the drop zones>"   e.g. ".column", ".day"
//   data-drop-field="<name>"        the value posted, read from the zone's data-<name> (data-status, data-date)
//   data-drag-target="<selector>"   what the response replaces; data-drag-swap: the htmx swap (innerHTML, outerHTML)
//   data-drop-skip-same             (optional) a drop on the item's own zone sends nothing
// and on each movable item: draggable="true" data-move-url="...".
(function () {
  "use strict";
  var dragged = null;
  var container = null;

  function zoneAt(e) {
    if (!dragged || !e.target.closest) return null;
    var zone = e.target.closest(container.dataset.dragMove);
    return zone && container.contains(zone) ? zone : null;
  }

  function clearTargets(except) {
    document.querySelectorAll("[data-drag-move] .drop-target").forEach(function (z) {
      if (z !== except) z.classList.remove("drop-target");
    });
  }

  document.addEventListener("dragstart", function (e) {
    var item = e.target.closest && e.target.closest("[data-drag-move] [draggable=true][data-move-url]");
    if (!item) return;
    dragged = item;
    container = item.closest("[data-drag-move]");
    item.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", item.dataset.moveUrl);
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    clearTargets(null);
    dragged = null;
    container = null;
  });
  document.addEventListener("dragover", function (e) {
    var zone = zoneAt(e);
    if (!zone) return;
    e.preventDefault();
    clearTargets(zone);
    zone.classList.add("drop-target");
  });
  document.addEventListener("drop", function (e) {
    var zone = zoneAt(e);
    if (!zone) return;
    e.preventDefault();
    if ("dropSkipSame" in container.dataset && dragged.closest(container.dataset.dragMove) === zone) return;
    var field = container.dataset.dropField;
    var values = {};
    values[field] = zone.dataset[field];
    htmx.ajax("POST", dragged.dataset.moveUrl, {
      source: dragged, target: container.dataset.dragTarget, swap: container.dataset.dragSwap, values: values
    });
  });
})();
