-- empty_registry.lua: one chunk of "delete every job" of a registry other than started (finished,
-- failed, deferred, scheduled, canceled). RQ has no such call; each job goes the way of RQ's
-- Job.delete (delete_job() in _lifecycle.lua), which also removes the job hash.
--
-- KEYS[1]    the registry: <prefix>:<kind>:<q>
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    chunk size, at most 1,000
-- ARGV[5]    cursor: the last member an earlier chunk skipped ('' on the first call)
-- ARGV[6]    the cursor's score ('' on the first call)
-- ARGV[7]    registry kind: failed (statuses failed and stopped), finished, deferred, scheduled,
--            canceled
--
-- Walks the next ARGV[4] members after the cursor:
--   hash missing or without `data` -> ZREM, counted as orphan
--   status belongs to this registry -> deleted
--   anything else -> left alone, counted as skipped; becomes the cursor. Example: an RQ 2.x
--     `Repeat` job sits in finished and in scheduled with status scheduled; emptying finished
--     must not delete its next run.
-- Returns {deleted, orphans, skipped, examined, cursor, cursor_score}.

local reg = KEYS[1]
local limit = tonumber(ARGV[4])
local cursor, cursor_score = ARGV[5], ARGV[6]
local kind = ARGV[7]
local accepted = {[kind] = true}
if kind == 'failed' then accepted.stopped = true end

local win = registry_window(reg, limit, cursor, cursor_score)
local deleted, orphans, skipped = 0, 0, 0
local gone = {}
for i = 1, #win, 2 do
  local id, score = win[i], win[i + 1]
  local j = load_job(id)
  if not j then
    table.insert(gone, id)
    orphans = orphans + 1
  elseif accepted[j.status] then
    table.insert(gone, id)
    delete_job(j, false)
    deleted = deleted + 1
  else
    skipped = skipped + 1
    cursor, cursor_score = id, score
  end
end
if #gone > 0 then redis.call('ZREM', reg, unpack(gone)) end
finish()
return {deleted, orphans, skipped, #win / 2, cursor, cursor_score}
