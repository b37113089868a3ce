//! One HTTP(S) POST of a JSON body, for alert webhooks: HTTP/1.1 over tokio, TLS through rustls
//! with the system's root certificates (the crates redis already brings), no HTTP client crate.
//! Only the status line of the answer is read: 2xx is delivered, anything else is retried.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// One attempt, connection included, gives up after this long.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// The parts of an `http(s)://host[:port][/path]` URL a POST needs.
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub authority: String,
    pub path: String,
}

/// Split a webhook URL; an error says what is wrong with it (checked when flags are parsed).
pub fn parse(url: &str) -> Result<Target, String> {
    let (tls, rest) = match url.split_once("://") {
        Some((s, r)) if s.eq_ignore_ascii_case("https") => (true, r),
        Some((s, r)) if s.eq_ignore_ascii_case("http") => (false, r),
        _ => return Err(format!("webhook URL must start with http:// or https://: {}", mask(url))),
    };
    let (authority, path) = rest.find(['/', '?']).map_or((rest, ""), |i| rest.split_at(i));
    if authority.contains('@') || authority.is_empty() {
        return Err(format!("webhook URL needs a host and no user:password@ part: {}", mask(url)));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map(|(h, p)| (h, p.strip_prefix(':'))).ok_or("unclosed [ in URL")?,
        None => authority.split_once(':').map_or((authority, None), |(h, p)| (h, Some(p))),
    };
    let default = if tls { 443 } else { 80 };
    let port = port.map_or(Ok(default), str::parse).map_err(|_| format!("bad port in {}", mask(url)))?;
    let path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
    Ok(Target { tls, host: host.to_owned(), port, authority: authority.to_owned(), path })
}

/// The URL without its path: webhook paths are secrets (Slack's carry the token), never logged.
pub fn mask(url: &str) -> String {
    match url.split_once("://") {
        Some((s, r)) => {
            let host = r.split(['/', '?']).next().unwrap_or_default();
            format!("{s}://{host}/…")
        }
        None => "…".to_owned(),
    }
}

/// POST `body` as JSON to `url`: the answer's status code, or why there was none.
pub async fn post(url: &str, body: &[u8]) -> Result<u16, String> {
    let t = parse(url)?;
    tokio::time::timeout(ATTEMPT_TIMEOUT, send(&t, body))
        .await
        .map_err(|_| format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs()))?
}

async fn send(t: &Target, body: &[u8]) -> Result<u16, String> {
    let tcp =
        TcpStream::connect((t.host.as_str(), t.port)).await.map_err(|e| format!("cannot connect: {e}"))?;
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: rqdash/{}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        t.path,
        t.authority,
        env!("CARGO_PKG_VERSION"),
        body.len()
    );
    if !t.tls {
        return exchange(tcp, head.as_bytes(), body).await;
    }
    let name =
        rustls::pki_types::ServerName::try_from(t.host.clone()).map_err(|e| format!("bad host: {e}"))?;
    let tls = tokio_rustls::TlsConnector::from(TLS.clone()?)
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS: {e}"))?;
    exchange(tls, head.as_bytes(), body).await
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    head: &[u8],
    body: &[u8],
) -> Result<u16, String> {
    s.write_all(head).await.map_err(|e| format!("cannot send: {e}"))?;
    s.write_all(body).await.map_err(|e| format!("cannot send: {e}"))?;
    s.flush().await.map_err(|e| format!("cannot send: {e}"))?;
    let mut buf = Vec::with_capacity(256);
    let mut chunk = [0u8; 512];
    // The status line is all we need; stop at its end or at 4 KB.
    while !buf.windows(2).any(|w| w == b"\r\n") && buf.len() < 4096 {
        match s.read(&mut chunk).await {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(format!("cannot read the answer: {e}")),
        }
    }
    let text = String::from_utf8_lossy(&buf);
    text.strip_prefix("HTTP/1.")
        .and_then(|r| r.get(2..5))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| "not an HTTP answer".to_owned())
}

/// The TLS client configuration, built once: the system's roots, rustls' safe defaults.
static TLS: LazyLock<Result<Arc<rustls::ClientConfig>, String>> = LazyLock::new(|| {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_are_split_and_their_secret_paths_masked() {
        let t = parse("https://hooks.slack.com/services/T0/B0/XYZ").expect("valid");
        assert_eq!(
            (t.tls, t.host.as_str(), t.port, t.path.as_str()),
            (true, "hooks.slack.com", 443, "/services/T0/B0/XYZ")
        );
        let t = parse("http://127.0.0.1:8080").expect("valid");
        assert_eq!((t.tls, t.port, t.path.as_str()), (false, 8080, "/"));
        assert!(parse("ftp://x/").is_err());
        assert!(parse("http://u:p@x/").is_err());
        assert_eq!(mask("https://hooks.slack.com/services/T0/B0/XYZ"), "https://hooks.slack.com/…");
    }
}
