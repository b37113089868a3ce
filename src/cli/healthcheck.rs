//! `rqdash healthcheck`: GET the local server's `/readyz`, exit 0 on 200 and 1 otherwise. A
//! minimal blocking HTTP/1.1 GET under one deadline: the probe is local and does one request, so
//! it needs neither TLS nor an HTTP client crate (and a container image needs no curl).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Instant;

use base64::Engine;

use crate::config::{Credentials, HealthcheckArgs, ServeArgs};

/// Enough for the readiness of many instances; the status line is all that decides.
const MAX_REPLY: usize = 64 * 1024;

/// Run the probe; prints one line, on stdout when ready and on stderr when not.
pub fn run(args: &HealthcheckArgs, serve: &ServeArgs) -> ExitCode {
    let url = args.probe_url.clone().unwrap_or_else(|| default_url(serve));
    let deadline = Instant::now() + args.timeout;
    let outcome = serve.credentials().and_then(|auth| get(&url, auth.as_ref(), deadline));
    match outcome {
        Ok((200, _)) => {
            println!("ready: {url}");
            ExitCode::SUCCESS
        }
        Ok((status, body)) => {
            eprintln!("rqdash healthcheck: {url} answered {status}: {}", reason(&body));
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("rqdash healthcheck: {url}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `/readyz` where the server listens, as its own flags (or `RQDASH_*` variables) say; a
/// wildcard bind (0.0.0.0, ::) is reached on loopback.
pub fn default_url(serve: &ServeArgs) -> String {
    let host = match serve.bind.trim_matches(['[', ']']) {
        "" | "0.0.0.0" => "127.0.0.1".to_owned(),
        "::" => "[::1]".to_owned(),
        h if h.contains(':') => format!("[{h}]"),
        h => h.to_owned(),
    };
    format!("http://{host}:{}{}/readyz", serve.port, serve.prefix())
}

/// The parts of an `http://host[:port][/path]` URL a GET needs.
#[derive(Debug, PartialEq, Eq)]
struct Target<'a> {
    host: &'a str,
    port: u16,
    authority: &'a str,
    path: String,
}

fn parse(url: &str) -> Result<Target<'_>, String> {
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs are supported (the probe is local)")?;
    let (authority, path) = rest.find(['/', '?']).map_or((rest, ""), |i| rest.split_at(i));
    if authority.contains('@') {
        return Err("credentials in the URL are not supported: use --username and --password".to_owned());
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map(|(h, p)| (h, p.strip_prefix(':'))).ok_or("unclosed [ in URL")?,
        None => authority.split_once(':').map_or((authority, None), |(h, p)| (h, Some(p))),
    };
    let port = port.map_or(Ok(80), str::parse).map_err(|_| format!("bad port in {authority:?}"))?;
    let path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
    Ok(Target { host, port, authority, path })
}

/// GET `url` before `deadline`: the status code and the body.
fn get(url: &str, auth: Option<&Credentials>, deadline: Instant) -> Result<(u16, String), String> {
    let t = parse(url)?;
    let left = || {
        let d = deadline.saturating_duration_since(Instant::now());
        if d.is_zero() { Err("no answer in time (--timeout)".to_owned()) } else { Ok(d) }
    };
    let addr = (t.host, t.port).to_socket_addrs().ok().and_then(|mut a| a.next());
    let addr = addr.ok_or_else(|| format!("cannot resolve {}", t.host))?;
    let mut s = TcpStream::connect_timeout(&addr, left()?).map_err(|e| format!("cannot connect: {e}"))?;
    let auth = auth.map_or_else(String::new, |c| {
        let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", c.username, c.password));
        format!("Authorization: Basic {b64}\r\n")
    });
    let req = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: rqdash-healthcheck\r\nAccept: application/json\r\n\
         {auth}Connection: close\r\n\r\n",
        t.path, t.authority
    );
    s.set_write_timeout(Some(left()?))
        .and_then(|()| s.write_all(req.as_bytes()))
        .map_err(|e| format!("cannot send: {e}"))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    // The server closes after its reply (Connection: close); each read is bounded by what is left.
    loop {
        s.set_read_timeout(Some(left()?)).map_err(|e| e.to_string())?;
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) if buf.len() < MAX_REPLY => buf.extend_from_slice(&chunk[..n]),
            Ok(_) => break,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return Err("no answer in time (--timeout)".to_owned());
            }
            Err(e) => return Err(format!("cannot read the reply: {e}")),
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let status = text
        .strip_prefix("HTTP/1.")
        .and_then(|r| r.get(2..5))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not an HTTP reply: {:?}", text.chars().take(60).collect::<String>()))?;
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    Ok((status, body))
}

/// The `error` of a JSON reply (it names the failing instances), else the start of the body.
fn reason(body: &str) -> String {
    let parsed = serde_json::from_str::<serde_json::Value>(body).ok();
    match parsed.as_ref().and_then(|v| v["error"].as_str()) {
        Some(e) => super::output::clean_text(e),
        None => super::output::clean_text(&body.trim().chars().take(300).collect::<String>()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_urls_are_split_into_host_port_and_path() {
        let t = parse("http://127.0.0.1:9181/rq/readyz").expect("valid");
        assert_eq!(
            (t.host, t.port, t.authority, t.path.as_str()),
            ("127.0.0.1", 9181, "127.0.0.1:9181", "/rq/readyz")
        );
        let t = parse("http://[::1]:8080").expect("valid");
        assert_eq!((t.host, t.port, t.path.as_str()), ("::1", 8080, "/"));
        assert_eq!(parse("http://localhost?x").map(|t| (t.port, t.path)), Ok((80, "/?x".to_owned())));
        assert!(parse("https://127.0.0.1/readyz").is_err());
        assert!(parse("http://u:p@127.0.0.1/readyz").is_err());
        assert!(parse("http://127.0.0.1:port/").is_err());
    }

    fn serve(args: &[&str]) -> ServeArgs {
        let argv = std::iter::once("rqdash").chain(args.iter().copied());
        crate::config::try_parse_from(argv, |_| None).expect("valid flags").serve
    }

    #[test]
    fn the_default_url_is_where_the_server_listens_with_wildcards_reached_on_loopback() {
        assert_eq!(default_url(&serve(&[])), "http://127.0.0.1:9181/readyz");
        assert_eq!(
            default_url(&serve(&["-b", "0.0.0.0", "-p", "80", "--url-prefix", "rq/"])),
            "http://127.0.0.1:80/rq/readyz"
        );
        assert_eq!(default_url(&serve(&["-b", "::"])), "http://[::1]:9181/readyz");
        assert_eq!(default_url(&serve(&["-b", "10.1.2.3"])), "http://10.1.2.3:9181/readyz");
        assert_eq!(default_url(&serve(&["-b", "fd00::5"])), "http://[fd00::5]:9181/readyz");
    }
}
