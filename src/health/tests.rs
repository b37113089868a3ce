//! The rules on hand-made facts: thresholds at their edges, worst reason wins, rules turned off.

use super::facts::RunTimes;
use super::rules::{Failures, InstanceFacts, QueueFacts, span};
use super::*;

fn q(name: &str) -> QueueFacts {
    QueueFacts { name: name.to_owned(), listening_workers: 1, ..QueueFacts::default() }
}

fn judge(queues: Vec<QueueFacts>, instance: InstanceFacts, s: &Settings) -> Report {
    evaluate(0, &Facts { now: 1_700_000_000, queues, instance }, s)
}

#[test]
fn the_verdict_is_the_worst_reason_of_the_queue_and_of_the_instance() {
    let s = Settings::default();
    let stuck = QueueFacts { queued: 3, listening_workers: 0, oldest_age_s: Some(700), ..q("stuck") };
    let r = judge(vec![stuck, q("fine")], InstanceFacts::default(), &s);
    let stuck = r.queue("stuck").expect("judged");
    assert_eq!(stuck.verdict, Severity::Critical);
    assert_eq!(stuck.reasons.iter().map(|x| x.rule).collect::<Vec<_>>(), ["no-worker", "oldest-job"]);
    assert_eq!(r.queue("fine").map(|x| x.verdict), Some(Severity::Ok));
    assert_eq!((r.verdict, r.instance_verdict, r.counts()), (Severity::Critical, Severity::Ok, [1, 0, 1]));
}

#[test]
fn the_oldest_job_rule_fires_at_its_thresholds_exactly() {
    let s = Settings::default();
    let at = |age| {
        judge(vec![QueueFacts { oldest_age_s: Some(age), ..q("a") }], InstanceFacts::default(), &s).verdict
    };
    assert_eq!(
        [at(599), at(600), at(3599), at(3600)],
        [Severity::Ok, Severity::Warning, Severity::Warning, Severity::Critical]
    );
}

#[test]
fn a_failure_rate_needs_enough_jobs_and_a_spike_needs_a_baseline() {
    let s = Settings::default();
    let f = |finished, failed, base| QueueFacts {
        failures: Some(Failures { finished, failed, baseline_failed_per_min: base }),
        ..q("a")
    };
    let rules = |facts| {
        judge(vec![facts], InstanceFacts::default(), &s).queues[0]
            .reasons
            .iter()
            .map(|x| x.rule)
            .collect::<Vec<_>>()
    };
    assert!(rules(f(0, 9, None)).is_empty(), "9 jobs are under the 10-job minimum");
    assert_eq!(rules(f(8, 2, None)), ["failure-rate"], "20% > 10%");
    assert_eq!(rules(f(9, 1, None)), Vec::<&str>::new(), "10% is not over 10%");
    assert_eq!(rules(f(1000, 15, Some(0.1))), ["failure-spike"], "1/min against 0.1/min");
    assert_eq!(rules(f(1000, 15, Some(0.5))), Vec::<&str>::new(), "1/min is under 3 × 0.5/min");
}

#[test]
fn a_function_over_three_times_its_baseline_p95_with_enough_calls_is_slow() {
    let s = Settings::default();
    let run = |function: &str, calls, p95_s: f64, base: f64| RunTimes {
        function: function.to_owned(),
        calls,
        p95_s,
        baseline_calls: 500,
        baseline_p95_s: base,
        ratio: p95_s / base,
    };
    let reasons = |functions| {
        let r = judge(vec![QueueFacts { functions, ..q("a") }], InstanceFacts::default(), &s);
        r.queues[0].reasons.iter().map(|x| (x.rule, x.severity, x.text.clone())).collect::<Vec<_>>()
    };
    let slow = run("app.tasks.render", 40, 4.2, 1.2);
    assert_eq!(
        reasons(vec![slow.clone()]),
        [("slow-function", Severity::Warning, "app.tasks.render p95 4.2 s, 3.5× its 7-day 1.2 s".to_owned())]
    );
    assert!(reasons(vec![run("a.f", 40, 2.9, 1.0)]).is_empty(), "2.9× is under 3×");
    assert!(reasons(vec![run("a.f", 19, 9.0, 1.0)]).is_empty(), "19 calls are under the 20-call minimum");
    let thin = RunTimes { baseline_calls: 19, ..slow.clone() };
    assert!(reasons(vec![thin]).is_empty(), "so is a 19-call baseline");
    let worse = run("app.tasks.export", 25, 0.5, 0.05);
    let text = &reasons(vec![slow.clone(), run("a.fast", 40, 1.0, 1.0), worse])[0].2;
    assert_eq!(text, "app.tasks.export p95 500 ms, 10.0× its 7-day 50 ms (and 1 more function)");
    let off = Settings { off: vec![Rule::SlowFunction], ..Settings::default() };
    let r = judge(vec![QueueFacts { functions: vec![slow], ..q("a") }], InstanceFacts::default(), &off);
    assert_eq!(r.verdict, Severity::Ok, "turned off");
}

#[test]
fn instance_rules_judge_eviction_memory_and_stale_workers() {
    let s = Settings::default();
    let i = InstanceFacts {
        maxmemory_policy: Some("volatile-lru".into()),
        used_memory: Some(95),
        maxmemory: Some(100),
        stale_workers: vec!["w1".into()],
    };
    let r = judge(vec![], i.clone(), &s);
    assert_eq!(
        r.instance_reasons.iter().map(|x| x.rule).collect::<Vec<_>>(),
        ["eviction-policy", "memory", "stale-worker"]
    );
    assert_eq!(r.verdict, Severity::Critical);
    let off = Settings { off: vec![Rule::Memory], ..Settings::default() };
    assert_eq!(judge(vec![], i.clone(), &off).verdict, Severity::Warning);
    let unlimited = InstanceFacts {
        maxmemory: Some(0),
        maxmemory_policy: Some("noeviction".into()),
        stale_workers: vec![],
        ..i
    };
    assert_eq!(judge(vec![], unlimited, &s).verdict, Severity::Ok, "no maxmemory, no memory verdict");
}

#[test]
fn rule_names_and_severities_round_trip_and_spans_read_naturally() {
    for r in Rule::ALL {
        assert_eq!(Rule::parse(r.name()), Some(r));
    }
    for v in Severity::ALL {
        assert_eq!(Severity::parse(v.as_str()), Some(v));
    }
    assert_eq!(
        [span(45), span(600), span(3900), span(7200), span(200_000)],
        ["45 s", "10 min", "65 min", "2 h", "2 d 7 h"]
    );
}
