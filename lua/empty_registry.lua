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
-- ARGV[8]    the highest score the walk saw when it started: the window ends there
-- ARGV[9]    when the walk started (RQ timestamp text)
--
-- Walks the next ARGV[4] members after the cursor, up to ARGV[8]:
--   hash missing or without `data` -> ZREM, counted as orphan
--   job key of another type        -> left in place, counted as skipped; becomes the cursor
--   arrived after the walk started -> left in place, counted as arrived; becomes the cursor
--   status belongs to this registry -> deleted
--   anything else -> left alone, counted as skipped; becomes the cursor. Example: an RQ 2.x
--     `Repeat` job sits in finished and in scheduled with status scheduled; emptying finished
--     must not delete its next run.
-- Returns {deleted, orphans, skipped, examined, cursor, cursor_score, 0, arrived}.

local reg = KEYS[1]
local limit = tonumber(ARGV[4])
local cursor, cursor_score = ARGV[5], ARGV[6]
local kind = ARGV[7]
local start = ARGV[9] or ''
local accepted = {[kind] = true}
if kind == 'failed' then accepted.stopped = true end

local win = registry_window(reg, limit, cursor, cursor_score, ARGV[8])
local deleted, orphans, skipped, n_arrived = 0, 0, 0, 0
local gone = {}
for i = 1, #win, 2 do
  local id, score = win[i], win[i + 1]
  local j = load_job(id)
  if not j and corrupt_job(id) then
    skipped = skipped + 1
    cursor, cursor_score = id, score
  elseif not j then
    table.insert(gone, id)
    orphans = orphans + 1
  elseif start ~= '' and kind ~= 'deferred' and kind ~= 'scheduled' and arrived(j, start) then
    n_arrived = n_arrived + 1
    cursor, cursor_score = id, score
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
return {deleted, orphans, skipped, #win / 2, cursor, cursor_score, 0, n_arrived}
