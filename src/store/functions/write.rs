//! Writing per-function rows: merged here, checked and set by `lua/functions_record.lua`.
//!
//! The sampler keeps what it last wrote or found ([`Cache`]), so a recounted row that rises
//! nothing costs Redis nothing, and a row that rises is sent already merged with the stored row
//! it was merged from; the script sets it only if Redis still holds that row, else returns what
//! it holds and the merge is done again (a replica, a budget deletion, a cold cache).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use redis::Script;

use super::cells::Cells;
use super::layout::{self, Keys};
use super::record::Rows;
use crate::store::history::layout::{floor, hour_expiry, minute_expiry};
use crate::store::{Error, Instance, Result, value};

/// Minute rows per script call (each with its hour row): bounds one call's work.
const ROWS_PER_CALL: usize = 100;
/// Calls of one chunk before the tick gives up (each retry follows a concurrent write).
const ATTEMPTS: usize = 5;

static RECORD: LazyLock<Script> = LazyLock::new(|| {
    crate::store::write::with_keys_prelude(include_str!("../../../lua/functions_record.lua"))
});

/// Rows as last written or found, by (key, field), with the minute or hour they are of.
#[derive(Debug, Default)]
pub struct Cache {
    rows: HashMap<(String, i64), (i64, Vec<u8>)>,
    /// The day whose totals expiry every totals hash written already has.
    totals_day: Option<i64>,
    /// The epoch the rows were cached under (see [`check_epoch`]).
    epoch: Option<Vec<u8>>,
}

impl Cache {
    /// Forget everything (Redis may have lost what it held: see the sampler's epoch).
    pub fn clear(&mut self) {
        *self = Cache::default();
    }

    fn get(&self, key: &str, field: i64) -> Option<&[u8]> {
        self.rows.get(&(key.to_owned(), field)).map(|(_, v)| v.as_slice())
    }

    fn set(&mut self, key: String, field: i64, start: i64, v: Vec<u8>) {
        self.rows.insert((key, field), (start, v));
    }
}

/// How long an epoch lives: a day, after which every sampler's cache starts over once.
const EPOCH_SECONDS: u64 = 86_400;

/// Check that Redis still holds what the cache remembers: `<base>:fn:epoch` is set once (by the
/// first sampler to find it absent) and read every tick; a different or new value (a flush, a
/// restart without persistence, a failover, a day gone by) clears the cache. Replicas share
/// the epoch, so they do not clear each other's caches. One round trip.
pub async fn check_epoch(inst: &Instance, keys: &Keys, cache: &mut Cache) -> Result<()> {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let token = format!("{:016x}", OsRng.next_u64());
    let mut p = redis::pipe();
    p.cmd("SET").arg(keys.epoch()).arg(&token).arg("NX").arg("EX").arg(EPOCH_SECONDS).ignore();
    p.cmd("GET").arg(keys.epoch());
    let (epoch,): (Option<Vec<u8>>,) = inst.query(&p).await?;
    if epoch.is_none() || epoch != cache.epoch {
        cache.clear();
        cache.epoch = epoch;
    }
    Ok(())
}

/// One minute row to send: its place, and its merge with the stored row it was merged from.
struct Pending {
    queue: String,
    func: String,
    minute: i64,
    new: Cells,
    expected: Vec<u8>,
    merged: Cells,
    rises: Cells,
}

impl Pending {
    fn hour(&self) -> i64 {
        floor(self.minute, 3600)
    }
    fn field(&self) -> i64 {
        (self.minute - self.hour()) / 60
    }
    fn remerge(&mut self, stored: Vec<u8>) {
        (self.merged, self.rises) = Cells::parse(&stored).merge_max(&self.new);
        self.expected = stored;
    }
}

/// Write the rows without a cache (each call learns the stored rows from its first conflict).
pub async fn write(inst: &Instance, keys: &Keys, rows: &Rows) -> Result<i64> {
    write_cached(inst, keys, rows, &HashMap::new(), &mut Cache::default()).await
}

/// Write what rose in `rows`; `known` holds the day's function names already recorded per
/// queue (only new ones are added to the names set). Returns the minute rows written.
pub async fn write_cached(
    inst: &Instance,
    keys: &Keys,
    rows: &Rows,
    known: &HashMap<String, HashSet<String>>,
    cache: &mut Cache,
) -> Result<i64> {
    // Entries older than this tick's oldest minute are never asked for again.
    if let Some(oldest) = rows.keys().map(|(_, _, m)| *m).min() {
        cache.rows.retain(|_, (start, _)| *start >= floor(oldest, 3600));
    }
    let mut pending: Vec<Pending> = rows
        .iter()
        .map(|((q, f, m), r)| {
            let mut p = Pending {
                queue: q.clone(),
                func: f.clone(),
                minute: *m,
                new: Cells::from(r),
                expected: Vec::new(),
                merged: Cells::default(),
                rises: Cells::default(),
            };
            let stored = cache.get(&keys.minute(q, f, p.hour()), p.field()).map(<[u8]>::to_vec);
            p.remerge(stored.unwrap_or_default());
            p
        })
        .filter(|p| !p.rises.is_empty())
        .collect();
    let newest = rows.keys().map(|(_, _, m)| floor(*m, 86_400)).max().unwrap_or_default();
    let always = cache.totals_day != Some(newest);
    let mut written = 0;
    while !pending.is_empty() {
        let rest = pending.split_off(pending.len().min(ROWS_PER_CALL));
        written += chunk(inst, keys, pending, known, cache, newest, always).await?;
        pending = rest;
    }
    cache.totals_day = Some(newest);
    Ok(written)
}

