//! Managed-Redis shapes: TLS with a private CA, and Sentinel with a failover.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use redis::Commands;

use crate::support::TestApp;
use crate::support::served::{Served, free_port};

fn redis(args: &[&str], dir: &Path) -> Served {
    let child = Command::new("redis-server")
        .args(args)
        .args(["--save", "", "--appendonly", "no", "--bind", "127.0.0.1"])
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server");
    Served(child)
}

fn wait_for(url: &str) -> redis::Connection {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut c) = redis::Client::open(url).and_then(|c| c.get_connection())
            && redis::cmd("PING").query::<String>(&mut c).is_ok()
        {
            return c;
        }
        assert!(Instant::now() < deadline, "{url} did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn eventually_has_queue(app: &TestApp, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = app.get("/api/v1/queues").await;
        if r.status == 200 && r.text().contains(name) {
            return;
        }
        assert!(Instant::now() < deadline, "queue {name} never appeared: {} {}", r.status, r.text());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let ok = Command::new("openssl").args(args).current_dir(dir).stderr(Stdio::null()).status();
    assert!(ok.is_ok_and(|s| s.success()), "openssl {args:?}");
}

#[tokio::test]
async fn rediss_with_a_private_ca_is_verified_and_an_unknown_ca_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "1",
            "-subj",
            "/CN=rqdash-test-ca",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "srv.key",
            "-out",
            "srv.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(d.join("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1").expect("ext");
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "srv.crt",
            "-days",
            "1",
            "-extfile",
            "ext.cnf",
        ],
    );
    let port = free_port();
    let _server = redis(
        &[
            "--port",
            "0",
            "--tls-port",
            &port.to_string(),
            "--tls-cert-file",
            "srv.crt",
            "--tls-key-file",
            "srv.key",
            "--tls-ca-cert-file",
            "ca.crt",
            "--tls-auth-clients",
            "no",
        ],
        d,
    );
    let url = format!("rediss://127.0.0.1:{port}/0");
    let ca = d.join("ca.crt");
    let ca = ca.to_string_lossy();
    let app = TestApp::with_args(std::slice::from_ref(&url), &["--tls-ca-file", &ca]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.get("/api/v1/queues").await.status != 200 {
        assert!(Instant::now() < deadline, "TLS with the CA never worked");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let untrusted = TestApp::new(&url);
    let r = untrusted.get("/api/v1/queues").await;
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().to_lowercase().contains("certificate"), "{}", r.text());
}

#[tokio::test]
async fn a_sentinel_url_finds_the_master_and_follows_a_failover() {
    let dir = tempfile::tempdir().expect("dir");
    let (mp, rp, sp) = (free_port(), free_port(), free_port());
    let sub = |n: &str| {
        let p = dir.path().join(n);
        std::fs::create_dir_all(&p).expect("subdir");
        p
    };
    let _master = redis(&["--port", &mp.to_string()], &sub("master"));
    let mut m = wait_for(&format!("redis://127.0.0.1:{mp}"));
    let _replica =
        redis(&["--port", &rp.to_string(), "--replicaof", "127.0.0.1", &mp.to_string()], &sub("replica"));
    wait_for(&format!("redis://127.0.0.1:{rp}"));
    let conf = dir.path().join("sentinel.conf");
    std::fs::write(
        &conf,
        format!(
            "port {sp}\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 {mp} 1\n\
             sentinel down-after-milliseconds mymaster 1000\nsentinel failover-timeout mymaster 5000\n"
        ),
    )
    .expect("conf");
    let _sentinel = Served(
        Command::new("redis-server")
            .arg(&conf)
            .arg("--sentinel")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sentinel"),
    );
    let mut s = wait_for(&format!("redis://127.0.0.1:{sp}"));
    let _: () = m.sadd("rq:queues", "rq:queue:before").expect("SADD");
    let app = TestApp::new(&format!("redis+sentinel://127.0.0.1:{sp}/mymaster/0"));
    eventually_has_queue(&app, "before").await;
    // Fail over (re-asking until the sentinel knows a good replica), then stop the old master.
    let replica_url = format!("redis://127.0.0.1:{rp}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let asked: redis::RedisResult<String> =
            redis::cmd("SENTINEL").arg("FAILOVER").arg("mymaster").query(&mut s);
        let promoted = (0..30).any(|_| {
            std::thread::sleep(Duration::from_millis(100));
            // A fresh connection each time: promotion may drop existing ones.
            redis::Client::open(replica_url.as_str())
                .and_then(|c| c.get_connection())
                .and_then(|mut c| {
                    redis::cmd("SADD").arg("rq:queues").arg("rq:queue:after").query::<i64>(&mut c)
                })
                .is_ok()
        });
        if promoted {
            break;
        }
        assert!(Instant::now() < deadline, "the replica was never promoted (sentinel said {asked:?})");
    }
    drop(_master);
    eventually_has_queue(&app, "after").await;
}
