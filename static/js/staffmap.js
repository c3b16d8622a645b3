// Holdfast: the staff seat map. A click on a seat adds its label to (or takes it from)
// the seats field of the block / unblock / release form; the live refresh redraws the
// map every 2 s, so the chosen seats are marked again from that field after each swap.
(function () {
  "use strict";
  function field() { return document.getElementById("labels"); }
  function chosen() {
    const f = field();
    return f ? f.value.toUpperCase().split(/[\s,]+/).filter(Boolean) : [];
  }
  function mark() {
    const labels = new Set(chosen());
    document.querySelectorAll(".staff-map .seat").forEach(function (s) {
      s.setAttribute("aria-pressed", labels.has(s.dataset.label) ? "true" : "false");
    });
  }
  document.addEventListener("click", function (e) {
    const seat = e.target.closest && e.target.closest(".staff-map .seat");
    const f = field();
    if (!seat || !f) return;
    const labels = chosen();
    const at = labels.indexOf(seat.dataset.label);
    if (at >= 0) labels.splice(at, 1); else labels.push(seat.dataset.label);
    f.value = labels.join(" ");
    mark();
  });
  document.addEventListener("input", function (e) { if (e.target === field()) mark(); });
  document.addEventListener("htmx:afterSwap", mark);
  document.addEventListener("DOMContentLoaded", mark);
})();
