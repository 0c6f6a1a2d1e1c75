// "Suggest captions" in the post editor: "Use this" copies the suggestion into the editor's
// fields (caption, hashtags, call to action, alt text) and re-runs the platform checks.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-use-suggestion]");
    if (!button) return;
    var box = button.closest("[data-suggestion]");
    var form = document.getElementById("post-form");
    if (!box || !form) return;
    box.querySelectorAll("[data-field]").forEach(function (source) {
      var field = form.querySelector('[name="' + source.dataset.field + '"]');
      if (!field) return;
      field.value = source.textContent.trim();
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
    var more = form.querySelector('[name="alt_text"]');
    if (more && more.value && more.closest("details")) more.closest("details").open = true;
    form.querySelector('[name="caption"]').focus();
    if (window.LocalBzz) window.LocalBzz.toast("Suggestion copied into the post: edit it as you like.", "success");
  });
})();
