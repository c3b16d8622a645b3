"""The Redis side of holds: thin wrappers around the Lua scripts in lua/."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC
from importlib import resources

import redis as redis_lib
from redis.cluster import RedisCluster
from redis.commands.core import Script

from webapp.booking import context
from webapp.booking.holds import keys, pools, recent_versions
from webapp.booking.holds.holdreads import HoldReads
from webapp.booking.holds.takes import TakeRequest, TakeResult

INFO_TTL_MS = 24 * 3600 * 1000  # hold info outlives its timer so expiry can still read it


def _load(name: str) -> str:
    return resources.files("webapp.booking.holds").joinpath(f"lua/{name}.lua").read_text()


class HoldStore(HoldReads):
    """Holds in Redis for one client; scripts are registered once per client."""

    def __init__(self, client: redis_lib.Redis) -> None:
        self.client = client
        self._hold: Script = client.register_script(_load("hold"))
        self._finish: Script = client.register_script(_load("finish"))
        self._extend: Script = client.register_script(_load("extend"))
        self._block: Script = client.register_script(_load("block"))
        self._announce: Script = client.register_script(_load("announce"))
        self._handover: Script = client.register_script(_load("handover"))

    def take(self, req: TakeRequest) -> TakeResult:
        """Run hold.lua over the request's parts, all or nothing (one round trip)."""
        event_id, hold_id, customer, parts = req.event_id, req.hold_id, req.customer, req.parts
        client, neighbours = req.client, req.neighbours
        fixed = [
            keys.fence(event_id),
            keys.customer(event_id, customer),
            keys.held(event_id),
            keys.hold_timer(event_id, hold_id),
            keys.hold_info(event_id, hold_id),
            keys.version(event_id),
            keys.seat_fences(event_id),
            keys.changelog(event_id),
            keys.hold_stat(event_id, "created", int(time.time() // 60)),
            keys.client(event_id, client),
        ]
        candidates = [s for part in parts for s in part.candidates]
        table, extra = _neighbour_table(candidates, neighbours)
        seat_keys = [keys.seat(event_id, s) for s in candidates + extra]
        best = next((part for part in parts if part.pool), None)
        argv = [
            hold_id,
            customer,
            req.ttl_ms,
            INFO_TTL_MS,
            req.max_seats,
            0,
            sum(part.n for part in parts),
            len(parts),
            keys.channel(event_id),
            req.max_per_client if client else 0,
            len(extra),
            1 if neighbours is not None else 0,
            best.pool if best else "",
            best.centre if best else 0,
            keys.tag(event_id),
            1 if req.grows else 0,
            *[
                v
                for part in parts
                for v in (part.mode, part.n, len(part.candidates), int(part.lenient))
            ],
            *candidates,
            *extra,
            *([",".join(map(str, table))] if neighbours is not None else []),
        ]
        reply = self._hold(keys=fixed + seat_keys, args=argv)
        recent_versions.forget(event_id)  # after the change: see recent_versions
        return _take_result(reply)

    def finish(
        self,
        event_id: int,
        hold_id: str,
        customer: str,
        seat_ids: list[int],
        mode: str,
        ip_key: str | None = None,
    ) -> list[int]:
        """Run finish.lua: release, drop, sell or unsell seats; returns those that changed.

        Released and dropped seats go back in the best-available pools (every one of
        them: a seat whose key lapsed by itself is free too).
        `ip_key` is the hold's network-address key when the caller read the hold's info.
        """
        if ip_key is None:
            ip_key = self.client.hget(keys.hold_info(event_id, hold_id), "ipkey")
        keys_, argv = self._finish_call(event_id, hold_id, customer, seat_ids, mode, ip_key)
        changed = [int(s) for s in self._finish(keys=keys_, args=argv)]
        recent_versions.forget(event_id)
        # One round trip after the script: the pools and the velocity counter together.
        pipe = self.client.pipeline(transaction=False)
        if mode in ("release", "drop"):
            pools.queue_give_back(pipe, event_id, seat_ids)
        elif mode == "unsell" and changed:
            pools.queue_give_back(pipe, event_id, changed)
        if changed and mode in ("sell", "release", "drop"):
            kind = "seats_sold" if mode == "sell" else "seats_released"
            self.queue_count(pipe, event_id, kind, len(changed))
        if len(pipe):
            pipe.execute()
        return changed

    def release_many(self, event_id: int, holds: list[dict], expired: int) -> None:
        """finish.lua "release" for many lapsed holds of one event, their seats back in
        the pools and `expired` added to the expired counter, in two round trips (one a
        hold on Redis Cluster, whose pipelines refuse scripts); then one announcement of
        the seats whose keys had lapsed by themselves (finish.lua announced the rest).
        `holds` are hold infos with "hold_id", "customer", "seat_ids" and "ipkey"."""
        calls = [
            self._finish_call(
                event_id,
                hold["hold_id"],
                hold["customer"],
                hold["seat_ids"],
                "release",
                hold.get("ipkey"),
            )
            for hold in holds
        ]
        if isinstance(self.client, RedisCluster):  # its pipelines refuse scripts
            replies = [self._finish(keys=k, args=a) for k, a in calls]
        else:
            pipe = self.client.pipeline(transaction=False)
            for k, a in calls:
                self._finish(keys=k, args=a, client=pipe)
            replies = pipe.execute()
        pipe = self.client.pipeline(transaction=False)
        for hold in holds:
            pools.queue_give_back(pipe, event_id, hold["seat_ids"])
        self.queue_count(pipe, event_id, "expired", expired)
        released = sum(len(hold["seat_ids"]) for hold in holds)
        self.queue_count(pipe, event_id, "seats_released", released)
        pipe.execute()
        recent_versions.forget(event_id)
        announced = {int(s) for changed in replies for s in changed}
        self.publish(
            event_id, [s for hold in holds for s in hold["seat_ids"] if s not in announced]
        )

    @staticmethod
    def _finish_call(event_id, hold_id, customer, seat_ids, mode, ip_key) -> tuple[list, list]:
        fixed = [
            keys.customer(event_id, customer),
            keys.held(event_id),
            keys.hold_timer(event_id, hold_id),
            keys.hold_info(event_id, hold_id),
            keys.version(event_id),
            keys.changelog(event_id),
            ip_key or keys.client(event_id, None),
        ]
        seat_keys = [keys.seat(event_id, s) for s in seat_ids]
        return fixed + seat_keys, [hold_id, mode, keys.channel(event_id), *seat_ids]

    def extend(
        self, event_id: int, hold_id: str, customer: str, seat_ids: list[int], extra_ms: int
    ) -> tuple[str, int]:
        """Run extend.lua; returns (status, new expiry in ms)."""
        fixed = [
            keys.hold_timer(event_id, hold_id),
            keys.hold_info(event_id, hold_id),
            keys.customer(event_id, customer),
            keys.held(event_id),
        ]
        seat_keys = [keys.seat(event_id, s) for s in seat_ids]
        reply = self._extend(
            keys=fixed + seat_keys, args=[hold_id, customer, extra_ms, INFO_TTL_MS, *seat_ids]
        )
        return reply[0], int(reply[1]) if len(reply) > 1 else 0

    def hand_over(
        self, event_id: int, hold_id: str, offered_to: str, opener: str, max_seats: int
    ) -> tuple[str, int]:
        """Run handover.lua; returns (ok | gone | claimed | limit, seats the opener holds)."""
        reply = self._handover(
            keys=[
                keys.hold_timer(event_id, hold_id),
                keys.hold_info(event_id, hold_id),
                keys.customer(event_id, offered_to),
                keys.customer(event_id, opener),
                keys.bought(event_id),
            ],
            args=[offered_to, opener, max_seats],
        )
        return reply[0], int(reply[1]) if len(reply) > 1 else 0

    def block(self, event_id: int, seat_ids: list[int], block: bool) -> list[int]:
        """Run block.lua; returns the seats that refused (held or sold), else []."""
        fixed = [keys.version(event_id), keys.changelog(event_id)]
        seat_keys = [keys.seat(event_id, s) for s in seat_ids]
        reply = self._block(
            keys=fixed + seat_keys,
            args=["block" if block else "unblock", keys.channel(event_id), *seat_ids],
        )
        recent_versions.forget(event_id)
        if reply[0] == "taken":
            return [int(s) for s in reply[1:]]
        if not block:
            pools.give_back(self.client, event_id, seat_ids)
        else:  # a blocked seat changes what its row can offer, as a take does
            pipe = self.client.pipeline(transaction=False)
            pools.queue_touch(pipe, event_id, seat_ids)
            pipe.execute()
        return []

    def prime(self, layout, marks: dict[int, tuple], bought: dict[str, int], now_ms: int) -> None:
        """Rebuild the event's Redis state in one round trip, then mark it primed.

        `marks` are what the database vouches for: sold and blocked win over any stale
        hold; a pending booking's hold is written only where the seat has no mark.
        `bought` is seats in confirmed bookings per customer (the seat limit).
        """
        event_id = layout.event_id
        pipe = self.client.pipeline(transaction=False)
        for seat_id, mark in marks.items():
            key = keys.seat(event_id, seat_id)
            if len(mark) == 1:
                pipe.set(key, mark[0])
            else:
                deadline_ms = int(mark[1].replace(tzinfo=UTC).timestamp() * 1000)
                if deadline_ms > now_ms:
                    pipe.set(key, mark[0], pxat=deadline_ms, nx=True)
        pipe.delete(keys.bought(event_id))
        if bought:
            pipe.hset(keys.bought(event_id), mapping=bought)
        pools.build(pipe, layout)
        # A new token each time: a reader that cached marks under another token knows
        # Redis lost its data in between (versions start again and may reach the same).
        pipe.set(keys.primed(event_id), secrets.token_hex(8))
        pipe.execute()
        recent_versions.forget(event_id)  # its versions start again

    def publish(self, event_id: int, seat_ids: list[int]) -> None:
        """Announce changed seats (for changes made only in the database)."""
        if not seat_ids:
            return
        self._announce(
            keys=[keys.version(event_id), keys.changelog(event_id)],
            args=[keys.channel(event_id), *seat_ids],
        )
        recent_versions.forget(event_id)


def store() -> HoldStore:
    """The HoldStore of the current app (registered by create_app)."""
    return context.app_extension("holdfast_holdstore")


def _neighbour_table(
    candidates: list[int], neighbours: Callable[[int], list[int]] | None
) -> tuple[list[int], list[int]]:
    """For the no-orphan rule: each candidate's neighbours in a flat table, and the seats
    among them that are not candidates themselves (hold.lua reads their keys too)."""
    table: list[int] = []
    extra: list[int] = []
    if neighbours is None:
        return table, extra
    seen = set(candidates)
    for seat_id in candidates:
        near = neighbours(seat_id)
        table.extend(near)
        for other in near:
            if other and other not in seen:
                seen.add(other)
                extra.append(other)
    return table, extra


def _take_result(reply: list) -> TakeResult:
    """hold.lua's reply as a TakeResult."""
    if reply[0] == "ok":
        return TakeResult("ok", [int(s) for s in reply[3:]], int(reply[1]), int(reply[2]))
    if reply[0] in ("limit", "iplimit"):
        return TakeResult(reply[0], [], held=int(reply[1]))
    if reply[0] in ("gone", "cold"):
        return TakeResult(reply[0], [])
    if reply[0] == "orphan":
        return TakeResult("orphan", [int(s) for s in reply[1:]])
    return TakeResult("taken", [int(s) for s in reply[1:]])
