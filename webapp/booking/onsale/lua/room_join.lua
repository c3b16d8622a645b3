-- Join an event's waiting room, or read one's place: idempotent per customer.
-- KEYS: 1 queue (zset), 2 admitted (zset), 3 arrival counter, 4 state (hash),
--       5 last seen (zset), 6 places per address (hash)
-- ARGV: 1 customer, 2 now (ms), 3 pass lifetime (ms), 4 "1" before opening,
--       5 a random place for a pre-opening arrival (drawn by the caller),
--       6 a random epoch for a new room, 7 the customer's network address,
--       8 places one address may take (0: no limit)
-- Returns {"admitted", admitted_at_ms, epoch},
--         {"waiting", people_ahead, in_line, place (0 until the draw), epoch} or
--         {"refused", epoch} (the address has taken its places).
local cid, now, life = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('HSETNX', KEYS[4], 'epoch', ARGV[6])
local epoch = redis.call('HGET', KEYS[4], 'epoch')
-- @DRAW@ (room.py puts the draw here: the pre-opening crowd's random places become 1..N)
if ARGV[4] ~= '1' then draw(KEYS[1], KEYS[4]) end
local admitted = redis.call('ZSCORE', KEYS[2], cid)
if admitted then
  if tonumber(admitted) + life > now then
    return {'admitted', admitted, epoch}
  end
  redis.call('ZREM', KEYS[2], cid)  -- the pass lapsed: queue again, at the back
end
local place = redis.call('ZSCORE', KEYS[1], cid)
if not place then
  -- One address takes at most so many places: a flood of cookieless joins from one
  -- client cannot push real customers back by more than that.
  local limit = tonumber(ARGV[8])
  if limit > 0 then
    if tonumber(redis.call('HGET', KEYS[6], ARGV[7]) or '0') >= limit then
      return {'refused', epoch}
    end
    redis.call('HINCRBY', KEYS[6], ARGV[7], 1)
    redis.call('EXPIRE', KEYS[6], 7 * 86400)
  end
  if ARGV[4] == '1' then
    -- Before opening: a random place, kept for good, so refreshing or arriving first
    -- gains nothing; at opening the draw numbers these 1..N in that random order.
    place = ARGV[5]
  else
    -- After opening: the back of the line, numbered after everyone drawn.
    local base = tonumber(redis.call('HGET', KEYS[4], 'base') or '0')
    place = string.format('%.0f', base + redis.call('INCR', KEYS[3]))
  end
  redis.call('ZADD', KEYS[1], place, cid)
end
redis.call('ZADD', KEYS[5], now, cid)
local drawn = redis.call('HGET', KEYS[4], 'drawn') == '1'
return {'waiting', redis.call('ZRANK', KEYS[1], cid), redis.call('ZCARD', KEYS[1]),
        drawn and place or 0, epoch}
