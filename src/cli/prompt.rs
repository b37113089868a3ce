//! Asking before acting, progress bars on stderr, and Ctrl-C as a clean stop between chunks.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::bail;
use tokio_util::sync::CancellationToken;

use super::output::{Style, count};
use crate::store::write::Progress;

/// Go ahead when `--yes` was given or the user answers yes on the terminal. Without a terminal
/// on stdin and without `--yes` this refuses: a script must say what it wants.
pub fn confirm(yes: bool, question: &str) -> anyhow::Result<()> {
    if yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!("{question}\nrefusing to act without confirmation: stdin is not a terminal (pass --yes)");
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        bail!("not confirmed; nothing was changed")
    }
}

/// A token cancelled by the first Ctrl-C (the work stops after the current chunk, which is
/// atomic); a second Ctrl-C exits at once.
pub fn cancel_on_ctrl_c() -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nstopping after the current chunk (Ctrl-C again to quit now)");
            t.cancel();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(i32::from(super::EXIT_INTERRUPTED));
            }
        }
    });
    token
}

/// A one-line progress bar on stderr, redrawn with `\r`; silent when stderr is not a terminal.
pub struct Bar {
    enabled: bool,
    style: Style,
    verb: &'static str,
    last: Mutex<Option<Instant>>,
}

impl Bar {
    /// A bar whose counter is labelled with `verb` ("requeued", "deleted", ...; "" for none).
    pub fn new(verb: &'static str) -> Self {
        Self {
            enabled: std::io::stderr().is_terminal(),
            style: Style::stderr(),
            verb,
            last: Mutex::new(None),
        }
    }

    /// Redraw (at most 20 times a second) with the counts so far.
    pub fn update(&self, label: &str, p: &Progress) {
        if !self.enabled {
            return;
        }
        let Ok(mut last) = self.last.lock() else { return };
        let done = p.total > 0 && p.processed >= p.total;
        if last.is_some_and(|t| t.elapsed() < Duration::from_millis(50)) && !done {
            return;
        }
        *last = Some(Instant::now());
        let frac = if p.total == 0 { 1.0 } else { (p.processed as f64 / p.total as f64).min(1.0) };
        let filled = (frac * 30.0).round() as usize;
        let bar = format!("{}{}", "█".repeat(filled), "░".repeat(30 - filled));
        let o = &p.outcome;
        let main = o.requeued + o.enqueued + o.deleted + o.canceled;
        let mut line = format!(
            "\r{label} {} {:>3.0}%  {}/{}",
            self.style.green(&bar),
            frac * 100.0,
            count(p.processed),
            count(p.total),
        );
        if !self.verb.is_empty() {
            line.push_str(&format!("  {} {}", self.verb, count(main)));
        }
        if o.orphans_removed > 0 {
            line.push_str(&format!(", {} orphaned ids removed", count(o.orphans_removed)));
        }
        eprint!("{line}\x1b[K");
        let _ = std::io::stderr().flush();
    }

    /// Clear the bar's line.
    pub fn finish(&self) {
        if self.enabled && self.last.lock().is_ok_and(|l| l.is_some()) {
            eprint!("\r\x1b[K");
            let _ = std::io::stderr().flush();
        }
    }
}
