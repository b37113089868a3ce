//! contrib/rqdash.service: systemd accepts it, its hardening stays, and rqdash accepts its flags.

use std::process::Command;

use super::{active_lines, assert_known_variables, read};

/// The unit's `Key=value` settings, in order (keys repeat: SystemCallFilter=).
fn settings() -> Vec<(String, String)> {
    let text = read("contrib/rqdash.service");
    active_lines(&text)
        .filter(|l| !l.starts_with('['))
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect()
}

fn has(key: &str, value: &str) -> bool {
    settings().iter().any(|(k, v)| k == key && v == value)
}

#[test]
fn systemd_analyze_verifies_the_unit_and_rates_its_exposure_low() {
    let found = Command::new("sh").args(["-c", "command -v systemd-analyze"]).output();
    if !found.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: systemd-analyze is not installed here (the unit's settings are still checked)");
        return;
    }
    // verify also checks that ExecStart's program exists: point it at the binary under test.
    let dir = tempfile::tempdir().expect("tempdir");
    let unit = dir.path().join("rqdash.service");
    let text = read("contrib/rqdash.service").replace("/usr/local/bin/rqdash", env!("CARGO_BIN_EXE_rqdash"));
    std::fs::write(&unit, text).expect("write unit");
    let out =
        Command::new("systemd-analyze").arg("verify").arg(&unit).output().expect("systemd-analyze verify");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Unknown or misspelt settings are warnings only ("Unknown key ..., ignoring"): none allowed.
    assert!(out.status.success() && stderr.trim().is_empty(), "systemd-analyze verify: {stderr}");
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=yes", "--threshold=15"])
        .arg(&unit)
        .output()
        .expect("systemd-analyze security");
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() && !text.contains("Overall exposure level") {
        eprintln!("skipped: this systemd-analyze has no offline security check");
        return;
    }
    let score = text.lines().find(|l| l.contains("Overall exposure level")).unwrap_or_default();
    assert!(out.status.success(), "exposure above 1.5: {score}");
}

#[test]
fn the_unit_is_hardened_and_passes_the_password_as_a_credential_rqdash_reads() {
    for (key, value) in [
        ("DynamicUser", "yes"),
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
        ("CapabilityBoundingSet", ""),
        ("SystemCallFilter", "@system-service"),
        ("LoadCredential", "redis-password:/etc/rqdash/redis-password"),
        // Loopback unless configured otherwise, as rqdash itself.
        ("Environment", "RQDASH_BIND=127.0.0.1"),
    ] {
        assert!(has(key, value), "{key}={value} is missing");
    }
    let exec = settings().into_iter().find(|(k, _)| k == "ExecStart").map(|(_, v)| v).expect("ExecStart");
    let argv: Vec<String> = exec
        .split_whitespace()
        .map(|a| a.replace("${CREDENTIALS_DIRECTORY}", "/run/credentials/rqdash.service"))
        .collect();
    let cli = rqdash::config::try_parse_from(&argv, |_| None).unwrap_or_else(|e| panic!("{exec}: {e}"));
    assert!(cli.command.is_none(), "the unit serves");
    let file = cli.redis.redis_password_file.expect("--redis-password-file");
    assert_eq!(
        file.to_string_lossy(),
        "/run/credentials/rqdash.service/redis-password",
        "the credential's name"
    );
    assert_known_variables("contrib/rqdash.service");
}
