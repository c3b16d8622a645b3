// The staff login page: what a door page left in this browser's storage (an event's
// ticket key, every holder's name) goes, for browsers that ignore the logout's
// Clear-Site-Data header. Scans made offline and not sent yet stay (codes and doors, no
// names): a door whose session lapsed sends them once someone logs in again.
(function () {
  "use strict";
  Object.keys(localStorage)
    .filter(function (key) { return key.indexOf("holdfast-door-") === 0; })
    .filter(function (key) { return !/-queue$/.test(key) || localStorage.getItem(key) === "[]"; })
    .forEach(function (key) { localStorage.removeItem(key); });
})();
