//! Search and failure groups on failures made by the real `rq` of each version: real tracebacks,
//! several exception types, messages differing only in numbers, non-ASCII messages, meta,
//! custom ids and descriptions, two named workers. Plus paging over planted literal keys, the
//! HTTP routes, and the 100,000-job benchmark (`bench/search_bench.sh`).

use std::collections::{BTreeSet, HashMap};

use clap::Parser;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use rqdash::config::Cli;
use rqdash::store::search::collect::collect;
use rqdash::store::search::{Budget, Query};
use rqdash::store::{Instance, Store};

use crate::support::rq_worker::finish;
use crate::support::{RedisServer, Rq};

// Each kind of criterion finds exactly the expected ids; exact id and id prefix.
mod criteria;
// Cursors: small budgets page through everything once, ties in scores included; SCAN paging.
mod paging;
// Failure groups: sizes, functions, cache, the overview's last hour; requeue a whole group.
mod groups;
// The routes: API, pages, select-all-matching and group actions.
mod http;
// exc: is the latest failure of jobs failed now (requeued jobs keep theirs), history:any, orphans
// found by id:, the selection's count per state.
mod current;
// The job archive: archived:yes|no, live jobs once, paging over the stream, API and page.
mod archive;
// 100,000 failed jobs: time to the first page, full scans, groups (ignored; bench/search_bench.sh).
mod bench;

/// The failing tasks, imported by the workers from a temporary directory (`rq worker -P`).
const TASKS: &str = r#"
"""Failing tasks for rqdash's search tests (written by tests/it/search.rs)."""


class PaymentDeclined(Exception):
    pass


def send_email(to, seconds):
    raise TimeoutError('Timeout after %ds' % seconds)


def charge_card(customer, code):
    raise PaymentDeclined("card for '%s' declined: code %d" % (customer, code))


def render_report(line):
    raise ValueError('Berichtsvorlage »Übersicht« fehlt – Zeile %d' % line)


def lookup(key):
    raise KeyError(key)


def ok(n=0):
    return n
"#;

/// What `seed` made: ids by label, and a moment between the two bursts.
pub struct Seeded {
    pub server: RedisServer,
    pub rq: Rq,
    pub ids: HashMap<String, Vec<String>>,
    /// After every `emails` job ended and before any `billing`/`reports` job started.
    pub between: jiff::Timestamp,
    _tasks: tempfile::TempDir,
}

impl Seeded {
    /// The ids of some labels, as a set.
    pub fn set(&self, labels: &[&str]) -> BTreeSet<String> {
        labels
            .iter()
            .flat_map(|l| self.ids.get(*l).unwrap_or_else(|| panic!("no label {l}")).clone())
            .collect()
    }

    /// A store on the seeded Redis.
    pub fn store(&self) -> Store {
        store(&self.server)
    }
}

/// A store on a test's Redis.
pub fn store(r: &RedisServer) -> Store {
    let cli = Cli::try_parse_from(["rqdash", "--redis-url", &r.url()]).expect("valid flags");
    Store::from_args(&cli.redis).expect("store")
}

/// Enqueue with the real RQ and run two named burst workers (emails first, then the rest).
pub fn seed(version: &'static str) -> Seeded {
    let server = RedisServer::start();
    let rq = Rq::new(version, &server);
    let tasks = tempfile::Builder::new().prefix("rqdash-search-tasks-").tempdir().expect("temp dir");
    std::fs::write(tasks.path().join("rqdash_search_tasks.py"), TASKS).expect("write tasks");
    let made = rq.py(r#"
c = conn()
em, bi, re_, la = (Queue(n, connection=c) for n in ('emails', 'billing', 'reports', 'later'))
T = 'rqdash_search_tasks.'
out({
  'timeouts': [em.enqueue(T + 'send_email', 'ann@example.com', s).id for s in (30, 31, 32)],
  'digest': [em.enqueue(T + 'send_email', 'ops@example.com', 33, description='nightly digest for ops').id],
  'ok': [em.enqueue(T + 'ok', i).id for i in range(2)],
  'declined_42': [bi.enqueue(T + 'charge_card', 'customer_42', code, meta={'customer': 'customer_42'}, job_id=jid).id
                  for code, jid in ((51, 'inv-2026-001'), (5, 'inv-2026-002'))],
  'declined_7': [bi.enqueue(T + 'charge_card', 'customer_7', code, meta={'customer': 'customer_7'}).id for code in (51, 14)],
  'report': [re_.enqueue(T + 'render_report', n).id for n in (12, 7)],
  'keyerror': [re_.enqueue(T + 'lookup', k).id for k in ('顧客_7', '顧客_8')],
  'later': [la.enqueue(T + 'send_email', 'bob@example.com', 5, job_id='inv-2027-001', meta={'customer': 'customer_42'}).id,
            la.enqueue(T + 'ok', 1).id],
})"#);
    let ids: HashMap<String, Vec<String>> =
        made.as_object().expect("a JSON object").iter().map(|(k, v)| (k.clone(), strings(v))).collect();
    let dir = tasks.path().to_str().expect("utf-8 temp path").to_owned();
    let burst = |name: &str, queues: &[&str]| {
        let mut args = vec!["--burst", "-w", "rq.worker.SimpleWorker", "--name", name, "-P", &dir];
        args.extend(queues);
        finish(rq.spawn_worker(&args), &format!("rq worker {name} (rq {version})"));
    };
    burst("mailer-1", &["emails"]);
    let between = jiff::Timestamp::now();
    burst("ledger-2", &["billing", "reports"]);
    Seeded { server, rq, ids, between, _tasks: tasks }
}

/// A JSON list of strings.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array().expect("a JSON list").iter().map(|s| s.as_str().expect("a string").to_owned()).collect()
}

/// Parse a query (now = the real now).
pub fn query(text: &str) -> Query {
    Query::parse(text, jiff::Timestamp::now()).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

/// Every id a query matches (through the same pages as the API, collected).
pub async fn matching(inst: &Instance, text: &str) -> BTreeSet<String> {
    let c = collect(inst, &query(text), |_| {}, &CancellationToken::new()).await.expect("collect");
    let ids: Vec<String> = c.groups.into_iter().flat_map(|g| g.ids).collect();
    let set: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(set.len(), ids.len(), "{text}: an id was collected twice");
    set
}

/// Page through a search with `budget`, returning every hit's id in order (duplicates kept).
pub async fn paged(inst: &Instance, text: &str, budget: Budget) -> (Vec<String>, usize) {
    let q = query(text);
    let (mut ids, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let p =
            rqdash::store::search::search(inst, &q, cursor.as_deref(), budget).await.expect("search page");
        pages += 1;
        assert!(p.hits.len() <= budget.max_hits || p.mode == "keys", "{text}: page over its hit budget");
        ids.extend(p.hits.into_iter().map(|h| h.job.id));
        if p.done {
            assert!(p.cursor.is_none());
            return (ids, pages);
        }
        cursor = Some(p.cursor.expect("a cursor when not done"));
        assert!(pages < 100_000, "{text}: no end in sight");
    }
}
