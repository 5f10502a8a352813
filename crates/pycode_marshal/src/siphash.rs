//! `importlib.util.source_hash`: `_imp.source_hash(_RAW_MAGIC_NUMBER, source)`, which is
//! `_Py_KeyedHash` (`Python/pyhash.c`): SipHash-1-3 keyed with `k0` = the 4 magic bytes read as a
//! little-endian integer and `k1` = 0, returned as the 8 little-endian bytes of the hash.

use pycode_release::Release;

/// `importlib.util.source_hash(source)` as `release` computes it (the key is its magic number,
/// so the result differs between minor versions).
pub fn source_hash(release: Release, source: &[u8]) -> [u8; 8] {
    let key = u32::from_le_bytes(release.magic_bytes()) as u64;
    siphash13(key, 0, source).to_le_bytes()
}

#[inline(always)]
fn sipround(v: &mut [u64; 4]) {
    v[0] = v[0].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(13) ^ v[0];
    v[0] = v[0].rotate_left(32);
    v[2] = v[2].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(16) ^ v[2];
    v[0] = v[0].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(21) ^ v[0];
    v[2] = v[2].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(17) ^ v[2];
    v[2] = v[2].rotate_left(32);
}

/// SipHash-1-3 (one compression round, three finalization rounds); CPython's `siphash13`.
pub(crate) fn siphash13(k0: u64, k1: u64, src: &[u8]) -> u64 {
    let mut v = [k0 ^ 0x736f_6d65_7073_6575, k1 ^ 0x646f_7261_6e64_6f6d, k0 ^ 0x6c79_6765_6e65_7261, k1 ^ 0x7465_6462_7974_6573];
    let mut blocks = src.chunks_exact(8);
    for block in &mut blocks {
        let mut b = [0u8; 8];
        b.copy_from_slice(block);
        let m = u64::from_le_bytes(b);
        v[3] ^= m;
        sipround(&mut v);
        v[0] ^= m;
    }
    let rest = blocks.remainder();
    let mut last = [0u8; 8];
    last[..rest.len()].copy_from_slice(rest);
    let t = u64::from_le_bytes(last) | ((src.len() as u64) << 56);
    v[3] ^= t;
    sipround(&mut v);
    v[0] ^= t;
    v[2] ^= 0xff;
    sipround(&mut v);
    sipround(&mut v);
    sipround(&mut v);
    v[0] ^ v[1] ^ v[2] ^ v[3]
}
