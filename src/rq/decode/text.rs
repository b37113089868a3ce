//! Text fields (`exc_info`, stream `exc_string`): zlib then lossy UTF-8, read up to a cap with
//! the full size counted, so that a zlib bomb costs a bounded amount of work and memory.

use std::io::Read;

use flate2::bufread::ZlibDecoder;

use super::{TEXT_MAX, into_text};

/// Text fields (`exc_info`, stream `exc_string` after base64): zlib, then lossy UTF-8, at most
/// [`TEXT_MAX`] bytes (then marked `… (truncated)`). zlib("") (what a requeue writes) gives "".
/// Not zlib: the raw bytes as lossy UTF-8.
pub fn decode_text(raw: &[u8], compressed: bool) -> String {
    let t = text_prefix(raw, compressed, TEXT_MAX, TEXT_MAX);
    let mut text = t.text;
    if t.at_least || t.len > TEXT_MAX {
        text.push_str("\n… (truncated)");
    }
    text
}

/// The start of a text field and its full size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextPrefix {
    /// At most `keep` bytes of it, as lossy UTF-8.
    pub text: String,
    /// Its size in bytes (decompressed), counted up to `count_to`.
    pub len: usize,
    /// Counting stopped at `count_to`: it is bigger (a zlib bomb, usually).
    pub at_least: bool,
}

/// A text field decoded like [`decode_text`], keeping `keep` bytes and only counting the rest,
/// up to `count_to` decompressed bytes: a 1 GB zlib bomb costs `count_to` of inflating and
/// `keep` of memory.
pub fn text_prefix(raw: &[u8], compressed: bool, keep: usize, count_to: usize) -> TextPrefix {
    if compressed && let Some(t) = inflate_prefix(raw, keep, count_to.max(keep)) {
        return t;
    }
    TextPrefix {
        text: String::from_utf8_lossy(raw.get(..keep).unwrap_or(raw)).into_owned(),
        len: raw.len(),
        at_least: false,
    }
}

fn inflate_prefix(raw: &[u8], keep: usize, count_to: usize) -> Option<TextPrefix> {
    let as_u64 = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    let mut z = ZlibDecoder::new(raw);
    let mut out = Vec::with_capacity(raw.len().saturating_mul(4).min(keep).min(1 << 16));
    (&mut z).take(as_u64(keep)).read_to_end(&mut out).ok()?;
    let rest =
        std::io::copy(&mut z.take(as_u64(count_to - out.len()).saturating_add(1)), &mut std::io::sink())
            .ok()?;
    let len = out.len().saturating_add(usize::try_from(rest).unwrap_or(usize::MAX));
    let at_least = len > count_to;
    Some(TextPrefix { text: into_text(out), len: len.min(count_to), at_least })
}
