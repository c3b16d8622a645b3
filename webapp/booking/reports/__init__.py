"""What staff and the API read back: the catalogue of events and bookings, counts, reports.
May import every room; nothing in booking/ imports it (only routes, jobs and the facade)."""
