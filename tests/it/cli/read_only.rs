//! `--read-only` and `RQDASH_READ_ONLY` on the command line: every command that writes is refused
//! with exit status 4 before Redis is touched; reads keep working. Boolean variables in every
//! spelling.

use super::{rqdash_env, stderr, stdout};
use crate::support::probe::digest;
use crate::support::{Fixture, RedisServer};

/// The refusal's exit status (rqdash::cli::EXIT_READ_ONLY).
const READ_ONLY: i32 = 4;

/// One invocation of every subcommand that writes, on jobs of the fixture it would act on.
const WRITES: [&[&str]; 12] = [
    &["requeue", "fail-zero", "--yes"],
    &["requeue", "--queue", "default", "--all", "--yes"],
    &["enqueue", "sched-in-1", "--yes"],
    &["delete", "fail-custom", "--yes"],
    &["delete", "--queue", "default", "--all", "--state", "finished", "--yes"],
    &["cancel", "q-add-1", "--yes"],
    &["empty", "default", "--yes"],
    &["compact", "default", "--yes"],
    &["stop", "busy-1", "--yes"],
    &["suspend", "--yes"],
    &["resume", "--yes"],
    &["doctor", "--fix", "--yes"],
];

/// Extra arguments, whether they go before the subcommand, environment variables.
type Form = (&'static [&'static str], bool, &'static [(&'static str, &'static str)]);

fn with(args: &[&str], extra: &[&'static str], before: bool) -> Vec<String> {
    let (args, extra) = (args.iter().map(|s| (*s).to_owned()), extra.iter().map(|s| (*s).to_owned()));
    if before { extra.chain(args).collect() } else { args.chain(extra).collect() }
}

#[test]
fn read_only_refuses_every_writing_subcommand_and_leaves_redis_as_it_was() {
    let f = Fixture::get("2.12.0");
    let server = f.server();
    let mut con = server.conn();
    let before = digest(&mut con);
    // The flag after or before the subcommand, rqdash's variable, rq-dashboard's.
    let forms: [Form; 4] = [
        (&["--read-only"], false, &[]),
        (&["--read-only"], true, &[]),
        (&[], false, &[("RQDASH_READ_ONLY", "true")]),
        (&[], false, &[("RQ_DASHBOARD_DISABLE_DELETE", "True")]),
    ];
    for (flag, flag_first, env) in forms {
        for w in WRITES {
            let args = with(w, flag, flag_first);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let o = rqdash_env(&server, &args, env);
            assert_eq!(o.status.code(), Some(READ_ONLY), "{args:?} {env:?}: {}{}", stdout(&o), stderr(&o));
            assert!(stderr(&o).contains("read-only mode"), "{args:?}: {}", stderr(&o));
            assert!(stdout(&o).is_empty(), "{args:?}: {}", stdout(&o));
        }
    }
    assert_eq!(digest(&mut con), before, "a refused command changed Redis");

    // Reads are served under read-only, the flag included.
    let ro = [("RQDASH_READ_ONLY", "1")];
    for read in [
        &["queues"][..],
        &["info"],
        &["jobs", "default", "--state", "failed"],
        &["job", "fail-zero", "--read-only"],
        &["workers"],
    ] {
        let o = rqdash_env(&server, read, &ro);
        assert_eq!(o.status.code(), Some(0), "{read:?}: {}", stderr(&o));
        assert!(!stdout(&o).is_empty(), "{read:?}");
    }
    let o = rqdash_env(&server, &["doctor"], &ro);
    assert_eq!(o.status.code(), Some(3), "doctor reports the fixture's problems: {}", stderr(&o));
    assert_eq!(digest(&mut con), before, "a read changed Redis");

    // Without read-only the same invocations run (none is a usage error) and change Redis.
    for w in WRITES {
        let o = rqdash_env(&server, w, &[]);
        assert!(!matches!(o.status.code(), Some(2 | READ_ONLY)), "{w:?}: {}", stderr(&o));
    }
    assert_ne!(digest(&mut con), before, "the writes of this test write");
}

/// Every spelling of true and false, in several cases.
const TRUE: [&str; 9] = ["1", "true", "TRUE", "True", "yes", "Yes", "on", "ON", "y"];
const FALSE: [&str; 9] = ["0", "false", "FALSE", "False", "no", "No", "off", "OFF", ""];

#[test]
fn boolean_variables_accept_one_zero_true_false_yes_no_on_off_in_any_case() {
    let server = RedisServer::start();
    for v in TRUE {
        let o = rqdash_env(&server, &["requeue", "no-such-job", "--yes"], &[("RQDASH_READ_ONLY", v)]);
        assert_eq!(o.status.code(), Some(READ_ONLY), "RQDASH_READ_ONLY={v:?}: {}", stderr(&o));
    }
    for v in FALSE {
        // Not read-only: the requeue runs and finds no such job.
        let o = rqdash_env(&server, &["requeue", "no-such-job", "--yes"], &[("RQDASH_READ_ONLY", v)]);
        assert_eq!(o.status.code(), Some(1), "RQDASH_READ_ONLY={v:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("no job"), "RQDASH_READ_ONLY={v:?}: {}", stderr(&o));
    }
    for var in ["RQDASH_READ_ONLY", "RQDASH_TLS_INSECURE", "RQDASH_METRICS_PER_WORKER", "RQDASH_NO_HISTORY"] {
        for v in TRUE.iter().chain(&FALSE) {
            let o = rqdash_env(&server, &["queues", "--json"], &[(var, v)]);
            assert_eq!(o.status.code(), Some(0), "{var}={v:?}: {}", stderr(&o));
        }
        let o = rqdash_env(&server, &["queues"], &[(var, "maybe")]);
        assert_eq!(o.status.code(), Some(2), "{var}=maybe");
        assert!(stderr(&o).contains(var) && stderr(&o).contains("\"maybe\""), "{var}: {}", stderr(&o));
    }
}
