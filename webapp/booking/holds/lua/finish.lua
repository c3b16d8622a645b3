-- finish.lua: release, sell or unsell a hold's seats (compare-and-delete).
-- KEYS[1] customer zset   KEYS[2] event held zset   KEYS[3] hold timer
-- KEYS[4] hold info hash  KEYS[5] version counter   KEYS[6] changelog zset
-- KEYS[7] the holder's network-address zset   KEYS[8..] seat keys
-- ARGV[1] hold id   ARGV[2] mode   ARGV[3] pub/sub channel   ARGV[4..] seat ids,
-- parallel to KEYS[8..]. Modes:
--   release: seat keys still holding ARGV[1] are deleted (a seat someone else took
--            since is left alone) and the hold ends;
--   drop:    as release, but only for these seats; the hold keeps the others and
--            ends when none are left;
--   sell:    seat keys become "sold" with no TTL and the hold ends; a seat staff
--            blocked stays blocked (the caller refunds; the database refuses too);
--   unsell:  seat keys that say "sold" are deleted (a cancelled sale).
-- A hold that ends leaves the event's due set (the fallback job's list); a sale
-- counts the seats in the event's bought hash for the customer (named by KEYS[1]).
-- Returns the seat ids whose state changed.
local FIRST = 8
local TAG = string.match(KEYS[3], '^(.*):hold:')
local CUSTOMER = string.match(KEYS[1], ':cust:(.*)$')
local mode = ARGV[2]
local changed = {}
local dropped = {}
local newly_sold = 0
for i = FIRST, #KEYS do
  local id = ARGV[4 + i - FIRST]
  local current = redis.call('GET', KEYS[i])
  if mode == 'sell' then
    if current ~= 'blocked' then
      if current ~= 'sold' then newly_sold = newly_sold + 1 end
      redis.call('SET', KEYS[i], 'sold')
      table.insert(changed, id)
    end
    redis.call('ZREM', KEYS[2], id)
  elseif mode == 'unsell' then
    if current == 'sold' then
      redis.call('DEL', KEYS[i])
      table.insert(changed, id)
    end
  elseif current == ARGV[1] then
    redis.call('DEL', KEYS[i])
    redis.call('ZREM', KEYS[2], id)
    table.insert(changed, id)
  end
  if mode ~= 'unsell' then
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZREM', KEYS[7], id)
  end
  dropped[id] = true
end
local ends = mode == 'release' or mode == 'sell'
if mode == 'drop' then
  local left = {}
  local seats = redis.call('HGET', KEYS[4], 'seats') or ''
  for id in string.gmatch(seats, '[^,]+') do
    if not dropped[id] then table.insert(left, id) end
  end
  if #left == 0 then ends = true else redis.call('HSET', KEYS[4], 'seats', table.concat(left, ',')) end
end
if ends then
  redis.call('DEL', KEYS[3], KEYS[4])
  redis.call('ZREM', TAG .. ':due', ARGV[1])
end
if mode == 'sell' then
  if newly_sold > 0 then redis.call('HINCRBY', TAG .. ':bought', CUSTOMER, newly_sold) end
elseif mode == 'unsell' and #changed > 0 then
  redis.call('HINCRBY', TAG .. ':bought', CUSTOMER, -#changed)
end
if #changed > 0 then
  local version = redis.call('INCR', KEYS[5])
  for _, id in ipairs(changed) do redis.call('ZADD', KEYS[6], version, id) end
  redis.call('PUBLISH', ARGV[3], version .. ':' .. table.concat(changed, ','))
end
return changed
