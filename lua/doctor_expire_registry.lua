-- doctor_expire_registry.lua: one chunk of `rqdash doctor --fix` for registry entries past
-- expiry: what RQ's registry cleanup does (ZREMRANGEBYSCORE key 0 now), bounded. Job hashes are
-- left to their own TTL, as RQ leaves them. In the started registry RQ's cleanup first fails
-- (or retries) each job it can still load: those are left to RQ, only entries whose job is gone
-- are removed.
--
-- KEYS[1]    the registry <prefix>:<kind>:<q>
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    chunk size, at most 1,000
-- ARGV[5]    how many expired entries earlier chunks left in place (skipped over)
-- ARGV[6]    '1' for the started registry, whose RQ 2.x+ members are `<id>:<execution id>`
--
-- Returns {removed, examined, kept}; the caller stops when examined < chunk size.

local reg = KEYS[1]
local limit = tonumber(ARGV[4])
local offset = tonumber(ARGV[5]) or 0
local started = ARGV[6] == '1'

local win = redis.call('ZRANGEBYSCORE', reg, 0, NOW, 'LIMIT', offset, limit)
local gone, kept = {}, 0
for _, member in ipairs(win) do
  local id = member
  if started then
    local base, eid = string.match(member, '^(.+):(%x+)$')
    if base and #eid == 32 then id = base end
  end
  if started and loadable(id) then
    kept = kept + 1
  else
    gone[#gone + 1] = member
  end
end
if #gone > 0 then redis.call('ZREM', reg, unpack(gone)) end
return {#gone, #win, kept}
