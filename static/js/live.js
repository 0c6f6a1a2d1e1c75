// Live updates: the page's one socket (/ws/events/, htmx's WebSocket extension, which reconnects
// with backoff) says *that* something changed; this re-reads the regions that show it.
//
// A region is an element with an id and data-live="topics" (e.g. "post", "post:<id>"). A
// signal's topics are swapped into #live-signal; every region sharing a topic is re-read: an
// element with hx-get gets the "live" trigger, any other is replaced by the same element of a
// fresh copy of this page (one fetch for all the regions of a signal). The bell's count is the
// region of the topic "notifications". A region with a field being edited waits until it is left
// alone. While the socket is not open (no server support, a proxy in the way, reconnecting, or
// LIVE_SOCKET off) the regions are re-read every LIVE_POLL_SECONDS (30 s) instead, or every
// data-live-poll seconds for a region that says so (a progress bar: 1 s); while it is open nothing
// polls.
//
// Notification toasts ([data-toast] in base.html's #toasts, sent by the bell's count): each can be
// dismissed (its button or Escape), leaves by itself after TOAST_MS unless pointed at or focused,
// and at most TOAST_MAX stay (the oldest leaves first).
(function () {
  "use strict";
  var socket = document.getElementById("live-socket");
  if (!socket) return;
  // no ws-connect (LIVE_SOCKET off): never open, the regions poll
  document.documentElement.setAttribute("data-live", socket.hasAttribute("ws-connect") ? "connecting" : "polling");
  var POLL_MS = 1000 * (parseFloat(socket.getAttribute("data-poll-seconds")) || 30);
  var DEBOUNCE_MS = 150;
  var open = false;
  var everOpen = false;
  var queued = new Set();
  var timer = null;
  var polled = new Map();  // region's key -> when its own poll (data-live-poll) last re-read it
  var loaded = Date.now();

  function busy(region) {
    var active = document.activeElement;
    if (active && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return true;
    var fields = region.querySelectorAll("textarea, input[type=text], input:not([type])");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    return false;
  }

  function refresh(regions) {
    var fromPage = [];
    regions.forEach(function (region) {
      if (!region.isConnected) return;
      if (busy(region)) {  // try again once the person is done with it
        setTimeout(function () { schedule([region]); }, 2000);
        return;
      }
      if (region.hasAttribute("hx-get")) htmx.trigger(region, "live");
      else fromPage.push(region);
    });
    if (!fromPage.length) return;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Live-Refresh": "1" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        fromPage.forEach(function (region) {
          var replacement = fresh.getElementById(region.id);
          if (!replacement || !region.isConnected || busy(region)) return;
          var node = document.importNode(replacement, true);
          region.replaceWith(node);
          htmx.process(node);
          node.dispatchEvent(new CustomEvent("live:updated", { bubbles: true }));
        });
      })
      .catch(function () { /* the next signal or poll tries again */ });
  }

  function schedule(regions) {
    regions.forEach(function (region) { queued.add(region); });
    if (timer) return;
    timer = setTimeout(function () {
      timer = null;
      var batch = Array.from(queued);
      queued.clear();
      refresh(batch);
    }, DEBOUNCE_MS);
  }

  function regionsFor(topics) {
    return Array.from(document.querySelectorAll("[data-live]")).filter(function (region) {
      return region.getAttribute("data-live").split(/\s+/).some(function (t) { return topics.indexOf(t) >= 0; });
    });
  }

  document.body.addEventListener("htmx:wsAfterMessage", function () {
    var signal = document.getElementById("live-signal");
    if (!signal) return;
    var topics = (signal.getAttribute("data-topics") || "").split(/\s+/).filter(Boolean);
    schedule(regionsFor(topics));
  });
  document.body.addEventListener("htmx:wsOpen", function () {
    var missed = everOpen && !open;  // reconnected: what changed meanwhile was not signalled
    open = everOpen = true;
    document.documentElement.setAttribute("data-live", "open");
    if (missed) schedule(Array.from(document.querySelectorAll("[data-live]")));
  });
  document.body.addEventListener("htmx:wsClose", function () {
    open = false;
    document.documentElement.setAttribute("data-live", "closed");
  });
  function ownPoll(region) { return parseFloat(region.getAttribute("data-live-poll")) || 0; }
  // A re-read replaces the element: its poll is kept by what it shows, not by the node.
  function keyOf(region) { return region.id || region.getAttribute("hx-get") || region.getAttribute("data-live"); }

  setInterval(function () {  // the regions without a poll of their own
    if (open || document.visibilityState !== "visible") return;
    schedule(Array.from(document.querySelectorAll("[data-live]")).filter(function (r) { return !ownPoll(r); }));
  }, POLL_MS);
  setInterval(function () {  // the regions with one (data-live-poll seconds)
    if (open || document.visibilityState !== "visible") return;
    var now = Date.now();
    var due = Array.from(document.querySelectorAll("[data-live-poll]")).filter(function (region) {
      var seconds = ownPoll(region);
      var key = keyOf(region);
      if (!seconds || now - (polled.get(key) || loaded) < seconds * 1000 - 100) return false;
      polled.set(key, now);
      return true;
    });
    if (due.length) refresh(due);
  }, 500);

  // Toasts
  var TOAST_MS = 8000;
  var TOAST_MAX = 3;
  var toasts = document.getElementById("toasts");
  if (!toasts) return;

  function dismiss(toast) {
    if (!toast || !toast.isConnected) return;
    var back = toast.contains(document.activeElement);
    toast.remove();
    if (back) {  // keep the keyboard where it was: the next toast, else the bell
      var next = toasts.querySelector("[data-toast] .toast-link") || document.querySelector(".bell-button");
      if (next) next.focus();
    }
  }

  function arm(toast) {
    if (toast.hasAttribute("data-armed")) return;
    toast.setAttribute("data-armed", "");
    var left = TOAST_MS;
    var started = Date.now();
    var clock = null;
    function run() { started = Date.now(); clock = setTimeout(function () { dismiss(toast); }, left); }
    function hold() { if (clock) { clearTimeout(clock); clock = null; left = Math.max(2000, left - (Date.now() - started)); } }
    function resume() { if (!clock && !toast.matches(":hover") && !toast.contains(document.activeElement)) run(); }
    toast.addEventListener("mouseenter", hold);
    toast.addEventListener("focusin", hold);
    toast.addEventListener("mouseleave", resume);
    toast.addEventListener("focusout", function () { setTimeout(resume, 0); });
    run();
  }

  function settle() {
    var all = toasts.querySelectorAll("[data-toast]");  // (app.js's own toasts leave by themselves)
    for (var i = 0; i < all.length - TOAST_MAX; i++) all[i].remove();  // the oldest go first
    toasts.querySelectorAll("[data-toast]").forEach(arm);
  }

  toasts.addEventListener("click", function (event) {
    var button = event.target.closest("[data-toast-dismiss]");
    if (button) dismiss(button.closest("[data-toast]"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toasts.contains(document.activeElement)) {
      dismiss(document.activeElement.closest("[data-toast]"));
    }
  });
  new MutationObserver(settle).observe(toasts, { childList: true });
})();