async fn chunk(
    inst: &Instance,
    keys: &Keys,
    mut rows: Vec<Pending>,
    known: &HashMap<String, HashSet<String>>,
    cache: &mut Cache,
    newest: i64,
    always: bool,
) -> Result<i64> {
    for _ in 0..ATTEMPTS {
        if rows.is_empty() {
            return Ok(0);
        }
        let call = Call::new(keys, &rows, known, cache);
        let reply = inst.invoke(&call.invocation(keys, &rows, newest, always)).await?;
        let parts = value::array(&reply);
        let conflicts = parts.get(2).map(value::array).unwrap_or_default();
        if conflicts.is_empty() {
            for p in &rows {
                cache.set(
                    keys.minute(&p.queue, &p.func, p.hour()),
                    p.field(),
                    p.hour(),
                    p.merged.join().into_bytes(),
                );
            }
            for ((hkey, field, start), h) in &call.hours {
                cache.set(hkey.clone(), *field, *start, h.new.clone().into_bytes());
            }
            for pair in parts.get(3).map(value::array).unwrap_or_default().chunks(2) {
                if let [j, row] = pair
                    && let Some(((hkey, field, start), _)) =
                        call.hours.iter().nth((value::int(j) - 1) as usize)
                {
                    cache.set(hkey.clone(), *field, *start, value::bytes(row).unwrap_or_default());
                }
            }
            return Ok(parts.first().map_or(0, value::int));
        }
        // Someone wrote since: learn what Redis holds, merge again, drop what no longer rises.
        for c in conflicts.chunks(3) {
            let [kind, i, found] = c else { continue };
            let (i, found) = ((value::int(i) - 1) as usize, value::bytes(found).unwrap_or_default());
            if value::string(kind).as_deref() == Some("m") {
                if let Some(p) = rows.get_mut(i) {
                    p.remerge(found);
                }
            } else if let Some(((hkey, field, start), _)) = call.hours.iter().nth(i) {
                cache.set(hkey.clone(), *field, *start, found);
            }
        }
        rows.retain(|p| !p.rises.is_empty());
    }
    Err(Error::Internal("per-function rows kept changing under the sampler (another writer?)".into()))
}

/// One hour row of a call: its minute hash, the stored row and that row plus the rises.
struct Hour {
    minute_key: String,
    stored: Vec<u8>,
    sum: Cells,
    new: String,
}

/// What one call sends besides the minute rows: the hour rows, by (hour key, field, hour
/// start), and the names not yet in their day's set, by (set key, function).
struct Call {
    hours: BTreeMap<(String, i64, i64), Hour>,
    names: BTreeMap<(String, String), i64>,
}

impl Call {
    fn new(keys: &Keys, rows: &[Pending], known: &HashMap<String, HashSet<String>>, cache: &Cache) -> Call {
        let mut hours: BTreeMap<(String, i64, i64), Hour> = BTreeMap::new();
        let mut names = BTreeMap::new();
        for p in rows {
            let (h, d) = (p.hour(), floor(p.hour(), 86_400));
            let hkey = keys.hour(&p.queue, &p.func, d);
            let field = (h - d) / 3600;
            let e = hours.entry((hkey.clone(), field, h)).or_insert_with(|| {
                let stored = cache.get(&hkey, field).map(<[u8]>::to_vec).unwrap_or_default();
                let sum = Cells::parse(&stored);
                Hour { minute_key: keys.minute(&p.queue, &p.func, h), stored, sum, new: String::new() }
            });
            e.sum.add(&p.rises);
            if !known.get(&p.queue).is_some_and(|k| k.contains(&p.func)) {
                names.insert((keys.names(&p.queue, d), p.func.clone()), layout::names_expiry(d));
            }
        }
        hours.values_mut().for_each(|h| h.new = h.sum.join());
        Call { hours, names }
    }

    fn invocation<'a>(
        &self,
        keys: &Keys,
        rows: &[Pending],
        newest: i64,
        always: bool,
    ) -> redis::ScriptInvocation<'a> {
        let mut inv = RECORD.prepare_invoke();
        for p in rows {
            inv.key(keys.minute(&p.queue, &p.func, p.hour()));
        }
        for ((hkey, _, _), h) in &self.hours {
            inv.key(hkey).key(&h.minute_key);
        }
        for (k, _) in self.names.keys() {
            inv.key(k);
        }
        for p in rows {
            inv.key(keys.totals(&p.queue, &p.func));
        }
        inv.arg(rows.len());
        // 1-based, as the script indexes its names entries (a name joins its day's set only
        // when one of its rows is written).
        let name_index: HashMap<&(String, String), usize> = self.names.keys().zip(1..).collect();
        for p in rows {
            let set = (keys.names(&p.queue, floor(p.hour(), 86_400)), p.func.clone());
            let fields = p.rises.fields();
            inv.arg(p.field())
                .arg(p.expected.as_slice())
                .arg(p.merged.join())
                .arg(minute_expiry(p.hour()))
                .arg(name_index.get(&set).copied().unwrap_or_default())
                .arg(fields.len());
            for (f, by) in fields {
                inv.arg(f).arg(by);
            }
        }
        inv.arg(self.hours.len());
        for ((_, field, h), hour) in &self.hours {
            inv.arg(field).arg(hour.stored.as_slice()).arg(&hour.new).arg(hour_expiry(floor(*h, 86_400)));
        }
        inv.arg(self.names.len());
        for ((_, f), expiry) in &self.names {
            inv.arg(f).arg(expiry);
        }
        // Totals live as long as the hour rows of the newest day written: 90 days without jobs.
        inv.arg(super::totals::expiry(newest)).arg(if always { "1" } else { "0" });
        inv
    }
}
