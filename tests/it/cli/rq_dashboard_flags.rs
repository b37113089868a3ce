//! rq-dashboard 0.9's whole command line on the real binary: its settings module and file, the
//! deprecated Redis parts, precedence, and the flags that only warn.

use crate::support::RedisServer;
use crate::support::served::{free_port, http_get};

mod dash;

use dash::{Dash, redis_with_password, refused};

#[test]
fn a_unit_file_command_line_with_a_settings_module_serves_the_configured_redis() {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().expect("tmp");
    let settings = format!(
        "\"\"\"rq-dashboard settings.\"\"\"\n# as rq-dashboard's README shows\nRQ_DASHBOARD_REDIS_URL = \"{}\"\nRQ_DASHBOARD_POLL_INTERVAL = 5000\n",
        redis.url()
    );
    std::fs::write(dir.path().join("rq_settings_dashboard.py"), settings).expect("write");
    // rq-dashboard's README's systemd ExecStart, on a free port.
    let args = ["-b", "127.0.0.1", "--url-prefix", "/rq", "-c", "rq_settings_dashboard", "--debug", "-v"];
    let dash = Dash::start(dir.path(), &args, &[], "/rq/api/v1/instances");
    let inst = dash.instances("/rq", None);
    assert_eq!(inst.len(), 1);
    assert_eq!(inst[0]["url"], redis.url().as_str());
    assert_eq!(inst[0]["ok"], true, "the configured Redis answers");
}

#[test]
fn a_settings_module_in_a_package_is_found_through_extra_path() {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().expect("tmp");
    let conf = dir.path().join("etc");
    std::fs::create_dir_all(conf.join("dash")).expect("mkdir");
    std::fs::write(conf.join("dash/__init__.py"), "").expect("write");
    std::fs::write(conf.join("dash/prod.py"), format!("RQ_DASHBOARD_REDIS_URL = ['{}']\n", redis.url()))
        .expect("write");
    let extra = conf.to_str().expect("utf-8 path");
    let dash = Dash::start(dir.path(), &["-c", "dash.prod", "--extra-path", extra], &[], "/api/v1/instances");
    assert_eq!(dash.url(), redis.url());
}

#[test]
fn a_settings_file_with_a_function_call_is_refused_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("settings.py"), "import os\n").expect("write");
    let (code, err) = refused(dir.path(), &["-c", "settings"], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("settings.py:1: an import is not understood"), "{err}");
    std::fs::write(
        dir.path().join("settings.py"),
        "RQ_DASHBOARD_USERNAME = 'admin'\nRQ_DASHBOARD_REDIS_URL = os.environ.get('URL')\n",
    )
    .expect("write");
    let (code, err) = refused(dir.path(), &["-c", "settings"], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("settings.py:2: an expression (os. ...) is not understood"), "{err}");
    let cfg = dir.path().join("dash.cfg");
    std::fs::write(&cfg, "\nRQ_DASHBOARD_REDIS_URL = make_url('redis://h')\n").expect("write");
    let (code, err) = refused(dir.path(), &[], &[("RQ_DASHBOARD_SETTINGS", cfg.to_str().expect("utf-8"))]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("dash.cfg:2: a function call (make_url(...)) is not understood"), "{err}");
}

#[test]
fn rq_dashboard_settings_names_a_settings_file_whose_credentials_protect_every_route() {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = dir.path().join("dashboard.cfg");
    let body = format!(
        "RQ_DASHBOARD_REDIS_URL = '{}'\nRQ_DASHBOARD_USERNAME = 'admin'\nRQ_DASHBOARD_PASSWORD = 's3cret'\n",
        redis.url()
    );
    std::fs::write(&cfg, body).expect("write");
    let dash = Dash::start(dir.path(), &[], &[("RQ_DASHBOARD_SETTINGS", cfg.to_str().expect("utf-8"))], "/");
    assert_eq!(http_get(dash.port, "/api/v1/instances", None).map(|r| r.0), Some(401));
    // admin:s3cret
    let inst = dash.instances("", Some("YWRtaW46czNjcmV0"));
    assert_eq!(inst[0]["url"], redis.url().as_str());
}

