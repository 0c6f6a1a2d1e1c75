// Live updates: the page's one socket (/ws/events/, htmx's WebSocket extension, which reconnects
// with backoff) says *that* something changed; this re-reads the regions that show it.
//
// A region is an element with an id and data-live="topics" (e.g. "post", "post:<id>"). A
// signal's topics are swapped into #live-signal; every region sharing a topic is re-read: an
// element with hx-get gets the "live" trigger, any other is replaced by the same element of a
// fresh copy of this page (one fetch for all the regions of a signal). The topic "notifications"
// sends the bell's "notifications-changed". A region
// with a field being edited waits until it is left alone. While the socket is not open (no
// server support, a proxy in the way, reconnecting, or LIVE_SOCKET off) the regions are re-read
// every LIVE_POLL_SECONDS (30 s) instead.
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
  var bell = false;  // the bell's count re-reads itself on "notifications-changed" (count.html)

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
      if (bell) htmx.trigger(document.body, "notifications-changed");
      bell = false;
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
    if (topics.indexOf("notifications") >= 0) bell = true;
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
  setInterval(function () {
    if (!open && document.visibilityState === "visible") schedule(Array.from(document.querySelectorAll("[data-live]")));
  }, POLL_MS);
})();
