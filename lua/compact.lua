-- compact.lua: one chunk of "remove orphaned ids from a queue list" that keeps FIFO order while
-- workers pop at the head (LPOP, BLMOVE) and producers push at either end during the operation.
--
-- RQ's Queue.compact() RENAMEs the list away and re-pushes the live ids: jobs pushed meanwhile
-- land ahead of older ones, workers see an empty queue, and a crash strands the ids. Here the
-- list is never moved and only orphan entries are ever removed, so the relative order of every
-- other entry is untouched by construction:
--   1. find where the previous chunk stopped: the position of its last kept id (the anchor),
--      via LPOS; workers popping from the head or producers pushing shift positions, the
--      anchor follows. If the anchor is gone (a worker took it), everything before it went
--      too, so start at the head (a rescan costs time, never correctness).
--   2. LRANGE the next ARGV[4] entries; an entry is an orphan when its job hash is missing or
--      has no `data` (what Job.fetch rejects). A job key of another type than a hash is not
--      an orphan: it stays, and is the anchor like any kept entry (corrupt_job() in the prelude).
--   3. LSET each orphan's slot to the prelude's TOMBSTONE, then one LREM <list> <count>
--      <tombstone> from the head, which removes exactly those slots and nothing else.
--   All three steps run in one script call, so nothing interleaves with them and no tombstone
--   is ever visible outside it.
-- Cost per call: O(position of the window), i.e. O(n^2 / chunk) over a whole list of n ids.
--
-- KEYS[1]    the queue list <prefix>:queue:<q>
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    chunk size, at most 1,000
-- ARGV[5]    anchor: the last kept id of the previous chunk ('' on the first call)
-- ARGV[6]    position to use when LPOS is not available (Redis < 6.0.6): where the previous
--            chunk ended
-- Returns {orphans, examined, anchor, end_position}; the caller stops when examined < chunk.

local q = KEYS[1]
local limit = tonumber(ARGV[4])
local anchor = ARGV[5]

local start = 0
if anchor ~= '' then
  local pos = redis.pcall('LPOS', q, anchor)
  if type(pos) == 'number' then
    start = pos + 1
  elseif type(pos) == 'table' and pos.err then
    start = tonumber(ARGV[6]) or 0
  end
end

local ids = redis.call('LRANGE', q, start, start + limit - 1)
local orphans = 0
for i, id in ipairs(ids) do
  if loadable(id) or corrupt_job(id) then
    anchor = id
  else
    redis.call('LSET', q, start + i - 1, TOMBSTONE)
    orphans = orphans + 1
  end
end
if orphans > 0 then redis.call('LREM', q, orphans, TOMBSTONE) end
return {orphans, #ids, anchor, start + #ids - orphans}
