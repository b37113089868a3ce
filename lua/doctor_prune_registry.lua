-- doctor_prune_registry.lua: one chunk of `rqdash doctor --fix` for a registry: remove the
-- members whose job RQ cannot load (no hash, or a hash without `data`), and delete such
-- data-less hashes (junk that makes Job.fetch_many raise for a whole batch). Loadable jobs are
-- never touched, whatever their status; nor are job keys of another type than a hash (doctor
-- reports those as `wrong_type` and leaves them alone).
--
-- KEYS[1]    the registry <prefix>:<kind>:<q>
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    chunk size, at most 1,000
-- ARGV[5]    cursor: the last member an earlier chunk kept ('' on the first call)
-- ARGV[6]    the cursor's score ('' on the first call)
-- ARGV[7]    '1' for the started registry, whose RQ 2.x+ members are `<id>:<execution id>`
--
-- Returns {removed, examined, cursor, cursor_score, hashes_deleted}; the caller stops when
-- examined < chunk size.

local reg = KEYS[1]
local limit = tonumber(ARGV[4])
local cursor, cursor_score = ARGV[5], ARGV[6]
local composite = ARGV[7] == '1'

-- The job id of a member: split at the last ':' when 32 hex digits follow (as the Rust side).
local function job_id(member)
  if composite then
    local id, eid = string.match(member, '^(.+):(%x+)$')
    if id and #eid == 32 then return id end
  end
  return member
end

local win = registry_window(reg, limit, cursor, cursor_score)
local gone, deleted = {}, 0
for i = 1, #win, 2 do
  local member, score = win[i], win[i + 1]
  local id = job_id(member)
  if loadable(id) or corrupt_job(id) then
    cursor, cursor_score = member, score
  else
    table.insert(gone, member)
    if redis.call('TYPE', k_job(id))['ok'] == 'hash' then
      redis.call('DEL', k_job(id))
      deleted = deleted + 1
    end
  end
end
if #gone > 0 then redis.call('ZREM', reg, unpack(gone)) end
return {#gone, #win / 2, cursor, cursor_score, deleted}
