//! contrib/nginx.conf: every path the URL-prefix tests use reaches rqdash unchanged through one
//! of its locations (chosen as nginx chooses), with Host forwarded and event streams unbuffered.

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

use crate::api_basics::{plant_job, plant_queue};
use crate::support::{PREFIX_PAGES, RedisServer, TestApp};

use super::read;

/// A block or a directive: its words, and for a block what it holds.
#[derive(Debug, Default)]
struct Node {
    words: Vec<String>,
    children: Vec<Node>,
}

impl Node {
    fn name(&self) -> &str {
        self.words.first().map_or("", String::as_str)
    }

    /// The arguments of this block's `name` directives.
    fn values(&self, name: &str) -> Vec<String> {
        self.children
            .iter()
            .filter(|c| c.name() == name && c.children.is_empty())
            .map(|c| c.words[1..].join(" "))
            .collect()
    }

    fn blocks<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> {
        self.children.iter().filter(move |c| c.name() == name)
    }
}

/// nginx's syntax as the example uses it: words, `;`, `{`, `}`, `#` comments, quoted strings.
fn parse(text: &str) -> Node {
    let mut stack = vec![Node::default()];
    let mut words: Vec<String> = Vec::new();
    for line in text.lines() {
        let mut word = String::new();
        let mut quoted = false;
        for ch in line.chars() {
            match ch {
                '"' => {
                    quoted = !quoted;
                    word.push(ch);
                }
                _ if quoted => word.push(ch),
                '#' => break,
                ';' | '{' | '}' | ' ' | '\t' => {
                    if !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                    match ch {
                        ';' => {
                            let node = Node { words: std::mem::take(&mut words), children: vec![] };
                            stack.last_mut().expect("open block").children.push(node);
                        }
                        '{' => stack.push(Node { words: std::mem::take(&mut words), children: vec![] }),
                        '}' => {
                            let done = stack.pop().expect("balanced braces");
                            stack.last_mut().expect("balanced braces").children.push(done);
                        }
                        _ => {}
                    }
                }
                _ => word.push(ch),
            }
        }
        if !word.is_empty() {
            words.push(word);
        }
    }
    assert_eq!(stack.len(), 1, "unbalanced braces");
    stack.pop().expect("root")
}

/// The location nginx picks for `path`: an exact `=` match, else the longest prefix (the example
/// has no regex locations; this checker refuses them rather than guess).
fn location<'a>(server: &'a Node, path: &str) -> Option<&'a Node> {
    let locs: Vec<&Node> = server.blocks("location").collect();
    for l in &locs {
        assert!(!l.words[1].starts_with('~'), "regex location {:?}: extend this checker", l.words);
    }
    let exact = locs.iter().find(|l| l.words.len() == 3 && l.words[1] == "=" && l.words[2] == path);
    exact.copied().or_else(|| {
        let prefix = |l: &&&Node| {
            l.words.last().filter(|p| l.words[1] != "=" && path.starts_with(p.as_str())).map(String::len)
        };
        locs.iter().filter(|l| prefix(l).is_some()).max_by_key(|l| prefix(l)).copied()
    })
}

fn server() -> (Node, Node) {
    let root = parse(&read("contrib/nginx.conf"));
    let mut servers = root.children.into_iter().filter(|n| n.name() == "server" || n.name() == "upstream");
    let upstream = servers.next().expect("an upstream block");
    let server = servers.next().expect("a server block");
    assert_eq!((upstream.name(), server.name()), ("upstream", "server"));
    (upstream, server)
}

/// The paths the URL-prefix tests request (pages, assets, API) and the probes and streams.
fn prefixed_paths() -> Vec<&'static str> {
    let more = [
        "/rq",
        "/rq/static/app.css",
        "/rq/static/app.js",
        "/rq/api/v1/queues",
        "/rq/events",
        "/rq/healthz",
        "/rq/readyz",
        "/rq/metrics",
    ];
    PREFIX_PAGES.iter().copied().chain(more).collect()
}

#[tokio::test]
async fn the_nginx_example_routes_every_prefixed_path_to_rqdash_unchanged_with_the_host_forwarded() {
    let (upstream, server) = server();
    assert_eq!(upstream.words[1], "rqdash");
    assert_eq!(upstream.values("server"), ["127.0.0.1:9181"], "rqdash's default address");
    // Host as the browser sent it (port included): rqdash compares it with Origin for CSRF.
    assert!(server.values("proxy_set_header").contains(&"Host $http_host".to_owned()));
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    plant_job(&mut con, "abc", "queued", "default");
    let _: () = redis::cmd("RPUSH").arg("rq:queue:default").arg("abc").query(&mut con).expect("RPUSH");
    let app = TestApp::with_args(&[r.url()], &["--url-prefix", "/rq"]);
    for path in prefixed_paths() {
        let loc = location(&server, path).unwrap_or_else(|| panic!("{path}: no location routes it"));
        // No URI part: nginx passes the path as is, and rqdash serves the prefix itself.
        assert_eq!(loc.values("proxy_pass"), ["http://rqdash"], "{path}");
        // A location's own proxy_set_header would drop the server's (nginx inherits all or none).
        assert!(loc.values("proxy_set_header").is_empty(), "{path}: Host would not be forwarded");
        let req = Request::builder().uri(path).body(Body::empty()).expect("request");
        let res = app.router.clone().oneshot(req).await.expect("response");
        assert_eq!(res.status(), 200, "{path} through {:?}", loc.words);
    }
    for outside in ["/", "/api/v1/queues", "/rqx/"] {
        assert!(location(&server, outside).is_none(), "{outside} is not rqdash's");
    }
}

#[tokio::test]
async fn event_streams_go_through_nginx_unbuffered_and_stay_open_for_an_hour() {
    let (_, server) = server();
    for path in ["/rq/events", "/rq/api/v1/tasks/7/events"] {
        let loc = location(&server, path).unwrap_or_else(|| panic!("{path}: no location"));
        assert_eq!(loc.values("proxy_buffering"), ["off"], "{path}");
        assert_eq!(loc.values("proxy_cache"), ["off"], "{path}");
        let timeout = loc.values("proxy_read_timeout");
        assert!(
            matches!(timeout.first().map(String::as_str), Some("1h" | "3600" | "3600s")),
            "{path}: {timeout:?}"
        );
    }
    // And rqdash asks any nginx, configured so or not, not to buffer them.
    let r = RedisServer::start();
    let app = TestApp::with_args(&[r.url()], &["--url-prefix", "/rq"]);
    let req = Request::builder().uri("/rq/events").body(Body::empty()).expect("request");
    let res = app.router.clone().oneshot(req).await.expect("response");
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    assert_eq!(res.headers()["x-accel-buffering"], "no");
}
