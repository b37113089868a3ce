//! The Dockerfile's stages and paths match the repository and the binary; .dockerignore lets
//! through exactly what it copies.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::fixture::root;

use super::{active_lines, assert_known_variables, read};

/// One instruction: its keyword (upper case) and the rest, continuation lines joined.
#[derive(Debug, Clone)]
struct Instruction {
    op: String,
    args: String,
}

/// The instructions of each stage (`FROM` first), in order.
fn stages() -> Vec<Vec<Instruction>> {
    let text = read("Dockerfile");
    let mut joined = Vec::new();
    let mut current = String::new();
    for line in active_lines(&text) {
        match line.strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(line);
                joined.push(std::mem::take(&mut current));
            }
        }
    }
    let mut stages: Vec<Vec<Instruction>> = Vec::new();
    for j in joined {
        let (op, args) = j.split_once(' ').unwrap_or((&j, ""));
        let ins = Instruction {
            op: op.to_uppercase(),
            args: args.split_whitespace().collect::<Vec<_>>().join(" "),
        };
        if ins.op == "FROM" {
            stages.push(Vec::new());
        }
        stages.last_mut().expect("the Dockerfile starts with FROM").push(ins);
    }
    stages
}

fn find<'a>(stage: &'a [Instruction], op: &str) -> Vec<&'a str> {
    stage.iter().filter(|i| i.op == op).map(|i| i.args.as_str()).collect()
}

/// An exec-form list (`["a", "b"]`) as its strings.
fn exec_form(s: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(s).unwrap_or_else(|e| panic!("not exec form ({e}): {s}"));
    v.as_array().expect("a list").iter().map(|x| x.as_str().expect("strings").to_owned()).collect()
}

/// Whether .dockerignore lets `path` into the build context: the last pattern that matches the
/// path or one of its parents decides. Only the forms the file uses (`*`, names) are understood.
fn in_context(path: &str) -> bool {
    let mut included = true;
    for rule in active_lines(&read(".dockerignore")) {
        let (negated, pattern) = rule.strip_prefix('!').map_or((false, rule), |p| (true, p));
        let pattern = pattern.trim_matches('/');
        assert!(pattern == "*" || !pattern.contains(['*', '?', '[']), "extend this checker for {rule:?}");
        let parents = Path::new(path).ancestors().filter(|a| !a.as_os_str().is_empty());
        let hit = parents
            .map(|a| a.to_string_lossy().into_owned())
            .any(|a| if pattern == "*" { !a.contains('/') } else { a == pattern });
        if hit {
            included = negated;
        }
    }
    included
}

/// The top-level paths the build reads: the manifest, src/, askama's templates/, rust-embed
/// folders and include_str!/include_bytes! files (test-only fixtures under tests/ aside).
fn build_inputs() -> BTreeSet<String> {
    let mut inputs: BTreeSet<String> = ["Cargo.toml", "Cargo.lock", "src"].map(str::to_owned).into();
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            if text.contains("#[template(path") {
                inputs.insert("templates".to_owned());
            }
            for (marker, relative) in
                [("include_str!(\"", true), ("include_bytes!(\"", true), ("#[folder = \"", false)]
            {
                for (i, _) in text.match_indices(marker) {
                    let arg = text[i + marker.len()..].split('"').next().unwrap_or_default();
                    let full = if relative { p.parent().expect("dir").join(arg) } else { root().join(arg) };
                    let full = std::path::absolute(&full).expect("path");
                    let rel = normalize(&full);
                    let top = rel.split('/').next().unwrap_or_default().to_owned();
                    inputs.insert(top);
                }
            }
        }
    }
    assert!(!root().join("askama.toml").exists(), "askama.toml would move the templates: update this test");
    inputs
}

/// `path` relative to the repository root, `..` resolved.
fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in path.strip_prefix(root()).expect("inside the repository").components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

