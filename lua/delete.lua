-- delete.lua: RQ's Job.delete() by id (see delete_job() in _lifecycle.lua for what goes), for any
-- job that is not running.
--
-- KEYS[1]    optional: the list or registry the ids were shown in; orphan ids are removed from it
-- ARGV[1..3] prefix, now (RQ timestamp), now (Unix seconds): see _prelude.lua
-- ARGV[4]    kind of KEYS[1]: 'list', 'zset', or ''
-- ARGV[5]    '1': look for the id in its origin queue list whatever the status, as RQ's LREM
--            does (single-job delete); '0': only for queued jobs, the only ones that can be there
--            (bulk). Either way all ids of a chunk leave the list in one pass from the head.
-- ARGV[6..]  job ids, at most 1,000 per call
--
-- Per id (see answer()):
--   done   -> deleted
--   orphan -> removed from KEYS[1]; what RQ could not load anyway goes too: a hash without
--             `data`, and the id's leftover results stream, `:dependents`, `::dependencies`
--   skip   -> status started ('state'): deleting a running job does not stop it, and its worker
--             would write a partial hash back when it ends; stop it first. Also a job key of
--             another type than a hash (the reason says which): it and its id stay.

local loc_kind, loc_key = ARGV[4], KEYS[1]
local lrem_always = ARGV[5] == '1'

for i = 6, #ARGV do
  local id = ARGV[i]
  local j = load_job(id)
  local corrupt = not j and corrupt_job(id)
  if corrupt then
    answer('skip', nil, corrupt)
  elseif not j then
    local removed = remove_from(loc_kind, loc_key, id)
    local jkey = k_job(id)
    if redis.call('TYPE', jkey)['ok'] == 'hash' then redis.call('DEL', jkey) end
    redis.call('DEL', jkey .. ':dependents', P .. ':job::' .. id .. ':dependencies', P .. ':results:' .. id)
    answer('orphan', nil, removed)
  elseif j.status == 'started' then
    answer('skip', j, 'state')
  else
    delete_job(j, lrem_always or j.status == 'queued' or j.status == '')
    answer('done', j, 'deleted')
  end
end
finish()
return OUT
