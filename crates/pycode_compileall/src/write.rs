//! Writing `.pyc` files: `os.makedirs` of `__pycache__`, and
//! `importlib._bootstrap_external._write_atomic` (temporary file in the same directory, then
//! `rename`, so a reader never sees a half-written file).

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::sync::atomic::{AtomicU64, Ordering};

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

/// `_write_atomic(path, data, mode)`: create `path.<n>` exclusively with permissions
/// `mode & 0o666` (less the umask), write, then `rename` over `path`; on failure the temporary
/// file is removed. CPython's `<n>` is `id(path)`; here it is the process id and a counter.
pub fn write_atomic(path: &[u8], data: &[u8], mode: u32, release: Release) -> Result<(), PyOsError> {
    let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut tmp = path.to_vec();
    tmp.extend_from_slice(format!(".{}{:06}", std::process::id(), n).as_bytes());
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode & 0o666)
        .open(as_path(&tmp))
        .map_err(|e| PyOsError::from_io(&e, Some(&tmp), None, release))?;
    let res = f
        .write_all(data)
        .and_then(|_| f.flush())
        .map_err(|e| PyOsError::from_io(&e, None, None, release));
    drop(f);
    let res = res.and_then(|_| {
        std::fs::rename(as_path(&tmp), as_path(path)).map_err(|e| PyOsError::from_io(&e, Some(&tmp), Some(path), release))
    });
    if res.is_err() {
        let _ = std::fs::remove_file(as_path(&tmp));
    }
    res
}

/// `importlib._bootstrap_external._calc_mode(source)`: the source's mode with owner-write added,
/// 0o666 when it cannot be read.
pub fn calc_mode(source: &[u8]) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(as_path(source)).map(|m| m.permissions().mode()).unwrap_or(0o666);
    mode | 0o200
}
