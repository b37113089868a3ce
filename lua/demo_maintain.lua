-- demo_maintain.lua: the registry cleanup RQ's workers run as maintenance (clean_registries),
-- for the demo's queues: finished and failed entries past their expiry go
-- (ZREMRANGEBYSCORE key 0 now). RQ runs it every 10 minutes; the demo on every tick, and
-- takes the entries expiring before the next tick too (their hashes expire with them), so
-- that `rqdash doctor` never finds an expired entry between two ticks.
--
-- KEYS       none
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    age (unused)
-- ARGV[5]    seconds ahead: entries expiring within them go too (the tick interval)
-- ARGV[6..]  queues
--
-- Returns the number of entries removed.

local n, upto = 0, NOW + tonumber(ARGV[5])
for i = 6, #ARGV do
  for _, kind in ipairs({'finished', 'failed'}) do
    local r = try('ZREMRANGEBYSCORE', k_reg(kind, ARGV[i]), 0, upto)
    if type(r) == 'number' then n = n + r end
  end
end
return n
