-- The Redis floor of "requeue all" (bench only, never used by rqdash): the three commands any
-- requeue that checks each job must run per job, with nothing else. HEXISTS data (is it a
-- loadable job?), HMGET of the fields that decide (status, origin, ttl, timeout, RQ 3.0's rate
-- limit), HSET of the fields RQ's requeue changes; then one ZREM and one RPUSH per call. No
-- status or type checks, no TTL, no rate limiter, no orphan counting: not a correct requeue,
-- only a lower bound for the time one can take on this machine and this Redis.
--
-- KEYS[1] the failed registry, KEYS[2] the queue list
-- ARGV[1] chunk size, ARGV[2] job key prefix ("rq:job:"), ARGV[3] enqueued_at to write
-- Returns how many registry members the call examined (the caller stops when < ARGV[1]).
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
local moved, n = {}, 0
for i = 1, #ids do
  local key = ARGV[2] .. ids[i]
  if redis.call('HEXISTS', key, 'data') == 1 then
    redis.call('HMGET', key, 'status', 'origin', 'ttl', 'timeout', 'rate_limit_key', 'rate_limit_concurrency')
    redis.call('HSET', key, 'status', 'queued', 'enqueued_at', ARGV[3], 'started_at', '', 'ended_at', '',
      'exc_info', '')
    n = n + 1
    moved[n] = ids[i]
  end
end
if #ids > 0 then redis.call('ZREM', KEYS[1], unpack(ids)) end
if n > 0 then redis.call('RPUSH', KEYS[2], unpack(moved)) end
return #ids
