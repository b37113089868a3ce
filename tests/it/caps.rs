//! Hostile sizes and names: a 50 MB description and zlib bombs give bounded pages and answers
//! that say what was cut; "show all" is bounded too; search keeps its time budget over huge
//! values; bidi controls in names are shown, not obeyed.

use std::io::Write as _;
use std::time::Instant;

use base64::Engine;
use redis::Commands;
use serde_json::Value;

use crate::api_basics::{plant_job, plant_queue};
use crate::support::{FAR, RedisServer, TestApp, seg};

/// What the job page and the job API answer may weigh, whatever is in Redis (README).
const ANSWER_MAX: usize = 1 << 20;
const DESCRIPTION_LEN: usize = 50 << 20;

/// zlib of `mb` MB of NUL bytes: about 1000:1, the shape of the bomb found in `exc_info`.
fn zlib_bomb(mb: usize) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..mb {
        z.write_all(&chunk).expect("zlib");
    }
    z.finish().expect("zlib")
}

/// A pickle (protocol 4) of `n` NUL bytes: `b'\x00...'`, four times longer as text.
fn pickled_bytes(n: usize) -> Vec<u8> {
    let mut p = vec![0x80, 4, b'B'];
    p.extend(u32::try_from(n).expect("small").to_le_bytes());
    p.extend(std::iter::repeat_n(0u8, n));
    p.push(b'.');
    p
}

/// Job `huge`: a 50 MB description, a stream with a success returning 4 MB of bytes and then
/// a failure whose traceback is a zlib bomb. Job `bomb`: a zlib bomb in the hash's `exc_info`.
fn plant_huge(con: &mut redis::Connection) {
    let b64 = base64::engine::general_purpose::STANDARD;
    let bomb = zlib_bomb(64);
    assert!(bomb.len() < 100_000, "a bomb: {} bytes", bomb.len());
    plant_queue(con, "default");
    plant_job(con, "huge", "failed", "default");
    let description = format!("tasks.f('{}')", "x".repeat(DESCRIPTION_LEN - 11));
    let _: () = con.hset("rq:job:huge", "description", description).expect("HSET");
    let _: () = redis::cmd("XADD")
        .arg("rq:results:huge")
        .arg("*")
        .arg("type")
        .arg("1")
        .arg("return_value")
        .arg(b64.encode(pickled_bytes(4 << 20)))
        .query(con)
        .expect("XADD");
    let _: () = redis::cmd("XADD")
        .arg("rq:results:huge")
        .arg("*")
        .arg("type")
        .arg("2")
        .arg("exc_string")
        .arg(b64.encode(&bomb))
        .query(con)
        .expect("XADD");
    plant_job(con, "bomb", "failed", "default");
    let _: () = con.hset("rq:job:bomb", "exc_info", &bomb).expect("HSET");
    let _: () = con.zadd("rq:failed:default", "huge", FAR).expect("ZADD");
    let _: () = con.zadd("rq:failed:default", "bomb", FAR + 1).expect("ZADD");
}

