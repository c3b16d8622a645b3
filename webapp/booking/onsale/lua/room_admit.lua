-- Admit the next people in line: at most the rate allows (a token bucket refilled by
-- the clock) and the cap on active shoppers leaves room for. One script, so admitters
-- in several processes never admit the same budget twice.
-- KEYS: 1 queue (zset), 2 admitted (zset), 3 state (hash), 4 last seen (zset)
-- ARGV: 1 now (ms), 2 people a minute (0: no rate), 3 cap on active shoppers (0: none),
--       4 pass lifetime (ms), 5 "1" once the sale is open, 6 batch limit,
--       7 quiet time (ms) after which a place is skipped (0: never),
--       8 "1" when staff paused admission (the database's word, which a Redis that lost
--       its data cannot forget)
-- Staff pause admission with the state's `paused` field too (at once, before the
-- settings every process reads move on). A place whose customer has not
-- asked for it for the quiet time (a closed tab, a bot's discarded cookie) leaves the
-- line when its turn comes, without spending the rate or the cap; `skipped` counts them
-- (a poll's "people ahead" is the place minus those admitted and skipped).
-- Returns the admitted customers, first in line first.
local now, rate, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local life, batch = tonumber(ARGV[4]), tonumber(ARGV[6])
-- Passes that lapsed no longer count as active shoppers.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. (now - life))
local tokens = tonumber(redis.call('HGET', KEYS[3], 'tokens') or '0')
-- A room's first run counts one second's worth, as if the tick before it had run.
local last = tonumber(redis.call('HGET', KEYS[3], 'last') or (now - 1000))
-- @DRAW@ (room.py puts the draw here)
if ARGV[5] == '1' then draw(KEYS[1], KEYS[3]) end
if ARGV[5] ~= '1' or ARGV[8] == '1' or redis.call('HGET', KEYS[3], 'paused') == '1' then
  redis.call('HSET', KEYS[3], 'tokens', 0, 'last', now)
  return {}
end
local budget = batch
if rate > 0 then
  -- A burst of at most three seconds' worth, so a late run catches up but an idle
  -- room does not bank a flood.
  tokens = math.min(tokens + math.max(0, now - last) * rate / 60000, math.max(1, rate / 20))
  budget = math.min(budget, math.floor(tokens))
end
if cap > 0 then
  budget = math.min(budget, cap - redis.call('ZCARD', KEYS[2]))
end
local out, skipped, scanned = {}, 0, 0
local quiet = tonumber(ARGV[7])
while budget > 0 and scanned < 10 * batch do  -- bounded: a run never scans without end
  local popped = redis.call('ZPOPMIN', KEYS[1], budget)
  if #popped == 0 then break end
  for i = 1, #popped, 2 do
    local seen = redis.call('ZSCORE', KEYS[4], popped[i])
    redis.call('ZREM', KEYS[4], popped[i])
    if quiet > 0 and seen and tonumber(seen) < now - quiet then
      skipped = skipped + 1
    else
      redis.call('ZADD', KEYS[2], now, popped[i])
      out[#out + 1] = popped[i]
      budget = budget - 1
    end
  end
  scanned = scanned + #popped / 2
end
if rate > 0 then tokens = tokens - #out end
redis.call('HINCRBY', KEYS[3], 'admitted', #out)
if skipped > 0 then redis.call('HINCRBY', KEYS[3], 'skipped', skipped) end
redis.call('HSET', KEYS[3], 'tokens', tokens, 'last', now)
return out
