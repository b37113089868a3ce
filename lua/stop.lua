-- stop.lua: RQ's send_stop_job_command(connection, job_id) for a running job, after checking
-- inside Redis that it is running.
--
-- KEYS       none (the channel depends on the job's worker)
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    job id
--
-- Returns {code, status, worker_name, receivers}:
--   'done'   PUBLISH `{"command": "stop-job", "job_id": "<id>"}` (json.dumps' spacing) on
--            `<prefix>:pubsub:<worker_name>`; receivers = PUBLISH's answer, 0 = nobody listened
--   'orphan' no hash or no `data`
--   'skip'   not started, or no worker_name
--   'corrupt' the job key holds another type than a hash; receivers = the reason
-- Every version's worker, 3.0 included, acts on stop-job when its current job is this id: it
-- kills the work horse and records status stopped (failed registry). 3.0's other command,
-- stop-execution, stops one execution by id; a 3.0 worker runs one execution at a time, so
-- stop-job is equivalent there and is what 3.0's own send_stop_job_command still sends.

local j = load_job(ARGV[4])
if not j then
  local corrupt = corrupt_job(ARGV[4])
  if corrupt then return {'corrupt', '', '', corrupt} end
  return {'orphan', '', '', 0}
end
if j.status ~= 'started' then return {'skip', j.status, j.worker_name, 0} end
if j.worker_name == '' then return {'skip', j.status, '', 0} end
local payload = '{"command": "stop-job", "job_id": ' .. cjson.encode(j.id) .. '}'
local receivers = redis.call('PUBLISH', P .. ':pubsub:' .. j.worker_name, payload)
return {'done', j.status, j.worker_name, receivers}
