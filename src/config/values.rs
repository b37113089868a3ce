//! Parsers of flag values: intervals, and boolean environment variables spelled as people spell
//! them: `1/0`, `true/false`, `yes/no`, `on/off` (any case), and click's `t/f/y/n`, as
//! rq-dashboard (a click program) accepts.
//!
//! A `bool` flag only ever receives a value from its environment variable (or an rq-dashboard
//! fallback set as its default, see [`super::compat`]): the flag itself takes none. clap's own
//! parser accepts only `true`/`false` and names the flag, not the variable the user set, hence
//! this parser.

use std::ffi::OsStr;
use std::time::Duration;

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Arg, Command};

/// "2s", "1.5s", "500ms" or "2500" (milliseconds); at least 100 ms so Redis is never hammered.
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let secs = if let Some(ms) = t.strip_suffix("ms") {
        ms.trim().parse::<f64>().map(|v| v / 1000.0)
    } else if let Some(sec) = t.strip_suffix('s') {
        sec.trim().parse::<f64>()
    } else {
        t.parse::<f64>().map(|v| v / 1000.0)
    }
    .map_err(|_| format!("not a duration: {s:?} (try 2s or 500ms)"))?;
    if !(0.1..=3600.0).contains(&secs) {
        return Err(format!("poll interval must be between 100ms and 1h, got {s:?}"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// The parser of every `bool` flag that has an environment variable.
#[derive(Debug, Clone, Copy)]
pub struct EnvBool;

/// `Some(bool)` for a recognised spelling; an empty value is false, as if the variable were unset.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "t" | "yes" | "y" | "on" => Some(true),
        "0" | "false" | "f" | "no" | "n" | "off" | "" => Some(false),
        _ => None,
    }
}

impl TypedValueParser for EnvBool {
    type Value = bool;

    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, value: &OsStr) -> Result<bool, clap::Error> {
        if let Some(b) = value.to_str().and_then(parse_bool) {
            return Ok(b);
        }
        let var = arg.and_then(Arg::get_env).map(|v| v.to_string_lossy().into_owned());
        let flag = arg.and_then(Arg::get_long).map(|l| format!(" for --{l}")).unwrap_or_default();
        let source = match var {
            Some(v) => match super::compat::fallback_of(&v) {
                Some(theirs) => format!("{v} (or {theirs})"),
                None => v,
            },
            None => "the environment".to_owned(),
        };
        let msg = format!(
            "invalid value {:?} in {source}{flag}: use 1/0, true/false, yes/no or on/off\n",
            value.to_string_lossy()
        );
        Err(clap::Error::raw(ErrorKind::InvalidValue, msg).with_cmd(cmd))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_usual_spelling_is_understood_in_any_case() {
        for v in ["1", "true", "TRUE", "True", "yes", "Yes", "on", "ON", "y", "t", " yes "] {
            assert_eq!(parse_bool(v), Some(true), "{v:?}");
        }
        for v in ["0", "false", "FALSE", "no", "No", "off", "OFF", "n", "f", ""] {
            assert_eq!(parse_bool(v), Some(false), "{v:?}");
        }
        for v in ["maybe", "2", "enabled", "-1"] {
            assert_eq!(parse_bool(v), None, "{v:?}");
        }
    }
}
