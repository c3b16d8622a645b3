// The card page: Stripe.js makes a token from the card (the number never reaches us),
// the server confirms the booking's PaymentIntent with it; 3-D Secure, when the bank
// asks for it, runs here with confirmCardPayment. The booking page shows the outcome.
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form || typeof Stripe === "undefined") return;
  var stripe = Stripe(form.dataset.key);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var message = document.getElementById("card-message");
  var button = form.querySelector("button[type=submit]");

  function say(text) { message.textContent = text; button.disabled = false; }
  function done() { window.location.assign(form.dataset.done); }

  async function send(token) {
    var response = await fetch(form.dataset.action, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": form.dataset.csrf },
      body: JSON.stringify({ token: token }),
    });
    var body = await response.json().catch(function () { return {}; });
    return body;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    button.disabled = true;
    message.textContent = "Paying…";
    var made = await stripe.createToken(card);
    if (made.error) return say((made.error && made.error.message) || "Please check the card details.");
    var body = await send(made.token.id);
    if (body.status === "requires_action") {
      var checked = await stripe.confirmCardPayment(body.client_secret);
      if (checked.error || !checked.paymentIntent) {
        return say("Your bank did not confirm the payment. Nothing was taken; try again or use another card.");
      }
      return done();
    }
    if (body.status === "succeeded" || body.status === "processing") return done();
    say(body.message || "The payment did not go through. Nothing was taken; try again.");
  });
})();
