-- demo_heartbeat.lua: a simulated worker's heartbeat, as RQ 2.x sends it: idle, HSET
-- last_heartbeat + EXPIRE worker_ttl + 60; busy, maintain_heartbeats (the worker, its
-- execution hash, the started registry score (ZADD XX), the executions zset, the job's
-- last_heartbeat). Like RQ 2.9+, a worker hash that expired meanwhile (the machine slept) is
-- written again whole, and here its set memberships too.
--
-- KEYS       none
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    age (unused)
-- ARGV[5]    worker name
-- ARGV[6]    TTL: worker_ttl + 60 idle, the heartbeat TTL busy
-- ARGV[7]    current job id ('' when idle)
-- ARGV[8]    its execution id
-- ARGV[9]    now, Python float seconds
-- ARGV[10]   current_job_working_time
-- ARGV[11..] the worker's registration fields and values (birth, queues, pid, ...), then
--            'queues' must be among them: the sets are re-joined from it
--
-- Returns 1 when the worker hash had to be written again, else 0.

local w, ttl, id, eid, now_f = ARGV[5], tonumber(ARGV[6]), ARGV[7], ARGV[8], ARGV[9]
local wkey = P .. ':worker:' .. w
local reborn = redis.call('EXISTS', wkey) == 0
redis.call('HSET', wkey, 'last_heartbeat', NOW_TS)
redis.call('EXPIRE', wkey, ttl)
if reborn then
  local reg = {}
  for i = 11, #ARGV do reg[#reg + 1] = ARGV[i] end
  redis.call('HSET', wkey, unpack(reg))
  redis.call('HSET', wkey, 'state', id ~= '' and 'busy' or 'idle')
  redis.call('SADD', P .. ':workers', wkey)
  for i = 11, #ARGV - 1, 2 do
    if ARGV[i] == 'queues' then
      for q in string.gmatch(ARGV[i + 1], '[^,]+') do redis.call('SADD', P .. ':workers:' .. q, wkey) end
    end
  end
end
if id ~= '' then
  local key = k_job(id)
  local origin = redis.call('HGET', key, 'origin')
  local mine = origin and redis.call('HGET', key, 'worker_name') == w
    and redis.call('HGET', key, 'status') == 'started'
  if mine then
    redis.call('HSET', wkey, 'current_job', id, 'current_job_working_time', ARGV[10])
    local xkey = P .. ':execution:' .. id .. ':' .. eid
    if redis.call('EXISTS', xkey) == 1 then
      redis.call('HSET', xkey, 'last_heartbeat', now_f)
      redis.call('EXPIRE', xkey, ttl)
      try('ZADD', k_reg('wip', origin), 'XX', NOW + ttl, id .. ':' .. eid)
      local ekey = P .. ':executions:' .. id
      try('ZADD', ekey, NOW + ttl + 60, eid)
      try('EXPIRE', ekey, ttl + 60)
    end
    redis.call('HSET', key, 'last_heartbeat', NOW_TS)
  end
end
return reborn and 1 or 0
