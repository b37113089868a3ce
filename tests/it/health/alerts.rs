//! Health alerts against a local HTTP receiver: one POST per change of verdict, a retry after a
//! 500, nothing sent again after a restart, and one sender among replicas (the lease in Redis).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::store;
use rqdash::health::alerter::{Alerter, Hook};
use rqdash::store::{Store, verdict};

use crate::support::{RedisServer, Rq};

/// A webhook receiver: records every body, answers the scripted statuses, then 200.
#[derive(Clone, Default)]
pub(super) struct Receiver {
    bodies: Arc<Mutex<Vec<Value>>>,
    statuses: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    pub(super) async fn start(statuses: &[u16]) -> (Self, String) {
        let me = Self::default();
        me.statuses.lock().expect("lock").extend(statuses);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/hooks/secret", listener.local_addr().expect("addr"));
        let rx = me.clone();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Read the head, then Content-Length bytes of body.
                let body = loop {
                    let n = s.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break None;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).into_owned();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let len: usize = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().to_owned())
                            })
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0);
                        if body.len() >= len {
                            break Some(body.to_owned());
                        }
                    }
                };
                let status = rx.statuses.lock().expect("lock").pop_front().unwrap_or(200);
                if let Some(b) = body {
                    rx.bodies.lock().expect("lock").push(serde_json::from_str(&b).expect("JSON body"));
                }
                let _ =
                    s.write_all(format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n").as_bytes()).await;
            }
        });
        (me, url)
    }

    pub(super) fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().expect("lock").clone()
    }
}

pub(super) fn alerter(hooks: Vec<Hook>) -> Alerter {
    let mut a = Alerter::new(hooks, Duration::from_secs(30));
    a.backoff = Duration::from_millis(20);
    a.attempts = 3;
    a
}

/// Judge instance 0 now and let `a` act on it; true when it sent something (delivery awaited).
pub(super) async fn tick(s: &Store, a: &Alerter) -> bool {
    let inst = s.instance(0).expect("instance");
    let r = verdict::report(inst, &Default::default(), &Default::default()).await.expect("report");
    match a.tick(s, &r).await.expect("tick") {
        Some(h) => {
            h.await.expect("delivery");
            true
        }
        None => false,
    }
}

#[tokio::test]
async fn a_change_of_verdict_is_posted_once_retried_after_a_500_and_not_resent_after_a_restart() {
    let r = RedisServer::start();
    let s = store(&r);
    let (rx, url) = Receiver::start(&[500]).await;
    let a = alerter(vec![Hook::Json(url)]);
    assert!(!tick(&s, &a).await, "all ok at first: nothing to say");
    let rq = Rq::new("2.12.0", &r);
    rq.py("Queue('orders', connection=conn()).enqueue(ok, 1); out(1)");
    assert!(tick(&s, &a).await);
    let bodies = rx.bodies();
    assert_eq!(bodies.len(), 2, "a 500, then the retry: {bodies:#?}");
    assert_eq!(bodies[0], bodies[1]);
    let change = &bodies[1]["changes"][0];
    assert_eq!(
        (change["queue"].as_str(), change["from"].as_str(), change["to"].as_str()),
        (Some("orders"), Some("ok"), Some("critical"))
    );
    assert_eq!(change["reasons"][0]["text"], "1 job queued and no worker listens");
    assert_eq!(
        (bodies[1]["source"].as_str(), bodies[1]["verdict"].as_str()),
        (Some("rqdash"), Some("critical"))
    );
    assert!(!tick(&s, &a).await, "the same verdict is not sent twice");
    // A restart: a new process (new owner id) once the old lease is gone, same Redis.
    let _: () = redis::cmd("DEL").arg("rqdash:health:lease").query(&mut r.conn()).expect("DEL");
    let restarted = alerter(a.hooks.clone());
    assert!(!tick(&s, &restarted).await, "what was sent is kept in Redis");
    rq.burst(&["orders"]);
    assert!(tick(&s, &restarted).await, "back to ok is a change");
    let bodies = rx.bodies();
    assert_eq!(bodies.len(), 3);
    assert_eq!(
        (bodies[2]["changes"][0]["from"].as_str(), bodies[2]["changes"][0]["to"].as_str()),
        (Some("critical"), Some("ok"))
    );
}

#[tokio::test]
async fn a_second_replica_sends_nothing_while_the_first_holds_the_lease() {
    let r = RedisServer::start();
    let s = store(&r);
    let (rx, url) = Receiver::start(&[]).await;
    let (slack_rx, slack) = Receiver::start(&[]).await;
    let first = alerter(vec![Hook::Json(url.clone()), Hook::Slack(slack)]);
    let second = alerter(vec![Hook::Json(url)]);
    assert!(!tick(&s, &first).await);
    assert!(!tick(&s, &second).await);
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory-policy")
        .arg("allkeys-lru")
        .query(&mut r.conn())
        .expect("CONFIG");
    assert!(!tick(&s, &second).await, "not the lease holder");
    assert!(tick(&s, &first).await);
    assert!(!tick(&s, &second).await);
    assert!(!tick(&s, &first).await);
    assert_eq!(rx.bodies().len(), 1, "one POST for one change, from one replica");
    assert_eq!(rx.bodies()[0]["changes"][0]["queue"], Value::Null, "an instance-wide change");
    let text = slack_rx.bodies()[0]["text"].as_str().unwrap_or_default().to_owned();
    assert!(
        text.ends_with("WARNING Redis instance is warning (was ok): Redis maxmemory-policy is allkeys-lru: Redis may evict job data (use noeviction)"),
        "{text}"
    );
    assert_eq!(slack_rx.bodies()[0].as_object().map(|o| o.len()), Some(1), "Slack gets {{\"text\"}} only");
}
