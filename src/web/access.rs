//! Who a request is: the single `--username` user, a users-file user (Basic) or token (Bearer),
//! or the user a trusted proxy names in its header. Wrong passwords are throttled per address.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, header};
use base64::Engine;
use tokio::sync::Semaphore;

use super::users_file::UsersFile;
use crate::auth::trusted::Cidr;
use crate::auth::users::Entry;
use crate::auth::{Identity, Role, Via, password, throttle::Throttle};
use crate::config::{AuthArgs, Credentials};

/// The trusted-proxy settings.
pub struct Proxy {
    pub header: String,
    pub groups_header: Option<String>,
    pub roles: Vec<(Role, String)>,
    pub default_role: Role,
    pub trusted: Vec<Cidr>,
}

/// Everything that decides who a request is; shared by every request.
#[derive(Default)]
pub struct Access {
    pub single: Option<Credentials>,
    pub users: Option<UsersFile>,
    pub proxy: Option<Proxy>,
    cache: password::Cache,
    pub throttle: Throttle,
    /// Argon2 runs at once: each takes ~19 MiB and a core for tens of ms.
    verifying: Option<Semaphore>,
    warned_at: AtomicU64,
}

/// Why a request was not let in.
pub enum Denied {
    /// No or wrong credentials: 401.
    Unauthenticated,
    /// Too many failures from this address: 429, retry after this long.
    Throttled(Duration),
}

impl Access {
    /// From the flags; the users file is read and checked here (its errors stop rqdash).
    pub fn from_args(single: Option<Credentials>, a: &AuthArgs) -> Result<Self, String> {
        a.check()?;
        let users = a.users_file.clone().map(UsersFile::open).transpose()?;
        if users.is_some() {
            // Made now, so the first unknown name does not take twice as long as a known one.
            password::decoy();
        }
        let proxy = a.auth_proxy_header.clone().map(|header| Proxy {
            header,
            groups_header: a.auth_proxy_groups_header.clone(),
            roles: a.auth_proxy_role.clone(),
            default_role: a.auth_proxy_default_role,
            trusted: a.trusted_proxy.clone(),
        });
        Ok(Self { single, users, proxy, verifying: Some(Semaphore::new(2)), ..Self::default() })
    }

    /// Only the single `--username` user (or nobody, when None).
    pub fn single(single: Option<Credentials>) -> Self {
        Self { single, verifying: Some(Semaphore::new(2)), ..Self::default() }
    }

    /// Whether anyone must prove who they are (without any of these, everyone is admin).
    pub fn required(&self) -> bool {
        self.single.is_some() || self.users.is_some() || self.proxy.is_some()
    }