#[test]
fn the_builder_copies_every_file_the_build_reads_and_the_context_lets_them_through() {
    let stages = stages();
    assert_eq!(stages.len(), 2, "a builder stage and a final stage");
    let builder = &stages[0];
    assert!(find(builder, "FROM")[0].ends_with(" AS builder"), "{:?}", find(builder, "FROM"));
    let mut copied = BTreeSet::new();
    for copy in find(builder, "COPY") {
        let parts: Vec<&str> = copy.split(' ').collect();
        let (sources, dest) = parts.split_at(parts.len() - 1);
        for src in sources {
            assert!(root().join(src).exists(), "COPY {src}: no such file in the repository");
            assert!(in_context(src), "COPY {src}: .dockerignore keeps it out of the build context");
            // Same relative place under WORKDIR, so include_str!("../../lua/..") still resolves.
            let d = dest[0].trim_start_matches("./").trim_end_matches('/');
            assert!(d.is_empty() || d == *src, "COPY {src} {}: moved", dest[0]);
            copied.insert((*src).to_owned());
        }
    }
    let inputs = build_inputs();
    assert!(
        inputs.contains("lua") && inputs.contains("static"),
        "the scan finds the embedded files: {inputs:?}"
    );
    let missing: Vec<&String> = inputs.iter().filter(|i| *i != "tests" && !copied.contains(*i)).collect();
    assert!(missing.is_empty(), "the build reads {missing:?}, which the builder does not copy");
    // And nothing else: the context stays small (target/ alone is gigabytes).
    for big in ["target", "tests", ".venvs", "bench", "README.md", ".git"] {
        assert!(!in_context(big), "{big} is in the build context");
    }
}

#[test]
fn the_builder_uses_a_rust_at_least_as_new_as_the_manifest_requires_and_builds_what_the_final_stage_copies() {
    let stages = stages();
    let (builder, last) = (&stages[0], &stages[1]);
    let image = find(builder, "FROM")[0].split(' ').next().unwrap_or_default().to_owned();
    let version = image.strip_prefix("rust:").and_then(|t| t.split('-').next()).unwrap_or_default();
    let minimum = read("Cargo.toml")
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = ").map(|v| v.trim_matches('"').to_owned()))
        .expect("rust-version");
    let num = |v: &str| v.split('.').map(|p| p.parse::<u32>().unwrap_or(0)).collect::<Vec<_>>();
    assert!(num(version) >= num(&minimum), "{image} is older than rust-version {minimum}");
    let workdir = find(builder, "WORKDIR")[0].trim_end_matches('/').to_owned();
    let run = find(builder, "RUN").join(" ");
    assert!(run.contains("cargo build --release --locked --bin rqdash"), "{run}");
    assert!(
        !run.contains("--target") && find(builder, "ENV").iter().all(|e| !e.contains("CARGO_TARGET_DIR"))
    );
    let binary = format!("{workdir}/target/release/rqdash");
    let copy = find(last, "COPY");
    assert_eq!(copy.len(), 1, "the final stage copies the binary alone: {copy:?}");
    let parts: Vec<&str> = copy[0].split(' ').collect();
    assert_eq!(parts[..2], ["--from=builder", binary.as_str()], "the final stage copies what cargo builds");
    let installed = parts[2];
    assert_eq!(exec_form(find(last, "ENTRYPOINT")[0]), [installed]);
    // distroless has no shell: nothing may RUN there, and nothing needs to.
    assert!(find(last, "RUN").is_empty());
}

#[test]
fn the_image_runs_unprivileged_on_0_0_0_0_port_9181_with_rqdash_healthcheck_as_its_healthcheck() {
    let stages = stages();
    let last = &stages[1];
    let user = find(last, "USER");
    let uid = user.last().expect("a USER").split(':').next().unwrap_or_default();
    assert!(!matches!(uid, "" | "0" | "root"), "the final stage runs as root: {user:?}");
    let env = find(last, "ENV").join(" ");
    assert!(env.contains("RQDASH_BIND=0.0.0.0"), "{env}");
    assert!(env.contains("RQDASH_PORT=9181"), "{env}");
    assert_eq!(find(last, "EXPOSE"), ["9181"]);
    let hc = find(last, "HEALTHCHECK")[0];
    let (opts, cmd) = hc.split_once(" CMD ").expect("HEALTHCHECK ... CMD [...]");
    let argv = exec_form(cmd);
    let installed = find(last, "COPY")[0].split(' ').nth(2).unwrap_or_default();
    assert_eq!(argv, [installed, "healthcheck"], "{hc}");
    // Docker must not kill the probe before its own timeout (5 s by default) reports.
    let secs = |flag: &str| {
        opts.split(' ')
            .find_map(|o| o.strip_prefix(flag))
            .and_then(|v| v.trim_end_matches('s').parse::<u64>().ok())
    };
    assert!(secs("--timeout=").is_some_and(|t| t > 5), "{opts}");
    // The variables the image sets are the ones rqdash reads (the server and its probe alike).
    assert_known_variables("Dockerfile");
    let cli =
        rqdash::config::try_parse_from(["rqdash", "healthcheck"], |_| None).expect("healthcheck parses");
    assert!(matches!(cli.command, Some(rqdash::config::Command::Healthcheck(_))));
}
