// Holdfast: keyboard movement on the seat map and the hold countdown. No framework.
(function () {
  "use strict";

  // Roving tab stop: Tab enters the map once; arrow keys move between seats.
  let stopId = null;

  function seats() { return document.querySelectorAll("#seatmap .seat"); }

  function setStop(seat) {
    if (!seat) return;
    const old = stopId && document.getElementById(stopId);
    if (old && old !== seat) old.tabIndex = -1;
    seat.tabIndex = 0;
    stopId = seat.id;
  }

  function initSeats() {
    const all = seats();
    if (!all.length) return;
    all.forEach(function (s) { if (s.id !== stopId) s.tabIndex = -1; });
    const stop = (stopId && document.getElementById(stopId)) ||
      document.querySelector("#seatmap .seat.mine") ||
      document.querySelector("#seatmap .seat.available") || all[0];
    setStop(stop);
  }

  // Cells replaced by out-of-band swaps arrive without a tabindex.
  function fixNewSeats() {
    document.querySelectorAll("#seatmap .seat:not([tabindex])").forEach(function (s) {
      s.tabIndex = s.id === stopId ? 0 : -1;
    });
  }

  function closestByX(row, x) {
    let best = null, bestDist = Infinity;
    row.querySelectorAll(".seat").forEach(function (s) {
      const d = Math.abs(Number(s.dataset.x) - x);
      if (d < bestDist) { best = s; bestDist = d; }
    });
    return best;
  }

  function target(seat, key) {
    const row = seat.closest(".row");
    const inRow = Array.from(row.querySelectorAll(".seat"));
    const i = inRow.indexOf(seat);
    if (key === "ArrowLeft") return inRow[i - 1];
    if (key === "ArrowRight") return inRow[i + 1];
    if (key === "Home") return inRow[0];
    if (key === "End") return inRow[inRow.length - 1];
    const rows = Array.from(document.querySelectorAll("#seatmap .row"));
    const next = rows[rows.indexOf(row) + (key === "ArrowUp" ? -1 : 1)];
    return next && closestByX(next, Number(seat.dataset.x));
  }

  document.addEventListener("keydown", function (e) {
    const seat = e.target.closest && e.target.closest("#seatmap .seat");
    if (!seat || !["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"].includes(e.key)) return;
    const next = target(seat, e.key);
    e.preventDefault();
    if (next) { setStop(next); next.focus(); }
  });

  document.addEventListener("focusin", function (e) {
    if (e.target.matches && e.target.matches("#seatmap .seat")) setStop(e.target);
  });

  // An out-of-band swap replaces the focused seat; give focus back to its successor.
  let refocus = null;
  document.addEventListener("htmx:beforeRequest", function () {
    const active = document.activeElement;
    refocus = active && active.matches && active.matches("#seatmap .seat, #seatlist .seat") ? active.id : null;
  });
  // A section chosen on the venue plan is marked as the current one (the plan itself is
  // not sent again with the section's seats).
  document.addEventListener("htmx:beforeRequest", function (e) {
    const chosen = e.target.closest && e.target.closest("#sections a");
    if (!chosen) return;
    document.querySelectorAll("#sections a[aria-current]").forEach(function (a) {
      a.removeAttribute("aria-current");
    });
    chosen.setAttribute("aria-current", "true");
  });

  document.addEventListener("htmx:afterSettle", function () {
    // A freshly loaded section brings a whole new map: give it a tab stop.
    if (!stopId || !document.getElementById(stopId)) initSeats(); else fixNewSeats();
    if (refocus && document.activeElement === document.body) {
      const el = document.getElementById(refocus);
      if (el) el.focus();
    }
  });
  document.addEventListener("htmx:oobAfterSwap", fixNewSeats);

  // List mode: each row says how many of its seats are free now, recounted as live
  // updates swap seats in.
  function countFree() {
    document.querySelectorAll(".list-row").forEach(function (row) {
      const count = row.querySelector(".free-count");
      const free = row.querySelectorAll(".seat.available").length;
      const text = "(" + free + " free)";
      if (count && count.textContent !== text) count.textContent = text;
    });
  }
  let counting = false;
  function recount() {
    if (counting || !document.querySelector(".list-row")) return;
    counting = true;
    requestAnimationFrame(function () { counting = false; countFree(); });
  }
  document.addEventListener("htmx:afterSettle", recount);
  document.addEventListener("htmx:oobAfterSwap", recount);

  // Countdown to the sale's opening; at zero the page reloads (to the waiting room or
  // the seats). The server's clock rules: data-opens and data-now are its ms since the
  // epoch, so a phone whose clock is off still counts to the real opening.
  function tickOpening() {
    document.querySelectorAll(".opens-countdown[data-opens]").forEach(function (el) {
      if (!el.dataset.offset) el.dataset.offset = String(Number(el.dataset.now) - Date.now());
      const left = Number(el.dataset.opens) - (Date.now() + Number(el.dataset.offset));
      if (left <= 0) { if (!el.dataset.done) { el.dataset.done = "1"; window.location.reload(); } return; }
      const s = Math.ceil(left / 1000), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
      el.textContent = (h ? h + " h " : "") + String(m).padStart(h ? 2 : 1, "0") + " min " +
        String(s % 60).padStart(2, "0") + " s";
    });
  }

  // Countdown to a hold's expiry, corrected for the client's clock.
  function tick() {
    tickOpening();
    document.querySelectorAll(".countdown[data-expires], .bar-countdown[data-expires]").forEach(function (el) {
      if (!el.dataset.offset) {
        el.dataset.offset = String(Date.parse(el.dataset.now) - Date.now());
      }
      const left = Date.parse(el.dataset.expires) - (Date.now() + Number(el.dataset.offset));
      if (el.classList.contains("bar-countdown")) {  // the phone's basket bar: time only
        const s = Math.max(0, Math.ceil(left / 1000));
        el.textContent = s ? Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0") : "lapsed";
        return;
      }
      const out = el.querySelector(".remaining");
      document.querySelectorAll(".hold-warning").forEach(function (w) {
        w.hidden = left <= 0 || left > Number(w.dataset.warn) * 1000;
      });
      if (left <= 0) {
        if (!el.classList.contains("lapsed")) {
          el.classList.add("lapsed");
          el.setAttribute("role", "alert");
          el.textContent = "Your hold has lapsed — the seats went back on sale.";
          lapsed();
        }
        return;
      }
      const s = Math.ceil(left / 1000);
      if (out) out.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    });
    document.querySelectorAll(".bar-countdown[data-expires]").forEach(function (el) {
      const w = document.querySelector(".hold-warning");
      el.classList.toggle("warn", Boolean(w && !w.hidden));
    });
  }

  // The hold lapsed: say so where it is seen on any screen size (a notice over the
  // page, not only the basket, which a phone keeps in its bar), and switch the
  // checkout form off instead of letting it bounce back to the map.
  function lapsed() {
    if (!document.querySelector(".hold-lapsed-notice")) {
      const notice = document.createElement("div");
      notice.className = "hold-lapsed-notice";
      notice.setAttribute("role", "alert");
      notice.textContent = "Your hold has lapsed: the seats went back on sale. Pick seats again to book.";
      document.body.append(notice);
    }
    document.querySelectorAll("form[data-hold-form]").forEach(function (form) {
      form.querySelectorAll("input, button").forEach(function (c) { c.disabled = true; });
      form.classList.add("lapsed");
    });
  }

  // Messages float over the page as a toast (at the bottom on a phone, top right on a
  // desktop; never moving the layout): announced by the live region, dismissed with a
  // click or tap, and gone by themselves after a while (an error stays longer).
  let toastTimer = null;
  function toast() {
    const flash = document.getElementById("flash");
    if (!flash || !flash.querySelector("p")) return;
    flash.classList.remove("faded");
    clearTimeout(toastTimer);
    const ms = flash.querySelector("p.error") ? 15000 : 6000;
    toastTimer = setTimeout(function () { flash.classList.add("faded"); }, ms);
  }
  document.addEventListener("click", function (e) {
    const flash = e.target.closest && e.target.closest("#flash");
    if (flash) flash.classList.add("faded");
  });
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    if (e.detail && e.detail.target && e.detail.target.id === "flash") toast();
  });

  // A basket update that shows what the basket already shows (each live poll sends it)
  // is not swapped in: replacing the element under a pointer eats the click on it.
  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    const target = e.detail.target, fresh = e.detail.fragment.firstElementChild;
    if (target.id === "basket" && fresh && fresh.dataset.state === target.dataset.state) {
      e.detail.shouldSwap = false;
    }
  });

  // The door: after each check-in the code field is empty and focused for the next
  // ticket (a keyboard-wedge scanner types a code and Enter).
  document.addEventListener("htmx:afterRequest", function (e) {
    const form = e.target.closest && e.target.closest(".door-form");
    if (form) { form.code.value = ""; form.code.focus(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    toast();
    initSeats();
    tick();
    setInterval(tick, 250);
  });
})();
