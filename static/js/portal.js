// Client portal behaviour on the submit page: files uploaded there join the picker already
// chosen, the "n chosen" count follows the checkboxes, and caption boxes (one per ticked platform)
// count characters.
(function () {
  "use strict";

  function pickedCount() {
    var label = document.querySelector("[data-picked-count]");
    if (!label) return;
    var n = document.querySelectorAll("[data-picker] input[name=media]:checked").length;
    label.textContent = n + " chosen";
  }

  function tileFor(asset) {
    var figure = document.createElement("figure");
    figure.className = "portal-tile";
    figure.id = "tile-" + asset.id;
    var label = document.createElement("label");
    label.className = "pick";
    label.title = asset.name;
    var box = document.createElement("input");
    box.type = "checkbox";
    box.name = "media";
    box.value = asset.id;
    box.checked = true;
    box.setAttribute("form", "submit-form");
    box.setAttribute("aria-label", "Use " + asset.name);
    var tile = document.createElement("span");
    tile.className = "media-tile";
    if (asset.thumbnail_url) {
      var img = document.createElement("img");
      img.src = asset.thumbnail_url;
      img.alt = asset.name;
      tile.appendChild(img);
    } else {
      var holder = document.createElement("span");
      holder.className = "tile-placeholder";
      holder.textContent = asset.kind === "video" ? "Video" : "Preparing…";
      tile.appendChild(holder);
    }
    var caption = document.createElement("span");
    caption.className = "caption truncate";
    caption.textContent = asset.name;
    tile.appendChild(caption);
    label.appendChild(box);
    label.appendChild(tile);
    figure.appendChild(label);
    return figure;
  }

  document.addEventListener("media:uploaded", function (event) {
    var picker = document.querySelector("[data-picker]");
    var asset = event.detail;
    if (!picker || !asset) return;
    var existing = document.getElementById("tile-" + asset.id);
    if (existing) {
      var box = existing.querySelector("input[name=media]");
      if (box) box.checked = true;
    } else {
      picker.insertBefore(tileFor(asset), picker.firstChild);
    }
    var empty = document.querySelector("[data-picker-empty]");
    if (empty) empty.remove();
    pickedCount();
  });

  // Caption boxes follow the ticked platforms (none ticked: the team chooses, so all show).
  function captionBoxes() {
    var ticked = Array.prototype.map.call(
      document.querySelectorAll("#submit-form input[name=platforms]:checked"), function (box) { return box.value; });
    document.querySelectorAll("[data-platform-caption]").forEach(function (box) {
      box.hidden = ticked.length > 0 && ticked.indexOf(box.getAttribute("data-platform-caption")) === -1;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-picker] input[name=media]")) pickedCount();
    if (event.target.matches && event.target.matches("#submit-form input[name=platforms]")) captionBoxes();
  });
  document.addEventListener("htmx:afterSwap", captionBoxes);

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (!area.matches || !area.matches("[data-count-limit]")) return;
    var help = document.querySelector('[data-count-for="' + area.id + '"]');
    if (!help) return;
    var limit = parseInt(area.getAttribute("data-count-limit"), 10);
    var n = Array.from(area.value).length;
    help.textContent = n + " / " + limit + (limit === 1 ? " character" : " characters") + (n > limit ? " — too long for this platform" : "");
    help.classList.toggle("text-danger", n > limit);
  });
})();
