// Holdfast: the door page keeps working while the network is down.
//
// On load it keeps the event's manifest (ticket key and tickets, see doors.manifest) in
// localStorage. Offline, a code is verified here (HMAC-SHA256 under the event's key, as
// ticket_codes.py signs it, via WebCrypto), checked against the manifest and the tickets
// this door admitted, shown green or red, and queued. Back online, the queue is sent to
// the server, which checks each in; a ticket this door admitted offline that the server
// refuses (in at another door, refunded, cancelled) is listed as a conflict to act on.
//
// While online the list is kept current: every 10 s, and right after each scan, the page
// asks for what changed since its last copy (check-ins at every door, refunds), so an
// offline scan refuses a ticket that went in or was refunded while this door was online.
// The list holds the event's ticket key and every holder's name: it is wiped at logout
// (Clear-Site-Data, and doorwipe.js on the login page) and after DOOR_IDLE_MINUTES with
// no scan (only unsent scans are kept, so no admission is lost).
(function () {
  "use strict";
  const status = document.getElementById("door-network");
  const form = document.querySelector(".door-form");
  if (!status || !form) return;
  const storeKey = "holdfast-door-" + status.dataset.manifest;
  const queueKey = storeKey + "-queue";
  const activeKey = storeKey + "-active";
  const idleMs = Number(status.dataset.idleMinutes || 30) * 60000;
  const POLL_MS = 10000;
  if (Date.now() - Number(localStorage.getItem(activeKey) || 0) > idleMs) {
    localStorage.removeItem(storeKey);  // left unattended: fetch it afresh
  }
  let manifest = JSON.parse(localStorage.getItem(storeKey) || "null");

  function active() { localStorage.setItem(activeKey, String(Date.now())); }
  active();
  setInterval(function () {
    if (manifest && Date.now() - Number(localStorage.getItem(activeKey) || 0) > idleMs) {
      manifest = null;
      localStorage.removeItem(storeKey);
      say("Ticket list wiped after " + idleMs / 60000 + " idle minutes; reload the page to fetch it again.");
    }
  }, 60000);

  function queue() { return JSON.parse(localStorage.getItem(queueKey) || "[]"); }
  function setQueue(items) { localStorage.setItem(queueKey, JSON.stringify(items)); }

  function say(text) {
    const n = queue().length;
    status.textContent = text + (n ? " " + n + " scan(s) waiting to be sent." : "");
  }

  function loadManifest() {
    return fetch(status.dataset.manifest, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (m) {
        manifest = m;
        localStorage.setItem(storeKey, JSON.stringify(m));
        say("Online. Ready for offline checks (" + Object.keys(m.tickets).length + " tickets).");
      })
      .catch(function () { say(manifest ? "Offline: checking tickets on this device." : "Offline, and no ticket list yet."); });
  }

  // What changed since our copy: merged in, so the copy stays current while online.
  let refreshing = false;
  function refresh() {
    if (!manifest || !manifest.cursor || refreshing || !navigator.onLine) return Promise.resolve();
    refreshing = true;
    const url = status.dataset.manifest + "?since=" + encodeURIComponent(manifest.cursor);
    return fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (delta) {
        if (!manifest) return;
        Object.assign(manifest.tickets, delta.tickets);
        manifest.cursor = delta.cursor;
        localStorage.setItem(storeKey, JSON.stringify(manifest));
      })
      .catch(function () {})
      .finally(function () { refreshing = false; });
  }
  setInterval(refresh, POLL_MS);
  document.body.addEventListener("htmx:afterRequest", function (e) {
    if (e.target === form) { active(); refresh(); }  // an online scan: this door's list too
  });

  function base32(bytes) {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let bits = 0, value = 0, out = "";
    bytes.forEach(function (b) {
      value = (value << 8) | b; bits += 8;
      while (bits >= 5) { out += alphabet[(value >>> (bits - 5)) & 31]; bits -= 5; }
    });
    if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
    return out;
  }

  function verify(code) {
    const m = /^HF1\.(\d{1,10})\.(\d{1,12})\.([A-Z2-7]{16})$/.exec(code.trim().toUpperCase());
    if (!m || !manifest || Number(m[1]) !== manifest.event_id) return Promise.resolve(null);
    const raw = Uint8Array.from(atob(manifest.key), function (c) { return c.charCodeAt(0); });
    return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (key) {
        return crypto.subtle.sign("HMAC", key, new TextEncoder().encode(m[1] + "." + m[2]));
      })
      .then(function (sig) {
        return base32(Array.from(new Uint8Array(sig).slice(0, 10))) === m[3] ? m[2] : null;
      });
  }

  function show(admitted, message) {
    const result = document.getElementById("door-result");
    result.className = "door-result " + (admitted ? "admit" : "refuse");
    result.innerHTML = "";
    const verdict = document.createElement("p");
    verdict.className = "door-verdict";
    verdict.textContent = (admitted ? "ADMITTED" : "NOT ADMITTED") + " (offline)";
    const why = document.createElement("p");
    why.textContent = message;
    result.append(verdict, why);
  }

  function checkOffline(code, door) {
    return verify(code).then(function (ticketId) {
      const ticket = ticketId && manifest.tickets[ticketId];
      const items = queue();
      if (!ticketId) return show(false, "Not a genuine ticket for this event.");
      if (!ticket) return show(false, "No such ticket was sold (the list may be older than the sale).");
      if (!ticket.admits) return show(false, manifest.messages[ticket.reason] || "This ticket does not admit.");
      const mine = items.some(function (s) { return s.ticket === ticketId && s.admitted_offline; });
      if (ticket.inside || mine) return show(false, "Already admitted.");
      items.push({ code: code, door: door, ticket: ticketId, admitted_offline: true, at: new Date().toISOString() });
      setQueue(items);
      show(true, ticket.name);
      say("Offline: checking tickets on this device.");
    });
  }

  // Send the queue once: it is taken out first (and put back if sending fails), so a
  // second "online" event while a send is under way cannot send a scan twice.
  let sending = false;
  function send() {
    const items = queue();
    if (!items.length || sending) return Promise.resolve();
    sending = true;
    setQueue([]);
    return fetch(status.dataset.sync, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": form.csrf_token.value },
      body: JSON.stringify({ scans: items }),
    }).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (answer) {
        const conflicts = answer.results.filter(function (r) { return r.conflict; });  // any refusal
        const box = document.getElementById("door-conflicts");
        conflicts.forEach(function (c) {
          const li = document.createElement("li");
          li.textContent = c.code + ": " + c.message;
          box.querySelector("ul").append(li);
        });
        if (conflicts.length) box.hidden = false;
        const sent = "Sent " + items.length + " offline scan(s); " + conflicts.length + " conflict(s).";
        return loadManifest().then(function () { say("Online. " + sent); });
      })
      .catch(function () {
        setQueue(items.concat(queue()));
        say("Offline: checking tickets on this device.");
      })
      .finally(function () { sending = false; });
  }

  // Offline (or the server unreachable): check here instead of posting.
  form.addEventListener("submit", function (e) {
    if (navigator.onLine) return;  // htmx posts it
    e.preventDefault();
    e.stopImmediatePropagation();
    active();
    checkOffline(form.code.value, form.door.value).then(function () {
      form.code.value = "";
      form.code.focus();
    });
  }, true);

  // Logging out wipes this device's storage: send unsent scans first, and never drop
  // them without asking.
  const logout = document.querySelector("form[action$='/staff/logout']");
  if (logout) {
    logout.addEventListener("submit", function (e) {
      if (!queue().length) return;
      e.preventDefault();
      send().then(function () {
        const left = queue().length;
        if (!left || window.confirm(left + " offline scan(s) are not sent yet and will be lost. Log out anyway?")) {
          logout.submit();
        }
      });
    });
  }

  window.addEventListener("online", function () { say("Back online."); send(); });
  window.addEventListener("offline", function () { say("Offline: checking tickets on this device."); });
  document.addEventListener("DOMContentLoaded", function () {
    if (navigator.onLine) { loadManifest().then(send); } else { say("Offline: checking tickets on this device."); }
  });
})();
