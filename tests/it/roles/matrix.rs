//! The permission matrix, generated from the route rules the server enforces
//! (`rqdash::web::authz::RULES`): every route × every kind of caller.

use rqdash::auth::Role;
use rqdash::auth::need::action_role;
use rqdash::web::authz::{Need, RULES, Rule};

use super::{TOKEN, basic, call, users_file};
use crate::support::TestApp;
use crate::support::fixture::Fixture;
use crate::support::probe::digest;

/// One kind of caller: its headers, address, and the role it should get (None: 401).
struct Caller {
    label: &'static str,
    headers: Vec<(String, String)>,
    addr: &'static str,
    role: Option<Role>,
    read_only_app: bool,
}

fn callers() -> Vec<Caller> {
    let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    };
    let auth = |v: String| vec![("authorization".to_owned(), v)];
    let proxy = h(&[("x-forwarded-user", "pat@example.com"), ("x-forwarded-groups", "staff, ops-admins")]);
    vec![
        Caller { label: "anonymous", headers: vec![], addr: "127.0.0.1", role: None, read_only_app: false },
        Caller {
            label: "viewer",
            headers: auth(basic("vera", "pw-vera")),
            addr: "127.0.0.1",
            role: Some(Role::Viewer),
            read_only_app: false,
        },
        Caller {
            label: "operator",
            headers: auth(basic("otto", "pw-otto")),
            addr: "127.0.0.1",
            role: Some(Role::Operator),
            read_only_app: false,
        },
        Caller {
            label: "admin",
            headers: auth(basic("ada", "pw-ada")),
            addr: "127.0.0.1",
            role: Some(Role::Admin),
            read_only_app: false,
        },
        Caller {
            label: "token",
            headers: auth(format!("Bearer {}", TOKEN.1)),
            addr: "127.0.0.1",
            role: Some(Role::Operator),
            read_only_app: false,
        },
        Caller {
            label: "trusted proxy",
            headers: proxy.clone(),
            addr: "10.1.2.3",
            role: Some(Role::Admin),
            read_only_app: false,
        },
        Caller {
            label: "proxy user in no group",
            headers: h(&[("x-forwarded-user", "sam")]),
            addr: "10.1.2.3",
            role: Some(Role::Viewer),
            read_only_app: false,
        },
        Caller {
            label: "untrusted proxy",
            headers: proxy,
            addr: "192.168.7.7",
            role: None,
            read_only_app: false,
        },
        Caller {
            label: "read-only admin",
            headers: auth(basic("ada", "pw-ada")),
            addr: "127.0.0.1",
            role: Some(Role::Viewer),
            read_only_app: true,
        },
    ]
}

/// Concrete requests for a rule: its path with parameters filled in, the action, the body.
fn requests(rule: &Rule) -> Vec<(String, String, String)> {
    let fill = |p: &str| {
        p.replace("{queue}", "default")
            .replace("{id}", "fail-zero")
            .replace("{name}", "w1")
            .replace("{key}", "k")
            .replace("{n}", "0")
            .replace("{registry}", "failed")
            .replace("{per_page}", "10")
            .replace("{order}", "asc")
            .replace("{page}", "1")
            .replace("{*path}", "app.css")
            .replace("{*rest}", "nothing")
    };
    let samples: &[&str] = match rule.need {
        Need::Read => &[""],
        Need::Act(a) => return vec![(fill(rule.path), a.to_owned(), String::new())],
        Need::PathAction("command") => &["shutdown", "kill-horse"],
        Need::PathAction(_) | Need::BodyAction => &["requeue", "cancel", "delete"],
    };
    samples
        .iter()
        .map(|a| match rule.need {
            Need::PathAction(p) => {
                (fill(rule.path).replace(&format!("{{{p}}}"), a), (*a).to_owned(), String::new())
            }
            Need::BodyAction => {
                (fill(rule.path), (*a).to_owned(), format!(r#"{{"action":"{a}","ids":["fail-zero"]}}"#))
            }
            _ => (fill(rule.path), String::new(), String::new()),
        })
        .collect()
}

#[tokio::test]
async fn every_route_answers_every_kind_of_caller_as_its_rule_says_and_refusals_change_nothing() {
    let f = Fixture::get("2.12.0");
    let server = f.server();
    let mut con = server.conn();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = users_file(&dir);
    let flags = [
        "--users-file",
        &file,
        "--auth-proxy-header",
        "X-Forwarded-User",
        "--auth-proxy-groups-header",
        "X-Forwarded-Groups",
        "--auth-proxy-role",
        "admin=ops-admins",
        "--trusted-proxy",
        "10.0.0.0/8",
    ];
    let app = TestApp::with_args(&[server.url()], &flags);
    let ro = TestApp::with_args(&[server.url()], &[&flags[..], &["--read-only"]].concat());
    let (mut refused, mut allowed) = (0, 0);
    for rule in RULES {
        for (path, action, body) in requests(rule) {
            for c in callers() {
                let target = if c.read_only_app { &ro } else { &app };
                let before = digest(&mut con);
                let (status, text) = call(target, rule.method, &path, &c.headers, c.addr, &body).await;
                let what = format!("{} {path} {action:?} as {}: {status} {text}", rule.method, c.label);
                let Some(role) = c.role else {
                    assert_eq!(status, 401, "{what}");
                    assert_eq!(digest(&mut con), before, "{what}: data changed");
                    continue;
                };
                let need = if rule.need == Need::Read { Role::Viewer } else { action_role(&action) };
                if role >= need {
                    assert!(![401, 403].contains(&status), "{what}: should be allowed");
                    allowed += 1;
                } else {
                    assert_eq!(status, 403, "{what}: should be refused");
                    let named =
                        text.contains(&format!("needs the {need} role")) || text.contains("read-only");
                    assert!(named, "{what}: the refusal names the role");
                    assert_eq!(digest(&mut con), before, "{what}: data changed");
                    refused += 1;
                }
            }
        }
    }
    assert!(refused > 100 && allowed > 300, "refused {refused}, allowed {allowed}");
}
