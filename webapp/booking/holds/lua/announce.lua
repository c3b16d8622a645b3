-- announce.lua: tell open maps that seats changed (for changes made in the database only).
-- KEYS[1] version counter   KEYS[2] changelog zset
-- ARGV[1] pub/sub channel   ARGV[2..] seat ids
-- A script rather than a pipeline: PUBLISH cannot be pipelined on Redis Cluster.
local version = redis.call('INCR', KEYS[1])
local ids = {}
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[2], version, ARGV[i])
  table.insert(ids, ARGV[i])
end
redis.call('PUBLISH', ARGV[1], version .. ':' .. table.concat(ids, ','))
return version
