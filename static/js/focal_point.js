// Focal-point picker: a click on the photo in [data-focal-picker] places the dot and posts x, y
// (0..1 from the top left) through htmx; the server makes the crops again around it.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var picker = event.target.closest("[data-focal-picker].editable");
    if (!picker || event.target.tagName !== "IMG") return;
    var rect = event.target.getBoundingClientRect();
    var x = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
    var y = Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height));
    picker.querySelector("[name=x]").value = x.toFixed(4);
    picker.querySelector("[name=y]").value = y.toFixed(4);
    var dot = picker.querySelector(".focal-dot");
    dot.style.left = (x * 100) + "%";
    dot.style.top = (y * 100) + "%";
    dot.classList.remove("hidden");
    if (window.htmx) htmx.trigger(picker, "submit"); else picker.submit();
  });
})();
