-- Join an event's waiting room, or read one's place: idempotent per customer.
-- KEYS: 1 queue (zset), 2 admitted (zset), 3 arrival counter
-- ARGV: 1 customer, 2 now (ms), 3 pass lifetime (ms), 4 "1" before opening,
--       5 a random place for a pre-opening arrival (drawn by the caller)
-- Returns {"admitted", admitted_at_ms} or {"waiting", people_ahead, in_line}.
local cid, now, life = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local admitted = redis.call('ZSCORE', KEYS[2], cid)
if admitted then
  if tonumber(admitted) + life > now then
    return {'admitted', admitted}
  end
  redis.call('ZREM', KEYS[2], cid)  -- the pass lapsed: queue again, at the back
end
if not redis.call('ZSCORE', KEYS[1], cid) then
  local place
  if ARGV[4] == '1' then
    -- Before opening: a random place, kept for good, so refreshing or arriving first
    -- gains nothing; everyone arriving after opening comes after all of these.
    place = ARGV[5]
  else
    place = string.format('%.0f', 1e12 + redis.call('INCR', KEYS[3]))
  end
  redis.call('ZADD', KEYS[1], place, cid)
end
return {'waiting', redis.call('ZRANK', KEYS[1], cid), redis.call('ZCARD', KEYS[1])}
