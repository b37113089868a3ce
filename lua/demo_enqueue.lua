-- demo_enqueue.lua: `rqdash demo` creates one job the way RQ 2.x's Queue.enqueue_call (or
-- enqueue_at) writes it: SADD rq:queues, then the hash (status first, then Job.to_dict's order)
-- and the list, the deferred registry with both dependency sets, or the scheduled registry.
--
-- KEYS       none (job keys depend on the id)
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua. The demo's clock
--            may be in the past: the seed replays the last minutes.
-- ARGV[4]    age: seconds from that clock to the real now (unused here: enqueue sets no TTL)
-- ARGV[5]    job id
-- ARGV[6]    queue name
-- ARGV[7]    run at, Unix seconds ('' to enqueue now): the job is scheduled (enqueue_at)
-- ARGV[8]    parent ids, comma-separated ('' for none): Queue.setup_dependencies
-- ARGV[9]    meta (JSONSerializer bytes) or ''
-- ARGV[10]   n, the number of field/value pairs that follow, up to `description`
-- ARGV[11..10+2n]  those pairs, in to_dict's order (created_at, data, ..., origin, description)
-- ARGV[11+2n..]    the pairs after enqueued_at (timeout, result_ttl)
--
-- Returns the job's status: queued, deferred or scheduled. A parent whose hash is gone counts
-- as met, and a deferred job needs one parent not finished, as in RQ.

local id, q, at, meta = ARGV[5], ARGV[6], ARGV[7], ARGV[9]
local key = k_job(id)
local n = tonumber(ARGV[10])
local head, tail = {}, {}
for i = 11, 10 + 2 * n do head[#head + 1] = ARGV[i] end
for i = 11 + 2 * n, #ARGV do tail[#tail + 1] = ARGV[i] end

local parents = {}
for p in string.gmatch(ARGV[8], '[^,]+') do parents[#parents + 1] = p end

local status = 'queued'
if at ~= '' then
  status = 'scheduled'
else
  for _, p in ipairs(parents) do
    local s = redis.pcall('HGET', k_job(p), 'status')
    if type(s) == 'string' and s ~= 'finished' then status = 'deferred' end
  end
end

local fields = {'status', status}
for _, x in ipairs(head) do fields[#fields + 1] = x end
if status == 'queued' then
  fields[#fields + 1] = 'enqueued_at'
  fields[#fields + 1] = NOW_TS
end
for _, x in ipairs(tail) do fields[#fields + 1] = x end
if #parents > 0 then
  fields[#fields + 1] = 'dependency_id'
  fields[#fields + 1] = parents[1]
  fields[#fields + 1] = 'dependency_ids'
  fields[#fields + 1] = cjson.encode(parents)
end
if meta ~= '' then
  fields[#fields + 1] = 'meta'
  fields[#fields + 1] = meta
end

redis.call('SADD', P .. ':queues', k_queue(q))
redis.call('HSET', key, unpack(fields))
if status == 'scheduled' then
  redis.call('ZADD', k_reg('scheduled', q), at, id)
elseif status == 'deferred' then
  redis.call('ZADD', k_reg('deferred', q), NOW, id)
  for _, p in ipairs(parents) do
    redis.call('SADD', k_job(p) .. ':dependents', id)
    redis.call('SADD', P .. ':job::' .. id .. ':dependencies', p)
  end
else
  redis.call('RPUSH', k_queue(q), id)
end
return status
