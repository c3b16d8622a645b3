"""Running an on-sale: event setup, the waiting room and presale, the waiting list, live holds.
May import orders/ and everything below it; never reports/."""
