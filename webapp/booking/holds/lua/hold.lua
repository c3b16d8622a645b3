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
-- ARGV[5] max seats per customer   ARGV[6] further seats to count against that limit
--         (0; seats the customer bought are counted here, from the bought hash)
-- ARGV[7] seats wanted in all   ARGV[8] number of parts P
-- ARGV[9] pub/sub channel   ARGV[10] max seats held from one address (0: no limit)
-- ARGV[11] number of neighbour-only keys   ARGV[12] "1": refuse to strand a seat
-- ARGV[13] key of the pool to search in "best" mode ("" if none)   ARGV[14] the pool's
--         centre line (x)   ARGV[15] the event's key prefix (hf:{evt:E}), for the keys
--         found while the script runs, all in the event's slot: seat keys (prefix:seat:ID),
--         the neighbour table (:neighbours, seat -> "l,ll,r,rr"), the primed flag
--         (:primed:2, set once the event's Redis state was rebuilt from the database), the
--         row table (:rowof, seat -> "y:section"), each pool's row index (:poolrows:SECTION,
--         members "n:y" scored n * 2^32 + y: the rows that may still offer a pick of n), the
--         bought hash (:bought, customer -> seats in confirmed bookings) and the due set
--         (:due, hold id -> deadline ms, which the fallback job reads)
-- ARGV[16] "1": the caller adds to the hold ARGV[1] (a basket), so a hold whose info is
--         gone is "gone", never started again under its old id
-- ARGV[17..] per part: mode, seats wanted, number of candidates, lenient ("1"/"0"). Modes:
--   exact   every candidate (a customer's own pick). One that strands a seat is refused
--           only while the pool ARGV[13] (the pick's section) offers a pick of the same
--           size side by side that strands nobody; the refusal names it;
--   groups  the first run of n consecutive candidates, starting at a multiple of n,
--           that is free and strands no seat (best available, side by side);
--   scatter the first n free candidates that strand no seat;
--   best    no candidates: the script searches the pool ARGV[13], a sorted set of the
--           pool's seats scored y * 2^20 + x, a row (one y) at a time from the front:
--           the free window of n side by side closest to the centre that strands
--           nobody; else (n > 1) the best seats apart that strand nobody; else, as the
--           last seats, stranding ones. The pool may hold seats taken since (they are
--           checked and dropped as met). The strict search reads only the rows of the
--           pool's row index for n: a row found unable to offer n is dropped from it
--           and comes back when a seat in it changes (taken here, given back by
--           pools.py), so its cost follows the rows changed since the last search, not
--           the venue's size or how full it is (a venue full of free pairs made every
--           single-seat hold re-read every such row).
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
-- Returns {"ok", fence, expires_ms, seat ids...} | {"taken", seat ids...} | {"cold"} (not
--         primed, e.g. Redis lost its data: the caller primes the event and asks again)
--       | {"orphan", seat id stranded, the seats of a pick that strands nobody...} | {"limit", held} | {"iplimit", held}
--       | {"gone"} (the hold to add to lapsed or is not the caller's)
local FIRST = 11
local BAND = 1048576
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[7])
local nparts = tonumber(ARGV[8])
local nextra = tonumber(ARGV[11])
local check_orphans = ARGV[12] == '1'
local POOL, CENTRE, TAG = ARGV[13], tonumber(ARGV[14]), ARGV[15]
local SEAT, NBKEY, PRIMED = TAG .. ':seat:', TAG .. ':neighbours', TAG .. ':primed:2'
local ROWOF, ROWIDX = TAG .. ':rowof', TAG .. ':poolrows:'
-- The row index covers picks of 1..INDEXED seats (pools.INDEXED_SIZES); larger picks
-- scan the pool. ROWBAND separates the sizes' scores (n * ROWBAND + y).
local INDEXED, ROWBAND = 10, 4294967296
local POOLROWS = POOL ~= '' and (ROWIDX .. string.sub(POOL, #TAG + 7)) or ''
local BOUGHT, DUE = TAG .. ':bought', TAG .. ':due'
local IDS = 17 + 4 * nparts
local ncand = #KEYS - FIRST + 1 - nextra
local NB = IDS + ncand + nextra

local near, nearat = {}, {}
if check_orphans and ncand > 0 then
  for id in string.gmatch(ARGV[NB], '[^,]+') do near[#near + 1] = id end
  for i = 0, ncand - 1 do
    local id = ARGV[IDS + i]
    if nearat[id] == nil then nearat[id] = 4 * i end
  end
end
local keyof = {}
for i = 0, ncand + nextra - 1 do keyof[ARGV[IDS + i]] = KEYS[FIRST + i] end
local function seatkey(id) return keyof[id] or (SEAT .. id) end
local chosen = {}   -- seat id -> true once picked by this call
local known = {}    -- seat id -> taken before this call (read once)
local function taken(id)
  if chosen[id] then return true end
  if known[id] == nil then known[id] = redis.call('EXISTS', seatkey(id)) == 1 end
  return known[id]
end
-- {left, left of left, right, right of right} of a seat ("0" = row end or aisle).
local nbcache = {}
local function neighbours(id)
  local at = nearat[id]
  if at then return near[at + 1], near[at + 2], near[at + 3], near[at + 4] end
  if nbcache[id] == nil then
    local row = {}
    for v in string.gmatch(redis.call('HGET', NBKEY, id) or '0,0,0,0', '[^,]+') do
      row[#row + 1] = v
    end
    nbcache[id] = row
  end
  local row = nbcache[id]
  return row[1], row[2], row[3], row[4]
end
-- The seat that picking `id` (already marked chosen) leaves on its own, or nil.
local function strands(id)
  if not check_orphans then return nil end
  local l, ll, r, rr = neighbours(id)
  if l ~= '0' and not taken(l) and (ll == '0' or taken(ll)) then return l end
  if r ~= '0' and not taken(r) and (rr == '0' or taken(rr)) then return r end
  return nil
end
local function pick(ids) for _, id in ipairs(ids) do chosen[id] = true end end
local function unpick(ids) for _, id in ipairs(ids) do chosen[id] = nil end end
local function stranded_by(ids)
  for _, id in ipairs(ids) do
    local s = strands(id)
    if s then return s end
  end
  return nil
end
local function cand(from, to)
  local ids = {}
  for i = from, to do ids[#ids + 1] = ARGV[IDS + i] end
  return ids
end

-- The free seats of the pool's row y, by x. Seats found taken are dropped from the
-- pool (they come back when released).
local function row_seats(y)
  local members = redis.call('ZRANGEBYSCORE', POOL, y * BAND, (y + 1) * BAND - 1, 'WITHSCORES')
  -- One MGET for the row's seats, not an EXISTS each: the search and the no-orphan
  -- checks of its neighbours (same row) then read nothing more.
  local ask, askkeys = {}, {}
  for k = 1, #members, 2 do
    local id = members[k]
    if known[id] == nil and not chosen[id] then
      ask[#ask + 1] = id
      askkeys[#askkeys + 1] = seatkey(id)
    end
  end
  for from = 1, #askkeys, 500 do
    local vals = redis.call('MGET', unpack(askkeys, from, math.min(from + 499, #askkeys)))
    for i = 1, #vals do known[ask[from + i - 1]] = vals[i] ~= false end
  end
  local seats = {}
  for k = 1, #members, 2 do
    local id = members[k]
    if not taken(id) then
      seats[#seats + 1] = {id = id, x = tonumber(members[k + 1]) - y * BAND}
    elseif not chosen[id] then
      redis.call('ZREM', POOL, id)
    end
  end
  return seats
end
-- The first row of the pool at or after score `lo`: its y and free seats by x.
local function row_at(lo)
  local first = redis.call('ZRANGEBYSCORE', POOL, lo, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #first == 0 then return nil end
  local y = math.floor(tonumber(first[2]) / BAND)
  return y, row_seats(y)
end
-- The first row at or after y in the pool's row index for picks of `want`, or nil.
local function indexed_row(want, y)
  local first = redis.call('ZRANGEBYSCORE', POOLROWS, want * ROWBAND + y,
    (want + 1) * ROWBAND - 1, 'WITHSCORES', 'LIMIT', 0, 1)
  if #first == 0 then return nil end
  return tonumber(first[2]) - want * ROWBAND
end
-- Row y cannot offer a strict pick of `want` as things stand: out of the index until a
-- seat in it changes. Only when nothing is chosen yet, which would colour the verdict.
local function drop_row(want, y, pure)
  if pure then redis.call('ZREM', POOLROWS, want .. ':' .. y) end
end
-- Put the row of seat `id` back in the row index of the event's pool and its section's,
-- for every size: a seat taken or freed can make a row offer a pick it could not.
-- A seat's neighbours share its row (a row has one y), so its own row is enough.
local touched = {}
local function touch(id)
  local v = redis.call('HGET', ROWOF, id)
  if not v then return end
  local sep = string.find(v, ':', 1, true)
  local y = tonumber(string.sub(v, 1, sep - 1))
  for _, section in ipairs({'*', string.sub(v, sep + 1)}) do
    local key = ROWIDX .. section
    if not touched[key .. '\n' .. y] then
      touched[key .. '\n' .. y] = true
      local args = {}
      for m = 1, INDEXED do
        args[#args + 1] = string.format('%.0f', m * ROWBAND + y)
        args[#args + 1] = m .. ':' .. y
      end
      redis.call('ZADD', key, unpack(args))
    end
  end
end
-- Free windows of `want` side by side in one row, closest to the centre first.
local function windows(seats, want)
  local wins, start = {}, 1
  for k = 1, #seats do
    if k > 1 and seats[k].x ~= seats[k - 1].x + 1 then start = k end
    if k - start + 1 >= want then
      local s = k - want + 1
      local ids = {}
      for j = s, k do ids[#ids + 1] = seats[j].id end
      wins[#wins + 1] = {d = math.abs((seats[s].x + seats[k].x) / 2 - CENTRE), x = seats[s].x,
        ids = ids}
    end
  end
  table.sort(wins, function(a, b) if a.d ~= b.d then return a.d < b.d end return a.x < b.x end)
  return wins
end
-- The row's best window of `want` seats; strict: only one that strands nobody.
local function row_window(seats, want, strict)
  for _, w in ipairs(windows(seats, want)) do
    if not strict then return w.ids end
    pick(w.ids)
    local lone = stranded_by(w.ids)
    unpick(w.ids)
    if not lone then return w.ids end
  end
  return nil
end
-- The best window of `want` seats in the pool; strict: only one that strands nobody.
local function best_window(want, strict)
  if strict and want <= INDEXED then
    local pure = next(chosen) == nil
    local y = indexed_row(want, 0)
    while y do
      local ids = row_window(row_seats(y), want, true)
      if ids then return ids end
      drop_row(want, y, pure)
      y = indexed_row(want, y + 1)
    end
    return nil
  end
  local y, seats = row_at(0)
  while y do
    local ids = row_window(seats, want, strict)
    if ids then return ids end
    y, seats = row_at((y + 1) * BAND)
  end
  return nil
end
local function by_centre(seats)
  table.sort(seats, function(a, b)
    local da, db = math.abs(a.x - CENTRE), math.abs(b.x - CENTRE)
    if da ~= db then return da < db end
    return a.x < b.x
  end)
  return seats
end
-- The best `want` seats apart: those that strand nobody first (the rows of the index
-- for single seats), then (lenient) any.
local function best_apart(want, lenient)
  local got = {}
  local pure = next(chosen) == nil
  local y = indexed_row(1, 0)
  while y and #got < want do
    local before = #got
    for _, s in ipairs(by_centre(row_seats(y))) do
      if #got == want then break end
      chosen[s.id] = true
      if strands(s.id) then chosen[s.id] = nil else got[#got + 1] = s.id end
    end
    if #got == before then drop_row(1, y, pure) end
    y = indexed_row(1, y + 1)
  end
  if #got < want and lenient then
    local seats
    y, seats = row_at(0)
    while y and #got < want do
      for _, s in ipairs(by_centre(seats)) do
        if #got == want then break end
        chosen[s.id] = true
        got[#got + 1] = s.id
      end
      y, seats = row_at((y + 1) * BAND)
    end
  end
  if #got == want then return got end
  unpick(got)
  return nil
end

local existing = redis.call('HMGET', KEYS[5], 'customer', 'expires_ms', 'fence', 'seats', 'ipkey')
if ARGV[16] == '1' and not existing[1] then return {'gone'} end
if existing[1] and (existing[1] ~= ARGV[2] or redis.call('EXISTS', KEYS[4]) == 0) then
  return {'gone'}
end
-- A basket's seats are counted against the address it was started from, even when seats
-- are added from another (a phone moving from Wi-Fi to mobile data): they are released
-- from that address's set too.
local IPKEY = (existing[1] and existing[5]) or KEYS[10]

if redis.call('EXISTS', PRIMED) == 0 then return {'cold'} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local held = redis.call('ZCARD', KEYS[2])
local bought = tonumber(redis.call('HGET', BOUGHT, ARGV[2]) or '0')
if held + bought + tonumber(ARGV[6]) + n > tonumber(ARGV[5]) then
  return {'limit', tostring(held)}
end
local ip_max = tonumber(ARGV[10])
if ip_max > 0 then
  redis.call('ZREMRANGEBYSCORE', IPKEY, '-inf', now)
  local from_ip = redis.call('ZCARD', IPKEY)
  if from_ip + n > ip_max then return {'iplimit', tostring(from_ip)} end
end

local order = {}    -- seat ids taken, in order
local offset = 0
for p = 0, nparts - 1 do
  local at = 17 + 4 * p
  local mode, want, count = ARGV[at], tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2])
  local lenient = ARGV[at + 3] == '1'
  local got = {}
  if mode == 'exact' then
    local busy = {}
    for _, id in ipairs(cand(offset, offset + count - 1)) do
      if taken(id) then busy[#busy + 1] = id else got[#got + 1] = id end
    end
    if #busy > 0 then return {'taken', unpack(busy)} end
    pick(got)
    local lone = not lenient and stranded_by(got)
    if lone and POOL ~= '' then
      -- Refused only while a pick of this size in the section strands nobody.
      unpick(got)
      local alt = best_window(#got, true)
      pick(got)
      if alt then return {'orphan', lone, unpack(alt)} end
      lone = nil
    end
    if lone then return {'orphan', lone} end
  elseif mode == 'groups' then
    local g = offset
    while g + want <= offset + count and #got == 0 do
      local run = {}
      for _, id in ipairs(cand(g, g + want - 1)) do
        if not taken(id) then run[#run + 1] = id end
      end
      if #run == want then
        pick(run)
        if stranded_by(run) then unpick(run) else got = run end
      end
      g = g + want
    end
    if #got == 0 then return {'taken'} end
  elseif mode == 'best' then
    got = best_window(want, true)
    if not got and want > 1 then got = best_apart(want, lenient) end
    if not got and lenient then got = best_window(want, false) end
    if not got then return {'taken'} end
    pick(got)
    for _, id in ipairs(got) do redis.call('ZREM', POOL, id) end
  else
    for _, id in ipairs(cand(offset, offset + count - 1)) do
      if not taken(id) then
        chosen[id] = true
        if strands(id) then chosen[id] = nil else got[#got + 1] = id end
        if #got == want then break end
      end
    end
    if #got < want and lenient then
      for _, id in ipairs(cand(offset, offset + count - 1)) do
        if #got == want then break end
        if not taken(id) then
          chosen[id] = true
          got[#got + 1] = id
        end
      end
    end
    if #got < want then return {'taken'} end
  end
  for _, id in ipairs(got) do order[#order + 1] = id end
  offset = offset + count
end
-- Numbers are formatted by hand: Lua would print large ones as 1.79e+15.
-- Every take gets a fencing number above any earlier take's, seats added to a basket
-- included (the hold's fence becomes the newest of its seats'). The number is at least
-- the current time in microseconds, so it keeps rising even when Redis forgot or rolled
-- back the counter (restart, FLUSHALL, a restore from an older snapshot, a failover to
-- a lagging replica): a number handed out earlier was at most the time it was taken.
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local counter = tonumber(redis.call('INCR', KEYS[1]))
if counter < now_us then
  counter = now_us
  redis.call('SET', KEYS[1], string.format('%.0f', counter))
end
local fence = string.format('%.0f', counter)
local expires
if existing[1] then
  expires = existing[2]
else
  expires = string.format('%.0f', now + tonumber(ARGV[3]))
end
for _, id in ipairs(order) do touch(id) end
local version = redis.call('INCR', KEYS[6])
local reply = {'ok', fence, expires}
local ids = {}
for _, id in ipairs(order) do
  redis.call('SET', seatkey(id), ARGV[1], 'PXAT', expires)
  redis.call('HSET', KEYS[7], id, fence)
  redis.call('ZADD', KEYS[2], expires, id)
  redis.call('ZADD', KEYS[3], expires, id)
  redis.call('ZADD', KEYS[8], version, id)
  if ip_max > 0 then redis.call('ZADD', IPKEY, expires, id) end
  table.insert(ids, id)
  table.insert(reply, id)
end
local seats = table.concat(ids, ',')
-- Seats held this minute (the staff sales-velocity chart): KEYS[9]'s twin, same slot.
local SEATS_HELD = string.gsub(KEYS[9], ':stat:created:', ':stat:seats_held:')
redis.call('INCRBY', SEATS_HELD, #ids)
redis.call('EXPIRE', SEATS_HELD, 7200)
if existing[1] then
  seats = existing[4] .. ',' .. seats
else
  redis.call('INCR', KEYS[9])
  redis.call('EXPIRE', KEYS[9], 7200)
  redis.call('SET', KEYS[4], '1', 'PXAT', expires)
  redis.call('ZADD', DUE, expires, ARGV[1])
  redis.call('HSET', KEYS[5], 'customer', ARGV[2], 'fence', fence, 'expires_ms', expires,
    'extended', '0', 'ipkey', IPKEY)
  if ip_max > 0 then redis.call('PEXPIREAT', IPKEY, expires) end
  redis.call('PEXPIREAT', KEYS[5], string.format('%.0f', expires + tonumber(ARGV[4])))
end
redis.call('HSET', KEYS[5], 'seats', seats, 'fence', fence)
redis.call('PUBLISH', ARGV[9], version .. ':' .. table.concat(ids, ','))
return reply
