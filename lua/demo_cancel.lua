-- demo_cancel.lua: the demo's "user" cancels a queued job, as RQ's Job.cancel() does: status
-- canceled, out of the queue list, into the canceled registry scored now. Only a job that is
-- still queued (re-checked here: a worker may have taken it since it was picked).
--
-- KEYS       none
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    age (unused)
-- ARGV[5]    job id
--
-- Returns 1 when canceled, 0 otherwise.

local j = load_job(ARGV[5])
if not j or j.status ~= 'queued' or j.origin == '' then return 0 end
redis.call('HSET', j.key, 'status', 'canceled')
list_remove_later(k_queue(j.origin), j.id)
redis.call('ZADD', k_reg('canceled', j.origin), NOW, j.id)
finish()
return 1
