-- demo_start.lua: one simulated worker takes the next job, as RQ 2.x's worker does: dequeue
-- (LPOP over its queues in order; an id whose job is gone is dropped, as RQ's dequeue_any
-- drops it), prepare_execution (execution hash, executions zset, started registry member
-- `<id>:<execution id>`, worker busy) and prepare_job_execution (current_job, heartbeat, the
-- job started), then PERSIST of the job key, as the work horse does.
--
-- KEYS       none
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    age (unused: heartbeat TTLs count from the real now)
-- ARGV[5]    worker name
-- ARGV[6]    execution id (uuid4 hex)
-- ARGV[7]    now as Python float seconds (the execution's created_at and last_heartbeat)
-- ARGV[8]    heartbeat TTL: RQ's min(timeout, job_monitoring_interval) + 60
-- ARGV[9..]  the worker's queues, in order
--
-- Returns {job id, queue, data} or {} when every queue is empty.

local w, eid, now_f, ttl = ARGV[5], ARGV[6], ARGV[7], tonumber(ARGV[8])
local wkey = P .. ':worker:' .. w

for i = 9, #ARGV do
  local q = ARGV[i]
  local qkey = k_queue(q)
  if key_ok(qkey, 'list') then
    while true do
      local id = redis.call('LPOP', qkey)
      if not id then break end
      if loadable(id) then
        local key = k_job(id)
        local xkey = P .. ':execution:' .. id .. ':' .. eid
        local ekey = P .. ':executions:' .. id
        redis.call('HSET', xkey, 'id', eid, 'created_at', now_f, 'last_heartbeat', now_f, 'worker_name', w)
        redis.call('EXPIRE', xkey, ttl)
        redis.call('ZADD', ekey, NOW + ttl + 60, eid)
        redis.call('EXPIRE', ekey, ttl + 60)
        redis.call('ZADD', k_reg('wip', q), NOW + ttl, id .. ':' .. eid)
        redis.call('HSET', wkey, 'state', 'busy')
        redis.call('HSET', wkey, 'current_job', id, 'current_job_working_time', 0, 'last_heartbeat', NOW_TS)
        redis.call('EXPIRE', wkey, ttl)
        redis.call('HSET', key, 'last_heartbeat', NOW_TS, 'status', 'started', 'started_at', NOW_TS,
          'worker_name', w)
        redis.call('PERSIST', key)
        return {id, q, redis.call('HGET', key, 'data')}
      end
    end
  end
end
return {}
