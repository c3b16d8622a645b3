// Holdfast: the door page keeps working while the network is down.
//
// On load it keeps the event's manifest (public key and tickets, see doors.manifest) in
// localStorage. Offline, a code is verified here (Ed25519 under the event's public key,
// see verify), checked against the manifest and the tickets
// this door admitted, shown green or red, and queued. Back online, the queue is sent to
// the server, which checks each in; a ticket this door admitted offline that the server
// refuses (in at another door, refunded, cancelled) is listed as a conflict to act on.
//
// While online the list is kept current: every 10 s, and right after each scan, the page
// asks for what changed since its last copy (check-ins at every door, refunds), so an
// offline scan refuses a ticket that went in or was refunded while this door was online.
// The list holds every holder's name (and no key that can sign a ticket): it is wiped at logout
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
        prepareVerifier();
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

  function base32Bytes(text) {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let bits = 0, value = 0;
    const out = [];
    for (const ch of text) {
      value = (value << 5) | alphabet.indexOf(ch); bits += 5;
      if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
    }
    return new Uint8Array(out);
  }

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  // Ed25519 with the browser's own WebCrypto; where it has none, the vendored
  // @noble/ed25519 (an ES module), imported while online so it is there offline.
  let noble = null;
  function webcryptoKey(publicKey) {
    return crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  }
  function prepareVerifier() {
    if (!manifest || noble) return;
    webcryptoKey(publicKeyOf(manifest)).then(function () { status.dataset.verifier = "webcrypto"; })
      .catch(function () {
        status.dataset.verifier = "noble";
        noble = import(status.dataset.ed25519);
        noble.catch(function () { noble = null; });
      });
  }
  function publicKeyOf(m) {
    return Uint8Array.from(atob(m.public_key), function (c) { return c.charCodeAt(0); });
  }
  function ed25519(publicKey, signature, message) {
    if (noble) {
      return noble.then(function (ed) { return ed.verifyAsync(signature, message, publicKey); })
        .catch(function () { return false; });
    }
    return webcryptoKey(publicKey)
      .then(function (key) { return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message); })
      .catch(function () { return false; });
  }

  // The ticket id of a genuine code of this event, else null. HF2: the signature checks
  // under the event's public key (this device holds no key that could sign one). HF1
  // (tickets sold before HF2): the code's SHA-256 is the one the list holds for it.
  function verify(code) {
    code = code.trim().toUpperCase();
    if (!manifest) return Promise.resolve(null);
    const signed = /^HF2\.(\d{1,10})\.(\d{1,12})\.([A-Z2-7]{103})$/.exec(code);
    if (signed) {
      if (Number(signed[1]) !== manifest.event_id) return Promise.resolve(null);
      const publicKey = publicKeyOf(manifest);
      const message = new TextEncoder().encode("HF2." + signed[1] + "." + signed[2]);
      return ed25519(publicKey, base32Bytes(signed[3]), message)
        .then(function (ok) { return ok ? signed[2] : null; });
    }
    const legacy = /^HF1\.(\d{1,10})\.(\d{1,12})\.([A-Z2-7]{16})$/.exec(code);
    if (!legacy || Number(legacy[1]) !== manifest.event_id) return Promise.resolve(null);
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(code)).then(function (digest) {
      const ticket = manifest.tickets[legacy[2]];
      return ticket && ticket.hf1 === hex(digest) ? legacy[2] : null;
    });
  }

  // `ticket` (from the list): its seat and type ("A1", "Child · wheelchair space"),
  // so staff can check a child ticket or a wheelchair space offline too.
  function show(admitted, message, ticket) {
    const result = document.getElementById("door-result");
    result.className = "door-result " + (admitted ? "admit" : "refuse");
    result.innerHTML = "";
    const verdict = document.createElement("p");
    verdict.className = "door-verdict";
    verdict.textContent = (admitted ? "ADMITTED" : "NOT ADMITTED") + " (offline)";
    const why = document.createElement("p");
    why.textContent = message;
    result.append(verdict, why);
    if (ticket && ticket.ticket) {
      const what = document.createElement("p");
      what.className = "door-ticket";
      what.textContent = [ticket.seat, ticket.ticket].filter(Boolean).join(" · ");
      result.append(what);
    }
  }

  function checkOffline(code, door) {
    return verify(code).then(function (ticketId) {
      const ticket = ticketId && manifest.tickets[ticketId];
      const items = queue();
      if (!ticketId) return show(false, "Not a genuine ticket for this event.");
      if (!ticket) return show(false, "No such ticket was sold (the list may be older than the sale).");
      if (!ticket.admits) return show(false, manifest.messages[ticket.reason] || "This ticket does not admit.", ticket);
      const mine = items.some(function (s) { return s.ticket === ticketId && s.admitted_offline; });
      if (ticket.inside || mine) return show(false, "Already admitted.", ticket);
      items.push({ code: code, door: door, ticket: ticketId, admitted_offline: true, at: new Date().toISOString() });
      setQueue(items);
      show(true, ticket.name, ticket);
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
    if (navigator.onLine) { loadManifest().then(send); } else { prepareVerifier(); say("Offline: checking tickets on this device."); }
  });
})();
