// Upload box with a progress bar per file: any element with [data-uploader] (see
// templates/publishing/partials/uploader.html). Each file goes in its own XMLHttpRequest to the
// box's data-endpoint (multipart `files`, plus the box's fields), so each has its own progress and
// its own error message. A stored file fires `media:uploaded` on <body> with the asset; its row then
// says "Processing…" and asks the box's data-status-url (templates/publishing/partials/upload_status.html,
// with htmx) until the asset is ready ("Ready") or failed (the reason), since the sizes are made in
// the background and can still fail.
// Reused by the client portal: nothing here is specific to the staff pages.
(function () {
  "use strict";
  var PARALLEL = 3;
  var ANY_ASSET = "00000000-0000-0000-0000-000000000000";  // in data-status-url, replaced by the asset's id

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function sizeText(bytes) {
    var units = ["bytes", "KB", "MB", "GB"], i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
    return (i ? bytes.toFixed(1) : bytes) + " " + units[i];
  }

  function Uploader(box) {
    this.box = box;
    this.endpoint = box.getAttribute("data-endpoint");
    this.statusUrl = box.getAttribute("data-status-url") || "";
    this.maxFiles = parseInt(box.getAttribute("data-max-files"), 10) || 100;
    this.maxImage = parseInt(box.getAttribute("data-max-image-bytes"), 10) || Infinity;
    this.maxVideo = parseInt(box.getAttribute("data-max-video-bytes"), 10) || Infinity;
    this.list = box.querySelector("[data-upload-list]");
    this.input = box.querySelector("[data-file-input]");
    this.zone = box.querySelector("[data-dropzone]");
    this.queue = [];
    this.running = 0;
    var self = this;
    this.input.addEventListener("change", function () { self.add(self.input.files); self.input.value = ""; });
    ["dragenter", "dragover"].forEach(function (name) {
      self.zone.addEventListener(name, function (event) { event.preventDefault(); self.zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      self.zone.addEventListener(name, function (event) { event.preventDefault(); self.zone.classList.remove("over"); });
    });
    this.zone.addEventListener("drop", function (event) { self.add(event.dataTransfer.files); });
  }

  Uploader.prototype.field = function (name) {
    var el = this.box.querySelector("[name=" + name + "]");
    return el ? el.value.trim() : "";
  };

  Uploader.prototype.add = function (files) {
    var clientId = this.field("client_id");
    if (!clientId) {
      window.LocalBzz && LocalBzz.toast("Choose the client these files belong to first.", "error");
      var select = this.box.querySelector("[name=client_id]");
      if (select) select.focus();
      return;
    }
    files = Array.prototype.slice.call(files || []);
    if (files.length > this.maxFiles) {
      LocalBzz.toast("You chose " + files.length + " files; at most " + this.maxFiles +
        " go at a time. Upload the first " + this.maxFiles + ", then the rest.", "error");
      return;
    }
    var self = this;
    files.forEach(function (file) {
      var row = self.row(file);
      var isVideo = /^video\//.test(file.type) || /\.(mp4|mov)$/i.test(file.name);
      var limit = isVideo ? self.maxVideo : self.maxImage;
      if (file.size > limit) {
        self.fail(row, file.name + " is " + sizeText(file.size) + "; " + (isVideo ? "videos" : "photos") +
          " can be at most " + sizeText(limit) + ". Make it smaller and try again.");
        return;
      }
      self.queue.push({ file: file, row: row, fields: { client_id: clientId, folder: self.field("folder"), tags: self.field("tags") } });
    });
    this.next();
  };

  Uploader.prototype.row = function (file) {
    var li = document.createElement("li");
    li.className = "upload";
    li.innerHTML = '<span class="name truncate"></span><progress max="100" value="0"></progress><span class="status small muted">Waiting…</span>';
    li.querySelector(".name").textContent = file.name + " · " + sizeText(file.size);
    li.querySelector("progress").setAttribute("aria-label", "Upload of " + file.name);
    this.list.insertBefore(li, this.list.firstChild);
    return li;
  };

  Uploader.prototype.fail = function (row, message) {
    row.classList.add("failed");
    row.querySelector("progress").classList.add("failed");
    var status = row.querySelector(".status");
    status.textContent = message;
    status.setAttribute("role", "alert");
  };

  Uploader.prototype.next = function () {
    while (this.running < PARALLEL && this.queue.length) this.send(this.queue.shift());
  };

  Uploader.prototype.send = function (job) {
    var self = this, row = job.row, bar = row.querySelector("progress"), status = row.querySelector(".status");
    var form = new FormData();
    form.append("files", job.file, job.file.name);
    Object.keys(job.fields).forEach(function (key) { if (job.fields[key]) form.append(key, job.fields[key]); });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", this.endpoint);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) return;
      var percent = Math.round((event.loaded / event.total) * 100);
      bar.value = Math.min(percent, 99);
      status.textContent = percent < 100 ? percent + "%" : "Checking…";
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status === 200 || xhr.status === 201) {
        var asset = body && body.items && body.items[0];
        bar.value = 100;
        self.track(row, asset);
        document.body.dispatchEvent(new CustomEvent("media:uploaded", { detail: asset, bubbles: true }));
      } else {
        var message = body && body.error && body.error.message;
        self.fail(row, message || "Upload failed (" + xhr.status + "). Try again.");
      }
    });
    xhr.addEventListener("error", function () { self.fail(row, "Could not reach the server. Check your connection and try again."); });
    xhr.addEventListener("loadend", function () { self.running--; self.next(); });
    this.running++;
    status.textContent = "0%";
    xhr.send(form);
  };

  // The file is up; what becomes of it is the server's to say: the status partial replaces the
  // row's status (at once, then every 2 s while processing; a final answer stops the polling).
  Uploader.prototype.track = function (row, asset) {
    var status = row.querySelector(".status");
    row.classList.add("uploaded");
    if (!asset || !this.statusUrl || !window.htmx) {
      row.classList.add("done");
      status.textContent = asset && asset.existing ? "Already in the library" : "Uploaded";
      return;
    }
    row.classList.add("processing");
    status.textContent = "Processing…";
    var url = this.statusUrl.replace(ANY_ASSET, asset.id) + (asset.existing ? "?existing=1" : "");
    status.setAttribute("hx-get", url);
    status.setAttribute("hx-trigger", "load");
    status.setAttribute("hx-swap", "outerHTML");
    htmx.process(status);
  };

  // A status partial arrived: the row takes its state (colours; failed rows say why in red).
  function showState(elt) {
    var state = elt.getAttribute && elt.getAttribute("data-upload-state");
    var row = state && elt.closest(".uploads li");
    if (!row) return;
    row.classList.toggle("processing", state === "processing");
    row.classList.toggle("done", state === "ready");
    row.classList.toggle("failed", state === "failed" || state === "gone");
    row.querySelector("progress").classList.toggle("failed", state === "failed" || state === "gone");
  }

  function init(root) {
    (root || document).querySelectorAll("[data-uploader]").forEach(function (box) {
      if (!box._uploader) box._uploader = new Uploader(box);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); showState(event.detail.elt); });
  window.LocalBzzUploader = { init: init };
})();
