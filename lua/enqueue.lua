-- enqueue.lua: "enqueue now" for scheduled and deferred jobs, by id: what RQ's scheduler does
-- when a scheduled job falls due, and what Queue.enqueue_dependents does when a deferred job's
-- dependencies are met (here: without waiting for them).
--
-- KEYS[1]    optional: the list or registry the ids were shown in; orphan ids are removed from it
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    kind of KEYS[1]: 'list', 'zset', or ''
-- ARGV[5]    unused ('')
-- ARGV[6..]  job ids, at most 1,000 per call
--
-- Per id (see answer()): done -> status queued (or rate_limited, RQ 3.0) and pushed; orphan;
-- skip when the status is not scheduled/deferred/ready_to_enqueue ('state'), or when the queue
-- or the job key holds another type than RQ keeps there (the reason names the key).
--
-- Front or back, as RQ decides it:
--   scheduled: Job.should_enqueue_at_front(): enqueue_at_front, or (2.8+)
--              enqueue_at_front_on_retry once the job has run (ended_at set)
--   deferred:  the dependency's enqueue_at_front
-- A deferred job is also taken out of its parents' `:dependents` sets: otherwise a parent that
-- finishes later would enqueue it a second time (RQ's enqueue_dependents only checks that the
-- child is not canceled).

local loc_kind, loc_key = ARGV[4], KEYS[1]

for i = 6, #ARGV do
  local j = load_job(ARGV[i])
  local corrupt = not j and corrupt_job(ARGV[i])
  if corrupt then
    answer('skip', nil, corrupt)
  elseif not j then
    answer('orphan', nil, remove_from(loc_kind, loc_key, ARGV[i]))
  elseif j.status ~= 'scheduled' and j.status ~= 'deferred' and j.status ~= 'ready_to_enqueue' then
    answer('skip', j, 'state')
  else
    local why = enqueue_blocker(j)
    if why then
      answer('skip', j, why)
    else
      local front
      if j.status == 'scheduled' then
        front = j.enqueue_at_front == '1' or (j.enqueue_at_front_on_retry == '1' and j.ended_at ~= '')
        try('ZREM', k_reg('scheduled', j.origin), j.id)
      else
        front = j.enqueue_at_front == '1'
        try('ZREM', k_reg('deferred', j.origin), j.id)
        try('ZREM', k_reg('ready', j.origin), j.id)
        local parents = try('SMEMBERS', P .. ':job::' .. j.id .. ':dependencies')
        if type(parents) == 'table' and not parents.err then
          for _, parent in ipairs(parents) do try('SREM', k_job(parent) .. ':dependents', j.id) end
        end
      end
      -- RQ only ever sets enqueue_at_front to True on this path (never writes False).
      answer('done', j, enqueue(j, front or nil))
    end
  end
end
finish()
return OUT
