// Post editor: pick media in order (the hidden "media" input keeps the ids in that order), and
// add freshly uploaded files to the picker. Changing the picks re-runs the platform checks.
(function () {
  "use strict";
  function input(form) { return form.querySelector("input[name=media]"); }
  function ids(form) { var el = input(form); return el ? (el.value || "").split(",").filter(Boolean) : []; }
  function render(form) {
    if (!input(form)) return; // no client chosen yet: nothing to pick from
    var order = ids(form);
    form.querySelectorAll("[data-asset-id]").forEach(function (tile) {
      var at = order.indexOf(tile.dataset.assetId);
      tile.classList.toggle("picked", at >= 0);
      tile.setAttribute("aria-pressed", at >= 0 ? "true" : "false");
      tile.querySelector(".order").textContent = at >= 0 ? String(at + 1) : "";
    });
  }
  function changed(form) {
    if (!input(form)) return;
    render(form);
    input(form).dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.addEventListener("click", function (event) {
    var tile = event.target.closest && event.target.closest("[data-picker] [data-asset-id]");
    if (!tile) return;
    var form = tile.closest("form");
    var order = ids(form);
    var at = order.indexOf(tile.dataset.assetId);
    if (at >= 0) order.splice(at, 1); else order.push(tile.dataset.assetId);
    input(form).value = order.join(",");
    changed(form);
  });
  document.addEventListener("media:uploaded", function (event) {
    var form = document.getElementById("post-form");
    var asset = event.detail;
    if (!form || !asset || !asset.id || !input(form)) return;
    var picker = form.querySelector("[data-picker]");
    if (!picker.querySelector('[data-asset-id="' + asset.id + '"]')) {
      var tile = document.createElement("button");
      tile.type = "button";
      tile.className = "media-tile pick";
      tile.dataset.assetId = asset.id;
      var thumb = asset.thumbnail_url || (asset.urls && asset.urls.thumbnail);
      tile.innerHTML = (thumb ? '<img alt="">' : '<span class="tile-placeholder"><span class="spinner"></span></span>') +
        '<span class="order" aria-hidden="true"></span><span class="caption truncate"></span>';
      if (thumb) tile.querySelector("img").src = thumb;
      tile.querySelector(".caption").textContent = asset.original_name || asset.name || "";
      picker.prepend(tile);
    }
    var order = ids(form);
    if (order.indexOf(asset.id) < 0) order.push(asset.id);
    input(form).value = order.join(",");
    changed(form);
  });
  document.addEventListener("htmx:load", function (event) {
    var form = event.detail.elt.querySelector ? event.detail.elt.querySelector("#post-form") : null;
    if (form) render(form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("post-form");
    if (form) render(form);
  });
})();
