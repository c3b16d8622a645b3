-- extend.lua: give a live hold more time, once, for its holder only.
-- KEYS[1] hold timer   KEYS[2] hold info hash   KEYS[3] customer zset
-- KEYS[4] event held zset   KEYS[5..] seat keys
-- ARGV[1] hold id   ARGV[2] customer id   ARGV[3] extra ms   ARGV[4] info ttl ms
-- ARGV[5..] seat ids, parallel to KEYS[5..]
-- The hold's entry in the event's due set (the fallback job's list) moves with it, and
-- so do its seats' entries in its network address's set (the info's ipkey).
-- Returns {"ok", new expires_ms} | {"gone"} | {"not_yours"} | {"again"}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'gone'} end
local info = redis.call('HMGET', KEYS[2], 'customer', 'expires_ms', 'extended', 'ipkey')
if info[1] ~= ARGV[2] then return {'not_yours'} end
if info[3] == '1' then return {'again'} end
local expires = string.format('%.0f', tonumber(info[2]) + tonumber(ARGV[3]))
for i = 5, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('PEXPIREAT', KEYS[i], expires)
    redis.call('ZADD', KEYS[3], expires, ARGV[i])
    redis.call('ZADD', KEYS[4], expires, ARGV[i])
    -- the seats stay counted against the address for as long as they are held
    if info[4] then redis.call('ZADD', info[4], 'XX', expires, ARGV[i]) end
  end
end
if info[4] then
  local ttl = redis.call('PTTL', info[4])
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  if ttl >= 0 and now + ttl < tonumber(expires) then redis.call('PEXPIREAT', info[4], expires) end
end
redis.call('PEXPIREAT', KEYS[1], expires)
redis.call('ZADD', string.match(KEYS[1], '^(.*):hold:') .. ':due', 'XX', expires, ARGV[1])
redis.call('HSET', KEYS[2], 'expires_ms', expires, 'extended', '1')
redis.call('PEXPIREAT', KEYS[2], string.format('%.0f', expires + tonumber(ARGV[4])))
return {'ok', expires}
