-- Record one tick of per-function performance: set the minute rows the sampler merged, raise
-- the hour rows they fall in and the pairs' totals by what the merges raised, remember the
-- function names of the day, and set the expiry of what was created. Only keys under rqdash's
-- prefix are passed.
--
-- KEYS[1..R]            minute hashes (<base>:fn:m:<yyyymmddhh>:q:<len>:<queue>:<function>)
-- KEYS[R+1..R+2H]       pairs: an hour hash (<base>:fn:h:<yyyymmdd>:...), then its minute hash
-- KEYS[R+2H+1..R+2H+N]  N sets of the day's function names per queue (<base>:fn:n:h:<yyyymmdd>:q:<queue>)
-- KEYS[R+2H+N+1..]      per minute row, the totals hash of its pair (<base>:fn:t:q:<len>:<queue>:<function>)
-- ARGV[1]               R
-- per minute row        field (minute 0-59); the stored row the sampler merged from ("" for
--                       none); the merged row; expire-at of the minute hash; the index (1..N)
--                       of its names entry below, 0 for none; K; then K pairs: a totals field
--                       (finished, failed, run_ms, wait_ms, run:<i>, wait:<i>) and its rise
-- then H, and per hour  field (hour 0-23); the stored hour row the sampler added to ("" for
--                       none); that row plus the rises of this call's minutes of the hour;
--                       expire-at of the hour hash
-- then N, and per set   the function name; expire-at
-- then                  expire-at of the totals hashes; "1" to set it on every totals hash
--                       written (a new day, a new sampler), else only on those it created
-- Returns               {minute rows written, hour rows written, conflicts, rebuilt hours}:
--                       conflicts lists "m" or "h", the row's index and the row found (""
--                       for none); rebuilt hours list an hour's index and the row written.
--
-- Stored rows: "finished,failed,<run>,<wait>" where a histogram is "i:c;i:c" (bucket index:
-- count, see src/store/functions/hist.rs) and "s:<n>" the sum of its values in milliseconds.
-- The sampler (src/store/functions/write.rs) parses and merges rows; this script only checks
-- and sets, so its cost is a few commands per row (issue #18: parsing and joining histogram
-- strings in Lua was most of a tick's Redis time).
--   * Check and set: nothing is written unless every minute row and every hour row is still
--     the one the sampler merged from (a replica, or a budget deletion, may have changed it
--     since). Otherwise the call writes nothing and returns what it found; the sampler merges
--     again and calls again. So each number keeps the larger of the stored and the recounted
--     value, and several replicas or repeated ticks never double count.
--   * An hour row is the sum of its minute rows: the sampler adds exactly what this call's
--     merges raised. An absent hour row (the first write of the hour, one the storage budget
--     deleted, a lost one) is rebuilt here as the full sum of its minute hash, read after this
--     call's minute rows are written, and returned so the sampler knows it.
--   * Totals (the counters of /metrics) grow by each rise and only by it (HINCRBY), so they
--     are the sum of every minute ever recorded and never decrease.
-- Keys of another type are left alone and never written: the first command touching a key
-- runs under redis.pcall (lua/_keys.lua), and a WRONGTYPE error marks it unusable for the rest
-- of the call; a minute hash of another type skips its rows and its hour row. A totals field
-- that is not a count (or would overflow) only stops that field from counting.
-- Expiries, set last (an expire-at in the past deletes the key at once): a minute hash when a
-- row was written where there was none (a row found there means the key exists, and whoever
-- created it set its expiry in the same call), an hour hash when its row was rebuilt, a names
-- set when SADD added the name, a totals hash when a HINCRBY created a field or the sampler
-- asks (its expiry moves with the newest day). Bounded: the caller sends at most 100 rows.

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
local at = {} -- minute row -> the index of its field in ARGV
local a = 2
for i = 1, R do
  at[i] = a
  a = a + 6 + 2 * tonumber(ARGV[a + 5])
end
local H = tonumber(ARGV[a])
local B = a + 1 -- hour rows: 4 values each
local C = B + 4 * H -- N, then the names
local N = tonumber(ARGV[C])
local T = R + 2 * H + N -- totals keys follow
local texp, always = ARGV[C + 2 * N + 1], ARGV[C + 2 * N + 2] == '1'

-- Check: every row is still the one the sampler merged from.
local conflicts, skip = {}, {}
for i = 1, R do
  local stored = try('HGET', KEYS[i], ARGV[at[i]])
  if stored == nil then
    skip[i] = true -- of another type
  elseif (stored or '') ~= ARGV[at[i] + 1] then
    conflicts[#conflicts + 1] = 'm'
    conflicts[#conflicts + 1] = i
    conflicts[#conflicts + 1] = stored or ''
  end
end
local rebuild, hskip = {}, {}
for j = 1, H do
  local hkey, mkey, h = KEYS[R + 2 * j - 1], KEYS[R + 2 * j], B + 4 * (j - 1)
  local stored = nil
  if not bad[mkey] then stored = try('HGET', hkey, ARGV[h]) end
  if stored == nil then
    hskip[j] = true
  elseif stored == false then
    rebuild[j] = true
  elseif stored ~= ARGV[h + 1] then
    conflicts[#conflicts + 1] = 'h'
    conflicts[#conflicts + 1] = j
    conflicts[#conflicts + 1] = stored
  end
end
if #conflicts > 0 then return {0, 0, conflicts, {}} end

-- Set.
local named = {}
local minutes = 0
for i = 1, R do
  if not skip[i] then
    local key, f = KEYS[i], at[i]
    redis.call('HSET', key, ARGV[f], ARGV[f + 2])
    if ARGV[f + 1] == '' then written(key, ARGV[f + 3]) end
    minutes = minutes + 1
    local tkey = KEYS[T + i]
    for x = 0, tonumber(ARGV[f + 5]) - 1 do
      local by = ARGV[f + 7 + 2 * x]
      local v = try('HINCRBY', tkey, ARGV[f + 6 + 2 * x], by)
      if v ~= nil and (always or v == tonumber(by)) then written(tkey, texp) end
    end
    local n = tonumber(ARGV[f + 4])
    if n > 0 then named[n] = true end
  end
end

local hours, rebuilt = 0, {}
for j = 1, H do
  local hkey, mkey, h = KEYS[R + 2 * j - 1], KEYS[R + 2 * j], B + 4 * (j - 1)
  if rebuild[j] then
    -- No hour row: the sum of the minute hash, this call's rows included.
    local sum = {0, 0, {}, {}, 0, 0}
    local flat = redis.call('HGETALL', mkey)
    for k = 2, #flat, 2 do
      local r = parse_row(flat[k])
      sum[1], sum[2], sum[5], sum[6] = sum[1] + r[1], sum[2] + r[2], sum[5] + r[5], sum[6] + r[6]
      for x = 3, 4 do
        for b, c in pairs(r[x]) do sum[x][b] = (sum[x][b] or 0) + c end
      end
    end
    local row = join_row(sum)
    redis.call('HSET', hkey, ARGV[h], row)
    written(hkey, ARGV[h + 3])
    rebuilt[#rebuilt + 1] = j
    rebuilt[#rebuilt + 1] = row
    hours = hours + 1
  elseif not hskip[j] and ARGV[h + 2] ~= ARGV[h + 1] then
    redis.call('HSET', hkey, ARGV[h], ARGV[h + 2])
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
return {minutes, hours, conflicts, rebuilt}
