//! The `Host` names rqdash answers to, against DNS rebinding: a hostile page whose own name
//! resolves to 127.0.0.1 reaches rqdash with `Host: evil.example`, so only loopback names, the
//! bind address and the names given with `--allowed-host` are served.

use std::net::IpAddr;

/// Which `Host` values are served; the port is never part of the match.
#[derive(Debug, Clone, Default)]
pub struct HostPolicy {
    /// `*` was given: every name is served (unsafe, the operator's explicit choice).
    any: bool,
    /// Exact names, lower case, without port or brackets.
    exact: Vec<String>,
    /// `.example.com`: the name itself and every subdomain.
    suffixes: Vec<String>,
}

impl HostPolicy {
    /// Loopback, `bind` when it is a specific address or name, and each of `allowed`.
    pub fn new(bind: &str, allowed: &[String]) -> Self {
        let mut p = Self::default();
        let bind = normalize(bind);
        if !bind.is_empty() && bind.parse::<IpAddr>().map_or(true, |ip| !ip.is_unspecified()) {
            p.exact.push(bind);
        }
        for a in allowed.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
            if a == "*" {
                p.any = true;
            } else if let Some(rest) = a.strip_prefix("*.").or_else(|| a.strip_prefix('.')) {
                p.suffixes.push(normalize(rest));
            } else {
                p.exact.push(normalize(a));
            }
        }
        p
    }

    /// Whether every name is served (`--allowed-host '*'`).
    pub fn allows_any(&self) -> bool {
        self.any
    }

    /// Whether a request naming `host` (a `Host` header value, port included or not) is served.
    pub fn allows(&self, host: &str) -> bool {
        if self.any {
            return true;
        }
        let h = normalize(host);
        if h == "localhost" || h.ends_with(".localhost") {
            return true;
        }
        if let Ok(ip) = h.parse::<IpAddr>()
            && ip.to_canonical().is_loopback()
        {
            return true;
        }
        self.exact.contains(&h) || self.suffixes.iter().any(|s| h == *s || h.ends_with(&format!(".{s}")))
    }
}

/// Lower case, without the port, IPv6 brackets or a trailing dot: "[::1]:9181" → "::1".
fn normalize(host: &str) -> String {
    let h = host.trim();
    let h = match h.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => match h.rsplit_once(':') {
            // One colon and digits after it is a port; more colons is a bare IPv6 address.
            Some((name, port)) if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => h,
        },
    };
    h.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(bind: &str, allowed: &[&str]) -> HostPolicy {
        HostPolicy::new(bind, &allowed.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn loopback_names_are_served_whatever_the_port() {
        let p = policy("0.0.0.0", &[]);
        for h in ["localhost", "LOCALHOST:9181", "app.localhost", "127.0.0.1", "127.1.2.3:80", "[::1]:9181"] {
            assert!(p.allows(h), "{h}");
        }
        for h in ["evil.example:9181", "0.0.0.0", "10.0.0.1", "localhost.evil.example", "[::2]", ""] {
            assert!(!p.allows(h), "{h}");
        }
    }

    #[test]
    fn the_bind_address_and_allowed_hosts_are_served() {
        let p = policy("10.0.0.5", &["dash.example.com:443", ".corp.example"]);
        assert!(p.allows("10.0.0.5:9181"));
        assert!(p.allows("Dash.Example.com."));
        assert!(p.allows("corp.example") && p.allows("a.b.corp.example:8080"));
        assert!(!p.allows("evilcorp.example") && !p.allows("example.com"));
        assert!(policy("::1", &["*.x.test"]).allows("y.x.test"));
        assert!(policy("127.0.0.1", &["*"]).allows("evil.example"));
    }
}
