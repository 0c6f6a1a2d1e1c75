// LocalBzz staff UI behaviour: toasts, loading bar, mobile navigation, copy buttons,
// and clear messages when an htmx request fails. No framework; htmx does the rest.
(function () {
  "use strict";

  function toast(message, level) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var el = document.createElement("div");
    el.className = "toast toast-" + (level || "info");
    el.setAttribute("role", level === "error" ? "alert" : "status");
    var text = document.createElement("div");
    text.textContent = message;
    var close = document.createElement("button");
    close.className = "close";
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", function () { dismiss(el); });
    el.appendChild(text);
    el.appendChild(close);
    box.appendChild(el);
    setTimeout(function () { dismiss(el); }, level === "error" ? 9000 : 5000);
  }
  function dismiss(el) {
    if (!el.parentNode) return;
    el.classList.add("leaving");
    setTimeout(function () { el.remove(); }, 260);
  }
  window.LocalBzz = { toast: toast };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#toasts .toast").forEach(function (el) {
      var close = el.querySelector(".close");
      if (close) close.addEventListener("click", function () { dismiss(el); });
      setTimeout(function () { dismiss(el); }, 6000);
    });
    var toggle = document.querySelector(".menu-toggle");
    if (toggle) toggle.addEventListener("click", function () {
      var open = document.body.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });

  // Messages sent by the server with an htmx response (HX-Trigger: toast).
  document.addEventListener("toast", function (event) {
    (event.detail.items || []).forEach(function (item) { toast(item.message, item.level); });
  });

  // Thin progress bar while any htmx request is in flight.
  var inflight = 0;
  function bar(state) {
    var el = document.getElementById("loading-bar");
    if (!el) return;
    el.classList.remove("active", "done");
    void el.offsetWidth;
    el.classList.add(state);
  }
  document.addEventListener("htmx:beforeRequest", function () { if (inflight++ === 0) bar("active"); });
  document.addEventListener("htmx:afterRequest", function () { if (--inflight <= 0) { inflight = 0; bar("done"); } });

  var statusText = {
    400: "That request was not valid.",
    403: "You do not have access to do that. Ask an owner or admin.",
    404: "That item no longer exists. Reload the page.",
    409: "Someone changed this at the same time. Reload and try again.",
    413: "That upload is too large.",
    429: "Too many requests. Wait a moment and try again."
  };
  // An element marked data-swap-errors shows the server's 4xx/5xx answer (a partial that says
  // what to do) in place instead of a toast.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr.status >= 400 && elt && elt.closest && elt.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (elt && elt.closest && elt.closest("[data-swap-errors]")) return;
    var message = statusText[xhr.status] || "Something went wrong on our side (" + xhr.status + "). Try again.";
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.error && body.error.message) message = body.error.message;
    } catch (e) { /* HTML error page: keep the generic message */ }
    toast(message, "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast("Could not reach the server. Check your connection and try again.", "error");
  });

  // <button data-copy="text"> copies text to the clipboard.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    event.preventDefault();
    var value = button.getAttribute("data-copy");
    var done = function () { toast("Copied to the clipboard.", "success"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(value).then(done);
    } else {
      var area = document.createElement("textarea");
      area.value = value; document.body.appendChild(area); area.select();
      document.execCommand("copy"); area.remove(); done();
    }
  });

  // <form data-upload-progress data-max-bytes="…"> sent by htmx: its <progress> follows the upload,
  // and a file past the largest size we take is refused here before anything is sent.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest && event.target.closest("form[data-upload-progress]");
    var bar = form && form.querySelector("progress");
    if (!bar || !event.detail.lengthComputable) return;
    bar.hidden = false;
    bar.value = Math.round(event.detail.loaded / event.detail.total * 100);
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-upload-progress]");
    var input = form && form.querySelector("input[type=file]");
    var file = input && input.files && input.files[0];
    var limit = form && Number(form.getAttribute("data-max-bytes"));
    if (file && limit && file.size > limit) {
      event.preventDefault();
      toast(file.name + " is larger than we take (" + Math.round(limit / 1048576) + " MB at most). Make it smaller and attach that.", "error");
    }
  });

  // Confirmations, auto-submitting filters and dialogs, declared in the markup (the
  // Content-Security-Policy forbids onclick=/onsubmit=/onchange= attributes):
  // <form data-confirm="Delete this?">, <button data-confirm="…">, <select data-autosubmit>,
  // <button data-open-dialog="id">, <button data-close-dialog>.
  function confirmed(el, event) {
    if (!el || window.confirm(el.getAttribute("data-confirm"))) return true;
    event.preventDefault();
    event.stopPropagation();  // capture phase: htmx on the element never hears of it
    return false;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-confirm], a[data-confirm]");
    if (!confirmed(button, event)) return;
    var opener = event.target.closest && event.target.closest("[data-open-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
      if (dialog) dialog.showModal();
    }
    var closer = event.target.closest && event.target.closest("[data-close-dialog]");
    if (closer) closer.closest("dialog").close();
  }, true);
  // <button data-check="all|none" data-check-in="form-id">: tick or clear every enabled checkbox
  // of that form (the Files card's pick list).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-check]");
    var form = button && document.getElementById(button.getAttribute("data-check-in"));
    if (!form) return;
    var on = button.getAttribute("data-check") === "all";
    form.querySelectorAll("input[type=checkbox]:not(:disabled)").forEach(function (box) { box.checked = on; });
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]")) confirmed(form, event);
  }, true);
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.requestSubmit();
    // <select data-zone-for="start"> of clients whose options carry data-zone: the label of the
    // time field #field-start says which zone it takes ("(America/Chicago time)").
    if (field.matches && field.matches("select[data-zone-for]")) {
      var label = document.querySelector("#field-" + field.getAttribute("data-zone-for") + " [data-zone-label]");
      var option = field.selectedOptions && field.selectedOptions[0];
      var zone = option && option.getAttribute("data-zone");
      if (label) label.textContent = "(" + (zone ? zone + " time" : "local time where the shoot is") + ")";
    }
  });

  // Sizes computed per item (ratio boxes, meter fills, focal dots, rendition frames) arrive as
  // numeric data- attributes on [data-sized]: styles set from script are allowed by the CSP.
  var SIZES = { pxWidth: ["width", "px"], pxHeight: ["height", "px"], pctWidth: ["width", "%"],
                pctLeft: ["left", "%"], pctTop: ["top", "%"] };
  function applySizes(root) {
    if (!root || !root.querySelectorAll) return;
    var items = Array.prototype.slice.call(root.querySelectorAll("[data-sized]"));
    if (root.matches && root.matches("[data-sized]")) items.push(root);
    items.forEach(function (el) {
      Object.keys(SIZES).forEach(function (key) {
        var value = parseFloat(el.dataset[key]);
        if (isFinite(value)) el.style[SIZES[key][0]] = value + SIZES[key][1];
      });
      var w = parseFloat(el.dataset.aspectW), h = parseFloat(el.dataset.aspectH);
      if (w > 0 && h > 0) el.style.aspectRatio = w + " / " + h;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { applySizes(document.body); });
  document.addEventListener("htmx:load", function (event) { applySizes(event.detail.elt); });

  // Live character counters: <textarea data-count-max="2200" data-counter="#id">.
  function updateCounter(field) {
    var target = document.querySelector(field.getAttribute("data-counter"));
    if (!target) return;
    var max = parseInt(field.getAttribute("data-count-max"), 10);
    var length = Array.from(field.value).length;
    target.textContent = length + (max ? " / " + max : "");
    target.classList.toggle("over", !!max && length > max);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-counter]")) updateCounter(event.target);
  });
  document.addEventListener("htmx:load", function (event) {
    event.detail.elt.querySelectorAll && event.detail.elt.querySelectorAll("[data-counter]").forEach(updateCounter);
  });
})();
