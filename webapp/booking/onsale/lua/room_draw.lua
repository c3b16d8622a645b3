-- The draw, at opening: everyone in line is numbered in score order after those admitted
-- so far. Before a first opening that is the random places of the pre-opening crowd;
-- after staff move the opening (room.rearm clears `drawn`), the places drawn before
-- (small numbers) stay ahead of those who gathered since (random places above 10^12).
-- Later arrivals are numbered from `base` on. With every place a plain number, how many
-- are ahead of a place is the place minus one minus those admitted (or skipped as
-- quiet) so far, which a page's poll works out without asking Redis.
local function draw(queue, state)
  if redis.call('HGET', state, 'drawn') == '1' then return end
  local before = tonumber(redis.call('HGET', state, 'admitted') or '0')
    + tonumber(redis.call('HGET', state, 'skipped') or '0')
  local early = redis.call('ZRANGE', queue, 0, -1)
  for i, member in ipairs(early) do
    redis.call('ZADD', queue, before + i, member)
  end
  redis.call('HSET', state, 'drawn', '1', 'base', before + #early)
end
