//! Stream entry ids as paging cursors: parsed from untrusted text, stepped back by one.

/// A stream entry id `<ms>-<seq>`, parsed from untrusted text (a `before=` cursor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct StreamId(pub u64, pub u64);

impl StreamId {
    /// `1700000000000-3`, or `1700000000000` (sequence 0).
    pub fn parse(s: &str) -> Option<Self> {
        let (ms, seq) = s.trim().split_once('-').unwrap_or((s.trim(), "0"));
        Some(Self(ms.parse().ok()?, seq.parse().ok()?))
    }

    /// The greatest id before this one (None before the first possible id): XREVRANGE's
    /// inclusive bounds then page without repeating an entry, on any Redis version.
    pub fn before(self) -> Option<Self> {
        match self {
            Self(0, 0) => None,
            Self(ms, 0) => Some(Self(ms - 1, u64::MAX)),
            Self(ms, seq) => Some(Self(ms, seq - 1)),
        }
    }
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.0, self.1)
    }
}
