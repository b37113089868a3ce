//! A stored per-function row as exact integers (pure): what `lua/functions_record.lua` stores,
//! parsed and joined byte for byte as the script does, so the sampler merges rows here and the
//! script only compares and sets (issue #18: Lua parsing was most of the tick's Redis time).

use std::collections::BTreeMap;

use super::record::Row;

/// Largest number a stored part may hold; larger (or negative, or not a number) reads as 0, as
/// in the script (a hostile value must neither overflow nor poison the sums).
const MAX: f64 = 1e15;
/// Bucket indexes the script accepts in a stored histogram.
const MAX_BUCKET: usize = 64;

/// `finished,failed,<run>,<wait>` where a histogram is `i:c;i:c;s:<sum in ms>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cells {
    pub finished: u64,
    pub failed: u64,
    pub run: BTreeMap<usize, u64>,
    pub wait: BTreeMap<usize, u64>,
    pub run_ms: u64,
    pub wait_ms: u64,
}

impl From<&Row> for Cells {
    fn from(r: &Row) -> Self {
        // Whole milliseconds keep most rows under Redis' 64-byte listpack value limit.
        let ms = |secs: f64| (secs * 1e3).round().clamp(0.0, MAX) as u64;
        Cells {
            finished: r.finished,
            failed: r.failed,
            run: r.run.0.clone(),
            wait: r.wait.0.clone(),
            run_ms: ms(r.run_sum),
            wait_ms: ms(r.wait_sum),
        }
    }
}

impl Cells {
    /// Parse a stored row; anything malformed reads as zeros, part by part.
    pub fn parse(raw: &[u8]) -> Cells {
        let s = String::from_utf8_lossy(raw);
        let mut parts = s.splitn(4, ',');
        let (fin, fail) = (number(parts.next()), number(parts.next()));
        let (mut run, run_ms) = hist(parts.next());
        let (mut wait, wait_ms) = hist(parts.next().map(|w| w.split(',').next().unwrap_or_default()));
        run.retain(|_, c| *c > 0);
        wait.retain(|_, c| *c > 0);
        Cells { finished: fin, failed: fail, run, wait, run_ms, wait_ms }
    }

    /// The stored form, as the script's `join_row` writes it.
    pub fn join(&self) -> String {
        format!(
            "{},{},{},{}",
            self.finished,
            self.failed,
            join_hist(&self.run, self.run_ms),
            join_hist(&self.wait, self.wait_ms)
        )
    }

    /// Keep the larger of every number (the same minute recounted, by any replica): the merged
    /// row, and by how much each part rose (empty when nothing rose).
    pub fn merge_max(&self, new: &Cells) -> (Cells, Cells) {
        let mut merged = self.clone();
        let mut rises = Cells::default();
        let up = |m: &mut u64, r: &mut u64, n: u64| {
            if n > *m {
                *r = n - *m;
                *m = n;
            }
        };
        up(&mut merged.finished, &mut rises.finished, new.finished);
        up(&mut merged.failed, &mut rises.failed, new.failed);
        up(&mut merged.run_ms, &mut rises.run_ms, new.run_ms);
        up(&mut merged.wait_ms, &mut rises.wait_ms, new.wait_ms);
        for (m, r, n) in
            [(&mut merged.run, &mut rises.run, &new.run), (&mut merged.wait, &mut rises.wait, &new.wait)]
        {
            for (i, c) in n {
                let old = m.entry(*i).or_default();
                if *c > *old {
                    r.insert(*i, c - *old);
                    *old = *c;
                }
            }
        }
        (merged, rises)
    }

    /// Add another row (an hour row grows by the rises of its minutes).
    pub fn add(&mut self, o: &Cells) {
        self.finished = self.finished.saturating_add(o.finished);
        self.failed = self.failed.saturating_add(o.failed);
        self.run_ms = self.run_ms.saturating_add(o.run_ms);
        self.wait_ms = self.wait_ms.saturating_add(o.wait_ms);
        for (m, n) in [(&mut self.run, &o.run), (&mut self.wait, &o.wait)] {
            for (i, c) in n {
                let v = m.entry(*i).or_default();
                *v = v.saturating_add(*c);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Cells::default()
    }

    /// The totals fields this row adds to (`finished`, `run:<i>`, `run_ms`, …) and by how much.
    pub fn fields(&self) -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = [
            ("finished", self.finished),
            ("failed", self.failed),
            ("run_ms", self.run_ms),
            ("wait_ms", self.wait_ms),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k.to_owned(), n))
        .collect();
        out.extend(self.run.iter().filter(|(_, c)| **c > 0).map(|(i, c)| (format!("run:{i}"), *c)));
        out.extend(self.wait.iter().filter(|(_, c)| **c > 0).map(|(i, c)| (format!("wait:{i}"), *c)));
        out
    }
}

