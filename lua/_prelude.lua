-- rqdash Lua prelude: prepended, with _lifecycle.lua, to every other script in this directory
-- (src/store/write/mod.rs concatenates them), so each script stays one atomic operation with
-- shared helpers. This file: common ARGV, keys, loading a job, type checks, batched list writes,
-- registry walking, per-id answers.
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
-- Memoised: a chunk of 1,000 requeues builds its queue's key once, not twice per job.
local QKEYS = {}
local function k_queue(q)
  local k = QKEYS[q]
  if not k then
    k = P .. ':queue:' .. q
    QKEYS[q] = k
  end
  return k
end
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

-- The fields a requeue needs (whole-registry requeues read only these: less work per job).
-- enqueued_at and ended_at tell whether the job arrived after the walk started (see arrived()).
local REQUEUE_READ = {
  'status', 'origin', 'ttl', 'timeout', 'rate_limit_key', 'rate_limit_concurrency', 'enqueued_at', 'ended_at',
}

-- Whether RQ could load the job: its hash exists and has `data` (Job.fetch raises
-- NoSuchJobError otherwise); a key of another type is not a job either. `data` is never read.
local function loadable(id)
  return redis.pcall('HEXISTS', k_job(id), 'data') == 1
end

-- The job's `fields` (default FIELDS; absent ones read as ''), or nil when not loadable().
local function load_job(id, fields)
  fields = fields or FIELDS
  if not loadable(id) then return nil end
  local key = k_job(id)
  local v = redis.call('HMGET', key, unpack(fields))
  -- One constructor naming every field: the table is sized once instead of growing (and
  -- rehashing) as fields arrive; whole-registry scripts build 1,000 of these per call.
  -- It must list every entry of FIELDS, so that an absent field reads as '' and not nil.
  local j = {
    id = id, key = key, status = '', origin = '', group_id = '', ttl = '', timeout = '',
    enqueue_at_front = '', enqueue_at_front_on_retry = '', ended_at = '', worker_name = '',
    rate_limit_key = '', rate_limit_concurrency = '', rate_limited = false, enqueued_at = '',
  }
  for i = 1, #fields do
    local x = v[i]
    if x then j[fields[i]] = x end
  end
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

-- How rqdash names each type in its messages (src/rq/key_type.rs says the same).
local TYPE_WORDS = {
  string = 'a string', list = 'a list', set = 'a set', zset = 'a sorted set', hash = 'a hash',
  stream = 'a stream',
}

-- Why `key` cannot be used as `kind`, in the sentence rqdash shows everywhere, or nil when it
-- holds that type or nothing.
local function wrong_type(key, kind)
  if key_ok(key, kind) then return nil end
  local t = redis.call('TYPE', key)['ok']
  return key .. ' is ' .. (TYPE_WORDS[t] or t) .. ', not ' .. TYPE_WORDS[kind] .. ': RQ cannot use it'
end

-- Why a job RQ cannot load is not an orphan either: its key holds another type than a hash
-- (something other than RQ wrote there), or nil. Actions leave such an id, and its key, where
-- they are and say why. Call it only after load_job()/loadable() said no (one TYPE call).
local function corrupt_job(id)
  return wrong_type(k_job(id), 'hash')
end

-- Why `j` cannot be pushed onto its origin queue, or nil.
local function enqueue_blocker(j)
  if j.origin == '' then return 'no origin queue' end
  return wrong_type(k_queue(j.origin), 'list')
end

-- A value no job id takes. It only ever exists inside one script call (set with LSET, removed
-- with LREM before the script returns), so nothing outside can see it or collide with it.
local TOMBSTONE = '\0rqdash:tombstone\0'

-- Ids to take out of queue lists, removed in one pass per list at the end of the script (see
-- flush_list_removals): LREM per id would cost O(list length) each.
local REMOVALS, REMOVAL_ORDER = {}, {}
local function list_remove_later(qkey, id)
  if not key_ok(qkey, 'list') then return end
  local r = REMOVALS[qkey]
  if not r then
    r = {ids = {}, n = 0}
    REMOVALS[qkey] = r
    table.insert(REMOVAL_ORDER, qkey)
  end
  if not r.ids[id] then
    r.ids[id] = true
    r.n = r.n + 1
  end
