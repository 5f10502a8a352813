//! The process allocator: mimalloc, called through its plain `malloc`/`realloc`/`free` entry
//! points whenever the layout allows it.
//!
//! The `mimalloc` crate's `GlobalAlloc` always calls `mi_malloc_aligned`/`mi_realloc_aligned`,
//! which spend extra work on an alignment check and send every reallocation (and every block
//! above the small size classes) through mimalloc's generic aligned path. Almost all of Rust's
//! requests need at most 16-byte alignment, which `mi_malloc` already guarantees for blocks of
//! that size, so those go straight to the fast paths; anything stricter keeps the aligned calls.
//! The rule is the one Rust's own `System` allocator uses for `malloc`.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// The alignment every `mi_malloc` block of at least this size has (mimalloc's `MI_MAX_ALIGN_SIZE`).
const MIN_ALIGN: usize = 16;

pub struct PycodeAlloc;

#[inline(always)]
fn plain(align: usize, size: usize) -> bool {
    align <= MIN_ALIGN && align <= size
}

unsafe impl GlobalAlloc for PycodeAlloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: mimalloc accepts any size; the alignment is met by `plain` or by the aligned call.
        unsafe {
            if plain(layout.align(), layout.size()) {
                mi::mi_malloc(layout.size()) as *mut u8
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        unsafe {
            if plain(layout.align(), layout.size()) {
                mi::mi_zalloc(layout.size()) as *mut u8
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from one of mimalloc's allocation calls above.
        unsafe { mi::mi_free(ptr as *mut c_void) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from mimalloc; the new block keeps the layout's alignment.
        unsafe {
            if plain(layout.align(), new_size) {
                mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
            } else {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}
