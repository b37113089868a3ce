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
-- ARGV[8]    the highest score the walk saw when it started: the window ends there
-- ARGV[9]    when the walk started (RQ timestamp text): jobs enqueued or ended since arrived after
--
-- Walks the next ARGV[4] members after the cursor, in registry order, up to ARGV[8]:
--   score in [0, now] (expired)     -> ZREM, counted as expired: RQ's cleanup, which
--                                      `rq requeue --all` runs first, drops these too
--   hash missing or without `data` -> ZREM, counted as orphan
--   job key of another type        -> left in place, counted as skipped; becomes the cursor
--   arrived after the walk started  -> left in place, counted as arrived; becomes the cursor
--                                      (a job this walk requeued that failed again: one click
--                                      never runs a job twice)
--   status accepted                -> requeue_job() (_lifecycle.lua), counted as requeued
--   anything else (the id is stale here: the job was re-enqueued under the same id, ...)
--                                  -> left in place, counted as skipped; becomes the cursor
-- Returns {requeued, orphans, skipped, examined, cursor, cursor_score, expired, arrived}; the
-- caller stops when examined < chunk size.

local reg = KEYS[1]
local limit = tonumber(ARGV[4])
local cursor, cursor_score = ARGV[5], ARGV[6]
local accepted = ARGV[7] == 'failed' and {failed = true, stopped = true} or {canceled = true}
local start = ARGV[9] or ''

local win = registry_window(reg, limit, cursor, cursor_score, ARGV[8])
local requeued, orphans, skipped, n_expired, n_arrived = 0, 0, 0, 0, 0
local gone, n_gone = {}, 0
for i = 1, #win, 2 do
  local id, score = win[i], win[i + 1]
  local j = nil
  if expired(score) then
    n_gone = n_gone + 1
    gone[n_gone] = id
    n_expired = n_expired + 1
  else
    j = load_job(id, REQUEUE_READ)
    if not j and corrupt_job(id) then
      skipped = skipped + 1
      cursor, cursor_score = id, score
    elseif not j then
      n_gone = n_gone + 1
      gone[n_gone] = id
      orphans = orphans + 1
    elseif start ~= '' and arrived(j, start) then
      n_arrived = n_arrived + 1
      cursor, cursor_score = id, score
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
end
-- One ZREM and one push per queue for the whole chunk (see finish() in _prelude.lua).
if n_gone > 0 then redis.call('ZREM', reg, unpack(gone)) end
finish()
return {requeued, orphans, skipped, #win / 2, cursor, cursor_score, n_expired, n_arrived}
