//! Least-privilege Redis users (ACL): reading what a NOPERM refusal names, and running a MULTI
//! pipeline as a plain one when the user may not open transactions.

use std::sync::atomic::{AtomicBool, Ordering};

use redis::aio::{ConnectionLike, ConnectionManager};
use redis::{Pipeline, RedisFuture, Value};

/// What an ACL refusal (NOPERM) was about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A command the user may not run, lower-case as Redis names it (`evalsha`, `multi`).
    Command(String),
    /// A key outside the user's key patterns (the reply does not say which).
    Key,
    /// A pub/sub channel outside the user's channel patterns.
    Channel,
}

/// The refusal in `e`, if it is an ACL NOPERM (alone, inside a pipeline or an aborted MULTI).
pub fn refusal(e: &redis::RedisError) -> Option<Refusal> {
    let text = e.to_string();
    if !text.contains("NOPERM") && e.code() != Some("NOPERM") {
        return None;
    }
    // Redis 6–7.0: "this user has no permissions to run the 'evalsha' command";
    // 7.2+: "User reader has no permissions to run the 'evalsha' command".
    let named = text.split_once("to run the '").and_then(|(_, rest)| rest.split_once('\''));
    Some(match named {
        Some((cmd, _)) => Refusal::Command(cmd.to_ascii_lowercase()),
        None if text.contains("channel") => Refusal::Channel,
        None => Refusal::Key,
    })
}

/// Whether Redis refused the MULTI/EXEC around a pipeline (and would answer it without them).
pub fn refuses_multi(e: &redis::RedisError) -> bool {
    matches!(refusal(e), Some(Refusal::Command(c)) if c == "multi" || c == "exec")
}

/// The message of a refusal: what the user lacks, and what to grant.
pub fn explain(r: &Refusal) -> String {
    match r {
        Refusal::Command(c) => {
            let grant = match c.as_str() {
                "eval" | "evalsha" | "script" | "script|load" => "+@scripting to run actions",
                "multi" | "exec" => "+@transaction",
                "publish" => "+publish to send commands to workers",
                "xadd" | "xtrim" => "+xadd +xtrim (on the --audit-prefix stream) to record actions",
                _ => "",
            };
            let grant = if grant.is_empty() { format!("+{c}") } else { grant.to_owned() };
            format!("the Redis user lacks permission for '{c}' (ACL NOPERM): grant {grant}")
        }
        Refusal::Key => "the Redis user lacks permission for one of RQ's keys (ACL NOPERM): grant a key \
                         pattern covering them (e.g. ~rq:*)"
            .to_owned(),
        Refusal::Channel => "the Redis user lacks permission for a worker's channel (ACL NOPERM): grant \
                             a channel pattern covering them (e.g. &rq:pubsub:*)"
            .to_owned(),
    }
}

/// A connection that sends a MULTI pipeline (`atomic()`) as a plain pipeline framed by its own
/// MULTI and EXEC, and hands the pipeline EXEC's reply, so its decoding (ignored commands,
/// errors) still applies. When Redis refuses MULTI (a read-only ACL user), the commands in
/// between ran as plain ones and their replies are handed over instead, in the same round trip;
/// `refused` then remembers it for the instance. (redis-rs's own transaction path cannot take a
/// refused MULTI: 1.8 panics on it in debug builds and garbles the error otherwise.)
pub struct Tx<'c> {
    pub conn: &'c mut ConnectionManager,
    pub refused: &'c AtomicBool,
    pub instance: usize,
}

impl ConnectionLike for Tx<'_> {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a redis::Cmd) -> RedisFuture<'a, Value> {
        self.conn.req_packed_command(cmd)
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        if !pipeline.is_transaction() {
            return self.conn.req_packed_commands(pipeline, offset, count);
        }
        Box::pin(async move {
            let framed = !self.refused.load(Ordering::Relaxed);
            let mut plain = redis::pipe();
            if framed {
                plain.cmd("MULTI");
            }
            for c in pipeline.cmd_iter() {
                plain.add_command(c.clone());
            }
            if framed {
                plain.cmd("EXEC");
            }
            let mut replies = self.conn.req_packed_commands(&plain, 0, plain.len()).await?;
            if !framed {
                return Ok(vec![Value::Array(replies)]);
            }
            let exec = replies.pop();
            match (replies.first(), exec) {
                (Some(Value::Okay), Some(Value::ServerError(e))) => Err(e.into()),
                (Some(Value::Okay), Some(exec)) => Ok(vec![exec]),
                (Some(Value::ServerError(e)), _) if refuses_multi(&e.clone().into()) => {
                    if !self.refused.swap(true, Ordering::Relaxed) {
                        tracing::info!(
                            instance = self.instance,
                            "the Redis user may not run MULTI: consistent reads run as plain pipelines"
                        );
                    }
                    Ok(vec![Value::Array(replies.split_off(1))])
                }
                (Some(Value::ServerError(e)), _) => Err(e.clone().into()),
                _ => Err((redis::ErrorKind::UnexpectedReturnType, "no reply to MULTI/EXEC").into()),
            }
        })
    }

    fn get_db(&self) -> i64 {
        self.conn.get_db()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noperm(detail: &str) -> redis::RedisError {
        redis::make_extension_error("NOPERM".to_owned(), Some(detail.to_owned()))
    }

    #[test]
    fn the_refused_command_is_named_in_every_redis_wording() {
        let old = noperm("this user has no permissions to run the 'evalsha' command");
        assert_eq!(refusal(&old), Some(Refusal::Command("evalsha".to_owned())));
        let new = noperm("User reader has no permissions to run the 'MULTI' command");
        assert!(refuses_multi(&new));
        let key = noperm("this user has no permissions to access one of the keys used as arguments");
        assert_eq!(refusal(&key), Some(Refusal::Key));
        assert!(explain(&refusal(&old).unwrap_or(Refusal::Key)).contains("grant +@scripting"));
    }

    #[test]
    fn other_errors_are_not_refusals() {
        let e = redis::make_extension_error("ERR".to_owned(), Some("to run the 'x' command".to_owned()));
        assert_eq!(refusal(&e), None);
    }
}
