# syntax=docker/dockerfile:1
# rqdash in a container: a Rust builder stage, then distroless/cc (glibc and libgcc, no shell, no
# package manager) as an unprivileged user. rqdash writes no file, so the container runs with a
# read-only root filesystem (`docker run --read-only`, compose's `read_only: true`).
#
#   docker build -t rqdash .
#   docker run --rm --read-only -p 127.0.0.1:9181:9181 \
#     -e RQDASH_REDIS_URL=redis://redis.internal:6379 rqdash
#
# Inside the container rqdash binds 0.0.0.0 (RQDASH_BIND below), so publish the port on the
# interface you mean (127.0.0.1 above). When browsers reach it under a hostname (a published port
# behind DNS, a reverse proxy), list that name in RQDASH_ALLOWED_HOSTS: rqdash refuses Host
# headers it does not expect (DNS rebinding protection).
# Subcommands run as usual: `docker run --rm -e RQDASH_REDIS_URL=... rqdash info`.

# The Rust release must be at least Cargo.toml's rust-version (tests/it/deploy checks it).
FROM rust:1.95-slim-bookworm AS builder
WORKDIR /build
# Only what the build reads: the manifest, the sources, and the files compiled into the binary
# (askama templates, embedded static assets, Lua scripts). tests/it/deploy checks this list.
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY templates ./templates
COPY static ./static
COPY lua ./lua
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    cargo build --release --locked --bin rqdash

# Debian 12's glibc, as in the builder: the binary needs libc, libm and libgcc_s, nothing else.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /build/target/release/rqdash /usr/local/bin/rqdash
# distroless's "nonroot" user; numeric so that `runAsNonRoot` policies can verify it.
USER 65532:65532
ENV RQDASH_BIND=0.0.0.0 \
    RQDASH_PORT=9181
EXPOSE 9181
# Reads the same RQDASH_* variables as the server (port, prefix, credentials) and asks its /readyz.
HEALTHCHECK --interval=30s --timeout=10s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/rqdash", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/rqdash"]
