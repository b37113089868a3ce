-- rqdash Lua lifecycle helpers: RQ's own job transitions (enqueue, requeue, delete, the 3.0 rate
-- limiter), built on _prelude.lua and prepended to every operation script after it (see
-- src/store/write/mod.rs). No KEYS/ARGV of its own: it uses the prelude's P, NOW_TS and NOW.

-- RQ's Job.cleanup(ttl=job.ttl) at enqueue: a positive `ttl` bounds the time in the queue; any
-- other value leaves the key's expiry as it is (RQ neither PERSISTs nor re-EXPIREs then, so a
-- requeued job keeps its failure TTL, exactly as with `rq requeue`).
local function apply_ttl(j)
  if j.ttl == '' then return end
  local ttl = tonumber(j.ttl)
  if ttl and ttl > 0 then
    redis.call('EXPIRE', j.key, ttl)
    try('EXPIRE', j.key .. ':dependents', ttl)
    try('EXPIRE', P .. ':job::' .. j.id .. ':dependencies', ttl)
  end
end

-- RQ 3.0's ACQUIRE_AND_ENQUEUE_SCRIPT (rate_limit.py): fill free slots with waiting jobs,
-- oldest first. Returns whether `mine` was promoted.
local function rl_acquire(rkey, concurrency, mine)
  local allowed = P .. ':rl:' .. rkey .. ':allowed'
  local waiting = P .. ':rl:' .. rkey .. ':rate_limited'
  local promoted_mine = false
  while redis.call('ZCARD', allowed) < concurrency do
    local popped = redis.call('ZPOPMIN', waiting)
    if #popped == 0 then break end
    local id = popped[1]
    local f = try('HMGET', k_job(id), 'origin', 'status', 'enqueue_at_front')
    -- Stale entries (no hash, no origin, not rate_limited) are dropped: ZPOPMIN removed them.
    if type(f) == 'table' and not f.err and f[1] and f[2] == 'rate_limited' then
      redis.call('ZADD', allowed, NOW, id)
      queue_push(k_queue(f[1]), id, f[3] == '1')
      redis.call('HSET', k_job(id), 'status', 'queued', 'enqueued_at', NOW_TS)
      if id == mine then promoted_mine = true end
    end
  end
  return promoted_mine
end

-- RQ 3.0's Queue._enqueue_rate_limited_job: the job waits in the limiter and is promoted when a
-- slot is free. `front`: true/false is written to enqueue_at_front, nil leaves it. Returns the
-- job's new status.
local function rl_enqueue(j, front)
  local concurrency = tonumber(j.rate_limit_concurrency)
  redis.call('SADD', P .. ':rl-keys', j.rate_limit_key)
  redis.call('HSET', P .. ':rl:' .. j.rate_limit_key, 'concurrency', concurrency)
  redis.call('HSET', j.key, 'status', 'rate_limited', 'origin', j.origin)
  if front ~= nil then redis.call('HSET', j.key, 'enqueue_at_front', front and '1' or '0') end
  if j.timeout == '' then redis.call('HSET', j.key, 'timeout', DEFAULT_TIMEOUT) end
  apply_ttl(j)
  redis.call('ZADD', P .. ':rl:' .. j.rate_limit_key .. ':rate_limited', NOW, j.id)
  if rl_acquire(j.rate_limit_key, concurrency, j.id) then return 'queued' end
  return 'rate_limited'
end

-- RQ 3.0's RateLimitRegistry.cancel (RELEASE_STALE_AND_ENQUEUE_SCRIPT) after a cancel or delete:
-- leave the waiting set; give the slot back unless an execution is still live.
local function rl_release(j)
  local allowed = P .. ':rl:' .. j.rate_limit_key .. ':allowed'
  try('ZREM', P .. ':rl:' .. j.rate_limit_key .. ':rate_limited', j.id)
  local status = redis.call('EXISTS', j.key) == 1 and redis.call('HGET', j.key, 'status') or false
  if status == 'queued' or status == 'started' then return end
  local live = try('ZCOUNT', P .. ':executions:' .. j.id, '(' .. NOW, '+inf')
  if type(live) ~= 'number' or live > 0 then return end
  local removed = try('ZREM', allowed, j.id)
  if type(removed) ~= 'number' or removed == 0 then return end
  local concurrency = tonumber(redis.call('HGET', P .. ':rl:' .. j.rate_limit_key, 'concurrency')) or 0
  rl_acquire(j.rate_limit_key, concurrency, nil)
