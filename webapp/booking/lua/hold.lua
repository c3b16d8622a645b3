-- hold.lua: take seats for a hold, all or nothing, in one round trip.
-- A new hold id starts a hold with a fresh TTL; the id of a live hold of the same
-- customer adds the seats to it under its existing deadline (a basket cannot
-- reset its countdown by adding seats).
-- KEYS[1] fence counter      KEYS[2] customer zset   KEYS[3] event held zset
-- KEYS[4] hold timer         KEYS[5] hold info hash  KEYS[6] version counter
-- KEYS[7] seat fences hash   KEYS[8] changelog zset  KEYS[9] holds-created counter of
--         this minute (staff statistics)   KEYS[10] zset of seats held from the caller's
--         network address   KEYS[11..] seat keys (candidates, in preference order)
-- ARGV[1] hold id   ARGV[2] customer id   ARGV[3] ttl ms   ARGV[4] info ttl ms
-- ARGV[5] max seats per customer   ARGV[6] seats the customer already bought
-- ARGV[7] n (seats wanted)   ARGV[8] mode: "groups" = first fully free run of n
--         consecutive candidates starting at a multiple of n; "scatter" = first n free
-- ARGV[9] pub/sub channel   ARGV[10] max seats held from one address (0: no limit)
-- ARGV[11..] seat ids, parallel to KEYS[11..]
-- Returns {"ok", fence, expires_ms, seat ids...} | {"taken", seat ids...}
--       | {"limit", held} | {"iplimit", held} | {"gone"} (the hold to add to lapsed or is
--         not the caller's)
local FIRST = 11
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[7])
local ncand = #KEYS - FIRST + 1

local existing = redis.call('HMGET', KEYS[5], 'customer', 'expires_ms', 'fence', 'seats')
if existing[1] and (existing[1] ~= ARGV[2] or redis.call('EXISTS', KEYS[4]) == 0) then
  return {'gone'}
end

redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local held = redis.call('ZCARD', KEYS[2])
if held + tonumber(ARGV[6]) + n > tonumber(ARGV[5]) then
  return {'limit', tostring(held)}
end
local ip_max = tonumber(ARGV[10])
if ip_max > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[10], '-inf', now)
  local from_ip = redis.call('ZCARD', KEYS[10])
  if from_ip + n > ip_max then return {'iplimit', tostring(from_ip)} end
end

local chosen = {}
if ARGV[8] == 'groups' then
  local taken = {}
  local g = 0
  while g + n <= ncand and #chosen == 0 do
    local run = {}
    for i = g, g + n - 1 do
      if redis.call('EXISTS', KEYS[FIRST + i]) == 1 then
        table.insert(taken, ARGV[11 + i])
      else
        table.insert(run, i)
      end
    end
    if #run == n then chosen = run end
    g = g + n
  end
  if #chosen == 0 then
    local reply = {'taken'}
    if ncand == n then for _, id in ipairs(taken) do table.insert(reply, id) end end
    return reply
  end
else
  for i = 0, ncand - 1 do
    if redis.call('EXISTS', KEYS[FIRST + i]) == 0 then
      table.insert(chosen, i)
      if #chosen == n then break end
    end
  end
  if #chosen < n then return {'taken'} end
end

-- Numbers are formatted by hand: Lua would print large ones as 1.79e+15.
local fence, expires
if existing[1] then
  fence, expires = existing[3], existing[2]
else
  -- Fencing numbers start at the current time in microseconds, so they keep rising
  -- even after Redis loses the counter (restart, FLUSHALL, failover).
  if redis.call('EXISTS', KEYS[1]) == 0 then
    redis.call('SET', KEYS[1], t[1] .. string.format('%06d', tonumber(t[2])))
  end
  fence = string.format('%.0f', redis.call('INCR', KEYS[1]))
  expires = string.format('%.0f', now + tonumber(ARGV[3]))
end
local version = redis.call('INCR', KEYS[6])
local reply = {'ok', fence, expires}
local ids = {}
for _, i in ipairs(chosen) do
  local id = ARGV[11 + i]
  redis.call('SET', KEYS[FIRST + i], ARGV[1], 'PXAT', expires)
  redis.call('HSET', KEYS[7], id, fence)
  redis.call('ZADD', KEYS[2], expires, id)
  redis.call('ZADD', KEYS[3], expires, id)
  redis.call('ZADD', KEYS[8], version, id)
  if ip_max > 0 then redis.call('ZADD', KEYS[10], expires, id) end
  table.insert(ids, id)
  table.insert(reply, id)
end
local seats = table.concat(ids, ',')
if existing[1] then
  seats = existing[4] .. ',' .. seats
else
  redis.call('INCR', KEYS[9])
  redis.call('EXPIRE', KEYS[9], 7200)
  redis.call('SET', KEYS[4], '1', 'PXAT', expires)
  redis.call('HSET', KEYS[5], 'customer', ARGV[2], 'fence', fence, 'expires_ms', expires,
    'extended', '0', 'ipkey', KEYS[10])
  if ip_max > 0 then redis.call('PEXPIREAT', KEYS[10], expires) end
  redis.call('PEXPIREAT', KEYS[5], string.format('%.0f', expires + tonumber(ARGV[4])))
end
redis.call('HSET', KEYS[5], 'seats', seats)
redis.call('PUBLISH', ARGV[9], version .. ':' .. table.concat(ids, ','))
return reply