/// A count as the script's `tonumber` + floor reads it.
fn number(p: Option<&str>) -> u64 {
    match p.and_then(|p| p.trim().parse::<f64>().ok()) {
        Some(v) if (0.0..MAX).contains(&v) => v.floor() as u64,
        _ => 0,
    }
}

/// Buckets `i:c` (strict digits) and the `s:<n>` sum of one stored histogram.
fn hist(p: Option<&str>) -> (BTreeMap<usize, u64>, u64) {
    let (mut h, mut sum) = (BTreeMap::new(), 0u64);
    for part in p.unwrap_or_default().split(';') {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if let Some(v) = part.strip_prefix("s:") {
            if digits(v)
                && let Ok(v) = v.parse::<u64>()
                && (v as f64) < MAX
            {
                sum = sum.saturating_add(v);
            }
        } else if let Some((i, c)) = part.split_once(':')
            && digits(i)
            && digits(c)
            && let (Ok(i), Ok(c)) = (i.parse::<usize>(), c.parse::<u64>())
            && i < MAX_BUCKET
            && (c as f64) < MAX
        {
            let n = h.entry(i).or_default();
            *n = u64::saturating_add(*n, c);
        }
    }
    (h, sum)
}

fn join_hist(h: &BTreeMap<usize, u64>, sum: u64) -> String {
    let mut out: Vec<String> = h.iter().filter(|(_, c)| **c > 0).map(|(i, c)| format!("{i}:{c}")).collect();
    if sum > 0 {
        out.push(format!("s:{sum}"));
    }
    out.join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_row_round_trips_in_the_scripts_form() {
        let raw = b"3,1,5:2;6:2;s:230,0:4;s:3";
        let c = Cells::parse(raw);
        assert_eq!((c.finished, c.failed, c.run_ms, c.wait_ms), (3, 1, 230, 3));
        assert_eq!(c.join().as_bytes(), raw);
        assert_eq!(Cells::default().join(), "0,0,,");
    }

    #[test]
    fn garbage_reads_as_zeros_part_by_part_and_never_overflows() {
        let c = Cells::parse(b"x,-2,5:a;99:1;6:1;s:9999999999999999,\xff");
        assert_eq!((c.finished, c.failed, c.run.len(), c.run_ms), (0, 0, 1, 0));
        let big = Cells::parse(b"999999999999999,0,1:999999999999999;1:999999999999999,");
        assert_eq!(big.run.get(&1), Some(&1_999_999_999_999_998));
        assert_eq!(Cells::parse(b"2.7,1e1,,").finished, 2, "floats floor, as tonumber does");
        assert_eq!(Cells::parse(b"").join(), "0,0,,");
    }

    #[test]
    fn a_merge_keeps_the_larger_count_and_says_what_rose() {
        let stored = Cells::parse(b"2,0,5:2;s:100,0:2");
        let (merged, rises) = stored.merge_max(&Cells::parse(b"3,0,5:1;6:2;s:300,0:2"));
        assert_eq!(merged.join(), "3,0,5:2;6:2;s:300,0:2");
        assert_eq!(rises.join(), "1,0,6:2;s:200,");
        assert!(stored.merge_max(&Cells::parse(b"1,0,5:2,")).1.is_empty(), "nothing rose");
        let fields = rises.fields();
        assert_eq!(fields, vec![("finished".into(), 1), ("run_ms".into(), 200), ("run:6".into(), 2)]);
        let mut hour = stored.clone();
        hour.add(&rises);
        assert_eq!(hour.join(), "3,0,5:2;6:2;s:300,0:2");
    }
}
