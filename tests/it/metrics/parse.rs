//! `/metrics` as Prometheus' official Python client parses it (`prometheus_client`, pinned in
//! scripts/venvs.sh for the rq 2.12.0 venv): a text that parser refuses fails the test.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::fixture::venv_python;

/// Parse with `text_string_to_metric_families` of `prometheus_client.parser` (format 0.0.4)
/// or of `prometheus_client.openmetrics.parser`, and print every family as JSON.
const PARSE: &str = r#"
import json, sys
if sys.argv[1] == 'openmetrics':
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
else:
    from prometheus_client.parser import text_string_to_metric_families
print(json.dumps([
    {'name': f.name, 'type': f.type, 'help': f.documentation,
     'samples': [{'name': s.name, 'labels': s.labels, 'value': s.value} for s in f.samples]}
    for f in text_string_to_metric_families(sys.stdin.read())
]))
"#;

/// The families of `text`, in `format` ("openmetrics" or "text"), as the parser reads them.
pub fn families(text: &str, format: &str) -> Vec<Value> {
    let mut child = Command::new(venv_python("2.12.0"))
        .args(["-c", PARSE, format])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python");
    child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write the exposition");
    let out = child.wait_with_output().expect("parser output");
    assert!(
        out.status.success(),
        "prometheus_client refused the {format} text:\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON families")
}

/// The family named `name` (panics naming the ones there are).
pub fn family<'a>(fams: &'a [Value], name: &str) -> &'a Value {
    fams.iter().find(|f| f["name"] == name).unwrap_or_else(|| {
        let names: Vec<&Value> = fams.iter().map(|f| &f["name"]).collect();
        panic!("no family {name} in {names:?}")
    })
}

/// Every sample of every family as `name{k="v",...} = value` strings, labels sorted: two
/// expositions with the same data give the same set whatever their format.
pub fn sample_set(fams: &[Value]) -> std::collections::BTreeMap<String, f64> {
    let mut out = std::collections::BTreeMap::new();
    for f in fams {
        for s in f["samples"].as_array().into_iter().flatten() {
            let labels: std::collections::BTreeMap<&str, &str> = s["labels"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("")))
                .collect();
            let key = format!("{}{labels:?}", s["name"].as_str().unwrap_or(""));
            out.insert(key, s["value"].as_f64().unwrap_or(f64::NAN));
        }
    }
    out
}
