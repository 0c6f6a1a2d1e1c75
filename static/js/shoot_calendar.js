// Shoots calendar: a click on the empty part of a day opens the booking form for that day (each
// day also has a "+" link for keyboards and screen readers). Delegated: htmx swaps the calendar.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    if (!e.target.closest || e.target.closest("a, button, input, select, label")) return;
    var day = e.target.closest(".calendar .day[data-new-shoot]");
    if (day) window.location.assign(day.dataset.newShoot);
  });
})();
