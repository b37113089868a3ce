-- cancel.lua: RQ's Job.cancel() (enqueue_dependents=False, remove_from_dependencies=False, the
-- defaults) for queued, deferred and scheduled jobs (RQ 3.0: also ready_to_enqueue and
-- rate_limited), by id.
--
-- KEYS[1]    optional: the list or registry the ids were shown in; orphan ids are removed from it
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    kind of KEYS[1]: 'list', 'zset', or ''
-- ARGV[5]    unused ('')
-- ARGV[6..]  job ids, at most 1,000 per call
--
-- Per id (see answer()): done -> status canceled, out of the queue list and of the registry of
-- its previous status, in `canceled:<origin>` scored now; orphan; skip ('state') for any other
-- status, including canceled (RQ raises "Cannot cancel already canceled job"), and for a job key
-- or canceled registry of another type than RQ keeps there (the reason names the key).
-- Children of a canceled job stay deferred and its `:dependents` set is kept, as with RQ.
-- RQ LREMs the queue list whatever the status; only a queued job can be in it, so rqdash takes
-- only those out, all of a chunk in one pass over the list (flush_list_removals).

local loc_kind, loc_key = ARGV[4], KEYS[1]
local CANCELABLE = {
  queued = true, deferred = true, scheduled = true, ready_to_enqueue = true, rate_limited = true,
}

for i = 6, #ARGV do
  local j = load_job(ARGV[i])
  local corrupt = not j and corrupt_job(ARGV[i])
  if corrupt then
    answer('skip', nil, corrupt)
  elseif not j then
    answer('orphan', nil, remove_from(loc_kind, loc_key, ARGV[i]))
  elseif not CANCELABLE[j.status] then
    answer('skip', j, 'state')
  elseif j.origin == '' then
    answer('skip', j, 'no origin queue')
  elseif not key_ok(k_reg('canceled', j.origin), 'zset') then
    answer('skip', j, wrong_type(k_reg('canceled', j.origin), 'zset'))
  else
    redis.call('HSET', j.key, 'status', 'canceled')
    if j.status == 'queued' then list_remove_later(k_queue(j.origin), j.id) end
    local reg = STATUS_REGISTRY[j.status]
    if reg then try('ZREM', k_reg(reg, j.origin), j.id) end
    redis.call('ZADD', k_reg('canceled', j.origin), NOW, j.id)
    if j.rate_limited then rl_release(j) end
    answer('done', j, 'canceled')
  end
end
finish()
return OUT