    /// Who sent `headers` from `addr`.
    pub async fn identify(&self, headers: &HeaderMap, addr: Option<IpAddr>) -> Result<Identity, Denied> {
        if let Some(p) = &self.proxy
            && let Some(name) = headers.get(p.header.as_str())
        {
            if addr.is_some_and(|a| p.trusted.iter().any(|c| c.contains(a))) {
                let name = String::from_utf8_lossy(name.as_bytes()).trim().to_owned();
                if !name.is_empty() && name.len() <= 256 {
                    return Ok(self.proxy_identity(p, name, headers, addr));
                }
            } else {
                self.warn_untrusted(&p.header, addr);
            }
        }
        let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        if let Some(token) = auth.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty()) {
            return self.token(token, addr).await;
        }
        let (user, pass) = basic(auth).ok_or(Denied::Unauthenticated)?;
        if let Some(c) = &self.single {
            // Throttled first: the single password is as guessable as any other.
            self.throttled(addr)?;
            if super::security::authorized(headers, c) {
                self.succeeded(addr);
                let name = c.username.clone();
                return Ok(Identity { name, role: Role::Admin, via: Via::Basic, queues: Vec::new(), addr });
            }
        }
        let entry = self.users.as_ref().and_then(|u| u.current().user(&user).cloned());
        let ok = self.check(entry.as_ref(), &user, &pass, addr).await?;
        match entry {
            Some(e) if ok => Ok(identity(e, Via::Basic, addr)),
            _ => Err(Denied::Unauthenticated),
        }
    }

    async fn token(&self, token: &str, addr: Option<IpAddr>) -> Result<Identity, Denied> {
        let tokens = self.users.as_ref().map(|u| u.current().tokens.clone()).unwrap_or_default();
        if let Some(e) = tokens.iter().find(|e| self.cache.hit(&e.name, &e.hash, token)) {
            return Ok(identity(e.clone(), Via::Token, addr));
        }
        self.throttled(addr)?;
        let secret = token.to_owned();
        let found =
            self.blocking(move || tokens.into_iter().find(|e| password::verify(&secret, &e.hash))).await;
        match found.flatten() {
            Some(e) => {
                self.cache.remember(&e.name, &e.hash, token);
                self.succeeded(addr);
                Ok(identity(e, Via::Token, addr))
            }
            None => Err(self.failed(addr)),
        }
    }

    /// Verify a Basic password against `entry` (a decoy hash when there is none, so that the
    /// time taken does not tell which names exist).
    async fn check(
        &self,
        entry: Option<&Entry>,
        user: &str,
        pass: &str,
        addr: Option<IpAddr>,
    ) -> Result<bool, Denied> {
        let phc = entry.map_or_else(|| password::decoy().to_owned(), |e| e.hash.clone());
        if entry.is_some() && self.cache.hit(user, &phc, pass) {
            return Ok(true);
        }
        self.throttled(addr)?;
        if entry.is_none() && self.users.is_none() {
            return Err(self.failed(addr));
        }
        let (secret, stored) = (pass.to_owned(), phc.clone());
        let ok = self.blocking(move || password::verify(&secret, &stored)).await.unwrap_or(false)
            && entry.is_some();
        if ok {
            self.cache.remember(user, &phc, pass);
            self.succeeded(addr);
            Ok(true)
        } else {
            Err(self.failed(addr))
        }
    }

    /// Run an argon2 check off the async workers, at most two at once.
    async fn blocking<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let _turn = match &self.verifying {
            Some(s) => Some(s.acquire().await.ok()?),
            None => None,
        };
        tokio::task::spawn_blocking(f).await.ok()
    }

    fn throttled(&self, addr: Option<IpAddr>) -> Result<(), Denied> {
        match addr.and_then(|a| self.throttle.wait(a)) {
            Some(w) => Err(Denied::Throttled(w)),
            None => Ok(()),
        }
    }

    /// Count a failed sign-in (the single user's failures too: see the guard).
    pub fn failed(&self, addr: Option<IpAddr>) -> Denied {
        if let Some(a) = addr {
            self.throttle.failed(a);
            tracing::warn!(client = %a, "failed sign-in");
        }
        Denied::Unauthenticated
    }

    fn succeeded(&self, addr: Option<IpAddr>) {
        if let Some(a) = addr {
            self.throttle.succeeded(a);
        }
    }

    fn proxy_identity(&self, p: &Proxy, name: String, headers: &HeaderMap, addr: Option<IpAddr>) -> Identity {
        let groups = p
            .groups_header
            .as_ref()
            .and_then(|h| headers.get(h.as_str()))
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        let mapped = groups
            .split(',')
            .map(str::trim)
            .filter_map(|g| p.roles.iter().filter(|(_, m)| m == g).map(|(r, _)| *r).max())
            .max();
        let entry = self.users.as_ref().and_then(|u| u.current().user(&name).cloned());
        let (role, queues) = match (mapped, entry) {
            (Some(r), _) => (r, Vec::new()),
            (None, Some(e)) => (e.role, e.queues),
            (None, None) => (p.default_role, Vec::new()),
        };
        Identity { name, role, via: Via::Proxy, queues, addr }
    }

    /// A proxy header from an untrusted address is ignored; say so at most once a minute.
    fn warn_untrusted(&self, header: &str, addr: Option<IpAddr>) {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let last = self.warned_at.load(Ordering::Relaxed);
        if now >= last + 60
            && self.warned_at.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
        {
            let client = addr.map_or_else(|| "unknown".to_owned(), |a| a.to_string());
            tracing::warn!(%client, header, "proxy user header ignored: the client is not a --trusted-proxy (warned once a minute)");
        }
    }
}

fn identity(e: Entry, via: Via, addr: Option<IpAddr>) -> Identity {
    Identity { name: e.name, role: e.role, via, queues: e.queues, addr }
}

/// The user and password of a Basic `Authorization` value.
fn basic(auth: &str) -> Option<(String, String)> {
    let b64 = auth.strip_prefix("Basic ").or_else(|| auth.strip_prefix("basic "))?;
    let raw = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (u, p) = text.split_once(':')?;
    Some((u.to_owned(), p.to_owned()))
}
