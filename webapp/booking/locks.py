"""One lock per key (an event id), for work a process should do once at a time per key:
when an on-sale opens every thread asks for the same thing at once, and one of them
doing it while the others wait beats all of them doing it."""

from __future__ import annotations

import threading
from collections.abc import Hashable


class KeyedLocks:
    """Locks made on first use, one per key, kept (a lock per event is a few bytes)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Hashable, threading.Lock] = {}

    def __call__(self, key: Hashable) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())
