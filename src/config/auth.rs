//! Flags of who may use the dashboard beyond the single `--username`: a users file with roles and
//! API tokens, and a trusted reverse proxy that names the user (SSO).

use std::path::PathBuf;

use clap::Args;

use crate::auth::Role;
use crate::auth::trusted::Cidr;

/// Identity flags of `serve`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Dashboard (serve)")]
pub struct AuthArgs {
    /// TOML file of `[[user]]` (name, password_hash, role, queues) and `[[token]]` (name,
    /// token_hash, role, queues) tables; hashes come from `rqdash hash-password`. Re-read when
    /// it changes (a broken new version is logged and the last good one kept).
    #[arg(long, env = "RQDASH_USERS_FILE", global = true, value_name = "FILE")]
    pub users_file: Option<PathBuf>,

    /// Header in which a trusted reverse proxy (oauth2-proxy...) names the signed-in user, e.g.
    /// X-Forwarded-User; honoured only from --trusted-proxy addresses.
    #[arg(long, env = "RQDASH_AUTH_PROXY_HEADER", global = true, value_name = "HEADER")]
    pub auth_proxy_header: Option<String>,

    /// Header listing the proxy user's groups (comma-separated), mapped to roles with
    /// --auth-proxy-role.
    #[arg(long, env = "RQDASH_AUTH_PROXY_GROUPS_HEADER", global = true, value_name = "HEADER")]
    pub auth_proxy_groups_header: Option<String>,

    /// ROLE=GROUP (repeatable): proxy users in GROUP get ROLE (the highest of their groups wins).
    /// A proxy user in no mapped group gets the role of the users-file `[[user]]` of that name,
    /// else --auth-proxy-default-role.
    #[arg(long, env = "RQDASH_AUTH_PROXY_ROLES", global = true, value_delimiter = ',',
          value_name = "ROLE=GROUP", value_parser = parse_group_role)]
    pub auth_proxy_role: Vec<(Role, String)>,

    /// Role of a proxy user no group or users-file entry names.
    #[arg(long, env = "RQDASH_AUTH_PROXY_DEFAULT_ROLE", global = true, default_value = "viewer",
          value_parser = |s: &str| s.parse::<Role>())]
    pub auth_proxy_default_role: Role,

    /// Address or CIDR block (repeatable) of the reverse proxy allowed to set --auth-proxy-header;
    /// the header from any other address is ignored and logged.
    #[arg(long, env = "RQDASH_TRUSTED_PROXIES", global = true, value_delimiter = ',',
          value_name = "CIDR", value_parser = |s: &str| s.parse::<Cidr>())]
    pub trusted_proxy: Vec<Cidr>,
}

fn parse_group_role(s: &str) -> Result<(Role, String), String> {
    let (role, group) = s.split_once('=').ok_or_else(|| format!("{s:?}: expected ROLE=GROUP"))?;
    let group = group.trim();
    if group.is_empty() {
        return Err(format!("{s:?}: the group is empty"));
    }
    Ok((role.parse()?, group.to_owned()))
}

impl AuthArgs {
    /// Every check made at start: [`Self::check`], then the users file read and parsed.
    pub fn validate(&self) -> Result<(), String> {
        self.check()?;
        if let Some(path) = &self.users_file {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
            crate::auth::users::parse(&name, &text)?;
        }
        Ok(())
    }

    /// A proxy header with nobody trusted to send it is a mistake worth stopping for.
    pub fn check(&self) -> Result<(), String> {
        if self.auth_proxy_header.is_some() && self.trusted_proxy.is_empty() {
            return Err("--auth-proxy-header needs --trusted-proxy (the proxy's address or CIDR)".into());
        }
        if self.auth_proxy_header.is_none()
            && (self.auth_proxy_groups_header.is_some() || !self.auth_proxy_role.is_empty())
        {
            return Err("--auth-proxy-groups-header/--auth-proxy-role need --auth-proxy-header".into());
        }
        Ok(())
    }
}
