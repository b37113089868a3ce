//! Credentials RQ stores in a job hash, masked before anything shows them: RQ 3.0 webhooks carry
//! request headers (`Authorization`, API keys) and URLs with user info or query tokens.

use serde_json::Value;

/// What a hidden value reads as.
pub const HIDDEN: &str = "(hidden)";

/// Fields of a job hash with their secrets masked. Masking happens once, where the hash is read,
/// so the job page, its raw hash, "show all", the API and the CLI cannot show the original.
pub fn masked(mut fields: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    for (name, value) in &mut fields {
        if name == "webhooks" {
            *value = mask_webhooks(value);
        } else if name == "description" {
            // RQ writes the call with its arguments' reprs: `--redact` keys are hidden in it too.
            if let std::borrow::Cow::Owned(d) =
                crate::rq::redact::description(&String::from_utf8_lossy(value))
            {
                *value = d.into_bytes();
            }
        }
    }
    fields
}

/// `webhooks` as stored (a JSON list of `{url, job_status, method, headers, timeout}`) with every
/// header value and the URL's password and query values replaced; anything that is not JSON is
/// hidden whole, since it cannot be told apart from a secret.
pub fn mask_webhooks(raw: &[u8]) -> Vec<u8> {
    let Ok(mut v) = serde_json::from_slice::<Value>(raw) else {
        return format!("{HIDDEN}: webhooks that are not JSON ({} bytes)", raw.len()).into_bytes();
    };
    for w in v.as_array_mut().into_iter().flatten() {
        if let Some(headers) = w.get_mut("headers").and_then(Value::as_object_mut) {
            for value in headers.values_mut() {
                *value = Value::String(HIDDEN.to_owned());
            }
        }
        if let Some(url) = w.get_mut("url")
            && let Some(u) = url.as_str()
        {
            *url = Value::String(mask_url(u));
        }
    }
    serde_json::to_vec(&v).unwrap_or_else(|_| HIDDEN.as_bytes().to_vec())
}

/// A URL with the password of its user info and the value of every query parameter hidden.
pub fn mask_url(u: &str) -> String {
    let (before_query, query) = match u.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (u, None),
    };
    let mut out = match before_query.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
            let authority = match authority.rsplit_once('@') {
                Some((info, host)) => {
                    let user = info.split_once(':').map_or(info, |(user, _)| user);
                    format!("{user}:{HIDDEN}@{host}")
                }
                None => authority.to_owned(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => before_query.to_owned(),
    };
    if let Some(q) = query {
        let params: Vec<String> = q
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) => format!("{k}={HIDDEN}"),
                None => p.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_header_values_and_url_secrets_never_survive_masking() {
        let raw = br#"[{"url":"https://bot:s3cret@hooks.example.com/x?token=abc&v=1","job_status":"failed","method":"POST","headers":{"Authorization":"Bearer t0ken","X-Api-Key":"k3y"},"timeout":5}]"#;
        let out = String::from_utf8(mask_webhooks(raw)).expect("utf-8");
        for secret in ["s3cret", "abc", "t0ken", "k3y"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        let v: Value = serde_json::from_str(&out).expect("still JSON");
        assert_eq!(v[0]["url"], "https://bot:(hidden)@hooks.example.com/x?token=(hidden)&v=(hidden)");
        assert_eq!(v[0]["headers"]["Authorization"], HIDDEN);
        assert_eq!(v[0]["method"], "POST");
        assert_eq!(v[0]["timeout"], 5);
    }

    #[test]
    fn webhooks_that_are_not_json_are_hidden_whole() {
        let out = String::from_utf8(mask_webhooks(b"Authorization: Bearer t0ken")).expect("utf-8");
        assert!(!out.contains("t0ken") && out.starts_with(HIDDEN), "{out}");
    }

    #[test]
    fn only_the_webhooks_field_is_touched() {
        let f = masked(vec![
            ("description".into(), b"https://a:b@c/?d=e".to_vec()),
            ("webhooks".into(), br#"[{"url":"http://h/","headers":{"k":"v"}}]"#.to_vec()),
        ]);
        assert_eq!(f[0].1, b"https://a:b@c/?d=e");
        assert!(!String::from_utf8_lossy(&f[1].1).contains("\"v\""));
    }
}
