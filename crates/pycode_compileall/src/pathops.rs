//! POSIX path arithmetic on raw bytes, as `posixpath` and `importlib._bootstrap_external` do it,
//! plus the `.pyc` location (`importlib.util.cache_from_source`) and the `dfile` compileall
//! computes from `-d` / `-s` / `-p`.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use pycode_release::Release;

/// A path as the bytes Python's `os.fsencode` would give.
pub type PathBytes = Vec<u8>;

pub fn as_path(p: &[u8]) -> &Path {
    Path::new(OsStr::from_bytes(p))
}

/// `posixpath.join(a, *p)`.
pub fn join(parts: &[&[u8]]) -> PathBytes {
    let mut out: PathBytes = parts.first().map(|p| p.to_vec()).unwrap_or_default();
    for b in parts.iter().skip(1) {
        if b.first() == Some(&b'/') {
            out = b.to_vec();
        } else if out.is_empty() || out.last() == Some(&b'/') {
            out.extend_from_slice(b);
        } else {
            out.push(b'/');
            out.extend_from_slice(b);
        }
    }
    out
}

/// `posixpath.basename`.
pub fn basename(p: &[u8]) -> &[u8] {
    match p.iter().rposition(|&c| c == b'/') {
        Some(i) => &p[i + 1..],
        None => p,
    }
}

/// `posixpath.dirname`: the head of `split`, trailing slashes removed unless it is all slashes.
pub fn dirname(p: &[u8]) -> &[u8] {
    let head = match p.iter().rposition(|&c| c == b'/') {
        Some(i) => &p[..i + 1],
        None => &p[..0],
    };
    if !head.is_empty() && head.iter().any(|&c| c != b'/') {
        let end = head.iter().rposition(|&c| c != b'/').map_or(0, |i| i + 1);
        &head[..end]
    } else {
        head
    }
}

/// `importlib._bootstrap_external._path_join` on POSIX: `'/'.join(part.rstrip('/') for part
/// in parts if part)`.
fn boot_join(parts: &[&[u8]]) -> PathBytes {
    let mut out = Vec::new();
    let mut first = true;
    for p in parts.iter().filter(|p| !p.is_empty()) {
        if !first {
            out.push(b'/');
        }
        first = false;
        let end = p.iter().rposition(|&c| c != b'/').map_or(0, |i| i + 1);
        out.extend_from_slice(&p[..end]);
    }
    out
}

/// `importlib.util.cache_from_source(path, optimization=opt)` for `release`'s cache tag, with
/// `sys.flags.optimize == 0`. `opt` is `None` for the interpreter default (no suffix), or the
/// level (`0` gives no suffix either; any other value gives `.opt-N`). `pycache_prefix` is
/// `sys.pycache_prefix` (`PYTHONPYCACHEPREFIX`); `cwd` makes a relative head absolute for it.
pub fn cache_from_source(path: &[u8], opt: Option<i64>, release: Release, pycache_prefix: Option<&[u8]>, cwd: &[u8]) -> PathBytes {
    let (head, tail) = match path.iter().rposition(|&c| c == b'/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => (&path[..0], path),
    };
    let (base, sep, rest) = match tail.iter().rposition(|&c| c == b'.') {
        Some(i) => (&tail[..i], &tail[i..i + 1], &tail[i + 1..]),
        None => (&tail[..0], &tail[..0], tail),
    };
    let (maj, min) = release.minor();
    let mut filename: Vec<u8> = Vec::with_capacity(tail.len() + 24);
    filename.extend_from_slice(if base.is_empty() { rest } else { base });
    filename.extend_from_slice(sep);
    filename.extend_from_slice(format!("cpython-{maj}{min}").as_bytes());
    if let Some(level) = opt.filter(|&l| l != 0) {
        filename.extend_from_slice(format!(".opt-{level}").as_bytes());
    }
    filename.extend_from_slice(b".pyc");
    if let Some(prefix) = pycache_prefix {
        // `_path_abspath(head)` then strip leading separators.
        let abs: PathBytes = if head.first() == Some(&b'/') {
            head.to_vec()
        } else {
            let h = head.strip_prefix(b"./").unwrap_or(head);
            boot_join(&[cwd, h])
        };
        let start = abs.iter().position(|&c| c != b'/').unwrap_or(abs.len());
        return boot_join(&[prefix, &abs[start..], &filename]);
    }
    boot_join(&[head, b"__pycache__", &filename])
}

/// Splits like `str.split(os.sep)` (empty fields kept).
fn split_sep(p: &[u8]) -> Vec<&[u8]> {
    p.split(|&c| c == b'/').collect()
}

/// Why no `dfile` could be computed: `os.path.join(*[])` raises `TypeError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmptyJoin;

