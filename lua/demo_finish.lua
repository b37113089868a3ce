-- demo_finish.lua: a simulated worker's job ends, as RQ 2.x's handle_job_success or
-- handle_job_failure writes it, in one step: the execution cleaned up (current_job, execution
-- hash, started registry member, executions zset), the job finished or failed with ended_at,
-- a results-stream entry, the registry with its expiry score, key TTLs, worker counters, and
-- on success the dependents whose parents are now all finished enqueued (enqueue_dependents).
--
-- KEYS       none
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    age: seconds from that clock to the real now; result and failure TTLs are
--            shortened by it, so a replayed job expires when its registry score says
-- ARGV[5]    worker name
-- ARGV[6]    job id
-- ARGV[7]    execution id
-- ARGV[8]    'ok' or 'fail'
-- ARGV[9]    ok: base64 return value ('' for None, which RQ does not store);
--            fail: base64 of the zlib traceback (exc_string)
-- ARGV[10]   execution started, Python float seconds
-- ARGV[11]   now, Python float seconds (execution_ended_at)
-- ARGV[12]   working time in seconds (total_working_time increment)
-- ARGV[13]   stream entry id: '*', or '<ms>-0' when replaying the past
--
-- Returns 'finished', 'failed', or 'gone' when the job is no longer this worker's started job
-- (deleted, requeued, canceled or stopped meanwhile): then only the execution is cleaned up.

local age, w, id, eid, outcome, payload = tonumber(ARGV[4]), ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local started_f, now_f, worked, entry = ARGV[10], ARGV[11], ARGV[12], ARGV[13]
local wkey = P .. ':worker:' .. w
local key = k_job(id)
local origin = redis.call('HGET', key, 'origin')

-- cleanup_execution
redis.call('HDEL', wkey, 'current_job')
redis.call('DEL', P .. ':execution:' .. id .. ':' .. eid)
if origin then try('ZREM', k_reg('wip', origin), id .. ':' .. eid) end
try('ZREM', P .. ':executions:' .. id, eid)

local j = load_job(id, {'status', 'origin', 'worker_name', 'result_ttl', 'failure_ttl', 'timeout', 'ttl',
  'enqueue_at_front'})
if not j or j.status ~= 'started' or j.worker_name ~= w then
  redis.call('HSET', wkey, 'state', 'idle')
  return 'gone'
end

-- RQ's dependencies_are_met: every other parent finished (a parent whose hash is gone is met).
local function met(kid)
  local parents = try('SMEMBERS', P .. ':job::' .. kid .. ':dependencies')
  if type(parents) ~= 'table' or parents.err then return true end
  for _, p in ipairs(parents) do
    if p ~= id then
      local s = redis.pcall('HGET', k_job(p), 'status')
      if type(s) == 'string' and s ~= 'finished' then return false end
    end
  end
  return true
end

local function expire(k, ttl)
  -- A replayed job whose time is up is gone already (EXPIRE <= 0 deletes the key).
  try('EXPIRE', k, math.max(ttl - age, 0))
end

local function xadd(fields)
  local rkey = P .. ':results:' .. id
  local ok = redis.pcall('XADD', rkey, 'MAXLEN', '~', 10, entry, unpack(fields))
  if type(ok) == 'table' and ok.err then redis.call('XADD', rkey, 'MAXLEN', '~', 10, '*', unpack(fields)) end
  return rkey
end

local status
local tails = {'execution_id', eid, 'execution_started_at', started_f, 'execution_ended_at', now_f}
if outcome == 'ok' then
  local dkey = key .. ':dependents'
  local kids = try('SMEMBERS', dkey)
  if type(kids) == 'table' and not kids.err and #kids > 0 then
    local enqueued = {}
    for _, kid in ipairs(kids) do
      local c = load_job(kid)
      if c and c.status ~= 'canceled' and c.origin ~= '' and met(kid) then
        try('ZREM', k_reg('deferred', c.origin), kid)
        enqueue(c, c.enqueue_at_front == '1' or nil)
        enqueued[#enqueued + 1] = kid
      end
    end
    if #enqueued == #kids then
      redis.call('DEL', dkey)
    elseif #enqueued > 0 then
      redis.call('SREM', dkey, unpack(enqueued))
    end
  end
  redis.call('HINCRBY', wkey, 'successful_job_count', 1)
  redis.call('HINCRBYFLOAT', wkey, 'total_working_time', worked)
  status = 'finished'
  redis.call('HSET', key, 'status', status, 'ended_at', NOW_TS, 'last_heartbeat', NOW_TS)
  local ttl = tonumber(j.result_ttl or '') or 500
  local fields = {'type', 1, 'worker_name', w}
  if payload ~= '' then
    fields[#fields + 1] = 'return_value'
    fields[#fields + 1] = payload
  end
  for _, x in ipairs(tails) do fields[#fields + 1] = x end
  local rkey = xadd(fields)
  if ttl == -1 then
    redis.call('PERSIST', rkey)
    redis.call('ZADD', k_reg('finished', j.origin), '+inf', id)
  else
    expire(rkey, ttl)
    redis.call('ZADD', k_reg('finished', j.origin), NOW + ttl, id)
    expire(key, ttl)
    expire(dkey, ttl)
    expire(P .. ':job::' .. id .. ':dependencies', ttl)
  end
else
  status = 'failed'
  redis.call('HSET', key, 'status', status, 'ended_at', NOW_TS, 'last_heartbeat', NOW_TS)
  local ttl = tonumber(j.failure_ttl or '') or 31536000
  local fields = {'type', 2, 'worker_name', w, 'exc_string', payload}
  for _, x in ipairs(tails) do fields[#fields + 1] = x end
  -- RQ sets no TTL on a failure's stream unless the job has a failure_ttl.
  local rkey = xadd(fields)
  if (j.failure_ttl or '') ~= '' then expire(rkey, ttl) end
  redis.call('ZADD', k_reg('failed', j.origin), NOW + ttl, id)
  expire(key, ttl)
  expire(key .. ':dependents', ttl)
  expire(P .. ':job::' .. id .. ':dependencies', ttl)
  redis.call('HINCRBY', wkey, 'failed_job_count', 1)
  redis.call('HINCRBYFLOAT', wkey, 'total_working_time', worked)
end
redis.call('HSET', wkey, 'state', 'idle')
finish()
return status
