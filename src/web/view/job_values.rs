//! The job page's values: "show all (N MB)" links, the collapsible pretty form, within the
//! page's budget.

use crate::rq::cap::{Budget, Cut, rendered_len};
use crate::rq::detail::JobDetail;
use crate::rq::shown::Shown;
use crate::web::fmt;

/// Rendered bytes of the collapsible pretty forms of structured values, all together.
pub const PRETTY_MAX: usize = 64 * 1024;

/// A "show all (12.0 MB) · 11.9 MB cut" link to `/jobs/{id}/full`.
pub struct ShowAll {
    pub href: String,
    pub size: String,
    /// The full size in bytes, and whether it is a lower bound.
    full: usize,
    at_least: bool,
}

impl ShowAll {
    pub fn of(cuts: &[Cut], field: &str, full_base: &str) -> Option<ShowAll> {
        let c = Budget::find(cuts, field)?;
        let size = fmt::bytes(i64::try_from(c.len).unwrap_or(i64::MAX));
        let size = if c.at_least { format!("over {size}") } else { size };
        let href = format!("{full_base}{}", fmt::q(c.item.as_deref()?));
        Some(ShowAll { href, size, full: c.len, at_least: c.at_least })
    }

    /// How much of the value the page leaves out, when it shows `shown`: " · 11.9 MB cut"; when
    /// the full size is not the bigger (a decoded value's size is that of its stored, maybe
    /// compressed, bytes), what it keeps: " · first 64.0 KB shown".
    pub fn cut(&self, shown: &str) -> String {
        self.cut_len(shown.len())
    }

    /// [`ShowAll::cut`] for a value shown in `shown` bytes.
    pub fn cut_len(&self, shown: usize) -> String {
        if self.full <= shown {
            return format!(" · first {} shown", fmt::bytes(i64::try_from(shown).unwrap_or(i64::MAX)));
        }
        let n = fmt::bytes(i64::try_from(self.full - shown).unwrap_or(i64::MAX));
        if self.at_least { format!(" · over {n} cut") } else { format!(" · {n} cut") }
    }

    /// The summary of a folded value: "12.0 MB in all; the first 64.0 KB shown here" (or
    /// "1.1 KB stored; ..." when the stored bytes are fewer than those rendered).
    pub fn fold(&self, shown: &str) -> String {
        let kept = fmt::bytes(i64::try_from(shown.len()).unwrap_or(i64::MAX));
        let whole = if self.full > shown.len() { "in all" } else { "stored" };
        format!("{} {whole}; the first {kept} shown here", self.size)
    }
}

/// RQ 3.0 webhooks (`[{url, job_status, method, headers, timeout}]`), one line each: "on
/// finished: POST https://… (timeout 10 s, 2 header(s), values hidden)". Header values and URL
/// secrets were masked where the hash was read ([`crate::rq::secrets`]), raw hash included.
/// Anything else shaped is shown as its JSON.
pub fn webhooks(v: Option<&serde_json::Value>) -> Vec<String> {
    let Some(v) = v else { return Vec::new() };
    let Some(list) = v.as_array() else { return vec![v.to_string()] };
    list.iter()
        .map(|w| match (w["url"].as_str(), w["job_status"].as_str()) {
            (Some(url), Some(on)) => {
                let method = w["method"].as_str().unwrap_or("GET");
                let timeout = w["timeout"].as_i64().map(|t| format!("timeout {t} s"));
                let headers = w["headers"].as_object().filter(|h| !h.is_empty());
                let headers = headers.map(|h| format!("{} header(s), values hidden", h.len()));
                let extra: Vec<String> = [timeout, headers].into_iter().flatten().collect();
                let extra = if extra.is_empty() { String::new() } else { format!(" ({})", extra.join(", ")) };
                format!("on {on}: {method} {url}{extra}")
            }
            _ => w.to_string(),
        })
        .collect()
}

/// A decoded value prepared for display.
pub struct ValueView {
    pub label: String,
    pub text: String,
    pub full: Option<ShowAll>,
    /// Multi-line pretty form for structured values (collapsible), when different from `text`.
    pub pretty: Option<String>,
    pub undecodable: bool,
}

/// A collapsible, indented form for big structured values (lists, dicts); None for scalars,
/// short values and special objects (`{"$bytes": ..}`, `{"$class": ..}`) whose repr says it all,
/// and once `left` (rendered bytes for all pretty forms of the page) is spent.
pub fn pretty_json(v: &serde_json::Value, left: &mut usize) -> Option<String> {
    let structured = match v {
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty() && !o.keys().any(|k| k.starts_with('$')),
        _ => false,
    };
    if !structured {
        return None;
    }
    let p = serde_json::to_string_pretty(v).ok().filter(|p| p.len() > 80 && p.lines().count() > 3)?;
    let n = rendered_len(&p);
    (n <= *left).then(|| {
        *left -= n;
        p
    })
}

/// Prepare a shown value, cut as `field` of the detail.
pub fn value_view(
    label: String,
    s: &Shown,
    field: &str,
    j: &JobDetail,
    base: &str,
    left: &mut usize,
) -> ValueView {
    ValueView {
        label,
        text: s.repr.clone(),
        full: ShowAll::of(&j.cut, field, base),
        pretty: if s.cut { None } else { pretty_json(&s.value, left) },
        undecodable: s.undecodable.is_some(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_webhook_shows_its_status_method_and_url_but_never_its_header_values() {
        let v = serde_json::json!([{"url": "https://h.example/x", "job_status": "failed", "method": "POST",
            "headers": {"Authorization": "Bearer s3cret"}, "timeout": 5}]);
        let out = super::webhooks(Some(&v));
        assert_eq!(
            out,
            vec!["on failed: POST https://h.example/x (timeout 5 s, 1 header(s), values hidden)"]
        );
    }
}
