-- Record one tick of per-function performance: merge minute rows, recompute the hour rows they
-- fall in, remember the function names of the day, and (re)set every expiry. Only keys under
-- rqdash's prefix are passed.
--
-- KEYS[1..R]            minute hashes (<base>:fn:m:<yyyymmddhh>:q:<len>:<queue>:<function>)
-- KEYS[R+1..R+2H]       pairs: an hour hash (<base>:fn:h:<yyyymmdd>:...), then its minute hash
-- KEYS[R+2H+1..R+2H+N]  N sets of the day's function names per queue (<base>:fn:n:h:<yyyymmdd>:q:<queue>)
-- KEYS[R+2H+N+1..]      per minute row, the totals hash of its pair (<base>:fn:t:q:<len>:<queue>:<function>)
-- ARGV[1]               R
-- ARGV[2..1+4R]         per minute row: field (minute 0-59); "finished,failed"; "run;wait"
--                       histograms as "i:c,i:c;i:c" (see below); expire-at of the minute hash
-- ARGV[2+4R]            H
-- ARGV[3+4R..2+4R+2H]   per hour row: field (hour 0-23); expire-at of the hour hash
-- ARGV[3+4R+2H]         N
-- ARGV[..]              per names set: the function name; expire-at
-- ARGV[last]            expire-at of the totals hashes
-- Returns               {minute rows written, hour rows written}
--
-- Stored rows: "finished,failed,<run>,<wait>" where a histogram is "i:c;i:c" (bucket index:
-- count, see src/store/functions/hist.rs), and "s:<n>" the sum of its values in milliseconds
-- (readers that predate it skip that part). In ARGV the two histograms travel as "<run>|<wait>".
-- Merge rules, as in history_record.lua: every tick recounts each minute of its lookback, so
-- each number (and each histogram bucket) keeps the larger of the stored and the new value;
-- several replicas or repeated ticks never double count. An hour row is the sum of its minute
-- rows, so whichever replica writes last writes the same thing. Expiries are set last. Keys of
-- another type are left alone. Bounded: the caller sends at most 100 rows per call.
-- Totals (the counters of /metrics): whenever the merge raises a number of a minute row, its
-- pair's totals hash grows by that rise and only by it (HINCRBY finished, failed, run:<i>,
-- wait:<i>, run_ms, wait_ms), so the totals are the sum of every minute ever recorded, never
-- decrease, and a replica or a repeated tick that raises nothing adds nothing.

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
local B = 2 + 4 * R
local H = tonumber(ARGV[B])
local C = B + 2 * H + 1
local N = tonumber(ARGV[C])

local T = R + 2 * H + N -- totals keys follow
local usable = {}
for i = 1, T + R do
  local t = redis.call('TYPE', KEYS[i]).ok
  local want = (i > R + 2 * H and i <= T) and 'set' or 'hash'
  usable[KEYS[i]] = (t == 'none' or t == want)
end

local minutes = 0
for i = 1, R do
  local key, a = KEYS[i], 1 + (i - 1) * 4
  if usable[key] then
    local field = ARGV[a + 1]
    local row = parse_row(redis.call('HGET', key, field))
    local counts = parse_row(ARGV[a + 2])
    local run, wait = string.match(ARGV[a + 3], '^([^|]*)|([^|]*)$')
    local new = {counts[1], counts[2]}
    new[3], new[5] = parse_hist(run)
    new[4], new[6] = parse_hist(wait)
    local tkey = KEYS[T + i]
    local rise = function(name, by)
      -- pcall: a field that is not an integer (or would overflow) must not abort the write and
      -- leave rows without their expiry; that field just stops counting.
      if usable[tkey] then redis.pcall('HINCRBY', tkey, name, by) end
    end
    for j, name in pairs({'finished', 'failed', [5] = 'run_ms', [6] = 'wait_ms'}) do
      if new[j] > row[j] then
        rise(name, new[j] - row[j])
        row[j] = new[j]
      end
    end
    for j, name in pairs({[3] = 'run:', [4] = 'wait:'}) do
      for b, c in pairs(new[j]) do
        if c > (row[j][b] or 0) then
          rise(name .. b, c - (row[j][b] or 0))
          row[j][b] = c
        end
      end
    end
    redis.call('HSET', key, field, join_row(row))
    minutes = minutes + 1
  end
end

local hours = 0
for j = 1, H do
  local hkey, mkey = KEYS[R + 2 * j - 1], KEYS[R + 2 * j]
  local flat = (usable[hkey] and usable[mkey]) and redis.call('HGETALL', mkey) or {}
  if #flat > 0 then
    local sum = {0, 0, {}, {}, 0, 0}
    for k = 2, #flat, 2 do
      local r = parse_row(flat[k])
      sum[1], sum[2], sum[5], sum[6] = sum[1] + r[1], sum[2] + r[2], sum[5] + r[5], sum[6] + r[6]
      for x = 3, 4 do
        for b, c in pairs(r[x]) do sum[x][b] = (sum[x][b] or 0) + c end
      end
    end
    redis.call('HSET', hkey, ARGV[B + 2 * j - 1], join_row(sum))
    hours = hours + 1
  end
end

for j = 1, N do
  local key = KEYS[R + 2 * H + j]
  if usable[key] then
    redis.call('SADD', key, ARGV[C + 2 * j - 1])
    redis.call('EXPIREAT', key, ARGV[C + 2 * j])
  end
end
for i = 1, R do
  if usable[KEYS[i]] then redis.call('EXPIREAT', KEYS[i], ARGV[5 + (i - 1) * 4]) end
end
for j = 1, H do
  local hkey = KEYS[R + 2 * j - 1]
  if usable[hkey] then redis.call('EXPIREAT', hkey, ARGV[B + 2 * j]) end
end
for i = 1, R do
  local tkey = KEYS[T + i]
  if usable[tkey] and redis.call('EXISTS', tkey) == 1 then redis.call('EXPIREAT', tkey, ARGV[C + 2 * N + 1]) end
end
return {minutes, hours}
