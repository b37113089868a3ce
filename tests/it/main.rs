//! rqdash's one integration test binary. Every test gets its own redis-server.

mod support;

// JSON API behaviour on hand-planted RQ-shaped data: pagination, errors, names, headers.
mod api_basics;
// Redis outages, URLs and masking.
mod connection;
// Hostile data: corrupt pickles, bad zlib, non-UTF-8, missing fields. No panic, no 500.
mod hostile_data;
// Reads are side-effect free.
mod reads_never_write;
// The API agrees with what the real `rq` (1.16.2, 2.12.0, 3.0.0) says about real data.
mod rq_oracle;
// TLS with a private CA; Sentinel discovery and failover.
mod tls_and_sentinel;
