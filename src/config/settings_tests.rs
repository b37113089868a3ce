//! Finding the settings module as Python imports it, and the keys rqdash honours.

use std::path::PathBuf;

use super::*;

fn write(dir: &Path, rel: &str, body: &str) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, body).expect("write");
    p
}

#[test]
fn a_dotted_module_is_found_as_a_file_or_a_package_in_the_extra_paths() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "conf/rq.py", "RQ_DASHBOARD_REDIS_URL = 'redis://file'\n");
    write(dir.path(), "pkg/__init__.py", "RQ_DASHBOARD_REDIS_URL = ['redis://a', 'redis://b']\n");
    let extra = [dir.path().to_path_buf()];
    let s = load(Some("conf.rq"), &extra, None).expect("loads").expect("some");
    assert_eq!(s.urls, ["redis://file"]);
    let s = load(Some("pkg"), &extra, None).expect("loads").expect("some");
    assert_eq!(s.urls, ["redis://a", "redis://b"]);
    let e = load(Some("missing.mod"), &extra, None).expect_err("not found");
    assert!(e.contains("missing/mod.py") && e.contains("the current directory"), "{e}");
    let e = load(Some("settings.py"), &extra, None).expect_err("a file name");
    assert!(e.contains("write `-c settings`"), "{e}");
}

#[test]
fn the_settings_file_overrides_the_module_key_by_key() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "m.py", "RQ_DASHBOARD_POLL_INTERVAL = 5000\nRQ_DASHBOARD_USERNAME = 'a'\n");
    let f = write(dir.path(), "over.cfg", "RQ_DASHBOARD_USERNAME = 'b'\nDEBUG = True\n");
    let s = load(Some("m"), &[dir.path().to_path_buf()], f.to_str()).expect("loads").expect("some");
    assert_eq!(s.poll_ms.as_deref(), Some("5000"));
    assert_eq!(s.username.as_deref(), Some("b"));
    assert_eq!(s.debug, Some(true));
}

#[test]
fn legacy_keys_map_as_rq_dashboard_maps_them_and_the_rest_is_named_in_warnings() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = write(
        dir.path(),
        "s.cfg",
        "REDIS_URL = 'redis://old'\nRQ_POLL_INTERVAL = 1000\nWEB_BACKGROUND = 'red'\nRQ_DASHBOARD_PORT = 1\nlower = 1\nRQ_DASHBOARD_DISABLE_DELETE = True\n",
    );
    let s = load(None, &[], f.to_str()).expect("loads").expect("some");
    assert_eq!(s.urls, ["redis://old"]);
    assert_eq!(s.poll_ms.as_deref(), Some("1000"));
    assert_eq!(s.read_only, Some(true));
    assert_eq!(s.warnings.len(), 2, "{:?}", s.warnings);
    assert!(s.warnings[0].contains("s.cfg:3: WEB_BACKGROUND is ignored"), "{:?}", s.warnings);
    assert!(s.warnings[1].contains("s.cfg:4: RQ_DASHBOARD_PORT is ignored"), "{:?}", s.warnings);
}

#[test]
fn a_value_of_the_wrong_type_or_code_is_refused_with_file_and_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = write(dir.path(), "s.cfg", "# c\nRQ_DASHBOARD_REDIS_URL = 6379\n");
    let e = load(None, &[], f.to_str()).expect_err("refused");
    assert!(e.contains("s.cfg:2: RQ_DASHBOARD_REDIS_URL must be a string"), "{e}");
    let f = write(dir.path(), "t.cfg", "import os\n");
    let e = load(None, &[], f.to_str()).expect_err("refused");
    assert!(e.contains("t.cfg:1: an import is not understood: `import os`"), "{e}");
}
