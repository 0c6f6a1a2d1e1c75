// The best times to post (reports/_best_slots.html, loaded with htmx): a suggestion fills the
// "Publish at" field it names, then the person schedules or queues as usual.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-fill-time]");
    if (!button) return;
    var field = document.getElementById(button.dataset.fillField);
    if (!field) return;
    field.value = button.dataset.fillTime;
    field.dispatchEvent(new Event("change", { bubbles: true }));
    field.focus();
  });
})();
