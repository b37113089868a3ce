-- Remove stale worker entries: members of rq:workers and rq:workers:<queue> whose worker hash
-- no longer exists (a worker killed with SIGKILL leaves them behind; RQ's Worker.all() only
-- cleans rq:workers, and only as a side effect of reading).
--
-- KEYS[1..n]  worker sets: rq:workers first, then rq:workers:<queue> for every known queue
-- ARGV        (none)
-- Returns     {removed from rq:workers, removed from the per-queue sets}
--
-- A member is removed only when EXISTS says its hash is gone, checked inside this call, so a
-- worker that (re)registers meanwhile is never touched. Worker sets are small (one entry per
-- worker), so one call stays short; members are checked in SSCAN-free SMEMBERS batches.
local removed_main, removed_queues = 0, 0
for i, set in ipairs(KEYS) do
  if redis.call('TYPE', set).ok == 'set' then
    for _, member in ipairs(redis.call('SMEMBERS', set)) do
      if redis.call('EXISTS', member) == 0 then
        redis.call('SREM', set, member)
        if i == 1 then removed_main = removed_main + 1 else removed_queues = removed_queues + 1 end
      end
    end
  end
end
return {removed_main, removed_queues}
