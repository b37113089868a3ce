-- empty_queue.lua: one chunk of RQ's Queue.empty(): pop ids from the head of the queue list and
-- delete their jobs. RQ's script DELs `rq:job:<id>` and `:dependents` (3.0: also the results
-- stream) for every id, in one unbounded call; here each job goes the way of Job.delete
-- (delete_job() in _lifecycle.lua), at most ARGV[4] ids per call.
--
-- KEYS[1]    the queue list <prefix>:queue:<q>
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    chunk size, at most 1,000
--
-- Per popped id:
--   hash missing or without `data` -> counted as orphan
--   status queued (or none)         -> deleted
--   any other status -> the id was a stale duplicate in the list (the job itself is running,
--     finished, ... elsewhere): it leaves the list, the job is kept, counted as skipped
-- Returns {deleted, orphans, skipped, examined}. Workers popping at the same time only make
-- the list shorter; ids pushed meanwhile are taken too if reached, like RQ's own loop.

local q = KEYS[1]
local limit = tonumber(ARGV[4])
local deleted, orphans, skipped, examined = 0, 0, 0, 0
while examined < limit do
  local id = redis.call('LPOP', q)
  if not id then break end
  examined = examined + 1
  local j = load_job(id)
  if not j then
    orphans = orphans + 1
  elseif j.status == 'queued' or j.status == '' then
    delete_job(j, false)
    deleted = deleted + 1
  else
    skipped = skipped + 1
  end
end
finish()
return {deleted, orphans, skipped, examined}
