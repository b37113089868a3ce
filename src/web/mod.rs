//! HTTP front end: one route table, security headers, graceful shutdown that also ends streams.

mod access;
mod actions;
mod api;
mod assets;
pub mod audit;
mod audit_page;
pub mod authz;
pub mod chart;
mod compat;
mod conn;
mod doctor;
pub mod error;
pub mod fmt;
mod full;
mod functions;
pub mod gate;
mod groups;
mod health;
pub mod history;
pub mod hosts;
pub mod live;
mod metrics;
mod page;
mod pages;
mod params;
pub mod probes;
mod rate_limits;
pub mod refresh;
pub mod reveal;
mod schedulers;
mod search;
pub mod security;
pub mod server;
mod state;
pub mod streams;
pub mod tasks;
mod users_file;
mod view;
mod workers;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

pub use state::AppState;

/// The full router; every path starts with the URL prefix (routes are registered with it,
/// rather than nested, so that both `/rq` and `/rq/` reach the overview).
pub fn router(state: AppState) -> Router {
    let p = state.prefix.clone();
    let at = |path: &str| format!("{p}{path}");
    let stream_limit = || axum::middleware::from_fn_with_state(state.clone(), streams::limit);
    let mut routes = Router::new()
        .route(&at("/"), get(pages::overview_page))
        .route(&at("/queues/{queue}"), get(pages::queue_page))
        .route(&at("/jobs/{id}"), get(pages::job_page))
        .route(&at("/jobs/{id}/full"), get(full::job_full))
        .route(&at("/workers"), get(pages::workers_page))
        .route(&at("/workers/{name}"), get(workers::page))
        .route(&at("/failed"), get(pages::failed_page))
        .route(&at("/schedulers"), get(schedulers::page))
        .route(&at("/api/v1/schedulers"), get(schedulers::api))
        .route(&at("/failed/groups"), get(search::groups::page))
        .route(&at("/search"), get(search::page))
        .route(&at("/api/v1/search"), get(search::api))
        .route(&at("/api/v1/search/select"), post(search::selection::select))
        .route(&at("/api/v1/search/selections/{id}"), get(search::selection::show))
        .route(&at("/api/v1/search/selections/{id}/{action}"), post(search::selection::act))
        .route(&at("/api/v1/failed"), get(api::failed))
        .route(&at("/api/v1/failed/groups"), get(search::groups::api))
        .route(&at("/groups/{name}"), get(groups::page))
        .route(&at("/api/v1/groups/{name}"), get(groups::api))
        .route(&at("/rate-limits"), get(rate_limits::page))
        .route(&at("/rate-limits/{key}"), get(rate_limits::key_page))
        .route(&at("/api/v1/rate-limits"), get(rate_limits::api))
        .route(&at("/api/v1/rate-limits/{key}"), get(rate_limits::key_api))
        .route(&at("/functions"), get(functions::page))
        .route(&at("/functions/{func}"), get(functions::function_page))
        .route(&at("/api/v1/functions"), get(functions::api))
        .route(&at("/api/v1/functions/{func}"), get(functions::function_api))
        .route(&at("/jump"), get(pages::jump))
        .route(&at("/audit"), get(audit_page::page))
        .route(&at("/api/v1/audit"), get(audit_page::api))
        .route(&at("/doctor"), get(doctor::page))
        .route(&at("/api/v1/doctor"), get(doctor::report))
        .route(&at("/api/v1/doctor/fix"), post(doctor::fix))
        .route(&at("/events"), get(live::events).layer(stream_limit()))
        .route(&at("/static/{*path}"), get(assets::asset))
        .route(&at("/api/v1/instances"), get(api::instances))
        .route(&at("/api/v1/queues"), get(api::queues))
        .route(&at("/api/v1/queues/{queue}/jobs"), get(api::queue_jobs))
        .route(&at("/api/v1/jobs/{id}"), get(api::job))
        .route(&at("/api/v1/workers"), get(api::workers))
        .route(&at("/api/v1/workers/{name}"), get(workers::show))
        .route(
            &at("/api/v1/workers/suspend"),
            post(workers::suspend).get(|s, q| workers::show_named(s, "suspend", q)),
        )
        .route(
            &at("/api/v1/workers/resume"),
            post(workers::resume).get(|s, q| workers::show_named(s, "resume", q)),
        )
        .route(
            &at("/api/v1/workers/remove-stale"),
            post(workers::remove_stale).get(|s, q| workers::show_named(s, "remove-stale", q)),
        )
        .route(&at("/api/v1/workers/{name}/{command}"), post(workers::command))
        .route(&at("/api/v1/redis"), get(api::redis_info))
        .route(&at("/api/v1/health"), get(health::api))
        .route(&at("/api/v1/jobs/bulk"), post(actions::bulk).get(api::job_named_bulk))
        // A static segment wins over `{action}`; a POST so that the guard checks CSRF and audits it.
        .route(&at("/api/v1/jobs/{id}/reveal"), post(reveal::reveal))
        .route(&at("/api/v1/jobs/{id}/{action}"), post(actions::job_action))
        .route(&at("/api/v1/queues/{queue}/requeue"), post(actions::requeue_all))
        .route(&at("/api/v1/queues/{queue}/empty"), post(actions::empty))
        .route(&at("/api/v1/queues/{queue}/compact"), post(actions::compact))
        .route(&at("/api/v1/tasks/{id}"), get(tasks::show))
        .route(&at("/api/v1/tasks/{id}/cancel"), post(tasks::cancel))
        .route(&at("/api/v1/tasks/{id}/events"), get(tasks::events).layer(stream_limit()))
        .route(&at("/api/{*rest}"), get(api::not_found))
        .route(&at("/healthz"), get(probes::healthz))
        .route(&at("/readyz"), get(probes::readyz))
        .route(&at("/metrics"), get(metrics::metrics));
    // rq-dashboard's URLs, for existing scripts and bookmarks; `{n}` must be a number, so that
    // `/static/` or `/metrics/` is a 404 rather than "cannot parse `static`".
    let compat = Router::new()
        .route(&at("/{n}/data/queues.json"), get(compat::queues))
        .route(&at("/{n}/data/workers.json"), get(compat::workers))
        .route(&at("/{n}/data/job/{id}"), get(compat::job))
        .route(&at("/{n}/data/jobs/{queue}/{registry}/{per_page}/{order}/{page}"), get(compat::jobs))
        .route(&at("/{n}/"), get(compat::views::overview))
        .route(&at("/{n}/view"), get(compat::views::overview))
        .route(&at("/{n}/view/queues"), get(compat::views::overview))
        .route(&at("/{n}/view/workers"), get(compat::views::workers))
        .route(&at("/{n}/view/job/{id}"), get(compat::views::job))
        .route(&at("/{n}/view/jobs"), get(compat::views::jobs_default))
        .route(&at("/{n}/view/jobs/{queue}/{registry}/{per_page}/{order}/{page}"), get(compat::views::jobs))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), compat::numeric_instance));
    // rq-dashboard's actions: POST only (a GET is a 405 saying why), through the /api/v1 actions.
    let refuse_get = || get(compat::actions::refuse_get);
    let compat_actions = Router::new()
        .route(&at("/job/{id}/{action}"), refuse_get().post(compat::actions::job))
        .route(&at("/requeue/{queue}"), refuse_get().post(compat::actions::requeue_queue))
        .route(&at("/requeue-all"), refuse_get().post(compat::actions::requeue_every_queue))
        .route(&at("/queue/{queue}/empty"), refuse_get().post(compat::actions::empty_queued))
        .route(&at("/queue/{queue}/compact"), refuse_get().post(compat::actions::compact))
        .route(&at("/queue/{queue}/{registry}/empty"), refuse_get().post(compat::actions::empty));
    routes = routes.merge(compat).merge(compat_actions);
    if !p.is_empty() {
        routes = routes.route(&p, get(pages::overview_page));
    }
    // Who may call what: one rule per route (authz::RULES), checked after routing; then the audit
    // log records what was let through (inside the guard and the rule: a refusal changes nothing,
    // and the entry names who acts).
    routes
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), audit::record))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), authz::enforce))
        .fallback(pages::not_found)
        // Innermost: every page error is drawn in its frame here, before anything reads the page.
        .layer(axum::middleware::from_fn_with_state(state.clone(), page::framed))
        // Inside the guard: a refused request never waits for a turn.
        .layer(axum::middleware::from_fn_with_state(state.clone(), gate::limit))
        // Outside the gate, so that N tabs refreshing one page wait for one turn, not N; inside
        // the guard: a refresh is served only to whom the page itself would be.
        .layer(axum::middleware::from_fn_with_state(state.clone(), refresh::layer))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::guard))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::map_response(error::body_too_large))
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(60)))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(header::REFERRER_POLICY, "same-origin"))
        .layer(header_layer(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ))
        .layer(header_layer(header::CACHE_CONTROL, "no-store"))
        // gzip for clients that ask (a 1,000-queue overview is ~0.5 MB of HTML); SSE is never compressed.
        .layer(tower_http::compression::CompressionLayer::new())
}

/// Request bodies are capped: a bulk request of 100,000 job ids (UUIDs) is about 3.9 MB.
pub const BODY_LIMIT: usize = 4 << 20;

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Serve until `shutdown` is cancelled, within `limits` (see [`server`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: server::Limits,
) -> std::io::Result<()> {
    let token = state.shutdown.clone();
    server::serve(listener, router(state), limits, token).await
}
