-- The draw, once, at opening: everyone who joined before opening holds a random score;
-- they are numbered 1..N in that order, and later arrivals are numbered from N + 1
-- (`base`). With every place a plain number, how many are ahead of a place is the place
-- minus those admitted so far, which a page's poll works out without asking Redis.
local function draw(queue, state)
  if redis.call('HGET', state, 'drawn') == '1' then return end
  local early = redis.call('ZRANGE', queue, 0, -1)
  for i, member in ipairs(early) do
    redis.call('ZADD', queue, i, member)
  end
  redis.call('HSET', state, 'drawn', '1', 'base', #early)
end
