-- Append jobs that ended to the archive stream, each job once, and trim the stream by size and
-- age. Only keys under rqdash's prefix are passed.
--
-- KEYS[1]        the archive stream (<base>:archive)
-- KEYS[2..1+N]   per record, the id index of the UTC day it ended (<base>:archive:idx:<yyyymmdd>)
-- ARGV[1]        MAXLEN: most entries kept (approximate trim, "~")
-- ARGV[2]        MINID: entries older than this stream id (ms) are trimmed (approximate)
-- ARGV[3]        N, the number of records
-- ARGV[4..]      per record, 13 values: expire-at of its index; the job id; then the stream
--                fields as 11 values in the order id q f s enq st end w xt xl rs
-- Returns        {records appended, records already archived}
--
-- Dedup: a record is appended only when its day's index has no field for the job id, so any
-- number of replicas and repeated lookbacks archive a job once per day it ends. The index maps
-- the job id to its stream entry, so a record is found by id without scanning the stream; each
-- day's index expires with the archive's age limit. Bounded: the caller sends at most 200
-- records per call.
-- Cost per distinct key (issue #18): the records of one call mostly share a day, so a day's
-- index is checked for its type once per call (its first HEXISTS runs under redis.pcall; a
-- WRONGTYPE error, which writes nothing, leaves that index and its records alone for the rest
-- of the call) and its expiry is set once, last, and only when this call added to it (a key
-- is only created by that HSET, so none lives forever).

local NAMES = {'id', 'q', 'f', 's', 'enq', 'st', 'end', 'w', 'xt', 'xl', 'rs'}
local stream = KEYS[1]
local st = redis.call('TYPE', stream).ok
if st ~= 'none' and st ~= 'stream' then return {0, 0} end

local n = tonumber(ARGV[3])
local added, seen = 0, 0
for i = 1, n do
  local a = 4 + (i - 1) * 13
  local idx = KEYS[1 + i]
  local has = try('HEXISTS', idx, ARGV[a + 1]) -- nil: of another type (lua/_keys.lua)
  if has == 1 then
    seen = seen + 1
  elseif has == 0 then
    local fields = {}
    for j = 1, 11 do
      local v = ARGV[a + 1 + j]
      if v ~= '' then
        fields[#fields + 1] = NAMES[j]
        fields[#fields + 1] = v
      end
    end
    local eid = redis.call('XADD', stream, 'MAXLEN', '~', ARGV[1], '*', unpack(fields))
    redis.call('HSET', idx, ARGV[a + 1], eid)
    written(idx, ARGV[a])
    added = added + 1
  end
end
expire_written()
if added > 0 then redis.call('XTRIM', stream, 'MINID', '~', ARGV[2]) end
return {added, seen}
