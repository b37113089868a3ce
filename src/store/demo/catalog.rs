//! What the demo enqueues: realistic-looking calls of Python builtins (so a real `rq worker`
//! can import them), per queue, with the options an application would pass. Whether a call
//! fails is decided by the call itself (`builtins.int('12.50 EUR')` raises in any Python), never
//! by a dice roll after the fact: the queue `default` only ever gets calls that succeed.

use serde_json::{Value, json};

/// The demo's queues (before the namespace of `--redis-url` mode), in worker priority order.
pub const QUEUES: [&str; 4] = ["default", "emails", "reports", "billing"];
pub const DEFAULT: usize = 0;
pub const EMAILS: usize = 1;
pub const REPORTS: usize = 2;
pub const BILLING: usize = 3;

/// The queued jobs each queue is topped up to, about (a burst may go well over).
pub const TARGET: [u64; 4] = [12, 6, 4, 5];

const USERS: [&str; 10] =
    ["ada", "grace", "linus", "margaret", "ken", "barbara", "dennis", "frances", "guido", "radia"];
const TEMPLATES: [&str; 5] = ["welcome", "password-reset", "invoice", "weekly-digest", "order-shipped"];

/// A job to create.
#[derive(Debug, Clone)]
pub struct Spec {
    pub queue: usize,
    pub func: &'static str,
    pub args: Value,
    pub kwargs: Value,
    pub meta: Option<Value>,
    /// Written only when the application passed one (RQ's default is 500 s).
    pub result_ttl: Option<i64>,
    /// The job timeout; the queue's default (180) when None.
    pub timeout: Option<i64>,
    /// How long a simulated worker takes to run it, in seconds.
    pub duration: f64,
}

impl Spec {
    fn new(queue: usize, func: &'static str, args: Value, duration: f64) -> Self {
        Self { queue, func, args, kwargs: json!({}), meta: None, result_ttl: None, timeout: None, duration }
    }
}

/// A small deterministic PRNG (splitmix64): the demo needs variety, not secrecy.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        lo + i64::try_from(self.next_u64() % span).unwrap_or(0)
    }

    /// Uniform in `[lo, hi)`.
    pub fn float(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.float(0.0, 1.0) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = usize::try_from(self.next_u64() % items.len().max(1) as u64).unwrap_or(0);
        &items[i.min(items.len().saturating_sub(1))]
    }

    pub fn u128(&mut self) -> u128 {
        (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64())
    }

    fn ints(&mut self, n: usize, lo: i64, hi: i64) -> Vec<i64> {
        (0..n).map(|_| self.int(lo, hi)).collect()
    }
}

/// A new job for queue `q`.
pub fn make(q: usize, rng: &mut Rng) -> Spec {
    match q {
        EMAILS => email(rng),
        REPORTS => report(rng),
        BILLING => billing(rng),
        _ => default(rng),
    }
}

fn default(rng: &mut Rng) -> Spec {
    let d = rng.float(0.5, 3.0);
    match rng.int(0, 5) {
        0 => Spec::new(DEFAULT, "builtins.sum", json!([rng.ints(5, 1, 99)]), d),
        1 => Spec::new(DEFAULT, "builtins.max", json!(rng.ints(3, 1, 500)), d),
        2 => {
            let s = format!("Thumbnail for upload {}.jpg", rng.int(1000, 9999));
            Spec::new(DEFAULT, "builtins.len", json!([s]), d)
        }
        3 => Spec::new(DEFAULT, "builtins.sorted", json!([rng.ints(6, 1, 99)]), d),
        4 => Spec::new(DEFAULT, "builtins.pow", json!([2, rng.int(4, 20)]), d),
        _ => Spec::new(DEFAULT, "builtins.divmod", json!([rng.int(100, 99_999), rng.int(2, 60)]), d),
    }
}

fn email(rng: &mut Rng) -> Spec {
    let template = *rng.pick(&TEMPLATES);
    let mut s = if rng.chance(0.08) {
        // The recipient list was never filled in: len(None).
        Spec::new(EMAILS, "builtins.len", json!([null]), rng.float(0.5, 1.5))
    } else {
        let to = format!("{}@example.com", rng.pick(&USERS));
        let mut s =
            Spec::new(EMAILS, "builtins.print", json!([format!("Sending {template} email to {to}")]), 0.0);
        s.kwargs = json!({"flush": true});
        s.duration = rng.float(1.0, 3.0);
        s
    };
    s.meta = Some(json!({"template": template}));
    s
}

fn report(rng: &mut Rng) -> Spec {
    let d = rng.float(4.0, 25.0);
    let mut s = match rng.int(0, 9) {
        // An empty period: max([]).
        0 => Spec::new(REPORTS, "builtins.max", json!([[]]), d),
        1..=5 => Spec::new(REPORTS, "builtins.sum", json!([rng.ints(24, 0, 400)]), d),
        _ => Spec::new(REPORTS, "builtins.sorted", json!([rng.ints(12, 0, 999)]), d),
    };
    s.result_ttl = Some(3600);
    s.timeout = Some(600);
    s
}

fn billing(rng: &mut Rng) -> Spec {
    let d = rng.float(1.0, 4.0);
    let cents = rng.int(99, 49_999);
    let mut s = match rng.int(0, 11) {
        // Amounts that arrived as text with a currency, or as a float string.
        0 => {
            Spec::new(BILLING, "builtins.int", json!([format!("{}.{:02} EUR", cents / 100, cents % 100)]), d)
        }
        1 => Spec::new(BILLING, "builtins.sum", json!([[cents, format!("{}.99", rng.int(1, 9))]]), d),
        2..=6 => Spec::new(BILLING, "builtins.int", json!([cents.to_string()]), d),
        _ => Spec::new(BILLING, "builtins.divmod", json!([cents, 100]), d),
    };
    s.meta = Some(json!({"invoice": format!("INV-2026-{:05}", rng.int(1, 99_999))}));
    s
}

/// A job that runs after a report: the child of a dependency.
pub fn notify_after_report(rng: &mut Rng) -> Spec {
    let to = format!("{}@example.com", rng.pick(&USERS));
    let mut s = Spec::new(EMAILS, "builtins.print", json!([format!("Report ready, notifying {to}")]), 1.0);
    s.kwargs = json!({"flush": true});
    s.meta = Some(json!({"template": "report-ready"}));
    s
}

/// The nightly billing run (scheduled) and what waits for it (deferred).
pub fn nightly(rng: &mut Rng) -> (Spec, Vec<Spec>) {
    let mut run = Spec::new(BILLING, "builtins.sum", json!([rng.ints(30, 99, 9_999)]), 20.0);
    run.timeout = Some(3600);
    run.meta = Some(json!({"batch": "nightly-invoices"}));
    let mut digest = Spec::new(REPORTS, "builtins.sorted", json!([rng.ints(10, 0, 999)]), 5.0);
    digest.result_ttl = Some(86_400);
    let mut mail =
        Spec::new(EMAILS, "builtins.print", json!(["Sending invoice digest to finance@example.com"]), 1.0);
    mail.kwargs = json!({"flush": true});
    (run, vec![digest, mail])
}
