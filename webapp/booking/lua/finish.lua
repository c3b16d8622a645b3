-- finish.lua: end a hold by releasing or selling its seats (compare-and-delete).
-- KEYS[1] customer zset   KEYS[2] event held zset   KEYS[3] hold timer
-- KEYS[4] hold info hash  KEYS[5] version counter   KEYS[6..] seat keys
-- ARGV[1] hold id   ARGV[2] mode: "release" | "sell" | "unsell"   ARGV[3] pub/sub channel
-- ARGV[4..] seat ids, parallel to KEYS[6..]
-- release: seat keys still holding ARGV[1] are deleted (a seat someone else took
--          since is left alone); sell: seat keys become "sold" with no TTL;
-- unsell: seat keys that say "sold" are deleted (a cancelled sale).
-- Returns the seat ids whose state changed.
local FIRST = 6
local mode = ARGV[2]
local changed = {}
for i = FIRST, #KEYS do
  local id = ARGV[4 + i - FIRST]
  local current = redis.call('GET', KEYS[i])
  if mode == 'sell' then
    redis.call('SET', KEYS[i], 'sold')
    redis.call('ZREM', KEYS[2], id)
    table.insert(changed, id)
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
  redis.call('ZREM', KEYS[1], id)
end
if mode ~= 'unsell' then
  redis.call('DEL', KEYS[3], KEYS[4])
end
if #changed > 0 then
  local version = redis.call('INCR', KEYS[5])
  redis.call('PUBLISH', ARGV[3], version .. ':' .. table.concat(changed, ','))
end
return changed