end

-- Walk each list from the head in windows of 1,000, tombstone the first occurrence of every
-- wanted id (RQ's LREM count 1), stop once all were found, then one LREM of the tombstones.
-- Cost: O(position of the last wanted id), whatever the number of ids.
local function flush_list_removals()
  for _, qkey in ipairs(REMOVAL_ORDER) do
    local r = REMOVALS[qkey]
    local found, start = 0, 0
    while found < r.n do
      local win = redis.call('LRANGE', qkey, start, start + 999)
      if #win == 0 then break end
      for i, v in ipairs(win) do
        if r.ids[v] then
          r.ids[v] = nil
          redis.call('LSET', qkey, start + i - 1, TOMBSTONE)
          found = found + 1
        end
      end
      start = start + #win
    end
    if found > 0 then redis.call('LREM', qkey, found, TOMBSTONE) end
  end
  REMOVALS, REMOVAL_ORDER = {}, {}
end

-- Pushes are collected and sent at the end of the script, one LPUSH/RPUSH per queue: a chunk
-- of 1,000 requeues costs one RPUSH instead of 1,000. This is safe: everything that can fail on
-- data (key types) is checked before the first write, and once a script has written, Redis no
-- longer refuses its writes for OOM. Order is kept: ids are pushed in the order they were
-- processed. Every script that writes ends with finish().
local PENDING, PENDING_ORDER = {}, {}
local function queue_push(qkey, id, front)
  local p = PENDING[qkey]
  if not p then
    p = {l = {}, r = {}}
    PENDING[qkey] = p
    table.insert(PENDING_ORDER, qkey)
  end
  local t = front and p.l or p.r
  t[#t + 1] = id
end
local function flush_pushes()
  for _, qkey in ipairs(PENDING_ORDER) do
    local p = PENDING[qkey]
    if #p.l > 0 then redis.call('LPUSH', qkey, unpack(p.l)) end
    if #p.r > 0 then redis.call('RPUSH', qkey, unpack(p.r)) end
    -- RQ 1.x's enqueue SADDs the queue to rq:queues (2.x+ does it earlier); harmless always.
    -- An rq:queues of another type than a set is corrupt: the job is in its queue all the
    -- same, and this runs after writes, so it must not fail (pcall) and half-finish the chunk.
    try('SADD', P .. ':queues', qkey)
  end
  PENDING, PENDING_ORDER = {}, {}
end

-- The end of every writing script: list removals first, then pushes.
local function finish()
  flush_list_removals()
  flush_pushes()
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
-- `max` (optional): the highest score the walk saw when it started; the window ends before any
-- higher score, so entries added since (a job failing again, with a later expiry) are not taken.
local function registry_window(key, limit, cursor, cursor_score, max)
  local start = 0
  if cursor ~= '' then
    local rank = redis.call('ZRANK', key, cursor)
    if rank then
      start = rank + 1
    else
      start = redis.call('ZCOUNT', key, '-inf', '(' .. cursor_score)
    end
  end
  local win = redis.call('ZRANGE', key, start, start + limit - 1, 'WITHSCORES')
  local bound = max and max ~= '' and tonumber(max)
  if not bound then return win end
  for i = 2, #win, 2 do
    if tonumber(win[i]) > bound then
      local cut = {}
      for x = 1, i - 2 do cut[x] = win[x] end
      return cut
    end
  end
  return win
end

-- Whether RQ's cleanup would drop a registry entry with this score: 0 <= score <= now
-- (ZREMRANGEBYSCORE key 0 now), as `rq requeue --all` runs it before taking the ids.
local function expired(score)
  local s = tonumber(score)
  return s ~= nil and s >= 0 and s <= NOW
end

-- Whether a job came (back) into a registry after a walk started at `start` (RQ timestamp
-- text, which sorts as it reads): enqueued since (a job this very walk requeued, or anyone
-- else), or ended since (a new failure). Such a job is not one the user saw.
local function arrived(j, start)
  return j.enqueued_at >= start or (j.ended_at ~= '' and j.ended_at > start)
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
