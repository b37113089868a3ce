//! rq-dashboard's settings: the `-c/--config` module and the `RQ_DASHBOARD_SETTINGS` file.
//!
//! rq-dashboard loads the module with `importlib.import_module` (its `--extra-path` entries, by
//! default `.`, on `sys.path`), then the file with Flask's `from_envvar`, which overrides it;
//! Flask keeps only UPPERCASE names. rqdash finds the same files, reads them with
//! [`pyliteral`](super::pyliteral) (nothing is executed) and keeps the keys rq-dashboard reads.

use std::path::{Path, PathBuf};

use super::pyliteral::{self, Value};

/// What the settings say, for the keys rqdash honours; `None` where they say nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// `RQ_DASHBOARD_REDIS_URL` (a string or a list), else the legacy `REDIS_URL`.
    pub urls: Vec<String>,
    /// `RQ_DASHBOARD_POLL_INTERVAL` (else the legacy `RQ_POLL_INTERVAL`), in milliseconds.
    pub poll_ms: Option<String>,
    pub read_only: Option<bool>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `RQ_DASHBOARD_REDIS_PASSWORD`: for every URL that carries none, as rq-dashboard passes it.
    pub redis_password: Option<String>,
    /// Flask's `DEBUG`.
    pub debug: Option<bool>,
    /// Keys read and ignored, one sentence each, naming file and line.
    pub warnings: Vec<String>,
}

/// Read the module `module` (searched in `extra` then the current directory) and then the file
/// `file`; `Ok(None)` when neither is given.
pub fn load(module: Option<&str>, extra: &[PathBuf], file: Option<&str>) -> Result<Option<Settings>, String> {
    let mut paths = Vec::new();
    if let Some(m) = module {
        paths.push(find_module(m, extra)?);
    }
    if let Some(f) = file.filter(|f| !f.trim().is_empty()) {
        paths.push(PathBuf::from(f));
    }
    if paths.is_empty() {
        return Ok(None);
    }
    let mut entries: Vec<(String, Value, String)> = Vec::new();
    for path in &paths {
        let src =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let parsed = pyliteral::parse(&src).map_err(|e| {
            let text = src.lines().nth(e.line.saturating_sub(1)).unwrap_or_default().trim();
            format!(
                "{}:{}: {} is not understood: `{text}`\n  rqdash reads rq-dashboard settings without running \
                 Python: only KEY = \"text\", a number, True/False/None or a list of strings, with \
                 comments and blank lines",
                path.display(),
                e.line,
                e.what
            )
        })?;
        for a in parsed {
            // A later file overrides an earlier one key by key, as Flask's config does.
            entries.retain(|(k, _, _)| *k != a.key);
            entries.push((a.key, a.value, format!("{}:{}", path.display(), a.line)));
        }
    }
    interpret(&entries).map(Some)
}

