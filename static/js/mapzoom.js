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
  // A tap on seats drawn smaller than this (CSS px, WCAG 2.2 target size) zooms there
  // instead of taking a seat a finger cannot aim at; it zooms to TAP_TO px seats.
  const TAPPABLE = 24, TAP_TO = 30;

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
    cues(p);
  }

  // Drawn size of a seat now (CSS zoom included), in CSS px.
  function seatSize(p) {
    const seat = p.form.querySelector(".seat");
    return seat ? seat.getBoundingClientRect().width : 0;
  }

  // Say what a tap does at this zoom, and that the panel pans when it is wider than
  // the screen (a phone shows a part of the map).
  function cues(p) {
    const hint = p.bar && p.bar.querySelector(".map-hint");
    if (!hint) return;
    const small = seatSize(p) < TAPPABLE;
    const wide = p.viewport.scrollWidth > p.viewport.clientWidth + 1;
    hint.textContent = small ? "Tap the map to zoom in there." : wide ? "Drag or swipe to see more seats." : "";
  }

  // Move the panel so the seat is clear of the sticky row labels (they stay at the
  // panel's left edge as it pans, and must never cover the seat a buyer aims at).
  function clearOfLabels(p, seat) {
    const label = seat.parentElement && seat.parentElement.querySelector(".row-label");
    if (!label) return;
    const overlap = label.getBoundingClientRect().right + 4 - seat.getBoundingClientRect().left;
    if (overlap > 0) p.viewport.scrollLeft -= overlap;
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

  // A drag or pinch that ends over a seat must not also take the seat; a tap on seats
  // too small to aim at zooms there first (a keyboard's Enter, detail 0, still takes it).
  document.addEventListener("click", function (e) {
    const v = e.target.closest && e.target.closest(".map-viewport");
    if (dragged && v) {
      e.preventDefault();
      e.stopPropagation();
    } else if (v && e.detail > 0) {
      const p = parts(v);
      const size = p && p.form ? seatSize(p) : TAPPABLE;
      if (size < TAPPABLE) {
        e.preventDefault();
        e.stopPropagation();
        const r = v.getBoundingClientRect();
        setZoom(p, zoomOf(p.form) * TAP_TO / size, e.clientX - r.left, e.clientY - r.top);
        const seat = e.target.closest(".seat");
        if (seat) {
          clearOfLabels(p, seat);
          seat.focus({ preventScroll: true });
        }
      }
    }
    dragged = false;
  }, true);

  // Keyboard moves through the seats keep the focused seat clear of the row labels.
  document.addEventListener("focusin", function (e) {
    const seat = e.target.closest && e.target.closest(".map-viewport .seat");
    const p = seat && parts(seat);
    if (p && p.form) clearOfLabels(p, seat);
  });

  document.addEventListener("DOMContentLoaded", function () { init(); });
  // A section loaded on demand brings a new panel: fit it too, and bring it into view
  // (on a phone it loads below the plan, off the screen).
  document.addEventListener("htmx:afterSettle", function (e) {
    init(e.target);
    if (e.target.id === "seatmap-area" && e.target.querySelector(".map-viewport")) {
      const top = e.target.getBoundingClientRect().top;
      if (top < 0 || top > window.innerHeight * 0.6) e.target.scrollIntoView({ block: "start" });
    }
  });
  // A phone turned sideways: a map still fitted is fitted again (a mobile browser's
  // address bar showing or hiding changes only the height, and is ignored).
  window.addEventListener("resize", function () {
    document.querySelectorAll(".map-viewport").forEach(function (v) {
      const p = parts(v);
      if (p && p.form && p.form.dataset.fitted && v.dataset.width !== String(v.clientWidth)) fit(p);
    });
  });
})();
