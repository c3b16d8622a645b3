-- block.lua: take seats off sale (or put them back), refusing held or sold seats.
-- KEYS[1] version counter   KEYS[2] changelog zset   KEYS[3..] seat keys
-- ARGV[1] "block" | "unblock"   ARGV[2] pub/sub channel   ARGV[3..] seat ids
-- block: all or nothing; a seat key that exists (held or sold) refuses the lot.
-- Returns {"ok"} | {"taken", seat ids...}
local FIRST = 3
if ARGV[1] == 'block' then
  local taken = {}
  for i = FIRST, #KEYS do
    local v = redis.call('GET', KEYS[i])
    if v and v ~= 'blocked' then table.insert(taken, ARGV[i]) end
  end
  if #taken > 0 then
    table.insert(taken, 1, 'taken')
    return taken
  end
end
local version = redis.call('INCR', KEYS[1])
local ids = {}
for i = FIRST, #KEYS do
  if ARGV[1] == 'block' then
    redis.call('SET', KEYS[i], 'blocked')
  elseif redis.call('GET', KEYS[i]) == 'blocked' then
    redis.call('DEL', KEYS[i])
  end
  redis.call('ZADD', KEYS[2], version, ARGV[i])
  table.insert(ids, ARGV[i])
end
redis.call('PUBLISH', ARGV[2], version .. ':' .. table.concat(ids, ','))
return {'ok'}
