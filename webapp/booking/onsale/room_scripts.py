"""The waiting room's Lua scripts (lua/room_join.lua and lua/room_admit.lua, each with
lua/room_draw.lua spliced in), registered once per Redis client."""

from __future__ import annotations

import threading
from importlib import resources

from webapp.booking.holds import keys
from webapp.booking.holds.holdstore import store

_scripts: dict[int, tuple] = {}
_lock = threading.Lock()


def script(name: str):
    """room_join or room_admit (each with the draw), registered once per Redis client."""
    client = store().client
    with _lock:
        cached = _scripts.get(id(client))
        if cached is None or cached[0] is not client:
            lua = resources.files("webapp.booking.onsale").joinpath
            draw = lua("lua/room_draw.lua").read_text()

            def load(script: str):
                text = lua(f"lua/{script}.lua").read_text().replace("-- @DRAW@", draw + "\n--")
                return client.register_script(text)

            cached = _scripts[id(client)] = (client, load("room_join"), load("room_admit"))
    return cached[1] if name == "join" else cached[2]


def room_keys(event_id: int) -> list[str]:
    return [keys.room_queue(event_id), keys.room_admitted(event_id)]
