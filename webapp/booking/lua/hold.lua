-- hold.lua: take seats for a hold, all or nothing, in one round trip.
-- A new hold id starts a hold with a fresh TTL; the id of a live hold of the same
-- customer adds the seats to it under its existing deadline (a basket cannot
-- reset its countdown by adding seats).
-- KEYS[1] fence counter      KEYS[2] customer zset   KEYS[3] event held zset
-- KEYS[4] hold timer         KEYS[5] hold info hash  KEYS[6] version counter
-- KEYS[7] seat fences hash   KEYS[8] changelog zset  KEYS[9] holds-created counter of
--         this minute (staff statistics)   KEYS[10] zset of seats held from the caller's
--         network address   KEYS[11..] seat keys: the candidates of every part, then
--         the keys of their neighbours that are not candidates themselves
-- ARGV[1] hold id   ARGV[2] customer id   ARGV[3] ttl ms   ARGV[4] info ttl ms
-- ARGV[5] max seats per customer   ARGV[6] seats the customer already bought
-- ARGV[7] seats wanted in all   ARGV[8] number of parts P
-- ARGV[9] pub/sub channel   ARGV[10] max seats held from one address (0: no limit)
-- ARGV[11] number of neighbour-only keys   ARGV[12] "1": refuse to strand a seat
-- ARGV[13..] per part: mode, seats wanted, number of candidates, lenient ("1"/"0"). Modes:
--   exact   every candidate (a customer's own pick);
--   groups  the first run of n consecutive candidates, starting at a multiple of n,
--           that is free and strands no seat (best available, side by side);
--   scatter the first n free candidates that strand no seat.
-- A lenient part may strand seats when nothing else is left (the rule steers buyers,
-- it never refuses the last seats): exact skips the rule, scatter first takes the
-- candidates that strand nobody and fills up with the others.
-- then the seat ids, parallel to KEYS[11..]; then, with ARGV[12] = "1", one string of
-- four comma-separated ids per candidate: two neighbours to the left, two to the right
-- ("0" = row end or aisle). One string, not 4 arguments a seat: packing arguments is
-- most of the cost of a call.
-- A seat is stranded when it is left free between taken seats, or between a taken
-- seat and the row's end or an aisle (the no-orphan rule). Parts are taken in order
-- and later parts see the seats earlier ones took.
-- Returns {"ok", fence, expires_ms, seat ids...} | {"taken", seat ids...}
--       | {"orphan", seat id stranded} | {"limit", held} | {"iplimit", held}
--       | {"gone"} (the hold to add to lapsed or is not the caller's)
local FIRST = 11
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[7])
local nparts = tonumber(ARGV[8])
local nextra = tonumber(ARGV[11])
local check_orphans = ARGV[12] == '1'
local IDS = 13 + 4 * nparts
local ncand = #KEYS - FIRST + 1 - nextra
local NB = IDS + ncand + nextra

local near = {}
if check_orphans then
  for id in string.gmatch(ARGV[NB], '[^,]+') do near[#near + 1] = id end
end
local keyof = {}
for i = 0, ncand + nextra - 1 do keyof[ARGV[IDS + i]] = KEYS[FIRST + i] end
local chosen = {}   -- seat id -> true once picked by this call
local known = {}    -- seat id -> taken before this call (read once)
local function taken(id)
  if chosen[id] then return true end
  if known[id] == nil then known[id] = redis.call('EXISTS', keyof[id]) == 1 end
  return known[id]
end
-- The seat that picking candidate i (already marked chosen) leaves on its own, or nil.
local function strands(i)
  if not check_orphans then return nil end
  local base = 4 * i + 1
  for side = 0, 2, 2 do
    local n1, n2 = near[base + side], near[base + side + 1]
    if n1 ~= '0' and not taken(n1) and (n2 == '0' or taken(n2)) then return n1 end
  end
  return nil
end
local function pick(list) for _, i in ipairs(list) do chosen[ARGV[IDS + i]] = true end end
local function unpick(list) for _, i in ipairs(list) do chosen[ARGV[IDS + i]] = nil end end
local function stranded_by(list)
  for _, i in ipairs(list) do
    local s = strands(i)
    if s then return s end
  end
  return nil
end

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

local order = {}    -- candidate indexes taken, in order
local offset = 0
for p = 0, nparts - 1 do
  local mode, want, count = ARGV[13 + 4 * p], tonumber(ARGV[14 + 4 * p]), tonumber(ARGV[15 + 4 * p])
  local lenient = ARGV[16 + 4 * p] == '1'
  local got = {}
  if mode == 'exact' then
    local busy = {}
    for i = offset, offset + count - 1 do
      if taken(ARGV[IDS + i]) then table.insert(busy, ARGV[IDS + i]) else table.insert(got, i) end
    end
    if #busy > 0 then return {'taken', unpack(busy)} end
    pick(got)
    local lone = not lenient and stranded_by(got)
    if lone then return {'orphan', lone} end
  elseif mode == 'groups' then
    local g = offset
    while g + want <= offset + count and #got == 0 do
      local run = {}
      for i = g, g + want - 1 do
        if not taken(ARGV[IDS + i]) then table.insert(run, i) end
      end
      if #run == want then
        pick(run)
        if stranded_by(run) then unpick(run) else got = run end
      end
      g = g + want
    end
    if #got == 0 then return {'taken'} end
  else
    for i = offset, offset + count - 1 do
      local id = ARGV[IDS + i]
      if not taken(id) then
        chosen[id] = true
        if strands(i) then chosen[id] = nil else table.insert(got, i) end
        if #got == want then break end
      end
    end
    if #got < want and lenient then
      for i = offset, offset + count - 1 do
        local id = ARGV[IDS + i]
        if #got == want then break end
        if not taken(id) then
          chosen[id] = true
          table.insert(got, i)
        end
      end
    end
    if #got < want then return {'taken'} end
  end
  for _, i in ipairs(got) do table.insert(order, i) end
  offset = offset + count
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
for _, i in ipairs(order) do
  local id = ARGV[IDS + i]
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
