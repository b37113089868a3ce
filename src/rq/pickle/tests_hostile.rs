//! Hostile inputs: truncation, garbage, deep nesting, memo tricks, huge length claims and
//! random mutations must give errors (or values), never panics, aborts or huge allocations.

use super::*;
use crate::rq::decode::{decode_payload, inflate};

/// Run `f` on a thread with a 2 MiB stack (tokio's worker size) to prove no deep recursion.
fn small_stack(f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new().stack_size(2 << 20).spawn(f);
    assert!(handle.map(|h| h.join().is_ok()).unwrap_or(false), "thread panicked");
}

fn dec(bytes: &[u8]) -> Result<PyValue, PickleError> {
    decode(bytes, &Limits::default())
}

/// Uncompressed pickles of every fixture.
fn samples() -> Vec<Vec<u8>> {
    let zipped: [&[u8]; 3] =
        [fixture!("job_rich.zlib"), fixture!("job_bound.zlib"), fixture!("job_evil.zlib")];
    let mut out: Vec<Vec<u8>> = zipped.iter().filter_map(|z| inflate(z, 1 << 20).ok()).collect();
    for p in [
        &fixture!("dict_p0.pkl")[..],
        fixture!("dict_p1.pkl"),
        fixture!("dict_p2.pkl"),
        fixture!("dict_p3.pkl"),
        fixture!("dict_p4.pkl"),
        fixture!("dict_p5.pkl"),
        fixture!("rich_p0.pkl"),
        fixture!("rich_p2.pkl"),
        fixture!("result_point.pkl"),
    ] {
        out.push(p.to_vec());
    }
    assert_eq!(out.len(), 12);
    out
}

/// Deterministic xorshift64 so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn every_truncation_is_an_error() {
    for s in samples() {
        assert!(dec(&s).is_ok());
        for cut in 0..s.len() {
            assert!(dec(&s[..cut]).is_err(), "prefix of {cut} bytes decoded");
        }
    }
    assert_eq!(dec(b""), Err(PickleError::Truncated));
}

#[test]
fn random_mutations_never_panic() {
    small_stack(|| {
        let samples = samples();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut ok = 0;
        for _ in 0..20_000 {
            let mut s = samples[rng.below(samples.len())].clone();
            for _ in 0..=rng.below(4) {
                let at = rng.below(s.len());
                match rng.below(4) {
                    0 => s[at] = rng.next() as u8,
                    1 => s.insert(at, rng.next() as u8),
                    2 => drop(s.remove(at)),
                    _ => s[at] ^= 1 << rng.below(8),
                }
            }
            if let Ok(v) = dec(&s) {
                ok += 1;
                let _ = (v.to_repr(2_000), v.to_json());
            }
            let _ = decode_payload(&s, true).to_repr(500);
        }
        assert!(ok > 100, "mutator too destructive to be useful: {ok}");
    });
}

