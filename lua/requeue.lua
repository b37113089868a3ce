-- requeue.lua: requeue failed (stopped included) and canceled jobs by id, like RQ's
-- FailedJobRegistry.requeue / CanceledJobRegistry.requeue (BaseRegistry.requeue).
--
-- KEYS[1]    optional: the list or registry the ids were shown in; orphan ids are removed from it
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    kind of KEYS[1]: 'list', 'zset', or '' when there is no KEYS[1]
-- ARGV[5]    unused ('')
-- ARGV[6..]  job ids, at most 1,000 per call
--
-- Per id, four entries (see answer() in _prelude.lua):
--   done   -> out of its registry, status queued (RQ 3.0 rate-limited jobs: rate_limited until
--             the limiter has a free slot, as RQ does), pushed at the back of its origin queue
--   orphan -> no hash or no `data`: removed from KEYS[1]
--   skip   -> status not failed/stopped/canceled ('state'), or the queue cannot take it, or
--             the job key holds another type than a hash (the reason names the key)
-- The status is re-read here, so a job that moved since the page was rendered is skipped.

local loc_kind, loc_key = ARGV[4], KEYS[1]
local REQUEUABLE = {failed = true, stopped = true, canceled = true}

for i = 6, #ARGV do
  local j = load_job(ARGV[i])
  local corrupt = not j and corrupt_job(ARGV[i])
  if corrupt then
    answer('skip', nil, corrupt)
  elseif not j then
    answer('orphan', nil, remove_from(loc_kind, loc_key, ARGV[i]))
  elseif not REQUEUABLE[j.status] then
    answer('skip', j, 'state')
  else
    local why = enqueue_blocker(j)
    if why then
      answer('skip', j, why)
    else
      try('ZREM', k_reg(STATUS_REGISTRY[j.status], j.origin), j.id)
      answer('done', j, requeue_job(j))
    end
  end
end
finish()
return OUT
