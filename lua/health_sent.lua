-- Record the verdicts an alert was sent for, so that a restart or another replica taking over
-- the lease does not send the same change again. Written only while the caller still holds the
-- lease: a sender that lost it meanwhile (paused, partitioned) records nothing.
--
-- KEYS[1]  the lease key (rqdash:health:lease)
-- KEYS[2]  the hash of verdicts last sent (rqdash:health:sent), field = subject
-- ARGV[1]  the caller's owner id
-- ARGV[2..] field, verdict pairs; an empty verdict deletes the field
-- Returns  1 when recorded, 0 when the lease is not the caller's
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
for i = 2, #ARGV - 1, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', KEYS[2], ARGV[i])
  else
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  end
end
return 1
