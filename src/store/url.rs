//! Parsing and masking of the Redis URLs rqdash accepts, including rq-dashboard's `redis+sentinel://`.

use super::Error;

/// A parsed Redis endpoint.
#[derive(Debug, Clone)]
pub enum Target {
    /// `redis://`, `rediss://`, `unix://`: handed to redis-rs as is (after password injection).
    Direct(String),
    /// `redis+sentinel://[user:pw@]h1:p1,h2:p2/master[/db]`: the master is asked of the sentinels.
    Sentinel {
        sentinels: Vec<(String, u16)>,
        master: String,
        db: i64,
        username: Option<String>,
        password: Option<String>,
    },
}

/// Replace the password in a URL's userinfo (and any `password=` query value) with `***`.
pub fn mask(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (auth_end, host_part) = match rest.rfind('@') {
        Some(at) => (Some(at), &rest[at + 1..]),
        None => (None, rest),
    };
    let masked_auth = auth_end.map(|at| match rest[..at].split_once(':') {
        Some((user, _)) => format!("{user}:***@"),
        None => "***@".to_owned(),
    });
    let mut out = format!("{scheme}://{}{host_part}", masked_auth.unwrap_or_default());
    // `password=` (rq-dashboard's habit) and `pass=` (redis-rs's for unix:// sockets).
    for name in ["password=", "pass="] {
        for sep in ['?', '&'] {
            if let Some(q) = out.find(&format!("{sep}{name}")) {
                let start = q + 1 + name.len();
                let end = out[start..].find('&').map_or(out.len(), |e| start + e);
                out.replace_range(start..end, "***");
            }
        }
    }
    out
}

/// Put a password into a URL that carries none (from `--redis-password-file`).
fn with_password(url: &str, password: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    if rest.contains('@') || scheme == "unix" || scheme == "redis+unix" {
        return url.to_owned();
    }
    let enc = percent_encoding::utf8_percent_encode(password, percent_encoding::NON_ALPHANUMERIC);
    format!("{scheme}://:{enc}@{rest}")
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Parse one configured URL.
pub fn parse(url: &str, password: Option<&str>, tls_insecure: bool) -> Result<Target, Error> {
    let url = url.trim();
    let bad = |why: &str| Error::Config(format!("invalid Redis URL {}: {why}", mask(url)));
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(bad("missing scheme (redis://, rediss://, unix://, redis+sentinel://)"));
    };
    match scheme {
        "redis" | "rediss" | "unix" | "redis+unix" | "valkey" | "valkeys" => {
            let mut u = match password {
                Some(p) => with_password(url, p),
                None => url.to_owned(),
            };
            if tls_insecure && scheme.ends_with('s') && !u.contains('#') {
                u.push_str("#insecure");
            }
            Ok(Target::Direct(u))
        }
        "redis+sentinel" | "sentinel" => {
            let (auth, hostpath) = match rest.rfind('@') {
                Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
                None => (None, rest),
            };
            let (hosts, path) = hostpath.split_once('/').ok_or_else(|| bad("missing /master_name"))?;
            let mut parts = path.split('/').filter(|s| !s.is_empty());
            let master = parts.next().map(decode).ok_or_else(|| bad("missing master name"))?;
            let db = match parts.next() {
                Some(d) => d.parse::<i64>().map_err(|_| bad("db must be a number"))?,
                None => 0,
            };
            let mut sentinels = Vec::new();
            for h in hosts.split(',').filter(|s| !s.is_empty()) {
                let (host, port) = match h.rsplit_once(':') {
                    Some((host, p)) => (host, p.parse::<u16>().map_err(|_| bad("bad sentinel port"))?),
                    None => (h, 26379),
                };
                sentinels.push((host.trim_matches(['[', ']']).to_owned(), port));
            }
            if sentinels.is_empty() {
                return Err(bad("no sentinel hosts"));
            }
            let (username, pw) = match auth.map(|a| a.split_once(':')) {
                Some(Some((u, p))) => ((!u.is_empty()).then(|| decode(u)), Some(decode(p))),
                Some(None) => (None, auth.map(decode)),
                None => (None, None),
            };
            Ok(Target::Sentinel {
                sentinels,
                master,
                db,
                username,
                password: pw.or_else(|| password.map(str::to_owned)),
            })
        }
        other => Err(bad(&format!("unsupported scheme {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_everywhere() {
        assert_eq!(mask("redis://user:s3cret@h:6379/0"), "redis://user:***@h:6379/0");
        assert_eq!(mask("redis://:s3cret@h"), "redis://:***@h");
        assert_eq!(mask("rediss://h/0?password=x&db=1"), "rediss://h/0?password=***&db=1");
        assert_eq!(mask("redis://h:6379"), "redis://h:6379");
        assert_eq!(
            mask("unix:///r.sock?user=reader&pass=pw&db=1"),
            "unix:///r.sock?user=reader&pass=***&db=1"
        );
        assert_eq!(mask("unix:///bypass=1/r.sock?pass=pw"), "unix:///bypass=1/r.sock?pass=***");
    }

    #[test]
    fn sentinel_urls_are_parsed_like_rq_dashboard() {
        let t = parse("redis+sentinel://:pw@a:26379,b:26380/mymaster/2", None, false);
        match t {
            Ok(Target::Sentinel { sentinels, master, db, password, .. }) => {
                assert_eq!(sentinels, vec![("a".into(), 26379), ("b".into(), 26380)]);
                assert_eq!((master.as_str(), db, password.as_deref()), ("mymaster", 2, Some("pw")));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_password_file_fills_urls_without_one() {
        match parse("redis://h:1/0", Some("p w"), false) {
            Ok(Target::Direct(u)) => assert_eq!(u, "redis://:p%20w@h:1/0"),
            other => panic!("unexpected {other:?}"),
        }
        assert!(parse("http://h", None, false).is_err());
    }
}
