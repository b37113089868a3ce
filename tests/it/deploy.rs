//! The deployment files: Dockerfile, .dockerignore, compose.yaml, contrib/rqdash.service,
//! contrib/nginx.conf. No container engine runs here, so no image is built: the tests check that
//! what the files name exists (paths, stages, flags, variables, routes) and run what can run
//! without one (compose's producer and worker command, `systemd-analyze verify`).
//! scripts/container-check.sh builds the release binary the image would hold.

use std::collections::BTreeSet;

use crate::support::fixture::root;

// Dockerfile and .dockerignore against the repository and the binary's flags.
mod container;
// compose.yaml's services, and its producer and worker command against a test Redis.
mod compose;
// The systemd unit: `systemd-analyze verify` and `security`, flags and variables.
mod systemd;
// The nginx example routes the URL-prefix tests' paths, event streams unbuffered.
mod nginx;

/// A file of the repository, whole.
fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The lines that are not comments (`#`), trimmed, comments at the end of a line cut off.
fn active_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|l| l.split(" #").next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Every `RQDASH_*` variable the lines set or read.
fn rqdash_variables<'a>(lines: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in lines {
        for (i, _) in line.match_indices("RQDASH_") {
            let name: String = line[i..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            out.insert(name);
        }
    }
    out
}

/// The variables rqdash reads: every `env` of its flags.
fn known_variables() -> BTreeSet<String> {
    let cmd = rqdash::config::command();
    cmd.get_arguments().filter_map(|a| a.get_env()).map(|e| e.to_string_lossy().into_owned()).collect()
}

/// Assert that `file` only uses variables rqdash reads (a typo would be silently ignored).
fn assert_known_variables(file: &str) {
    let text = read(file);
    let (used, known) = (rqdash_variables(active_lines(&text)), known_variables());
    assert!(!used.is_empty(), "{file} sets no RQDASH_* variable");
    let unknown: Vec<&String> = used.difference(&known).collect();
    assert!(unknown.is_empty(), "{file} uses variables rqdash does not read: {unknown:?}");
}
