//! Who is asking and what they may do: roles, identities and queue scopes, as pure types.
//!
//! The web guard and the CLI each produce one [`Identity`] per request or command; every
//! permission check and every audit entry reads it, so there is one answer to "who did this".

pub mod need;
pub mod password;
pub mod throttle;
pub mod trusted;
pub mod users;

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// What a role may do; each role may also do everything the roles before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Every read.
    Viewer,
    /// Also requeue, enqueue, cancel, stop, worker suspend/resume.
    Operator,
    /// Also delete, empty, compact, doctor repair, worker shutdown/kill-horse, reveal redacted values.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown role {s:?}: expected viewer, operator or admin"))
    }
}

/// How an identity proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// No authentication is configured: everyone is this identity.
    None,
    /// HTTP Basic auth (the single `--username` or a users-file user).
    Basic,
    /// A session cookie from the login page.
    Session,
    /// An API token sent as `Authorization: Bearer`.
    Token,
    /// A header set by a trusted proxy (`--auth-proxy-header`).
    Proxy,
    /// The command line, run by a local OS user.
    Cli,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::None => "none",
            Via::Basic => "basic",
            Via::Session => "session",
            Via::Token => "token",
            Via::Proxy => "proxy",
            Via::Cli => "cli",
        }
    }
}

/// One caller: a name, a role, the queues the role applies to, and where the call came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Identity {
    pub name: String,
    pub role: Role,
    pub via: Via,
    /// Glob patterns (`*`, `?`) of the queues where `role` applies; empty means every queue.
    /// Outside them the identity is a viewer.
    pub queues: Vec<String>,
    /// The client address (HTTP), if known.
    pub addr: Option<IpAddr>,
}

impl Identity {
    /// Everyone, when no authentication is configured (today's default: may do everything).
    pub fn anonymous(addr: Option<IpAddr>) -> Self {
        Self { name: "anonymous".into(), role: Role::Admin, via: Via::None, queues: Vec::new(), addr }
    }

    /// The local OS user running a CLI command (`$USER`, else "cli").
    pub fn cli() -> Self {
        let name = std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "cli".into());
        Self { name, role: Role::Admin, via: Via::Cli, queues: Vec::new(), addr: None }
    }

    /// This identity with its role capped (`--read-only` caps everyone at viewer).
    pub fn capped(mut self, max: Role) -> Self {
        self.role = self.role.min(max);
        self
    }

    /// The role that applies on `queue` (None: an action on no queue or on several, which
    /// needs the role on every queue, i.e. an unscoped grant).
    pub fn role_on(&self, queue: Option<&str>) -> Role {
        if self.queues.is_empty() {
            return self.role;
        }
        match queue {
            Some(q) if self.queues.iter().any(|p| glob(p, q)) => self.role,
            _ => Role::Viewer,
        }
    }

    /// Whether this identity may do what needs `need` on `queue`.
    pub fn may(&self, need: Role, queue: Option<&str>) -> bool {
        self.role_on(queue) >= need
    }
}

/// Shell-style glob: `*` any run of characters, `?` one character, everything else literal.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            (pi, ti) = (pi + 1, ti + 1);
        } else if pi < p.len() && p[pi] == '*' {
            (star, mark, pi) = (Some(pi), ti, pi + 1);
        } else if let Some(s) = star {
            (pi, mark) = (s + 1, mark + 1);
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_a_shell() {
        assert!(glob("emails*", "emails"));
        assert!(glob("emails*", "emails-high"));
        assert!(!glob("emails*", "billing"));
        assert!(glob("b?lling", "billing"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(glob("billing", "billing") && !glob("billing", "billing2"));
    }

    #[test]
    fn a_scoped_role_applies_only_on_its_queues_and_is_viewer_elsewhere() {
        let mut id = Identity::anonymous(None);
        id.role = Role::Operator;
        id.queues = vec!["emails*".into()];
        assert!(id.may(Role::Operator, Some("emails-low")));
        assert!(!id.may(Role::Admin, Some("emails-low")));
        assert!(!id.may(Role::Operator, Some("billing")));
        assert!(id.may(Role::Viewer, Some("billing")));
        assert!(!id.may(Role::Operator, None));
    }

    #[test]
    fn read_only_caps_every_role_at_viewer() {
        let id = Identity::anonymous(None).capped(Role::Viewer);
        assert_eq!(id.role, Role::Viewer);
        assert!(!id.may(Role::Operator, Some("q")));
        assert_eq!("Admin".parse::<Role>(), Ok(Role::Admin));
        assert!("root".parse::<Role>().is_err());
    }
}