/// `a.b` → `a/b/__init__.py` or `a/b.py` in the first directory that has one.
fn find_module(name: &str, extra: &[PathBuf]) -> Result<PathBuf, String> {
    let ident = |p: &str| {
        !p.is_empty()
            && !p.starts_with(|c: char| c.is_ascii_digit())
            && p.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    let hint = name.strip_suffix(".py").map(|m| format!(" (write `-c {m}` for {name})")).unwrap_or_default();
    if !name.split('.').all(ident) {
        return Err(format!(
            "-c/--config {name:?} is not a Python module name: rq-dashboard imports it as one{hint}"
        ));
    }
    let rel: PathBuf = name.split('.').collect();
    let mut dirs: Vec<PathBuf> = extra.to_vec();
    dirs.push(PathBuf::from("."));
    for dir in &dirs {
        for candidate in [dir.join(&rel).join("__init__.py"), dir.join(&rel).with_extension("py")] {
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    let looked: Vec<String> = dirs.iter().map(|d| display_dir(d)).collect();
    Err(format!(
        "-c/--config {name}: no module found: looked for {} and {} in {}{hint}",
        rel.with_extension("py").display(),
        rel.join("__init__.py").display(),
        looked.join(", ")
    ))
}

fn display_dir(d: &Path) -> String {
    if d == Path::new(".") { "the current directory".to_owned() } else { d.display().to_string() }
}

/// Keys that rq-dashboard maps to settings nothing reads (`legacy_config.py`), or that it reads
/// only from its command line: accepted, ignored, named in a warning.
const NO_EFFECT: [&str; 13] = [
    "REDIS_HOST",
    "REDIS_PORT",
    "REDIS_PASSWORD",
    "REDIS_DB",
    "REDIS_SENTINELS",
    "REDIS_MASTER_NAME",
    "WEB_BACKGROUND",
    "DELETE_JOBS",
    "RQ_DASHBOARD_WEB_BACKGROUND",
    "RQ_DASHBOARD_DELETE_JOBS",
    "RQ_DASHBOARD_SHOW_FULL_ARGS",
    "RQ_DASHBOARD_REDIS_SENTINEL_PASSWORD",
    "RQ_DASHBOARD_JSON_ENCODER",
];

fn interpret(entries: &[(String, Value, String)]) -> Result<Settings, String> {
    let mut s = Settings::default();
    let get = |k: &str| entries.iter().find(|(key, v, _)| key == k && *v != Value::None);
    let urls = get("RQ_DASHBOARD_REDIS_URL").or_else(|| get("REDIS_URL"));
    if let Some((key, v, at)) = urls {
        s.urls = match v {
            Value::Str(u) => vec![u.clone()],
            Value::List(items) if !items.is_empty() => items
                .iter()
                .map(|i| match i {
                    Value::Str(u) => Ok(u.clone()),
                    _ => Err(format!("{at}: {key} must be a string or a list of strings")),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(format!("{at}: {key} must be a string or a list of strings")),
        };
    }
    if let Some((key, v, at)) = get("RQ_DASHBOARD_POLL_INTERVAL").or_else(|| get("RQ_POLL_INTERVAL")) {
        s.poll_ms = Some(match v {
            Value::Int(ms) => ms.to_string(),
            Value::Float(ms) => ms.to_string(),
            _ => return Err(format!("{at}: {key} must be a number of milliseconds")),
        });
    }
    let flag = |key: &str| -> Result<Option<bool>, String> {
        match get(key) {
            Some((_, Value::Bool(b), _)) => Ok(Some(*b)),
            Some((_, Value::Int(i), _)) => Ok(Some(*i != 0)),
            Some((_, _, at)) => Err(format!("{at}: {key} must be True or False")),
            None => Ok(None),
        }
    };
    s.read_only = flag("RQ_DASHBOARD_DISABLE_DELETE")?;
    s.debug = flag("DEBUG")?;
    let text = |key: &str| -> Result<Option<String>, String> {
        match get(key) {
            Some((_, Value::Str(v), _)) => Ok(Some(v.clone())),
            Some((_, _, at)) => Err(format!("{at}: {key} must be a string")),
            None => Ok(None),
        }
    };
    s.username = text("RQ_DASHBOARD_USERNAME")?;
    s.password = text("RQ_DASHBOARD_PASSWORD")?;
    s.redis_password = text("RQ_DASHBOARD_REDIS_PASSWORD")?;
    s.warnings = warnings(entries);
    Ok(s)
}

const READ: [&str; 10] = [
    "RQ_DASHBOARD_REDIS_URL",
    "REDIS_URL",
    "RQ_DASHBOARD_POLL_INTERVAL",
    "RQ_POLL_INTERVAL",
    "RQ_DASHBOARD_DISABLE_DELETE",
    "DEBUG",
    "RQ_DASHBOARD_USERNAME",
    "RQ_DASHBOARD_PASSWORD",
    "RQ_DASHBOARD_REDIS_PASSWORD",
    "RQ_DASHBOARD_REDIS_SENTINEL_PASSWORD",
];

/// One warning per UPPERCASE key rqdash does not use (lowercase names: Flask ignores them too).
fn warnings(entries: &[(String, Value, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (key, value, at) in entries {
        let upper = key.chars().all(|c| !c.is_lowercase());
        if !upper || *value == Value::None || (READ.contains(&key.as_str()) && !key.contains("SENTINEL")) {
            continue;
        }
        let why = if key == "RQ_DASHBOARD_SHOW_FULL_ARGS" {
            "rqdash's job page always shows the whole call"
        } else if key == "RQ_DASHBOARD_REDIS_SENTINEL_PASSWORD" {
            "rqdash asks sentinels without a password; the URL's password is the master's"
        } else if NO_EFFECT.contains(&key.as_str()) {
            "it has no effect in rq-dashboard either"
        } else if key.starts_with("RQ_DASHBOARD_") {
            "rq-dashboard reads it from its command line or environment, not from a settings file"
        } else {
            "not a setting rq-dashboard reads"
        };
        out.push(format!("{at}: {key} is ignored: {why}"));
    }
    out
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
