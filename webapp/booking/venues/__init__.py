"""Venues and events as drawn: sections, rows, seats, prices, the cached seat geometry.
May import only the shared modules at the top of booking/ (models, errors, context, ...)."""