/// What `compile_file` computes as the `dfile` (the name compiled into the code objects), and
/// for 3.13+ the notice it prints when `stripdir` is not a prefix.
pub fn compute_dfile(
    fullname: &[u8],
    ddir: Option<&[u8]>,
    stripdir: Option<&[u8]>,
    prependdir: Option<&[u8]>,
    release: Release,
) -> Result<(Option<PathBytes>, Option<String>), EmptyJoin> {
    let name = basename(fullname);
    let mut dfile: Option<PathBytes> = ddir.map(|d| join(&[d, name]));
    let mut notice = None;
    if let Some(strip) = stripdir {
        let full_parts = split_sep(fullname);
        let strip_parts = split_sep(strip);
        if release.at_least(3, 13) {
            // 3.13+: strip only a true prefix, otherwise say so and keep dfile.
            if full_parts.get(..strip_parts.len()) != Some(&strip_parts[..]) {
                notice = Some(format!(
                    "The stripdir path {} is not a valid prefix for source path {}; ignoring",
                    crate::pytext::repr_path(strip, release),
                    crate::pytext::repr_path(fullname, release)
                ));
            } else {
                let rest = &full_parts[strip_parts.len()..];
                if rest.is_empty() {
                    return Err(EmptyJoin);
                }
                dfile = Some(join(rest));
            }
        } else {
            // 3.11/3.12: for each position where the parts agree, remove the first part equal
            // to it (`list.remove`), wherever it is.
            let mut ddir_parts: Vec<&[u8]> = full_parts.clone();
            for (s, o) in strip_parts.iter().zip(full_parts.iter()) {
                if s == o {
                    if let Some(i) = ddir_parts.iter().position(|p| p == s) {
                        ddir_parts.remove(i);
                    }
                }
            }
            if ddir_parts.is_empty() {
                return Err(EmptyJoin);
            }
            dfile = Some(join(&ddir_parts));
        }
    }
    if let Some(pre) = prependdir {
        dfile = Some(match dfile {
            None => join(&[pre, fullname]),
            Some(d) => join(&[pre, &d]),
        });
    }
    Ok((dfile, notice))
}

/// `pathlib.Path(p).resolve()` (non-strict, POSIX): an absolute path with symlinks resolved as
/// far as the path exists, `.`/`..` handled as the OS would after resolution.
pub fn resolve(p: &[u8], cwd: &[u8]) -> PathBytes {
    let start: PathBytes = if p.first() == Some(&b'/') { p.to_vec() } else { join(&[cwd, p]) };
    let mut out: PathBytes = Vec::new();
    let mut pending: Vec<PathBytes> = split_sep(&start).into_iter().rev().filter(|c| !c.is_empty()).map(|c| c.to_vec()).collect();
    let mut links_left = 64u32;
    while let Some(comp) = pending.pop() {
        if comp == b"." {
            continue;
        }
        if comp == b".." {
            if let Some(i) = out.iter().rposition(|&c| c == b'/') {
                out.truncate(i);
            }
            continue;
        }
        let mut next = out.clone();
        next.push(b'/');
        next.extend_from_slice(&comp);
        match std::fs::read_link(as_path(&next)) {
            Ok(target) if links_left > 0 => {
                links_left -= 1;
                let t = target.as_os_str().as_bytes();
                if t.first() == Some(&b'/') {
                    out.clear();
                }
                for c in split_sep(t).into_iter().rev().filter(|c| !c.is_empty()) {
                    pending.push(c.to_vec());
                }
            }
            _ => out = next,
        }
    }
    if out.is_empty() {
        out.push(b'/');
    }
    out
}

/// Whether `parent` is one of `child`'s proper ancestors (`parent in Path(child).parents`), both
/// already absolute and normalised.
pub fn is_proper_ancestor(parent: &[u8], child: &[u8]) -> bool {
    if parent == b"/" {
        return child != b"/" && child.first() == Some(&b'/');
    }
    child.len() > parent.len() + 1 && child.starts_with(parent) && child.get(parent.len()) == Some(&b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyc_paths() {
        let r = Release::V3_12_7;
        assert_eq!(cache_from_source(b"a/b.py", None, r, None, b"/w"), b"a/__pycache__/b.cpython-312.pyc");
        assert_eq!(cache_from_source(b"b.py", Some(2), r, None, b"/w"), b"__pycache__/b.cpython-312.opt-2.pyc");
        assert_eq!(cache_from_source(b"a//b.x.py", Some(0), r, None, b"/w"), b"a/__pycache__/b.x.cpython-312.pyc");
        assert_eq!(cache_from_source(b"d/.py", None, r, None, b"/w"), b"d/__pycache__/py.cpython-312.pyc");
        assert_eq!(cache_from_source(b"a/b.py", None, r, Some(b"/pfx"), b"/w"), b"/pfx/w/a/b.cpython-312.pyc");
    }

    #[test]
    fn dfiles() {
        let r12 = Release::V3_12_7;
        let r13 = Release::V3_13_2;
        assert_eq!(compute_dfile(b"pkg/a.py", Some(b"/x"), None, None, r12), Ok((Some(b"/x/a.py".to_vec()), None)));
        assert_eq!(compute_dfile(b"pkg/sub/a.py", None, Some(b"pkg"), Some(b"/p"), r12), Ok((Some(b"/p/sub/a.py".to_vec()), None)));
        assert_eq!(compute_dfile(b"pkg/a.py", None, Some(b"pkg/"), None, r12), Ok((Some(b"a.py".to_vec()), None)));
        let (d, n) = compute_dfile(b"pkg/a.py", None, Some(b"pkg/"), Some(b"/p"), r13).unwrap();
        assert_eq!(d, Some(b"pkg/a.py".to_vec()).map(|_| b"/p/pkg/a.py".to_vec()));
        assert!(n.is_some());
        assert_eq!(compute_dfile(b"a.py", None, Some(b"a.py"), None, r12), Err(EmptyJoin));
    }

    #[test]
    fn posix_join_dirname() {
        assert_eq!(join(&[b"a/", b"b"]), b"a/b");
        assert_eq!(join(&[b"a", b"/b"]), b"/b");
        assert_eq!(dirname(b"a/b/c"), b"a/b");
        assert_eq!(dirname(b"/c"), b"/");
        assert_eq!(dirname(b"c"), b"");
        assert!(is_proper_ancestor(b"/a", b"/a/b"));
        assert!(!is_proper_ancestor(b"/a", b"/ab"));
        assert!(!is_proper_ancestor(b"/a", b"/a"));
    }
}
