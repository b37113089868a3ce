//! The state every handler shares, and the one place it is built from the flags.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{access, gate, hosts, live, refresh, search, security, streams, tasks};
use crate::store::Store;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// "" or "/prefix": every generated link starts with it.
    pub prefix: String,
    /// Cancelled on shutdown so long-lived responses end.
    pub shutdown: CancellationToken,
    /// Hide actions and refuse mutations.
    pub read_only: bool,
    /// The live-update fan-out.
    pub hub: Arc<live::Hub>,
    /// HTTP Basic auth, when configured.
    pub auth: Option<crate::config::Credentials>,
    /// Who may sign in and how: the single user, the users file, the trusted proxy.
    pub access: Arc<super::access::Access>,
    /// `/healthz` and `/readyz` answer without auth (`--probes-public`).
    pub probes_public: bool,
    /// The CSRF token pages send back with every action.
    pub csrf: String,
    /// Bulk operations running in the background.
    pub tasks: Arc<tasks::Tasks>,
    /// `/metrics` settings (per-worker labels, cache window, bearer token) and its cached answer.
    pub metrics: Arc<crate::store::metrics::MetricsState>,
    /// Where the history sampler keeps its buckets (read for the charts).
    pub history: crate::store::history::Layout,
    /// The `Host` names served (loopback only unless `--allowed-host` or the bind address adds some).
    pub hosts: Arc<hosts::HostPolicy>,
    /// Live streams open per client address (`--max-streams-per-client`).
    pub streams: Arc<streams::Streams>,
    /// Live refreshes of one page share one render (see [`refresh`]).
    pub renders: Arc<refresh::Renders>,
    /// Answers computed at once (`--max-renders`); the rest wait their turn.
    pub gate: Arc<gate::Gate>,
    /// "Select all matching" selections, by id (see [`search::selection`]).
    pub(crate) selections: Arc<search::selection::Selections>,
    /// The audit log: where actions are recorded, and the background tasks still to close.
    pub audit: Arc<super::audit::Audit>,
    /// Failure-group snapshots, per instance and queue (see [`failure_groups`]).
    pub failure_groups: Arc<crate::store::failure_groups::Cache>,
    /// Health verdicts: the health task's latest, or computed on demand (see `store::verdict`).
    pub health: Arc<crate::store::verdict::Cache>,
}

impl AppState {
    /// State with a live hub polling every `poll`.
    pub fn new(
        store: Store,
        prefix: String,
        read_only: bool,
        poll: Duration,
        shutdown: CancellationToken,
    ) -> Self {
        let hub = live::Hub::new(store.clone(), poll, shutdown.clone());
        store.spawn_discovery(shutdown.clone());
        let tasks = Arc::new(tasks::Tasks::default());
        let (auth, csrf, metrics) = (None, security::new_token(), Arc::default());
        let (history, probes_public) = (Default::default(), false);
        let hosts = Arc::new(hosts::HostPolicy::new("127.0.0.1", &[]));
        let streams = streams::Streams::new(16);
        let gate = gate::Gate::new(gate::Gate::default_limit());
        Self {
            store,
            prefix,
            shutdown,
            read_only,
            hub,
            auth,
            access: Arc::default(),
            probes_public,
            csrf,
            tasks,
            metrics,
            history,
            hosts,
            streams,
            renders: Arc::default(),
            gate,
            selections: Arc::default(),
            failure_groups: Arc::default(),
            health: Arc::default(),
            audit: Arc::default(),
        }
    }

    /// The state `rqdash serve` runs with, built from its flags in this one place: the binary
    /// and the test support both call it, so they cannot drift. The history sampler (a writer)
    /// is the caller's to start.
    pub fn from_args(
        store: Store,
        args: &crate::config::ServeArgs,
        shutdown: CancellationToken,
    ) -> Result<Self, String> {
        let layout = crate::store::history::Layout::new(&args.history_prefix);
        let health = Arc::new(crate::store::verdict::Cache::new(args.health.settings(), layout.clone()));
        Ok(Self::new(store, args.prefix(), args.read_only, args.poll_interval, shutdown)
            .with_access(access::Access::from_args(args.credentials()?, &args.access)?)
            .with_public_probes(args.probes_public)
            .with_metrics(crate::store::metrics::MetricsState::from_args_with_health(args, health.clone()))
            .with_history(layout)
            .with_health(health)
            .with_net(&args.bind, &args.net)
            .with_audit(args.audit.log()))
    }

    /// The `Host` names served (the bind address, `--allowed-host`) and the streams per client.
    pub fn with_net(mut self, bind: &str, net: &crate::config::NetArgs) -> Self {
        self.hosts = Arc::new(hosts::HostPolicy::new(bind, &net.allowed_host));
        self.streams =
            streams::Streams::new(usize::try_from(net.max_streams_per_client).unwrap_or(usize::MAX));
        if let Some(n) = net.max_renders {
            self.gate = gate::Gate::new(usize::try_from(n).unwrap_or(usize::MAX));
        }
        self
    }

    /// Record actions to `log` (`--audit-*`).
    pub fn with_audit(mut self, log: crate::store::audit::Log) -> Self {
        self.audit = Arc::new(super::audit::Audit::new(log));
        self
    }

    /// Compute answers through this gate (tests hold its turns to see requests wait).
    pub fn with_gate(mut self, gate: Arc<gate::Gate>) -> Self {
        self.gate = gate;
        self
    }

    /// Health verdicts judged with `--health-*` (shared with `/metrics`).
    pub fn with_health(mut self, health: Arc<crate::store::verdict::Cache>) -> Self {
        self.health = health;
        self
    }

    /// Read history charts under `--history-prefix`.
    pub fn with_history(mut self, layout: crate::store::history::Layout) -> Self {
        self.history = layout;
        self
    }

    /// `/metrics` as configured by `--metrics-*` (default: per queue, 2 s cache, no token).
    pub fn with_metrics(mut self, metrics: Arc<crate::store::metrics::MetricsState>) -> Self {
        self.metrics = metrics;
        self
    }

    /// Require HTTP Basic auth on every route.
    pub fn with_auth(self, auth: Option<crate::config::Credentials>) -> Self {
        self.with_access(access::Access::single(auth))
    }

    /// Sign-in by the users file, tokens and a trusted proxy (and the single user).
    pub fn with_access(mut self, access: access::Access) -> Self {
        self.auth.clone_from(&access.single);
        self.access = Arc::new(access);
        self
    }

    /// Let `/healthz` and `/readyz` answer without auth (probes of orchestrators send none).
    pub fn with_public_probes(mut self, public: bool) -> Self {
        self.probes_public = public;
        self
    }
}