#[test]
fn host_port_database_and_password_flags_build_the_url_rq_dashboard_builds() {
    let dir = tempfile::tempdir().expect("tmp");
    let rport = free_port();
    let _redis = redis_with_password(dir.path(), rport);
    let p = rport.to_string();
    let args = ["-H", "127.0.0.1", "-P", &p, "-D", "3", "--redis-password", "p@ss w"];
    let dash = Dash::start(dir.path(), &args, &[], "/api/v1/instances");
    let inst = dash.instances("", None);
    assert_eq!(inst[0]["url"], format!("redis://:***@127.0.0.1:{rport}/3"));
    assert_eq!(inst[0]["ok"], true, "the password reached Redis");
    // The same through rq-dashboard's variables.
    let env = [
        ("RQ_DASHBOARD_REDIS_HOST", "127.0.0.1"),
        ("RQ_DASHBOARD_REDIS_PORT", p.as_str()),
        ("RQ_DASHBOARD_REDIS_DATABASE", "3"),
        ("RQ_DASHBOARD_REDIS_PASSWORD", "p@ss w"),
    ];
    let dash = Dash::start(dir.path(), &[], &env, "/api/v1/instances");
    assert_eq!(dash.instances("", None)[0]["ok"], true);
    // A settings file's RQ_DASHBOARD_REDIS_PASSWORD fills in a URL that carries none.
    let cfg = dir.path().join("pw.cfg");
    std::fs::write(&cfg, "RQ_DASHBOARD_REDIS_PASSWORD = 'p@ss w'\n").expect("write");
    let url = format!("redis://127.0.0.1:{rport}/3");
    let env = [("RQ_DASHBOARD_SETTINGS", cfg.to_str().expect("utf-8"))];
    let dash = Dash::start(dir.path(), &["-u", &url], &env, "/api/v1/instances");
    assert_eq!(dash.instances("", None)[0]["ok"], true);
}

#[test]
fn sentinel_flags_build_a_sentinel_url() {
    let dir = tempfile::tempdir().expect("tmp");
    let args = ["--redis-sentinels", "127.0.0.1:1,127.0.0.1:2", "--redis-master-name", "mymaster", "-D", "2"];
    let dash = Dash::start(dir.path(), &args, &[], "/api/v1/instances");
    assert_eq!(dash.url(), "redis+sentinel://127.0.0.1:1,127.0.0.1:2/mymaster/2");
    let (code, err) = refused(dir.path(), &["--redis-sentinels", "127.0.0.1:1"], &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--redis-sentinels needs --redis-master-name"), "{err}");
}

#[test]
fn the_command_line_wins_over_the_environment_which_wins_over_the_settings() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("s.py"), "RQ_DASHBOARD_REDIS_URL = 'redis://settings:1'\n")
        .expect("write");
    let env = [("RQ_DASHBOARD_REDIS_URL", "redis://env:2")];
    let start =
        |args: &[&str], env: &[(&str, &str)]| Dash::start(dir.path(), args, env, "/api/v1/instances").url();
    assert_eq!(start(&["-c", "s"], &[]), "redis://settings:1");
    assert_eq!(start(&["-c", "s"], &env), "redis://env:2");
    assert_eq!(start(&["-c", "s", "-u", "redis://flag:3"], &env), "redis://flag:3");
    // rq-dashboard's parts on the command line are the command line too.
    assert_eq!(start(&["-c", "s", "-H", "parts", "-P", "4"], &env), "redis://parts:4");
    assert_eq!(start(&["-c", "s"], &[("RQ_DASHBOARD_REDIS_HOST", "envparts")]), "redis://envparts");
    // From variables, the parts yield to a URL variable.
    assert_eq!(start(&["-c", "s"], &[env[0], ("RQ_DASHBOARD_REDIS_HOST", "envparts")]), "redis://env:2");
}

#[test]
fn each_flag_without_a_meaning_here_starts_the_dashboard_with_a_warning_naming_it() {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().expect("tmp");
    let u = redis.url();
    let args = ["-u", &u, "--web-background", "#fff", "--delete-jobs", "1", "-j", "--extra-path", "/x"];
    let dash = Dash::start(dir.path(), &args, &[], "/api/v1/instances");
    let err = dash.stderr();
    for flag in ["--web-background", "--delete-jobs", "-j/--json", "--extra-path"] {
        assert!(err.contains(&format!("warning: {flag} is ignored")), "{flag}: {err}");
    }
    let dash = Dash::start(dir.path(), &["-u", &u, "-H", "elsewhere"], &[], "/api/v1/instances");
    assert!(dash.stderr().contains("-H/-P/-D/--redis-sentinels/--redis-master-name are ignored"));
    assert_eq!(dash.url(), u);
    std::fs::write(
        dir.path().join("w.py"),
        format!("RQ_DASHBOARD_REDIS_URL = '{u}'\nWEB_BACKGROUND = 'red'\n"),
    )
    .expect("write");
    let dash = Dash::start(dir.path(), &["-c", "w", "--show-full-args", "--interval", "3000"], &[], "/");
    assert!(dash.stderr().contains("w.py:2: WEB_BACKGROUND is ignored"), "{}", dash.stderr());
}
