-- requeue_all.lua: one chunk of "requeue all" for a failed or canceled registry, like RQ's
-- `rq requeue --all` (BaseRegistry.requeue per id) but atomic per chunk and never stopped by
-- an orphan id. The ids are taken from the registry itself, so none travel over the wire and a
-- crash between chunks leaves every job in exactly one place.
--
-- KEYS[1]    the registry: <prefix>:failed:<q> or <prefix>:canceled:<q>
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    chunk size, at most 1,000
-- ARGV[5]    cursor: the last member an earlier chunk skipped ('' on the first call)
-- ARGV[6]    the cursor's score ('' on the first call)
-- ARGV[7]    'failed' (accepts statuses failed and stopped) or 'canceled'
--
-- Walks the next ARGV[4] members after the cursor, in registry order:
--   hash missing or without `data` -> ZREM, counted as orphan
--   status accepted                -> requeue_job() (_lifecycle.lua), counted as requeued
--   anything else (the id is stale here: the job was re-enqueued under the same id, ...)
--                                  -> left in place, counted as skipped; becomes the cursor
-- Returns {requeued, orphans, skipped, examined, cursor, cursor_score}; the caller stops when
-- examined < chunk size.

local reg = KEYS[1]
local limit = tonumber(ARGV[4])
local cursor, cursor_score = ARGV[5], ARGV[6]
local accepted = ARGV[7] == 'failed' and {failed = true, stopped = true} or {canceled = true}

local win = registry_window(reg, limit, cursor, cursor_score)
local requeued, orphans, skipped = 0, 0, 0
local gone, n_gone = {}, 0
for i = 1, #win, 2 do
  local id, score = win[i], win[i + 1]
  local j = load_job(id, REQUEUE_READ)
  if not j then
    n_gone = n_gone + 1
    gone[n_gone] = id
    orphans = orphans + 1
  elseif accepted[j.status] and not enqueue_blocker(j) then
    requeue_job(j)
    n_gone = n_gone + 1
    gone[n_gone] = id
    requeued = requeued + 1
  else
    skipped = skipped + 1
    cursor, cursor_score = id, score
  end
end
-- One ZREM and one push per queue for the whole chunk (see finish() in _prelude.lua).
if n_gone > 0 then redis.call('ZREM', reg, unpack(gone)) end
finish()
return {requeued, orphans, skipped, #win / 2, cursor, cursor_score}
