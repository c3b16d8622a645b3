// Holdfast: pan and zoom for the seat map panel. No framework.
//
// The panel (.map-viewport) scrolls both ways, so one finger or a scroll wheel pans it
// natively and the page never grows wider than the screen. Zoom is CSS `zoom` on the
// map form: unlike a transform it changes layout size, so scroll extents, hit targets
// and the sticky row labels all follow what is drawn. A map opens fitted to the panel's
// width; at zoom 1 and above every seat is at least 24 CSS px (see holdfast.css).
(function () {
  "use strict";

  const MIN = 0.25, MAX = 2.5, STEP = 1.25;

  function parts(el) {
    const viewport = el.closest ? el.closest(".map-viewport") : null;
    const area = viewport ? viewport.parentElement : el.parentElement;
    const v = viewport || area.querySelector(".map-viewport");
    return v ? { viewport: v, form: v.querySelector(".seatmap"), bar: area.querySelector(".map-zoom") } : null;
  }

  function zoomOf(form) { return Number(form.dataset.zoom || "1"); }

  // Zoom about a point of the panel (its centre by default) so that point stays put.
  function setZoom(p, zoom, px, py) {
    zoom = Math.min(MAX, Math.max(MIN, zoom));
    const old = zoomOf(p.form), v = p.viewport;
    if (px === undefined) { px = v.clientWidth / 2; py = v.clientHeight / 2; }
    const cx = (v.scrollLeft + px) / old, cy = (v.scrollTop + py) / old;
    p.form.style.zoom = String(zoom);
    p.form.dataset.zoom = String(zoom);
    p.form.dataset.fitted = "";
    v.scrollLeft = cx * zoom - px;
    v.scrollTop = cy * zoom - py;
    if (p.bar) {
      p.bar.querySelector('[data-zoom="in"]').disabled = zoom >= MAX;
      p.bar.querySelector('[data-zoom="out"]').disabled = zoom <= MIN;
    }
  }

  function fitZoom(p) {
    p.form.style.zoom = "1";
    const natural = p.form.scrollWidth;
    const room = p.viewport.clientWidth;
    return natural <= room ? 1 : room / natural;
  }

  function fit(p) {
    const zoom = fitZoom(p);
    p.form.dataset.zoom = "1";
    setZoom(p, zoom, 0, 0);
    p.form.dataset.fitted = "1";
    p.viewport.dataset.width = String(p.viewport.clientWidth);
    p.viewport.scrollLeft = 0;
    p.viewport.scrollTop = 0;
  }

  function init(root) {
    // A venue plan wider than a phone opens centred on the stage.
    (root || document).querySelectorAll(".plan").forEach(function (plan) {
      if (plan.dataset.centred) return;
      plan.dataset.centred = "1";
      plan.scrollLeft = (plan.scrollWidth - plan.clientWidth) / 2;
    });
    (root || document).querySelectorAll(".map-viewport").forEach(function (v) {
      if (v.dataset.zoomReady) return;
      v.dataset.zoomReady = "1";
      const p = parts(v);
      if (!p || !p.form) return;
      if (p.bar) p.bar.hidden = false;
      fit(p);
    });
  }

  document.addEventListener("click", function (e) {
    const button = e.target.closest && e.target.closest(".map-zoom [data-zoom]");
    if (!button) return;
    const p = parts(button.closest(".map-zoom"));
    if (!p) return;
    const how = button.dataset.zoom;
    if (how === "fit") fit(p);
    else setZoom(p, zoomOf(p.form) * (how === "in" ? STEP : 1 / STEP));
  });

  // Trackpad pinch arrives as Ctrl+wheel; plain wheel scrolls (pans) as usual.
  document.addEventListener("wheel", function (e) {
    const v = e.ctrlKey && e.target.closest && e.target.closest(".map-viewport");
    if (!v) return;
    e.preventDefault();
    const p = parts(v), r = v.getBoundingClientRect();
    setZoom(p, zoomOf(p.form) * Math.exp(-e.deltaY / 200), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });

  // Two fingers pinch (touch events, so the pinch can stop the browser's own pan);
  // one finger pans natively, and touch-action keeps the browser from zooming the
  // whole page. A mouse drags the panel to pan.
  let pinch = null, drag = null, dragged = false;

  function spread(t) { return Math.hypot(t[0].clientX - t[1].clientX, t[0].clientY - t[1].clientY); }

  document.addEventListener("touchstart", function (e) {
    const v = e.touches.length === 2 && e.target.closest && e.target.closest(".map-viewport");
    if (!v) return;
    const p = parts(v);
    pinch = { p: p, start: spread(e.touches), zoom: zoomOf(p.form) };
    dragged = true;
  }, { passive: true });

  document.addEventListener("touchmove", function (e) {
    if (!pinch || e.touches.length !== 2) return;
    e.preventDefault();
    const t = e.touches, r = pinch.p.viewport.getBoundingClientRect();
    setZoom(pinch.p, pinch.zoom * spread(t) / pinch.start,
      (t[0].clientX + t[1].clientX) / 2 - r.left, (t[0].clientY + t[1].clientY) / 2 - r.top);
  }, { passive: false });

  document.addEventListener("touchend", function (e) {
    if (e.touches.length < 2) pinch = null;
  });

  document.addEventListener("pointerdown", function (e) {
    const v = e.target.closest && e.target.closest(".map-viewport");
    if (!v || pinch) return;
    dragged = false;
    if (e.pointerType === "mouse" && e.button === 0) {
      drag = { v: v, x: e.clientX, y: e.clientY, left: v.scrollLeft, top: v.scrollTop };
    }
  });

  document.addEventListener("pointermove", function (e) {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!dragged && Math.hypot(dx, dy) < 6) return;  // a click, not a drag
    dragged = true;
    drag.v.classList.add("dragging");
    drag.v.scrollLeft = drag.left - dx;
    drag.v.scrollTop = drag.top - dy;
  });

  function end() {
    if (drag) { drag.v.classList.remove("dragging"); drag = null; }
  }
  document.addEventListener("pointerup", end);
  document.addEventListener("pointercancel", end);

  // A drag or pinch that ends over a seat must not also take the seat.
  document.addEventListener("click", function (e) {
    if (dragged && e.target.closest && e.target.closest(".map-viewport")) {
      e.preventDefault();
      e.stopPropagation();
    }
    dragged = false;
  }, true);

  document.addEventListener("DOMContentLoaded", function () { init(); });
  // A section loaded on demand brings a new panel: fit it too.
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
  // A phone turned sideways: a map still fitted is fitted again (a mobile browser's
  // address bar showing or hiding changes only the height, and is ignored).
  window.addEventListener("resize", function () {
    document.querySelectorAll(".map-viewport").forEach(function (v) {
      const p = parts(v);
      if (p && p.form && p.form.dataset.fitted && v.dataset.width !== String(v.clientWidth)) fit(p);
    });
  });
})();
