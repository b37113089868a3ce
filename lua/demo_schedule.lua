-- demo_schedule.lua: the demo's scheduler, one pass of RQ 2.10+'s RQScheduler: take or refresh
-- the per-queue lock `rq:scheduler-lock:<q>` (value = scheduler name, TTL 61 s, its
-- ACQUIRE_OR_REFRESH_LOCK_SCRIPT), enqueue the due jobs of the queues it holds
-- (enqueue_scheduled_jobs: ids whose hash is gone are dropped from the registry), and refresh
-- its hash `rq:scheduler:<name>`. A queue whose lock another scheduler holds (a real worker
-- started with --with-scheduler) is left to that one, as RQ does.
--
-- KEYS       none
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    age (unused)
-- ARGV[5]    scheduler name
-- ARGV[6]    lock TTL (interval + 60)
-- ARGV[7]    hostname, ARGV[8] pid, ARGV[9] created_at (the scheduler hash)
-- ARGV[10..] queues
--
-- Returns the number of jobs enqueued.

local name, ttl = ARGV[5], tonumber(ARGV[6])
local held, moved = {}, 0
for i = 10, #ARGV do
  local q = ARGV[i]
  local lock = P .. ':scheduler-lock:' .. q
  local owner = redis.call('GET', lock)
  if not owner then
    redis.call('SET', lock, name, 'EX', ttl)
  elseif owner == name then
    redis.call('EXPIRE', lock, ttl)
  end
  if not owner or owner == name then
    held[#held + 1] = q
    local sched = k_reg('scheduled', q)
    if key_ok(sched, 'zset') then
      for _, id in ipairs(redis.call('ZRANGEBYSCORE', sched, 0, NOW)) do
        local j = load_job(id)
        if j and j.origin ~= '' then
          enqueue(j, j.enqueue_at_front == '1' or nil)
          moved = moved + 1
        end
        redis.call('ZREM', sched, id)
      end
    end
  end
end
local skey = P .. ':scheduler:' .. name
redis.call('HSET', skey, 'name', name, 'hostname', ARGV[7], 'pid', ARGV[8], 'queues', table.concat(held, ','),
  'created_at', ARGV[9], 'last_heartbeat', NOW_TS)
redis.call('EXPIRE', skey, ttl)
finish()
return moved
