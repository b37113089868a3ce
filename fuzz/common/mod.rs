//! Shared by every target: the input format for field maps, and an allocator that turns an
//! oversized single allocation into a crash (libFuzzer's -malloc_limit_mb needs a sanitizer).
#![allow(dead_code)] // each target uses part of it

use std::alloc::{GlobalAlloc, Layout, System};

/// Largest single allocation a target may make. Inputs are at most a few hundred KB and the
/// decoders cap their output at a few tens of MB, so anything near this is an amplification bug.
const ALLOC_MAX: usize = 256 << 20;

pub struct Capped;

// SAFETY: forwards to the system allocator unchanged; only refuses (by aborting) huge requests.
unsafe impl GlobalAlloc for Capped {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        check(l.size());
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        check(l.size());
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        check(new);
        unsafe { System.realloc(p, l, new) }
    }
}

fn check(size: usize) {
    if size > ALLOC_MAX {
        // No allocation (hence no message formatting) here: abort, libFuzzer saves the input.
        std::process::abort();
    }
}

/// Field maps are encoded as repeated `name 0x00 len(u32 LE) value`; a length past the end takes
/// the rest of the input, a name without its 0x00 ends the map. `fuzz/seed.py` writes this.
pub fn fields(mut data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    while let Some(nul) = data.iter().position(|&b| b == 0) {
        let name = String::from_utf8_lossy(&data[..nul]).into_owned();
        data = &data[nul + 1..];
        let len = match data.get(..4) {
            Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize,
            None => data.len(),
        };
        data = data.get(4..).unwrap_or_default();
        let len = len.min(data.len());
        out.push((name, data[..len].to_vec()));
        data = &data[len..];
    }
    out
}

/// The value of `name` in a field map, as HMGET returns it.
pub fn get(fields: &[(String, Vec<u8>)], name: &str) -> Option<Vec<u8>> {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
}
