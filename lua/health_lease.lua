-- Hold or take the health-alert lease: exactly one rqdash per Redis sends verdict alerts, however
-- many replicas run. The holder renews it every tick; when it stops, another takes over after
-- the ttl (SET NX PX semantics, plus renewal by the holder only).
--
-- KEYS[1]  the lease key (rqdash:health:lease)
-- ARGV[1]  this rqdash's owner id (random per process)
-- ARGV[2]  lease ttl in milliseconds
-- Returns  1 when ARGV[1] holds the lease after this call, else 0
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
