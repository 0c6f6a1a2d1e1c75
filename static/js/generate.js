// The multi-platform wizard, step 1: live counters of the text, call to action and hashtags,
// and which platforms' limits the whole would pass (each platform still gets a version fitted
// to it on the server: these counters only tell what will be shortened).
(function () {
  "use strict";
  function tags(value) {
    return value.split(/[\s,]+/).map(function (t) { return t.replace(/^#+/, ""); }).filter(Boolean);
  }
  function update(root) {
    var box = root.querySelector("[data-counters]");
    var limitsEl = document.getElementById("wizard-limits");
    if (!box || !limitsEl) return;
    var limits = JSON.parse(limitsEl.textContent);
    var get = function (name) { var el = root.querySelector('[data-count="' + name + '"]'); return el ? el.value : ""; };
    var hashtagList = tags(get("hashtags"));
    var total = Array.from(get("content")).length + Array.from(get("cta")).length +
      hashtagList.reduce(function (sum, t) { return sum + t.length + 2; }, 0);
    var chars = Array.from(get("content")).length;
    box.querySelector('[data-counter-out="chars"]').textContent =
      chars + (chars === 1 ? " character (" : " characters (") + total + " with the call to action and hashtags)";
    var tagsOut = box.querySelector('[data-counter-out="tags"]');
    tagsOut.textContent = hashtagList.length + (hashtagList.length === 1 ? " hashtag" : " hashtags");
    tagsOut.classList.toggle("over", hashtagList.length > 30);
    var over = Object.keys(limits).filter(function (label) { return total > limits[label]; });
    var fit = box.querySelector('[data-counter-out="fit"]');
    fit.textContent = over.length ? "· shortened to fit on " + over.join(", ") : (total ? "· fits every platform" : "");
    fit.classList.toggle("over", over.length > 0);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-count]")) update(event.target.closest("form"));
  });
  function init(root) {
    var form = root.querySelector ? root.querySelector("form.wizard") : null;
    if (form) update(form);
  }
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt.parentNode || document); });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
