-- handover.lua: move a live hold to the customer who opened its waiting-list offer
-- link, once. The link is a bearer secret (it may be forwarded to a friend), but it
-- must never make two people share one basket: the hold moves to the opener's own
-- seat count and stays theirs; a second opener is refused.
-- KEYS[1] hold timer   KEYS[2] hold info hash   KEYS[3] zset of the customer it was
-- offered to   KEYS[4] zset of the opener   KEYS[5] the event's bought hash
-- ARGV[1] customer it was offered to   ARGV[2] opener   ARGV[3] max seats per customer
-- Returns {"ok"} | {"gone"} (lapsed) | {"claimed"} (taken up by someone else)
--       | {"limit", seats the opener holds}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'gone'} end
local info = redis.call('HMGET', KEYS[2], 'customer', 'seats', 'handed')
if info[1] == ARGV[2] then return {'ok'} end
if info[1] ~= ARGV[1] or info[3] == '1' then return {'claimed'} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local seats = {}
for id in string.gmatch(info[2] or '', '[^,]+') do seats[#seats + 1] = id end
local held = redis.call('ZCARD', KEYS[4])
local bought = tonumber(redis.call('HGET', KEYS[5], ARGV[2]) or '0')
if held + bought + #seats > tonumber(ARGV[3]) then return {'limit', tostring(held)} end
for _, id in ipairs(seats) do
  local score = redis.call('ZSCORE', KEYS[3], id)
  if score then
    redis.call('ZREM', KEYS[3], id)
    redis.call('ZADD', KEYS[4], score, id)
  end
end
redis.call('HSET', KEYS[2], 'customer', ARGV[2], 'handed', '1')
return {'ok'}
