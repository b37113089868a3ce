-- doctor_srem_missing.lua: one chunk of `rqdash doctor --fix` for sets that name things that are
-- gone: worker sets (`rq:workers`, `rq:workers:<q>`, whose members are full worker keys) and job
-- link sets (`rq:job:<id>:dependents`, `rq:job::<id>:dependencies`, whose members are job ids).
-- Each member is re-checked here, so a worker that came back or a job that was re-created stays.
--
-- KEYS[1..n] the sets, one per member (a set may repeat)
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    'key': the member goes when the key it names does not exist (RQ's own test for a
--            dead worker, as in clean_worker_registry); 'job': the member goes when RQ cannot
--            load the job it names (no hash, or no `data`; a key of another type stays: doctor
--            reports it as `wrong_type`)
-- ARGV[5..]  the members, in KEYS order (at most 1,000)
--
-- Returns the number of members removed.

local mode = ARGV[4]
local removed = 0
for i, set in ipairs(KEYS) do
  local member = ARGV[4 + i]
  local dead
  if mode == 'key' then
    dead = redis.call('EXISTS', member) == 0
  else
    dead = not loadable(member) and not corrupt_job(member)
  end
  if dead then
    local n = try('SREM', set, member)
    if type(n) == 'number' then removed = removed + n end
  end
end
return removed
