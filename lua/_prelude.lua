-- rqdash Lua prelude: prepended to every other script in this directory (src/store/write/mod.rs
-- concatenates them), so each script stays one atomic operation with shared helpers.
--
-- Common ARGV of every script:
--   ARGV[1]  RQ key prefix: "rq", or RQ 3.0's RQ_KEY_PREFIX
--   ARGV[2]  now, as RQ writes timestamps: %Y-%m-%dT%H:%M:%S.%fZ (UTC), computed by the caller
--            (RQ's own timestamps are client-side too)
--   ARGV[3]  now, integer Unix seconds (registry scores, like RQ's current_timestamp())
--
-- Job, queue and registry keys depend on the ids being worked on, so they are built here from
-- the prefix, exactly as RQ's own scripts do (Queue.empty, the 3.0 rate limiter). Like RQ's,
-- these scripts are therefore not Redis Cluster safe.
--
-- RQ version differences are read per job from the data itself:
--   * `rq:executions:<id>` and composite `<id>:<eid>` members of `rq:wip:<q>` exist from 2.0;
--   * `group_id` (2.0+), `rate_limit_key` + `rate_limit_concurrency` (3.0);
--   * a missing `status` reads as "".
--
-- Robustness: a Lua error after a write would leave a chunk half done (Redis does not roll
-- scripts back). So every check that can fail on hostile data (a key of the wrong type) runs
-- before the job is touched, and best-effort cleanup of side structures uses pcall.

local P = ARGV[1]
local NOW_TS = ARGV[2]
local NOW = tonumber(ARGV[3])

-- zlib.compress(b'') at Python's default level: what RQ's requeue stores as exc_info ('').
local ZLIB_EMPTY = '\120\156\3\0\0\0\0\1'

-- RQ's default Queue timeout, written by RQ's enqueue when the job has none.
local DEFAULT_TIMEOUT = '180'

local function k_job(id) return P .. ':job:' .. id end
local function k_queue(q) return P .. ':queue:' .. q end
local function k_reg(kind, q) return P .. ':' .. kind .. ':' .. q end

-- Registries that may hold a bare job id (wip holds bare ids in 1.x, composites in 2.x+).
local REGISTRIES = {'finished', 'failed', 'deferred', 'scheduled', 'canceled', 'ready', 'wip'}

-- The registry a status lives in (RQ's Job._remove_from_registries); queued lives in the list.
local STATUS_REGISTRY = {
  finished = 'finished', failed = 'failed', stopped = 'failed', deferred = 'deferred',
  scheduled = 'scheduled', canceled = 'canceled', ready_to_enqueue = 'ready',
}

local FIELDS = {
  'status', 'origin', 'group_id', 'ttl', 'timeout', 'enqueue_at_front',
  'enqueue_at_front_on_retry', 'ended_at', 'worker_name', 'rate_limit_key',
  'rate_limit_concurrency',
}

-- The fields rqdash needs, or nil when RQ could not load the job either: no hash, a hash
-- without `data` (Job.fetch raises NoSuchJobError for both), or a key of another type.
-- `data` itself is never read.
local function load_job(id)
  local key = k_job(id)
  local has = redis.pcall('HEXISTS', key, 'data')
  if type(has) ~= 'number' or has == 0 then return nil end
  local v = redis.call('HMGET', key, unpack(FIELDS))
  local j = {id = id, key = key}
  for i, f in ipairs(FIELDS) do j[f] = v[i] or '' end
  j.rate_limited = j.rate_limit_key ~= '' and (tonumber(j.rate_limit_concurrency) or 0) > 0
  return j
end

-- Best effort: a side structure of the wrong type must not abort the job's main move.
local function try(...)
  return redis.pcall(...)
end

-- Whether a key can be used as `kind` ('list', 'zset'): it is of that type or absent.
local TYPE_OK = {}
local function key_ok(key, kind)
  local ok = TYPE_OK[key]
  if ok == nil then
    local t = redis.call('TYPE', key)['ok']
    ok = (t == kind or t == 'none')
    TYPE_OK[key] = ok
  end
  return ok
end

-- Why `j` cannot be pushed onto its origin queue, or nil.
local function enqueue_blocker(j)
  if j.origin == '' then return 'no origin queue' end
  if not key_ok(k_queue(j.origin), 'list') then return 'its queue key is not a list' end
  return nil
end

-- Pushes are collected and sent at the end of the script, one LPUSH/RPUSH per queue: a chunk
-- of 1,000 requeues costs one RPUSH instead of 1,000. This is safe: everything that can fail on
-- data (key types) is checked before the first write, and once a script has written, Redis no
-- longer refuses its writes for OOM. Order is kept: ids are pushed in the order they were
-- processed. Every script that enqueues ends with flush_pushes().
local PENDING, PENDING_ORDER = {}, {}
local function queue_push(qkey, id, front)
  local p = PENDING[qkey]
  if not p then
    p = {l = {}, r = {}}
    PENDING[qkey] = p
    table.insert(PENDING_ORDER, qkey)
  end
  table.insert(front and p.l or p.r, id)
end
local function flush_pushes()
  for _, qkey in ipairs(PENDING_ORDER) do
    local p = PENDING[qkey]
    if #p.l > 0 then redis.call('LPUSH', qkey, unpack(p.l)) end
    if #p.r > 0 then redis.call('RPUSH', qkey, unpack(p.r)) end
    -- RQ 1.x's enqueue SADDs the queue to rq:queues (2.x+ does it earlier); harmless always.
    redis.call('SADD', P .. ':queues', qkey)
  end
  PENDING, PENDING_ORDER = {}, {}
end

-- RQ's Job.cleanup(ttl=job.ttl) at enqueue: a positive `ttl` bounds the time in the queue.
-- Without one, rqdash PERSISTs the hash where RQ leaves the failure TTL on it: RQ's worker
-- PERSISTs the job when it starts anyway, so the only visible difference is that a requeued
-- job can no longer expire (and leave an orphan id behind) before a worker reaches it.
local function apply_ttl(j)
  local ttl = tonumber(j.ttl)
  if ttl and ttl > 0 then
    redis.call('EXPIRE', j.key, ttl)
    try('EXPIRE', j.key .. ':dependents', ttl)
    try('EXPIRE', P .. ':job::' .. j.id .. ':dependencies', ttl)
  else
    redis.call('PERSIST', j.key)
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
    local f = redis.call('HMGET', k_job(id), 'origin', 'status', 'enqueue_at_front')
    if f[1] and f[2] == 'rate_limited' then
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
local function enqueue(j, front, extra)
  if j.rate_limited then
    if extra then redis.call('HSET', j.key, unpack(extra)) end
    return rl_enqueue(j, front)
  end
  local fields = {'status', 'queued', 'origin', j.origin, 'enqueued_at', NOW_TS}
  if j.timeout == '' then
    table.insert(fields, 'timeout')
    table.insert(fields, DEFAULT_TIMEOUT)
  end
  for _, x in ipairs(extra or {}) do table.insert(fields, x) end
  redis.call('HSET', j.key, unpack(fields))
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
-- `lrem`: whether the id may still be in the queue list (LREM is O(list length)).
local function delete_job(j, lrem)
  if j.origin ~= '' then
    if lrem then try('LREM', k_queue(j.origin), 1, j.id) end
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

-- Remove an orphan id from the structure it was listed in; returns how many entries went.
local function remove_from(loc_kind, loc_key, id)
  local n = 0
  if loc_kind == 'list' then n = try('LREM', loc_key, 0, id) end
  if loc_kind == 'zset' then n = try('ZREM', loc_key, id) end
  if type(n) ~= 'number' then return 0 end
  return n
end

-- The next window of a registry for a whole-registry operation. Members this operation left in
-- place (skipped) stay at the head; `cursor` is the last of them. Starting after its rank keeps
-- the walk exact while workers add or remove other members. If the cursor member itself
-- vanished, fall back to its score (skipped members of equal score may then be seen twice).
local function registry_window(key, limit, cursor, cursor_score)
  local start = 0
  if cursor ~= '' then
    local rank = redis.call('ZRANK', key, cursor)
    if rank then
      start = rank + 1
    else
      start = redis.call('ZCOUNT', key, '-inf', '(' .. cursor_score)
    end
  end
  return redis.call('ZRANGE', key, start, start + limit - 1, 'WITHSCORES')
end

-- Per-id scripts answer four entries per id: code, status before, origin, detail.
--   'done'   detail = the new status ('deleted' for delete)
--   'orphan' detail = how many entries were removed from the listed structure
--   'skip'   detail = why (or the status that did not fit)
local OUT = {}
local function answer(code, j_or_nil, detail)
  table.insert(OUT, code)
  table.insert(OUT, j_or_nil and j_or_nil.status or '')
  table.insert(OUT, j_or_nil and j_or_nil.origin or '')
  table.insert(OUT, tostring(detail))
end
