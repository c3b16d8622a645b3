// Holdfast: scan tickets with the device's camera on the door page.
//
// The browser's own BarcodeDetector is used where it reads QR codes (Chrome on Android and
// macOS, Safari); elsewhere the vendored polyfill (ZXing compiled to WebAssembly) is loaded,
// only when staff press the button, so a door with a keyboard-wedge scanner never pays for
// it. A code read is put in the code field and the form submitted, so a camera scan takes
// the same path as a typed one (online through htmx, offline through door.js). The same
// code is not sent again for a few seconds while it stays in front of the camera.
(function () {
  "use strict";
  const button = document.getElementById("door-camera");
  const video = document.getElementById("door-video");
  const note = document.getElementById("door-camera-note");
  const form = document.querySelector(".door-form");
  if (!button || !video || !form) return;
  const REPEAT_MS = 4000;
  let stream = null;
  let timer = null;
  let last = { code: "", at: 0 };

  function nativeReadsQr() {
    if (!("BarcodeDetector" in window) || !window.BarcodeDetector.getSupportedFormats) {
      return Promise.resolve(false);
    }
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (formats) { return formats.indexOf("qr_code") >= 0; })
      .catch(function () { return false; });
  }

  function loadPolyfill() {
    if (window.BarcodeDetectionAPI) return Promise.resolve(window.BarcodeDetectionAPI);
    return new Promise(function (resolve, reject) {
      const script = document.createElement("script");
      script.src = button.dataset.polyfill;
      script.onload = function () {
        window.BarcodeDetectionAPI.prepareZXingModule({
          overrides: {
            locateFile: function (path, prefix) {
              return path.endsWith(".wasm") ? button.dataset.wasm : prefix + path;
            },
          },
        });
        resolve(window.BarcodeDetectionAPI);
      };
      script.onerror = function () { reject(new Error("the QR reader did not load")); };
      document.head.append(script);
    });
  }

  function makeDetector() {
    return nativeReadsQr().then(function (native) {
      if (native) return new window.BarcodeDetector({ formats: ["qr_code"] });
      return loadPolyfill().then(function (api) {
        return new api.BarcodeDetector({ formats: ["qr_code"] });
      });
    });
  }

  function found(code) {
    const now = Date.now();
    if (code === last.code && now - last.at < REPEAT_MS) return;
    last = { code: code, at: now };
    form.code.value = code;
    form.requestSubmit();
  }

  function scanLoop(detector) {
    let busy = false;
    timer = setInterval(function () {
      if (busy || video.readyState < 2) return;
      busy = true;
      detector.detect(video)
        .then(function (codes) { if (codes.length) found(codes[0].rawValue); })
        .catch(function () { /* a frame it could not read: try the next */ })
        .finally(function () { busy = false; });
    }, 200);
  }

  function stop() {
    clearInterval(timer);
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
    button.textContent = "Scan with camera";
    button.setAttribute("aria-pressed", "false");
  }

  function start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      note.textContent = "This browser cannot use a camera here (it needs HTTPS). Type the code instead.";
      return;
    }
    note.textContent = "Starting the camera…";
    Promise.all([
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }),
      makeDetector(),
    ]).then(function (both) {
      stream = both[0];
      video.srcObject = stream;
      video.hidden = false;
      return video.play().then(function () {
        button.textContent = "Stop camera";
        button.setAttribute("aria-pressed", "true");
        note.textContent = "Hold the ticket's QR code in front of the camera.";
        scanLoop(both[1]);
      });
    }).catch(function (err) {
      stop();
      note.textContent = "Camera not available (" + (err && err.message || err) + "). Type the code instead.";
    });
  }

  button.hidden = false;
  button.addEventListener("click", function () { if (stream) { stop(); } else { start(); } });
})();