#[test]
fn garbage_never_panics() {
    let mut rng = Rng(42);
    for i in 0..5_000 {
        let len = rng.below(64);
        let mut g: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if i % 2 == 0 {
            g.splice(0..0, [0x80, 5]);
        }
        let _ = dec(&g).map(|v| v.to_repr(100));
        let _ = decode_payload(&g, true);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    small_stack(|| {
        const N: usize = 200_000;
        let wide = Limits { max_nodes: 10 * N, ..Limits::default() };
        // 200,000 MARKs: caught by the mark-depth cap.
        let marks = [&b"\x80\x04"[..], &vec![b'('; N], b"l."].concat();
        assert_eq!(dec(&marks), Err(PickleError::TooDeep(200)));
        // Nested lists via APPEND (no marks): caught when expanding the tree.
        let lists = [&b"\x80\x04"[..], &vec![b']'; N], &vec![b'a'; N - 1], b"."].concat();
        assert_eq!(dec(&lists), Err(PickleError::TooDeep(200)));
        assert_eq!(decode(&lists, &wide), Err(PickleError::TooDeep(200)));
        // Nested 1-tuples.
        let tuples = [&b"\x80\x04)"[..], &vec![0x85; N], b"."].concat();
        assert_eq!(decode(&tuples, &wide), Err(PickleError::TooDeep(200)));
        // At the limit it decodes, renders, converts and drops fine on this small stack.
        let ok = [&b"\x80\x04)"[..], &[0x85; 200], b"."].concat();
        let v = dec(&ok).unwrap_or(PyValue::None);
        assert!(v.to_repr(100_000).starts_with("((((("));
        assert!(v.clone().to_json().is_array());
    });
}

#[test]
fn memo_tricks() {
    // A 9-byte LONG_BINPUT with a 2^31 index must not size a table by it.
    assert_eq!(dec(b"\x80\x04N\x72\xff\xff\xff\x7f."), Ok(PyValue::None));
    assert_eq!(dec(b"\x80\x04\x6a\xff\xff\xff\x7f."), Err(PickleError::MemoMissing(0x7fff_ffff)));
    // Fan-out bomb: t[i+1] = (t[i], t[i]) through the memo, 60 levels = 2^60 leaves.
    let mut bomb = b"\x80\x04]\x94".to_vec();
    for i in 0u32..60 {
        for _ in 0..2 {
            bomb.push(b'j');
            bomb.extend_from_slice(&i.to_le_bytes());
        }
        bomb.extend_from_slice(b"\x86\x94");
    }
    bomb.push(b'.');
    assert_eq!(dec(&bomb), Err(PickleError::TooManyNodes));
    // One 1 MiB string referenced 100 times: the byte budget stops it.
    let mut big = b"\x80\x04X\x00\x00\x10\x00".to_vec();
    big.extend(std::iter::repeat_n(b'x', 1 << 20));
    big.extend_from_slice(b"\x94(");
    for _ in 0..100 {
        big.extend_from_slice(b"h\x00");
    }
    big.extend_from_slice(b"l.");
    assert_eq!(dec(&big), Err(PickleError::TooManyBytes(32 << 20)));
    // Too many memo entries.
    let small = Limits { max_memo: 10, ..Limits::default() };
    let many = [&b"\x80\x04N"[..], &[0x94; 11], b"."].concat();
    assert_eq!(decode(&many, &small), Err(PickleError::TooManyMemo));
    // A list that contains itself renders with a cycle marker.
    let cyclic = dec(b"\x80\x04]\x94h\x00a.");
    assert_eq!(cyclic, Ok(PyValue::List(vec![PyValue::Recursive])));
}

#[test]
fn huge_length_claims_and_bad_opcodes() {
    let cases: [(&[u8], PickleError); 12] = [
        (b"\x80\x04\x8d\x00\x00\x00\x00\x00\x00\x00\x40", PickleError::Truncated),
        (b"\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\xff", PickleError::Truncated),
        (b"\x80\x05\x96\xff\xff\xff\xff\xff\xff\xff\x7f", PickleError::Truncated),
        (b"\x80\x04X\xff\xff\xff\xff", PickleError::Truncated),
        (b"\x80\x04\x8b\xff\xff\xff\x7f", PickleError::Truncated),
        (b"T\xff\xff\xff\xff", PickleError::Malformed("negative BINSTRING size")),
        (b"\x80\x06N.", PickleError::UnsupportedProtocol(6)),
        (b"\x80\x05\xff", PickleError::UnsupportedOpcode(0xff)),
        (b"Pid\n.", PickleError::Unsupported("persistent id")),
        (b"\x80\x05\x97.", PickleError::Unsupported("out-of-band buffer")),
        (b"\x80\x04a.", PickleError::StackUnderflow),
        (b"\x80\x04(N\x86.", PickleError::StackUnderflow),
    ];
    for (input, want) in cases {
        assert_eq!(dec(input), Err(want), "{input:?}");
    }
    let too_big = Limits { max_input: 4, ..Limits::default() };
    assert_eq!(decode(b"\x80\x04N.", &too_big), Ok(PyValue::None));
    assert_eq!(decode(b"\x80\x04NN.", &too_big), Err(PickleError::TooLarge { len: 5, max: 4 }));
    // Huge ints are kept out of quadratic conversion.
    let long4 = [&b"\x80\x04\x8b\x00\x10\x00\x00"[..], &[0x11; 4096], b"."].concat();
    assert_eq!(dec(&long4), Ok(PyValue::Truncated));
}
