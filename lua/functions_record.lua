-- Record one tick of per-function performance: merge minute rows, raise the hour rows they fall
-- in by what the merge raised, remember the function names of the day, and set the expiry of
-- what was written. Only keys under rqdash's prefix are passed.
--
-- KEYS[1..R]            minute hashes (<base>:fn:m:<yyyymmddhh>:q:<len>:<queue>:<function>)
-- KEYS[R+1..R+2H]       pairs: an hour hash (<base>:fn:h:<yyyymmdd>:...), then its minute hash
-- KEYS[R+2H+1..R+2H+N]  N sets of the day's function names per queue (<base>:fn:n:h:<yyyymmdd>:q:<queue>)
-- KEYS[R+2H+N+1..]      per minute row, the totals hash of its pair (<base>:fn:t:q:<len>:<queue>:<function>)
-- ARGV[1]               R
-- ARGV[2..1+5R]         per minute row: field (minute 0-59); "finished,failed"; "run;wait"
--                       histograms as "i:c,i:c;i:c" (see below); expire-at of the minute hash;
--                       the index (1..N) of its names set and function below
-- ARGV[2+5R]            H
-- ARGV[3+5R..2+5R+2H]   per hour row: field (hour 0-23); expire-at of the hour hash
-- ARGV[3+5R+2H]         N
-- ARGV[..]              per names set: the function name; expire-at
-- ARGV[last]            expire-at of the totals hashes
-- Returns               {minute rows written, hour rows written}
--
-- Stored rows: "finished,failed,<run>,<wait>" where a histogram is "i:c;i:c" (bucket index:
-- count, see src/store/functions/hist.rs), and "s:<n>" the sum of its values in milliseconds
-- (readers that predate it skip that part). In ARGV the two histograms travel as "<run>|<wait>".
-- Merge rules, as in history_record.lua: every tick recounts each minute of its lookback, so
-- each number (and each histogram bucket) keeps the larger of the stored and the new value;
-- several replicas or repeated ticks never double count.
-- Cost per CHANGE, not per row recounted (issue #18): a steady tick recounts 2-3 minutes of
-- every (queue, function), and most of those rows did not change since the last tick.
--   * A minute row whose merge raises nothing is not written: no HSET, no hour work, no
--     expiry, no totals, and no SADD of its function name (the call that first wrote the row
--     added the name to that day's set).
--   * An hour row is the sum of its minute rows. It is kept so by adding exactly what the merges
--     of this call raised (one HGET + HSET per hour row, however many of its minutes rose),
--     instead of re-summing the whole minute hash (up to 60 rows with histograms). Calls are
--     atomic, so a replica or a repeated tick sees the raised minute rows and raises nothing.
--     When the hour field is absent (first write of the hour, a row the storage budget folded,
--     an older layout, a lost row) it is rebuilt once as the full sum of its minute hash, read
--     after this call's minute rows are written, so the rises are in it exactly once.
--   * Totals (the counters of /metrics): the pair's totals hash grows by each rise and only by
--     it (HINCRBY finished, failed, run:<i>, wait:<i>, run_ms, wait_ms), so the totals are the
--     sum of every minute ever recorded, never decrease, and a merge that raises nothing adds
--     nothing.
-- Keys of another type are left alone and never written, without a TYPE per key: the first
-- command touching a key (HGET of a minute or hour hash, SADD, HINCRBY) runs under
-- redis.pcall, and a WRONGTYPE error marks the key unusable for the rest of the call (those
-- commands write nothing when they fail). A totals field that is not a count (or would
-- overflow) only stops that field from counting.
-- Expiries: only keys this call wrote get EXPIREAT, once per key, set last (an expire-at in
-- the past deletes the key at once, which must not happen before its hour row is computed):
-- a minute or hour hash when a row of it was written, a names set when SADD added the name,
-- a totals hash when a HINCRBY succeeded. Every key is created by a write of a call that then
-- sets its expiry, so nothing lives forever. Bounded: the caller sends at most 100 rows per call.

-- A histogram's buckets {i = count}, and its "s:<n>" sum (0 when absent).
local function parse_hist(s)
  local h, sum = {}, 0
  for part in string.gmatch(s or '', '[^;]+') do
    local i, c = string.match(part, '^(%d+):(%d+)$')
    i, c = tonumber(i), tonumber(c)
    if i and c and i < 64 and c < 1e15 then h[i] = (h[i] or 0) + c end
    local v = tonumber(string.match(part, '^s:(%d+)$'))
    if v and v < 1e15 then sum = sum + v end
  end
  return h, sum
end

local function join_hist(h, sum)
  local keys = {}
  for i in pairs(h) do keys[#keys + 1] = i end
  table.sort(keys)
  local out = {}
  for _, i in ipairs(keys) do
    if h[i] > 0 then out[#out + 1] = string.format('%d:%d', i, h[i]) end
  end
  if sum > 0 then out[#out + 1] = string.format('s:%d', sum) end
  return table.concat(out, ';')
end

-- "finished,failed,run,wait" -> {fin, fail, run-table, wait-table, run sum, wait sum}
local function parse_row(row)
  local parts = {}
  for p in string.gmatch((row or '') .. ',', '([^,]*),') do parts[#parts + 1] = p end
  local n = function(x) local v = tonumber(x); if v and v >= 0 and v < 1e15 then return math.floor(v) end return 0 end
  local run, run_ms = parse_hist(parts[3])
  local wait, wait_ms = parse_hist(parts[4])
  return {n(parts[1]), n(parts[2]), run, wait, run_ms, wait_ms}
end

local function join_row(r)
  return string.format('%d,%d,', r[1], r[2]) .. join_hist(r[3], r[5]) .. ',' .. join_hist(r[4], r[6])
end

local R = tonumber(ARGV[1])
local B = 2 + 5 * R
local H = tonumber(ARGV[B])
local C = B + 2 * H + 1
local N = tonumber(ARGV[C])
local T = R + 2 * H + N -- totals keys follow

-- HGET under pcall (lua/_keys.lua): false when the field is absent, nil when the key is of
-- another type.
local function hget(key, field)
  return try('HGET', key, field)
end

-- Which hour pair a minute hash belongs to (each minute hash is the minute rows of one hour).
local pair_of = {}
for j = 1, H do pair_of[KEYS[R + 2 * j]] = j end

local named = {} -- names entries of the rows written
local rises = {} -- hour pair -> {fin, fail, run-table, wait-table, run sum, wait sum}
local minutes = 0
for i = 1, R do
  local key, a = KEYS[i], 1 + (i - 1) * 5
  local stored = hget(key, ARGV[a + 1])
  if stored ~= nil then
    local row = parse_row(stored)
    local counts = parse_row(ARGV[a + 2])
    local run, wait = string.match(ARGV[a + 3], '^([^|]*)|([^|]*)$')
    local new = {counts[1], counts[2]}
    new[3], new[5] = parse_hist(run)
    new[4], new[6] = parse_hist(wait)
    local j, tkey, up = pair_of[key], KEYS[T + i], nil
    -- The row's hour rises and its totals grow by `by` (under the totals' field `name`).
    local rise = function(name, by)
      if not up then
        up = rises[j] or {0, 0, {}, {}, 0, 0}
        if j then rises[j] = up end
      end
      if try('HINCRBY', tkey, name, by) then
        written(tkey, ARGV[C + 2 * N + 1])
      end
    end
    for x, name in pairs({'finished', 'failed', [5] = 'run_ms', [6] = 'wait_ms'}) do
      if new[x] > row[x] then
        rise(name, new[x] - row[x])
        up[x] = up[x] + new[x] - row[x]
        row[x] = new[x]
      end
    end
    for x, name in pairs({[3] = 'run:', [4] = 'wait:'}) do
      for b, c in pairs(new[x]) do
        local old = row[x][b] or 0
        if c > old then
          rise(name .. b, c - old)
          up[x][b] = (up[x][b] or 0) + c - old
          row[x][b] = c
        end
      end
    end
    if up then
      redis.call('HSET', key, ARGV[a + 1], join_row(row))
      written(key, ARGV[a + 4])
      named[tonumber(ARGV[a + 5]) or 0] = true
      minutes = minutes + 1
    end
  end
end

local hours = 0
for j = 1, H do
  local hkey, mkey, field = KEYS[R + 2 * j - 1], KEYS[R + 2 * j], ARGV[B + 2 * j - 1]
  local up = rises[j]
  local stored = nil
  if up then stored = hget(hkey, field) end
  if stored ~= nil then
    local sum
    if stored then
      sum = parse_row(stored)
      for _, x in ipairs({1, 2, 5, 6}) do sum[x] = sum[x] + up[x] end
      for x = 3, 4 do
        for b, c in pairs(up[x]) do sum[x][b] = (sum[x][b] or 0) + c end
      end
    else
      -- No hour row yet (or lost): the sum of the minute hash, this call's rises included.
      sum = {0, 0, {}, {}, 0, 0}
      local flat = redis.call('HGETALL', mkey)
      for k = 2, #flat, 2 do
        local r = parse_row(flat[k])
        sum[1], sum[2], sum[5], sum[6] = sum[1] + r[1], sum[2] + r[2], sum[5] + r[5], sum[6] + r[6]
        for x = 3, 4 do
          for b, c in pairs(r[x]) do sum[x][b] = (sum[x][b] or 0) + c end
        end
      end
    end
    redis.call('HSET', hkey, field, join_row(sum))
    written(hkey, ARGV[B + 2 * j])
    hours = hours + 1
  end
end

for j = 1, N do
  local key = KEYS[R + 2 * H + j]
  if named[j] and try('SADD', key, ARGV[C + 2 * j - 1]) == 1 then
    written(key, ARGV[C + 2 * j])
  end
end
expire_written()
return {minutes, hours}
