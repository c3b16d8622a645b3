"""Reading hold state from Redis: a hold's info, live holds, seat marks and fences,
changes for live maps, and hold statistics. The scripts that change the state are in
holdstore.py, whose HoldStore adds them to these reads."""

from __future__ import annotations

import time

import redis as redis_lib

from webapp.booking.holds import keys


class HoldReads:
    """Reads of one client's hold state (HoldStore extends it with the scripts)."""

    client: redis_lib.Redis

    def hold_infos(self, event_id: int, hold_ids: list[str]) -> dict[str, dict | None]:
        """For each hold: None while its timer runs, else its info (or {} if gone), in
        one round trip."""
        pipe = self.client.pipeline(transaction=False)
        for hold_id in hold_ids:
            pipe.exists(keys.hold_timer(event_id, hold_id))
            pipe.hgetall(keys.hold_info(event_id, hold_id))
        replies = pipe.execute()
        found: dict[str, dict | None] = {}
        for i, hold_id in enumerate(hold_ids):
            live, raw = replies[2 * i], replies[2 * i + 1]
            if live:
                found[hold_id] = None
            else:
                found[hold_id] = {"hold_id": hold_id, **self._parse_info(raw)} if raw else {}
        return found

    def live_holds(self, event_id: int, now_ms: int) -> list[dict]:
        """Every live hold of the event with its seats and deadline (two round trips)."""
        seats = [int(s) for s in self.client.zrangebyscore(keys.held(event_id), now_ms, "+inf")]
        if not seats:
            return []
        hold_ids = self.client.mget([keys.seat(event_id, s) for s in seats])
        unique = sorted({h for h in hold_ids if h and h not in ("sold", "blocked")})
        pipe = self.client.pipeline(transaction=False)
        for hold_id in unique:
            pipe.hgetall(keys.hold_info(event_id, hold_id))
        holds = [
            {"hold_id": hold_id, **self._parse_info(raw)}
            for hold_id, raw in zip(unique, pipe.execute(), strict=True)
            if raw
        ]
        return sorted(holds, key=lambda h: h["expires_ms"])

    def count_hold_event(self, event_id: int, kind: str, n: int = 1) -> None:
        """Count holds that expired in this minute (hold.lua counts created ones)."""
        pipe = self.client.pipeline(transaction=False)
        self.queue_count(pipe, event_id, kind, n)
        pipe.execute()

    @staticmethod
    def queue_count(pipe, event_id: int, kind: str, n: int) -> None:
        """count_hold_event's commands, queued on a pipeline the caller sends."""
        key = keys.hold_stat(event_id, kind, int(time.time() // 60))
        pipe.incrby(key, n)
        pipe.expire(key, 7200)

    def hold_events_last_hour(self, event_id: int, kind: str) -> int:
        """Holds created (or expired) in the last 60 minutes."""
        minute = int(time.time() // 60)
        names = [keys.hold_stat(event_id, kind, m) for m in range(minute - 59, minute + 1)]
        return sum(int(v) for v in self.client.mget(names) if v)

    def counts_now(self, event_ids: list[int], now_ms: int) -> dict[int, tuple[int, int, int]]:
        """Per event: (seats held now, holds created and expired in the last hour), for
        every event in one round trip (the staff overview's refresh)."""
        minute = int(time.time() // 60)
        span = range(minute - 59, minute + 1)
        pipe = self.client.pipeline(transaction=False)
        for event_id in event_ids:
            pipe.zcount(keys.held(event_id), now_ms, "+inf")
            pipe.mget([keys.hold_stat(event_id, "created", m) for m in span])
            pipe.mget([keys.hold_stat(event_id, "expired", m) for m in span])
        replies = pipe.execute()
        found = {}
        for i, event_id in enumerate(event_ids):
            held, created, expired = replies[3 * i : 3 * i + 3]
            found[event_id] = (
                int(held),
                sum(int(v) for v in created if v),
                sum(int(v) for v in expired if v),
            )
        return found

    def per_minute(self, event_id: int, kinds: list[str], minutes: int) -> dict[str, list[int]]:
        """Per kind, its counts in each of the last `minutes` minutes, oldest first (one
        MGET; counters are kept two hours)."""
        now = int(time.time() // 60)
        span = range(now - minutes + 1, now + 1)
        names = [keys.hold_stat(event_id, kind, m) for kind in kinds for m in span]
        values = [int(v or 0) for v in self.client.mget(names)] if names else []
        return {kind: values[i * minutes : (i + 1) * minutes] for i, kind in enumerate(kinds)}

    def info(self, event_id: int, hold_id: str) -> dict | None:
        """The hold's description, or None once it is gone (released, sold, or long lapsed)."""
        raw = self.client.hgetall(keys.hold_info(event_id, hold_id))
        return self._parse_info(raw) if raw else None

    @staticmethod
    def _parse_info(raw: dict) -> dict:
        """A hold info hash as the domain reads it (the one place that knows its fields)."""
        return {
            "customer": raw["customer"],
            "seat_ids": [int(s) for s in raw["seats"].split(",") if s],
            "fence": int(raw["fence"]),
            "expires_ms": int(raw["expires_ms"]),
            "extended": raw.get("extended") == "1",
            "ipkey": raw.get("ipkey"),
        }

    def info_if_live(self, event_id: int, hold_id: str) -> tuple[dict | None, bool]:
        """(the hold's info with its ticket-type choices under "types", whether its timer
        still runs) in one round trip."""
        pipe = self.client.pipeline(transaction=False)
        self.queue_info_if_live(pipe, event_id, hold_id)
        return self.parse_info_if_live(*pipe.execute())

    @staticmethod
    def queue_info_if_live(pipe, event_id: int, hold_id: str) -> None:
        """Queue info_if_live's two reads on a caller's pipeline, so they share its round
        trip; parse_info_if_live reads their two replies."""
        pipe.hgetall(keys.hold_info(event_id, hold_id))
        pipe.exists(keys.hold_timer(event_id, hold_id))

    @classmethod
    def parse_info_if_live(cls, raw: dict, live: int) -> tuple[dict | None, bool]:
        """info_if_live's answer from the replies of queue_info_if_live's reads."""
        if not raw:
            return None, bool(live)
        info = cls._parse_info(raw)
        info["types"] = {int(k[5:]): v for k, v in raw.items() if k.startswith("type:")}
        return info, bool(live)

    def is_live(self, event_id: int, hold_id: str) -> bool:
        """True while the hold's timer has not lapsed."""
        return bool(self.client.exists(keys.hold_timer(event_id, hold_id)))

    def holds_of_customer(self, event_id: int, customer: str, now_ms: int) -> list[str]:
        """The customer's live holds in the event, the latest to lapse first, from their
        held seats' marks: one round trip when they hold nothing, two when they do."""
        seats = self.client.zrevrangebyscore(keys.customer(event_id, customer), "+inf", now_ms)
        if not seats:
            return []
        marks = self.client.mget([keys.seat(event_id, int(s)) for s in seats])
        held = (m for m in marks if m and keys.event_of_hold(m) == event_id)  # not sold
        return list(dict.fromkeys(held))

    def seat_fences(self, event_id: int, seat_ids: list[int]) -> dict[int, int]:
        """Fencing number of the latest hold on each seat (missing if Redis forgot)."""
        values = self.client.hmget(keys.seat_fences(event_id), seat_ids) if seat_ids else []
        return {s: int(v) for s, v in zip(seat_ids, values, strict=True) if v is not None}

    def snapshot(self, event_id: int, customer: str | None, now_ms: int) -> tuple[set, set, int]:
        """(held seat ids, this customer's held seat ids, version) in one round trip."""
        pipe = self.client.pipeline(transaction=False)
        pipe.zrangebyscore(keys.held(event_id), now_ms, "+inf")
        pipe.zrangebyscore(keys.customer(event_id, customer or "-"), now_ms, "+inf")
        pipe.get(keys.version(event_id))
        held, mine, version = pipe.execute()
        return {int(s) for s in held}, {int(s) for s in mine}, int(version or 0)

    def changes_since(self, event_id: int, version: int) -> tuple[int, list[int]]:
        """(current version, seats changed after `version`) in one round trip."""
        pipe = self.client.pipeline(transaction=False)
        pipe.get(keys.version(event_id))
        pipe.zrangebyscore(keys.changelog(event_id), f"({version}", "+inf")
        current, changed = pipe.execute()
        return int(current or 0), [int(s) for s in changed]
