-- rqdash Lua prelude of the sampler's write scripts (history_record, functions_record,
-- archive_append): prepended by src/store/write/mod.rs (with_keys_prelude). The bookkeeping
-- of the keys a call touches, so that each script costs Redis per key, not per row:
--   * a key found of another type (a WRONGTYPE error on the first command touching it, run
--     under redis.pcall; a failed command writes nothing) is never touched again in the call;
--   * every key the call wrote gets one EXPIREAT, last (an expire-at already in the past
--     deletes the key at once, which must not happen before the call is done with it).

local bad = {} -- keys found of another type: never touched again in this call

-- Whether `reply` is an error; a WRONGTYPE error marks `key` bad.
local function failed(reply, key)
  if type(reply) == 'table' and reply.err then
    if string.find(reply.err, 'WRONGTYPE', 1, true) then bad[key] = true end
    return true
  end
  return false
end

-- `cmd` on `key` under pcall: its reply, or nil when the key is (or turns out) bad or it failed.
local function try(cmd, key, ...)
  if bad[key] then return nil end
  local v = redis.pcall(cmd, key, ...)
  if failed(v, key) then return nil end
  return v
end

local expire, expiring = {}, {} -- key -> expire-at, and the keys in the order first written
-- `key` was written: it expires at `at` (the last one given), once the call is done.
local function written(key, at)
  if not expire[key] then expiring[#expiring + 1] = key end
  expire[key] = at
end

-- Set the expiry of every key written (call last).
local function expire_written()
  for _, key in ipairs(expiring) do redis.call('EXPIREAT', key, expire[key]) end
end