fn cut_fields(v: &Value) -> Vec<String> {
    v["cut"].as_array().into_iter().flatten().filter_map(|c| c["field"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn a_fifty_megabyte_description_and_zlib_bombs_give_a_job_page_and_answer_under_a_megabyte_that_say_what_was_cut()
 {
    let r = RedisServer::start();
    plant_huge(&mut r.conn());
    let app = TestApp::new(&r.url());
    for id in ["huge", "bomb"] {
        let api = app.get(&format!("/api/v1/jobs/{id}")).await;
        assert_eq!(api.status, 200, "{id}");
        assert!(api.body.len() < ANSWER_MAX, "{id}: the API answer weighs {} bytes", api.body.len());
        let page = app.get(&format!("/jobs/{id}")).await;
        assert_eq!(page.status, 200, "{id}");
        assert!(page.body.len() < ANSWER_MAX, "{id}: the page weighs {} bytes", page.body.len());
        assert!(page.text().contains("show all (over 8.0 MB)"), "{id}: the bomb's link says what it holds");
        let v = api.json();
        let exc = v["cut"].as_array().into_iter().flatten().find(|c| c["field"] == "exc_info").cloned();
        let exc = exc.unwrap_or_else(|| panic!("{id}: exc_info is listed as cut: {:?}", cut_fields(&v)));
        assert_eq!((exc["item"].as_str(), exc["at_least"].as_bool()), (Some("exc"), Some(true)), "{exc}");
        assert!(v["exc_info"].as_str().is_some_and(|t| t.starts_with('\0') && t.ends_with('…')));
    }
    let v = app.get_json("/api/v1/jobs/huge").await;
    let cut = cut_fields(&v);
    for field in ["description", "exc_info", "results[0].exc_string", "results[1].return_value", "result"] {
        assert!(cut.iter().any(|c| c == field), "{field} is listed as cut: {cut:?}");
    }
    let d = v["cut"].as_array().into_iter().flatten().find(|c| c["field"] == "description").cloned();
    assert_eq!(d.map(|d| d["len"].clone()), Some(Value::from(DESCRIPTION_LEN)));
    assert!(v["description"].as_str().is_some_and(|d| d.starts_with("tasks.f('xxx") && d.len() < 70_000));
    let html = app.get("/jobs/huge").await.text();
    assert!(html.contains("show all (50.0 MB)"), "the description links to all of it");
    assert!(html.contains("item=description"));
}

#[tokio::test]
async fn show_all_serves_at_most_eight_megabytes_of_a_value_and_says_where_it_stopped() {
    let r = RedisServer::start();
    plant_huge(&mut r.conn());
    let app = TestApp::new(&r.url());
    let max = 8 << 20;
    for (id, item, cut) in [
        ("huge", "description", DESCRIPTION_LEN.to_string()),
        ("huge", "exc", format!(">{max}")),
        ("huge", "exc:0", format!(">{max}")),
        ("bomb", "exc", format!(">{max}")),
        ("huge", "result", ((4 << 20) + 8usize).div_ceil(3).saturating_mul(4).to_string()),
    ] {
        let full = app.get(&format!("/jobs/{id}/full?item={item}")).await;
        assert_eq!(full.status, 200, "{id} {item}: {}", full.text().get(..200).unwrap_or_default());
        assert!(full.body.len() <= max + 200, "{id} {item}: {} bytes", full.body.len());
        assert!(full.body.len() >= max, "{id} {item}: as much as the cap allows: {} bytes", full.body.len());
        assert_eq!(full.headers.get("x-rqdash-cut").and_then(|h| h.to_str().ok()), Some(cut.as_str()));
        assert!(full.text().trim_end().ends_with("Read it from Redis.]"), "{id} {item}: says why it stops");
    }
    let whole = app.get("/jobs/huge/full?item=raw:status").await;
    assert_eq!((whole.status.as_u16(), whole.text()), (200, "failed".to_owned()));
    assert!(whole.headers.get("x-rqdash-cut").is_none());
}

/// The 50 MB description among 3,000 small failed jobs.
fn plant_search_data(con: &mut redis::Connection) {
    plant_queue(con, "big");
    let mut p = redis::pipe();
    for i in 0..3000 {
        let id = format!("small-{i:04}");
        p.cmd("HSET").arg(format!("rq:job:{id}")).arg("status").arg("failed").arg("origin").arg("big");
        p.arg("description").arg(format!("tasks.send_email({i})")).arg("data").arg("x").ignore();
        p.cmd("ZADD").arg("rq:failed:big").arg(FAR + i).arg(&id).ignore();
    }
    let _: () = p.query(con).expect("plant");
    let description = format!("tasks.send_email({})", "word ".repeat(DESCRIPTION_LEN / 5));
    let _: () = con
        .hset_multiple("rq:job:huge", &[("status", "failed"), ("origin", "big"), ("data", "x")])
        .expect("HSET");
    let _: () = con.hset("rq:job:huge", "description", description).expect("HSET");
    let _: () = con.zadd("rq:failed:big", "huge", FAR + 1500).expect("ZADD");
}

#[tokio::test]
async fn a_search_over_a_fifty_megabyte_description_keeps_its_budget_and_a_500_word_query_is_refused() {
    let r = RedisServer::start();
    plant_search_data(&mut r.conn());
    let app = TestApp::new(&r.url());
    let words: Vec<String> = (0..500).map(|i| format!("nomatch{i}")).collect();
    let t = Instant::now();
    let long = app.get(&format!("/api/v1/search?q={}", seg(&words.join(" ")))).await;
    assert_eq!(long.status, 400, "{}", long.text());
    assert!(long.text().contains("at most 2048"), "{}", long.text());
    let many = app.get(&format!("/api/v1/search?q={}", seg(&["w"; 60].join(" ")))).await;
    assert_eq!(many.status, 400, "{}", many.text());
    assert!(many.text().contains("at most 50"), "{}", many.text());
    assert!(t.elapsed().as_secs_f64() < 1.0, "refused at once");
    // 50 words, none found: every job is judged on all of them, the huge one included.
    let q = seg(&words[..50].join(" "));
    let (mut cursor, mut requests, mut slowest, mut stops) = (String::new(), 0, 0.0f64, Vec::new());
    loop {
        let t = Instant::now();
        let v = app.get_json(&format!("/api/v1/search?q={q}&cursor={}", seg(&cursor))).await;
        slowest = slowest.max(t.elapsed().as_secs_f64());
        requests += 1;
        assert_eq!(v["hits"].as_array().map(Vec::len), Some(0));
        if v["done"] == true {
            assert!(v["stopped_by"].is_null());
            assert_eq!(v["scanned"], 3001);
            break;
        }
        stops.push(v["stopped_by"].as_str().unwrap_or("none").to_owned());
        cursor = v["cursor"].as_str().expect("cursor").to_owned();
        assert!(requests < 200, "the scan moves on");
    }
    eprintln!("{requests} requests, slowest {slowest:.2} s, stopped by {stops:?}");
    assert!(slowest < 2.0, "each request within its budget (and slack for this machine): {slowest:.2} s");
    assert!(stops.iter().all(|s| s == "time" || s == "ids"), "a cut page says why: {stops:?}");
}

/// The text a browser shows: tags and their attributes left out.
fn visible_text(html: &str) -> String {
    let (mut out, mut in_tag, mut quote) = (String::new(), false, None);
    for c in html.chars() {
        match (in_tag, quote, c) {
            (true, Some(q), c) if c == q => quote = None,
            (true, Some(_), _) => {}
            (true, None, '"' | '\'') => quote = Some(c),
            (true, None, '>') => in_tag = false,
            (true, None, _) => {}
            (false, _, '<') => in_tag = true,
            (false, _, c) => out.push(c),
        }
    }
    out
}

#[tokio::test]
async fn a_queue_and_a_job_named_with_a_right_to_left_override_are_shown_escaped() {
    let r = RedisServer::start();
    let mut con = r.conn();
    let (queue, id) = ("evil\u{202e}txt.exe", "job\u{202e}fdp.sh");
    plant_queue(&mut con, queue);
    plant_job(&mut con, id, "queued", queue);
    let _: () = con.hset(format!("rq:job:{id}"), "worker_name", "w\u{2067}1").expect("HSET");
    let _: () = con.rpush(format!("rq:queue:{queue}"), id).expect("RPUSH");
    let app = TestApp::new(&r.url());
    for path in ["/".to_owned(), format!("/queues/{}", seg(queue)), format!("/jobs/{}", seg(id))] {
        let page = app.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        let html = page.text();
        let text = visible_text(&html);
        let raw =
            text.char_indices().find(|(_, c)| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'));
        assert!(raw.is_none(), "{path}: {:?}", raw.map(|(i, _)| text.get(i.saturating_sub(80)..i + 20)));
        assert!(html.contains(r#"<span class="bidi""#) && text.contains(r"evil\u{202e}txt.exe"), "{path}");
        if path.starts_with("/jobs") {
            assert!(text.contains(r"job\u{202e}fdp.sh") && text.contains(r"w\u{2067}1"), "{path}");
        }
    }
    let v = app.get_json(&format!("/api/v1/jobs/{}", seg(id))).await;
    assert_eq!((v["id"].as_str(), v["origin"].as_str()), (Some(id), Some(queue)), "JSON keeps the raw names");
}

#[tokio::test]
async fn a_search_out_of_time_inside_a_chunk_stops_at_the_id_it_reached_and_the_next_pages_find_every_hit_once()
 {
    use rqdash::store::search::{Budget, Stop, search};
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "q");
    let mut p = redis::pipe();
    for i in 0..300 {
        let id = format!("j{i:03}");
        let desc = if i % 10 == 0 { format!("tasks.hit({i})") } else { format!("tasks.miss({i})") };
        p.cmd("HSET").arg(format!("rq:job:{id}")).arg("status").arg("failed").arg("description").arg(desc);
        p.ignore().cmd("ZADD").arg("rq:failed:q").arg(FAR + i).arg(&id).ignore();
    }
    let _: () = p.query(&mut con).expect("plant");
    let store = crate::search::store(&r);
    let inst = store.instance(0).expect("instance");
    let q = crate::search::query("desc:hit");
    // No time at all: each page judges its first batch of ids, then stops, inside the chunk.
    let budget = Budget { max_time: std::time::Duration::ZERO, ..Budget::default() };
    let (mut cursor, mut found, mut pages, mut scanned) = (None::<String>, Vec::new(), 0, 0);
    loop {
        let page = search(inst, &q, cursor.as_deref(), budget).await.expect("search");
        pages += 1;
        assert!(
            page.scanned - scanned <= 50,
            "stopped inside the chunk of 300: {} more",
            page.scanned - scanned
        );
        scanned = page.scanned;
        found.extend(page.hits.iter().map(|h| h.job.id.clone()));
        if page.done {
            break;
        }
        assert_eq!(page.stopped_by, Some(Stop::Time), "a cut page says why");
        cursor = page.cursor;
    }
    assert!(pages > 2, "{pages} pages");
    let mut unique = found.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((found.len(), unique.len()), (30, 30), "every hit once: {found:?}");
}
