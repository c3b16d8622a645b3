"""From hold to paid booking and back: checkout, payments, refunds, releases, expiry, mail.
May import tickets/, holds/, venues/ and the top of booking/; never onsale/ or reports/."""
