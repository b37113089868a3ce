//! Request parameters: strict query strings (unknown parameters and absurd values are 400s that
//! say why) and names taken from path segments.

use std::collections::HashMap;

use super::error::{Error, Result};

/// A queue name, job id or worker name from a path segment, read back with `fmt::unseg`, so
/// that the dot-only names `fmt::seg` links as `...`/`....` reach queue `.`/`..`.
#[derive(Debug, serde::Deserialize)]
#[serde(from = "String")]
pub struct Name(pub String);

impl From<String> for Name {
    fn from(s: String) -> Self {
        Name(super::fmt::unseg(s))
    }
}

/// Parsed query parameters, checked against what an endpoint accepts.
#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// Parse `raw` and reject any parameter not in `allowed` (or repeated).
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Self> {
        let mut map = HashMap::new();
        for pair in raw.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
            };
            let (k, v) = (dec(k), dec(v));
            if !allowed.contains(&k.as_str()) {
                let list = if allowed.is_empty() { "none".to_owned() } else { allowed.join(", ") };
                return Err(Error::BadRequest(format!("unknown query parameter {k:?} (accepted: {list})")));
            }
            if map.insert(k.clone(), v).is_some() {
                return Err(Error::BadRequest(format!("query parameter {k:?} given more than once")));
            }
        }
        Ok(Self(map))
    }

    /// Every parameter, unchecked (the audit log names what a request asked, valid or not; the
    /// handler refuses what is wrong). A repeated one keeps its last value.
    pub fn loose(raw: &str) -> std::collections::HashMap<String, String> {
        let dec = |s: &str| {
            percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
        };
        raw.split('&')
            .filter(|s| !s.is_empty())
            .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
            .map(|(k, v)| (dec(k), dec(v)))
            .collect()
    }

    /// A string parameter.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }

    /// An integer parameter within `[min, max]`, or `default` when absent.
    pub fn int(&self, k: &str, default: u64, min: u64, max: u64) -> Result<u64> {
        let Some(v) = self.get(k) else { return Ok(default) };
        let n: u64 = v.trim().parse().map_err(|_| {
            Error::BadRequest(format!("{k} must be a whole number between {min} and {max}, got {v:?}"))
        })?;
        if n < min || n > max {
            return Err(Error::BadRequest(format!("{k} must be between {min} and {max}, got {n}")));
        }
        Ok(n)
    }

    /// A boolean parameter (`1/0/true/false/yes/no`), false when absent.
    pub fn flag(&self, k: &str) -> Result<bool> {
        match self.get(k).map(str::to_ascii_lowercase).as_deref() {
            None | Some("" | "0" | "false" | "no" | "off") => Ok(false),
            Some("1" | "true" | "yes" | "on") => Ok(true),
            Some(v) => Err(Error::BadRequest(format!("{k} must be true or false (1/0, yes/no), got {v:?}"))),
        }
    }

    /// The `instance` parameter (index into the configured Redis URLs).
    pub fn instance(&self) -> Result<usize> {
        Ok(usize::try_from(self.int("instance", 0, 0, 1_000)?).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_repeated_parameters_are_rejected() {
        assert!(Params::parse(Some("x=1"), &["page"]).is_err());
        assert!(Params::parse(Some("page=1&page=2"), &["page"]).is_err());
        assert!(Params::parse(Some("page=1"), &["page"]).is_ok());
    }

    #[test]
    fn absurd_numbers_are_rejected() {
        let p = Params::parse(Some("page=-1&per_page=1000000000"), &["page", "per_page"]).unwrap_or_default();
        assert!(p.int("page", 1, 1, u64::MAX).is_err());
        assert!(p.int("per_page", 50, 1, 500).is_err());
    }
}
