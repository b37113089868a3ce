-- doctor_release_deferred.lua: one chunk of `rqdash doctor --fix` for deferred jobs whose parents
-- have all finished: RQ releases dependents in the transaction that finishes the last parent, so
-- these would never run. Each is enqueued as RQ's enqueue_dependents does it, only if it is still
-- deferred and every parent is still there and finished (re-checked here).
--
-- KEYS       none (job keys depend on the ids)
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4..]  job ids, at most 1,000
--
-- Parents are the members of `rq:job::<id>:dependencies` plus the ids in `dependency_ids`.
-- The job leaves the deferred registry and its parents' `:dependents` sets, and goes to the
-- front of its queue when its dependency said so (enqueue_at_front), like RQ.
-- Returns {released, skipped}.

local function parents_of(j)
  local parents = {}
  local set = try('SMEMBERS', P .. ':job::' .. j.id .. ':dependencies')
  if type(set) == 'table' and not set.err then
    for _, p in ipairs(set) do parents[p] = true end
  end
  local raw = redis.call('HGET', j.key, 'dependency_ids')
  if raw then
    local ok, ids = pcall(cjson.decode, raw)
    if ok and type(ids) == 'table' then
      for _, p in ipairs(ids) do
        if type(p) == 'string' then parents[p] = true end
      end
    end
  end
  return parents
end

local function all_finished(parents)
  local n = 0
  for p in pairs(parents) do
    local pj = load_job(p)
    if not pj or pj.status ~= 'finished' then return false end
    n = n + 1
  end
  return n > 0
end

local released, skipped = 0, 0
for i = 4, #ARGV do
  local j = load_job(ARGV[i])
  local parents = j and j.status == 'deferred' and not enqueue_blocker(j) and parents_of(j)
  if parents and all_finished(parents) then
    try('ZREM', k_reg('deferred', j.origin), j.id)
    for p in pairs(parents) do try('SREM', k_job(p) .. ':dependents', j.id) end
    enqueue(j, j.enqueue_at_front == '1' or nil)
    released = released + 1
  else
    skipped = skipped + 1
  end
end
finish()
return {released, skipped}
