"""Taking seats in Redis and reading their states: holds (Lua, all or nothing), pools, marks.
May import venues/ and the top of booking/; never orders/ or anything above it."""
