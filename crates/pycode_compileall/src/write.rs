//! Writing `.pyc` files: `os.makedirs` of `__pycache__`, and
//! `importlib._bootstrap_external._write_atomic` (temporary file in the same directory, then
//! `rename`, so a reader never sees a half-written file).

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use pycode_release::Release;

use crate::pathops::{as_path, dirname};
use crate::pytext::PyOsError;

/// `os.makedirs(name)` as `py_compile.compile` calls it: intermediate directories are created
/// too, and an existing directory (`FileExistsError`) is not an error.
pub fn makedirs(name: &[u8], release: Release) -> Result<(), PyOsError> {
    if name.is_empty() {
        return Ok(());
    }
    let head = dirname(name);
    let tail = crate::pathops::basename(name);
    if !head.is_empty() && !tail.is_empty() && !as_path(head).exists() {
        makedirs(head, release)?;
    }
    match std::fs::DirBuilder::new().mode(0o777).create(as_path(name)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(PyOsError::from_io(&e, Some(name), None, release)),
    }
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The process id, asked once (it is part of every temporary name).
fn pid() -> u32 {
    static PID: OnceLock<u32> = OnceLock::new();
    *PID.get_or_init(std::process::id)
}

/// `os.makedirs(dirname(path))` as `py_compile.compile` does it (an existing directory is not an
/// error), then `_write_atomic(path, data, mode)`: create `path.<n>` exclusively with permissions
/// `mode & 0o666` (less the umask), write, then `rename` over `path`; on failure the temporary
/// file is removed. CPython's `<n>` is `id(path)`; here it is the process id and a counter.
///
/// The directory usually exists already (every file of a package shares its `__pycache__`), so
/// the temporary file is created first and `makedirs` runs only when that fails; then the
/// creation is retried. Every failure therefore still reports `makedirs`'s error first and
/// `_write_atomic`'s otherwise, as CPython's fixed order does, without a `mkdir` per file.
pub fn makedirs_and_write_atomic(path: &[u8], data: &[u8], mode: u32, release: Release) -> Result<(), PyOsError> {
    let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut tmp = path.to_vec();
    tmp.extend_from_slice(format!(".{}{:06}", pid(), n).as_bytes());
    let create = || OpenOptions::new().write(true).create_new(true).mode(mode & 0o666).open(as_path(&tmp));
    let mut f = match create() {
        Ok(f) => f,
        Err(_) => {
            let dir = dirname(path);
            if !dir.is_empty() {
                makedirs(dir, release)?;
            }
            create().map_err(|e| PyOsError::from_io(&e, Some(&tmp), None, release))?
        }
    };
    let res = f.write_all(data).and_then(|_| f.flush()).map_err(|e| PyOsError::from_io(&e, None, None, release));
    drop(f);
    let res = res
        .and_then(|_| std::fs::rename(as_path(&tmp), as_path(path)).map_err(|e| PyOsError::from_io(&e, Some(&tmp), Some(path), release)));
    if res.is_err() {
        let _ = std::fs::remove_file(as_path(&tmp));
    }
    res
}
