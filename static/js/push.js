// Browser notifications (Web Push): the "Turn on browser notifications" panel of the notification
// settings (staff and portal). Registers /sw.js (static/js/sw.js, scope "/"), subscribes with the
// server's VAPID public key and hands the subscription to the server; "Turn off" unsubscribes and
// tells the server. States: not supported, blocked (how to allow again), on, off.
(function () {
  "use strict";
  var panel = document.querySelector("[data-push]");
  if (!panel || !panel.querySelector("[data-push-state='checking']")) return;
  var onButton = panel.querySelector("[data-push-on]");
  var offButton = panel.querySelector("[data-push-off]");
  var errorBox = panel.querySelector("[data-push-error]");

  function show(state) {
    panel.dataset.pushStatus = state;
    panel.querySelectorAll("[data-push-state]").forEach(function (box) {
      box.classList.toggle("hidden", box.dataset.pushState !== state);
    });
    onButton.classList.toggle("hidden", state !== "off");
    offButton.classList.toggle("hidden", state !== "on");
  }
  function fail(message) {
    errorBox.textContent = message;
    errorBox.classList.remove("hidden");
  }
  function busy(button, on) {
    button.disabled = on;
    button.classList.toggle("is-loading", on);
  }
  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": panel.dataset.csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || "The server said no (" + response.status + "). Reload the page and try again.");
        return data;
      });
    });
  }
  function registration() {
    return navigator.serviceWorker.register(panel.dataset.sw, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    });
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    show("unsupported");
    return;
  }
  if (Notification.permission === "denied") {
    show("denied");
    return;
  }
  registration().then(function (reg) {
    return reg.pushManager.getSubscription();
  }).then(function (existing) {
    if (!existing || Notification.permission !== "granted") return false;
    // On only if the server still has it (removed from the list, or forgotten after a 410: off).
    return post(panel.dataset.checkUrl, { endpoint: existing.endpoint }).then(function (data) { return data.known; });
  }).then(function (known) {
    show(known ? "on" : "off");
  }).catch(function () {
    show("unsupported");
  });

  onButton.addEventListener("click", function () {
    errorBox.classList.add("hidden");
    busy(onButton, true);
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        show(permission === "denied" ? "denied" : "off");
        throw null;
      }
      return registration();
    }).then(function (reg) {
      return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(panel.dataset.key) });
    }).then(function (subscription) {
      return post(panel.dataset.subscribeUrl, subscription.toJSON());
    }).then(function () {
      window.location.reload(); // the list of browsers shows this one
    }).catch(function (error) {
      if (error) fail(error.message || "This browser could not be turned on. Try again in a moment.");
    }).finally(function () {
      busy(onButton, false);
    });
  });

  offButton.addEventListener("click", function () {
    errorBox.classList.add("hidden");
    busy(offButton, true);
    registration().then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) return null;
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return post(panel.dataset.unsubscribeUrl, { endpoint: endpoint });
      });
    }).then(function () {
      window.location.reload();
    }).catch(function (error) {
      fail(error.message || "This browser could not be turned off. Try again in a moment.");
    }).finally(function () {
      busy(offButton, false);
    });
  });
})();