end

-- RQ's Queue._enqueue_job: status queued, new enqueued_at, pushed (front when `front`).
-- `extra`: more field/value pairs for the same HSET. Returns the new status. Call
-- enqueue_blocker(j) first.
local NO_EXTRA = {}
local function enqueue(j, front, extra)
  if j.rate_limited then
    if extra then redis.call('HSET', j.key, unpack(extra)) end
    return rl_enqueue(j, front)
  end
  -- One HSET with its arguments passed directly (no table built per job). `origin` is not
  -- rewritten: it was read from this hash and is the queue the job goes to.
  if j.timeout == '' then
    redis.call('HSET', j.key, 'status', 'queued', 'enqueued_at', NOW_TS, 'timeout', DEFAULT_TIMEOUT,
      unpack(extra or NO_EXTRA))
  else
    redis.call('HSET', j.key, 'status', 'queued', 'enqueued_at', NOW_TS, unpack(extra or NO_EXTRA))
  end
  apply_ttl(j)
  queue_push(k_queue(j.origin), j.id, front)
  return 'queued'
end

-- RQ's BaseRegistry.requeue (failed or canceled registry): out of the registry, started_at and
-- ended_at blanked, exc_info reset, then _enqueue_job at the back (neither Job.requeue callers
-- in RQ nor `rq requeue` pass at_front). worker_name, last_heartbeat, retries_left, meta and
-- the results stream are kept, as RQ keeps them. The caller removes the id from the registry
-- (whole-registry scripts batch that). Call enqueue_blocker(j) first.
local REQUEUE_FIELDS = {'started_at', '', 'ended_at', '', 'exc_info', ZLIB_EMPTY}
local function requeue_job(j)
  return enqueue(j, false, REQUEUE_FIELDS)
end

-- RQ's Job.delete(remove_from_queue=True, delete_dependents=False), as one atomic step and
-- without RQ's failure modes (missing group key, expired execution hash): queue list, every
-- registry of the origin, executions (2.x+), group membership (2.x+), the `:dependents` and
-- `::dependencies` sets, the results stream (RQ 3.0 deletes it; 1.x/2.x leave a stream nobody
-- can reach), and this id in its parents' `:dependents` sets (RQ leaves it for the parent to
-- skip later). Deferred children stay deferred, as with RQ.
-- `in_list`: whether the id may still be in its queue list.
local function delete_job(j, in_list)
  if j.origin ~= '' then
    if in_list then list_remove_later(k_queue(j.origin), j.id) end
    for _, kind in ipairs(REGISTRIES) do try('ZREM', k_reg(kind, j.origin), j.id) end
  end
  -- RQ 3.0 keeps a rate-limited job's executions: a live one still holds its limiter slot.
  if not j.rate_limited then
    local ekey = P .. ':executions:' .. j.id
    local eids = try('ZRANGE', ekey, 0, -1)
    if type(eids) == 'table' and not eids.err then
      for _, eid in ipairs(eids) do
        local xkey = P .. ':execution:' .. j.id .. ':' .. eid
        local worker = try('HGET', xkey, 'worker_name')
        if type(worker) == 'string' and worker ~= '' then
          try('SREM', P .. ':worker:' .. worker .. ':executions', j.id .. ':' .. eid)
        end
        if j.origin ~= '' then try('ZREM', k_reg('wip', j.origin), j.id .. ':' .. eid) end
        redis.call('DEL', xkey)
      end
    end
    redis.call('DEL', ekey)
  end
  if j.group_id ~= '' then try('SREM', P .. ':group:' .. j.group_id, j.id) end
  local deps = P .. ':job::' .. j.id .. ':dependencies'
  local parents = try('SMEMBERS', deps)
  if type(parents) == 'table' and not parents.err then
    for _, parent in ipairs(parents) do try('SREM', k_job(parent) .. ':dependents', j.id) end
  end
  redis.call('DEL', j.key, j.key .. ':dependents', deps, P .. ':results:' .. j.id)
  if j.rate_limited then rl_release(j) end
end
