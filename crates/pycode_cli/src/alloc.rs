//! The process allocator: mimalloc, called through its plain `malloc`/`realloc`/`free` entry
//! points whenever the layout allows it.
//!
//! The `mimalloc` crate's `GlobalAlloc` always calls `mi_malloc_aligned`/`mi_realloc_aligned`,
//! which spend extra work on an alignment check and send every reallocation (and every block
//! above the small size classes) through mimalloc's generic aligned path. Almost all of Rust's
//! requests need at most 16-byte alignment, which `mi_malloc` already guarantees for blocks of
//! that size, so those go straight to the fast paths; anything stricter keeps the aligned calls.
//! The rule is the one Rust's own `System` allocator uses for `malloc`.
//!
//! [`configure`] sets the options the process runs with (call it first thing in `main`).

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

/// mimalloc's `mi_option_purge_delay` (`mi_option_t` value in the bundled v3 `mimalloc.h`; the
/// `libmimalloc-sys` bindings do not name it).
const MI_OPTION_PURGE_DELAY: i32 = 15;

/// mimalloc's `mi_option_allow_thp` (same header).
const MI_OPTION_ALLOW_THP: i32 = 43;

extern "C" {
    /// `void mi_option_set(mi_option_t option, long value)`.
    fn mi_option_set(option: i32, value: std::ffi::c_long);
}

/// `allow_thp = 0` must be set before mimalloc initialises itself, which it does in a
/// constructor of priority 101 (or at the first allocation): that is when it reserves and
/// touches its first arena, and when it reads this option to decide whether to madvise its
/// memory for transparent huge pages. Set later (in `main`), the first arena has already been
/// faulted in 2 MiB at a time: 11.0 MB peak RSS for compiling a one-line file instead of 7.4 MB.
/// The linker runs `.init_array.NNNNN` entries in ascending priority, before unprioritised ones,
/// so priority 100 runs first.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array.00100"]
static EARLY_OPTIONS: extern "C" fn() = early_options;

#[cfg(target_os = "linux")]
extern "C" fn early_options() {
    // SAFETY: `mi_option_set` only stores the value in mimalloc's static option table (no
    // allocation, no initialisation); the option number is checked in the test below.
    unsafe { mi_option_set(MI_OPTION_ALLOW_THP, 0) }
}

/// [`configure`]'s `purge_delay`, in milliseconds.
const PURGE_DELAY_MS: std::ffi::c_long = 10;

/// Sets mimalloc's options for this process:
///
/// - `purge_delay = 10` (ms; the bundled v3's default is 1000): memory freed by one file is
///   returned to the OS (`madvise`) 10 ms later unless reused first. Kept instead (`-1`, until
///   session 16), the freed blocks of each file's sizes stayed resident while the next file's
///   landed in other slices, so peak RSS grew with the number of files rather than with the
///   largest one, and every `-j` worker carried its own such growth. Measured over the 3.12
///   stdlib (511 files, `--target 3.12`, medians of 6 runs): `-j 1` 16.6 → 14.9 MB, `-j 2`
///   22.6 → 19.0 MB, i.e. 6.1 → 4.1 MB per added worker (issue 11's budget, the largest
///   one-file working set: ~3.8 MB); page faults 2,430 → 3,850 and ~250 `madvise` calls,
///   about 4 ms of system time (~1 % of the job), user-space instructions +0.01 %.
/// - No transparent huge pages: set before mimalloc starts (`EARLY_OPTIONS` above), so mimalloc
///   itself disables them for the process (`PR_SET_THP_DISABLE`) as it initialises. mimalloc
///   commits its arenas up front where the kernel overcommits, and with THP in `madvise` mode
///   they were faulted in 2 MiB at a time. Peak RSS of `compileall -f -q` over the 3.12 stdlib
///   (511 files), `--target 3.12`: 32.2 → 18.3 MB at `-j 1` (CPython 3.12.1's own `-j 1`:
///   23.7 MB), 54.8 → 25.6 MB at `-j 2` when this was a `prctl` in `main`; a one-line file
///   11.0 → 7.4 MB once the option was set before mimalloc's own start. Instructions are the
///   same; page faults go from ~390 to ~2,650.
pub fn configure() {
    // SAFETY: `mi_option_set` only stores the value (mimalloc reads options lazily and accepts
    // a change at any time); the option number is checked against the header in the test below.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) }
}

#[cfg(test)]
mod tests {
    extern "C" {
        /// `long mi_option_get(mi_option_t option)`.
        fn mi_option_get(option: i32) -> std::ffi::c_long;
    }

    /// `MI_OPTION_PURGE_DELAY` names mimalloc's purge delay: in the bundled v3 its default is
    /// 1000 ms, which no neighbouring option has.
    /// `MI_OPTION_ALLOW_THP` names `allow_thp`, and `EARLY_OPTIONS` ran before this test (the
    /// test binary links it too): the option reads 0, while its neighbour keeps its default
    /// (`page_cross_thread_max_reclaim`: 32 in the bundled v3).
    #[cfg(target_os = "linux")]
    #[test]
    fn allow_thp_is_off_from_the_start() {
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() && std::env::var_os("MIMALLOC_PAGE_CROSS_THREAD_MAX_RECLAIM").is_none() {
            // SAFETY: reading an option has no preconditions.
            unsafe {
                assert_eq!(mi_option_get(super::MI_OPTION_ALLOW_THP), 0);
                assert_eq!(mi_option_get(super::MI_OPTION_ALLOW_THP - 1), 32);
            }
        }
    }

    #[test]
    fn purge_delay_option_number() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() && std::env::var_os("MIMALLOC_RESET_DELAY").is_none() {
            // SAFETY: reading an option has no preconditions.
            assert_eq!(unsafe { mi_option_get(super::MI_OPTION_PURGE_DELAY) }, 1000);
            assert_ne!(unsafe { mi_option_get(super::MI_OPTION_PURGE_DELAY - 1) }, 1000);
            assert_ne!(unsafe { mi_option_get(super::MI_OPTION_PURGE_DELAY + 1) }, 1000);
        }
    }
}
