//! Bounds-checked cursor over the pickle bytes.
//!
//! Every length read from the input is compared with what is actually left before any
//! slicing or allocation, so a claim like `BINUNICODE8 len=2^62` fails as "truncated"
//! instead of allocating.

use super::PickleError;

pub(super) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    fn remaining(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }

    /// Take exactly `n` bytes, or fail without consuming anything.
    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], PickleError> {
        let rest = self.remaining();
        let out = rest.get(..n).ok_or(PickleError::Truncated)?;
        self.pos += n;
        Ok(out)
    }

    /// Like [`take`](Self::take) for 64-bit length prefixes (no `as` truncation on 32-bit).
    pub(super) fn take_u64(&mut self, n: u64) -> Result<&'a [u8], PickleError> {
        let n = usize::try_from(n).map_err(|_| PickleError::Truncated)?;
        self.take(n)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], PickleError> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    pub(super) fn u8(&mut self) -> Result<u8, PickleError> {
        Ok(self.array::<1>()?[0])
    }

    pub(super) fn u16_le(&mut self) -> Result<u16, PickleError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub(super) fn u32_le(&mut self) -> Result<u32, PickleError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub(super) fn i32_le(&mut self) -> Result<i32, PickleError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    pub(super) fn u64_le(&mut self) -> Result<u64, PickleError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub(super) fn f64_be(&mut self) -> Result<f64, PickleError> {
        Ok(f64::from_be_bytes(self.array()?))
    }

    /// A protocol-0 text argument: bytes up to (not including) the next `\n`, which is
    /// consumed. A missing newline means the input was cut.
    pub(super) fn line(&mut self) -> Result<&'a [u8], PickleError> {
        let rest = self.remaining();
        let end = rest.iter().position(|&b| b == b'\n').ok_or(PickleError::Truncated)?;
        self.pos += end + 1;
        Ok(rest.get(..end).unwrap_or_default())
    }

    /// A protocol-0 line with a trailing `\r` removed (pickles written on Windows in text mode).
    pub(super) fn text_line(&mut self) -> Result<&'a [u8], PickleError> {
        let line = self.line()?;
        Ok(line.strip_suffix(b"\r").unwrap_or(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_bounds() {
        let mut r = Reader::new(b"\x01\x02\x00ab\ncd");
        assert_eq!(r.u8(), Ok(1));
        assert_eq!(r.u16_le(), Ok(2));
        assert_eq!(r.line(), Ok(&b"ab"[..]));
        assert_eq!(r.u32_le(), Err(PickleError::Truncated));
        assert_eq!(r.take_u64(u64::MAX), Err(PickleError::Truncated));
        assert_eq!(r.line(), Err(PickleError::Truncated));
        assert_eq!(r.take(2), Ok(&b"cd"[..]));
        assert_eq!(r.u8(), Err(PickleError::Truncated));
    }
}
