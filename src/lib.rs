//! rqdash: a fast, safe, single-binary web dashboard and CLI for RQ (Python's Redis Queue).
//!
//! # Layout
//! - [`audit`]: the audit log's entries (intent, outcome) and filters, as pure types.
//! - [`auth`]: roles, identities and queue scopes (who may do what), as pure types.
//! - [`config`]: the clap struct shared by `serve` and the CLI commands.
//! - [`cli`]: the command-line subcommands (info, jobs, actions, doctor) as tables or JSON.
//! - [`health`]: queue health verdicts (pure rules) and their alerts (webhooks).
//! - [`rq`]: RQ's model as pure types (keys, states, jobs, workers, results, safe decoding); no I/O.
//! - [`store`]: the only module that talks to Redis; every read is side-effect free.
//! - [`web`]: axum routes (JSON API), error mapping, security headers.

pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod health;
pub mod rq;
pub mod store;
pub mod web;
