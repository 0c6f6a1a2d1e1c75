// The notification bell: closes its menu on a click elsewhere or on Escape.
// Opening it loads the menu over htmx (hx-trigger on #bell-menu); the count polls on its own.
(function () {
  "use strict";
  function closeAll(except) {
    document.querySelectorAll("details[data-bell][open]").forEach(function (bell) {
      if (bell !== except) bell.open = false;
    });
  }
  document.addEventListener("click", function (event) {
    closeAll(event.target.closest ? event.target.closest("details[data-bell]") : null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeAll(null);
  });
})();
