-- The Redis floor of "requeue all" (bench only, never used by rqdash): a bare loop that only
-- moves each job, as issue 11 defines it: HEXISTS data (is it a loadable job?) and HSET status
-- per job, then one ZREM and one RPUSH per call. No field reads, no status or type checks, no
-- TTL, no rate limiter, no orphan or expiry counting, no bound on what arrived since the start:
-- not a correct requeue, only a lower bound for the time one can take on this machine and this
-- Redis.
--
-- KEYS[1] the failed registry, KEYS[2] the queue list
-- ARGV[1] chunk size, ARGV[2] job key prefix ("rq:job:"), ARGV[3] enqueued_at to write (unused)
-- Returns how many registry members the call examined (the caller stops when < ARGV[1]).
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
local moved, n = {}, 0
for i = 1, #ids do
  local key = ARGV[2] .. ids[i]
  if redis.call('HEXISTS', key, 'data') == 1 then
    redis.call('HSET', key, 'status', 'queued')
    n = n + 1
    moved[n] = ids[i]
  end
end
if #ids > 0 then redis.call('ZREM', KEYS[1], unpack(ids)) end
if n > 0 then redis.call('RPUSH', KEYS[2], unpack(moved)) end
return #ids
