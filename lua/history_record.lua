-- Record one history sample: merge minute rows, recompute the hour rows of the hours whose
-- minutes changed, and set the expiry of what was written. Only keys under rqdash's history
-- prefix are passed.
--
-- KEYS[1..R]        minute hashes (<base>:m:<yyyymmddhh>:q:<queue> or ...:all), one per row
-- KEYS[R+1..R+2H]   pairs: an hour hash (<base>:h:<yyyymmdd>:...), then the minute hash it sums
-- ARGV[1]           R, the number of minute rows
-- ARGV[2..1+4R]     per minute row: field (minute 0-59); gauges "queued,started,failed,age", or
--                   "" for a recount of a past minute; throughput "finished,failed" with a part
--                   empty when unknown; expire-at of the minute hash (unix seconds)
-- ARGV[2+4R]        H, the number of hour rows
-- ARGV[3+4R..]      per hour row: field (hour 0-23); expire-at of the hour hash
-- Returns           {minute rows written, hour rows written}
--
-- Stored rows: minute "queued,started,failed,finished,failed_ended,age"; hour rows add
-- ",finished_minutes,failed_minutes". An empty field means unknown.
--
-- Merge rules, so that repeated samples and several rqdash replicas never double count:
--   * gauges overwrite: the latest sample of a minute wins;
--   * throughput keeps the larger value: every sample counts all the jobs of the minute still in
--     the registries, so a smaller later count means jobs expired or were requeued, never that
--     fewer ended.
-- An hour row is a pure function of its minute hash (gauges: the hour's maximum; throughput: the
-- sum and how many minutes it covers), so whichever replica writes last writes the same thing.
-- Cost per change (issue #18): every tick recounts 2-3 past minutes per queue, mostly
-- unchanged. A merged minute row identical to the stored one is not rewritten, its expiry not
-- reset, and its hour row not touched. The hour row of a changed minute is updated from the
-- change alone, not re-summed from its minute hash (60 rows a queue at every tick's current
-- minute: most of a tick's script time at 1,000 queues, bench/sampler_results.md): a gauge
-- above the hour's maximum raises it, a throughput number adds what it rose (and a newly known
-- one counts its minute). The one change a delta cannot follow is a gauge lowered from the
-- value that is the hour's maximum (the latest sample of the current minute wins): then, and
-- when the hour row is absent or not a row this script writes, the hour is re-summed in full.
-- So the hour row stays the pure function of its minute hash described above.
-- Keys of another type are left alone and never written, without a TYPE per key: the first
-- command on a key (HGET of a minute or an hour hash, see lua/_keys.lua) runs under redis.pcall and a
-- WRONGTYPE error, which writes nothing, marks the key unusable for the rest of the call. (No
-- test needs every key checked before anything is written: a minute row written next to an
-- hour hash of another type is what the TYPE-first version did too.)
-- Expiries are set last, once per key this call wrote: an expire-at already in the past
-- deletes the key at once, which must not happen before its hour row is computed. Every key is
-- created by a write followed by its expiry, so nothing lives forever. Bounded work: the caller
-- sends at most 50 queues per call, each with at most 11 minute rows and 2 hour rows.

local function parse(row, n)
  local t = {}
  local i = 1
  for part in string.gmatch((row or '') .. ',', '([^,]*),') do
    if i > n then break end
    local v = tonumber(part)
    if v and v >= 0 and v < 1e15 then t[i] = math.floor(v) end
    i = i + 1
  end
  return t
end

local function join(t, n)
  local out = {}
  for i = 1, n do
    out[i] = t[i] and string.format('%d', t[i]) or ''
  end
  return table.concat(out, ',')
end

local R = tonumber(ARGV[1])
local B = 2 + 4 * R
local H = tonumber(ARGV[B])


local changed = {} -- minute hash -> the {old, new} rows written to it in this call
local minutes = 0
for i = 1, R do
  local key, a = KEYS[i], 1 + (i - 1) * 4
  local field = ARGV[a + 1]
  local stored = try('HGET', key, field) -- nil: of another type (lua/_keys.lua)
  if stored ~= nil then
    local row = parse(stored, 6)
    local old = parse(stored, 6)
    if ARGV[a + 2] ~= '' then
      local g = parse(ARGV[a + 2], 4)
      row[1], row[2], row[3], row[6] = g[1], g[2], g[3], g[4]
    end
    local t = parse(ARGV[a + 3], 2)
    for j = 1, 2 do
      if t[j] and (row[3 + j] == nil or t[j] > row[3 + j]) then row[3 + j] = t[j] end
    end
    local merged = join(row, 6)
    if merged ~= stored then
      redis.call('HSET', key, field, merged)
      written(key, ARGV[a + 4])
      changed[key] = changed[key] or {}
      table.insert(changed[key], {old, row})
      minutes = minutes + 1
    end
  end
end

local GAUGES = {1, 2, 3, 6}

-- The hour row of `mkey` in full: gauges' maximum, throughput sums and minutes covered.
local function resum(mkey)
  local flat = redis.call('HGETALL', mkey)
  local sum = {}
  for k = 2, #flat, 2 do
    local r = parse(flat[k], 6)
    for _, g in ipairs(GAUGES) do
      if r[g] and (sum[g] == nil or r[g] > sum[g]) then sum[g] = r[g] end
    end
    for x = 4, 5 do
      if r[x] then
        sum[x] = (sum[x] or 0) + r[x]
        sum[x + 3] = (sum[x + 3] or 0) + 1
      end
    end
  end
  return sum
end

-- The stored hour row moved by this call's changes, or nil when only a re-sum can say.
local function moved(stored, changes)
  if not stored or not string.match(stored, '^[%d,]*$') or select(2, string.gsub(stored, ',', '')) ~= 7 then
    return nil
  end
  local h = parse(stored, 8)
  for _, c in ipairs(changes) do
    local old, new = c[1], c[2]
    for _, g in ipairs(GAUGES) do
      if old[g] ~= nil and old[g] == h[g] and (new[g] == nil or new[g] < old[g]) then return nil end
      if new[g] ~= nil and (h[g] == nil or new[g] > h[g]) then h[g] = new[g] end
    end
    for x = 4, 5 do
      if new[x] ~= nil then
        h[x] = (h[x] or 0) + new[x] - (old[x] or 0)
        if old[x] == nil then h[x + 3] = (h[x + 3] or 0) + 1 end
      end
    end
  end
  return h
end

local hours = 0
for j = 1, H do
  local hkey, mkey = KEYS[R + 2 * j - 1], KEYS[R + 2 * j]
  local field = ARGV[B + 2 * j - 1]
  if changed[mkey] then
    local stored = try('HGET', hkey, field)
    if stored ~= nil then
      local sum = moved(stored, changed[mkey]) or resum(mkey)
      redis.call('HSET', hkey, field, join(sum, 8))
      written(hkey, ARGV[B + 2 * j])
      hours = hours + 1
    end
  end
end

expire_written()
return {minutes, hours}
