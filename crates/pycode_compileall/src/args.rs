//! The command line of `python -m compileall`: `compileall.main()`'s `argparse` parser, emulated
//! for this one fixed set of options with each release's `argparse` behaviour (abbreviated long
//! options, `-j4`/`-lf` bundling, `--x=v`, `--`, negative numbers as values, the `nargs='*'`
//! positional that takes only the first run of positionals) and its error texts (usage + `PROG:
//! error: ...`, exit status 2).
//!
//! Release differences mirrored: 3.11.7/3.12.1 report an unknown letter in a bundle (`-lz`) as
//! "ignored explicit argument", later releases as an unrecognized argument; 3.12.7 names the
//! *last* command-line word in "ambiguous option"; 3.13.2+ list choices without quotes; 3.13+
//! print `-j, --workers WORKERS` in the help; 3.14 calls the program `python3 -m compileall`.
//! Usage and help are wrapped for 80 columns (argparse reads `COLUMNS`; not mirrored).

use pycode_release::Release;

use crate::pathops::PathBytes;
use crate::pytext::{fsdecode, repr_path, repr_str};
use crate::{Fatal, InvalidationMode};

/// `compileall.main()`'s `args` namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedArgs {
    /// `-l` (`Some(0)`).
    pub maxlevels: Option<i64>,
    /// `-r N`.
    pub recursion: Option<i64>,
    pub force: bool,
    pub quiet: i64,
    pub legacy: bool,
    pub ddir: Option<PathBytes>,
    pub stripdir: Option<PathBytes>,
    pub prependdir: Option<PathBytes>,
    /// `-x`, the pattern text (`None` also when empty, as `if args.rx:` does).
    pub rx: Option<String>,
    pub flist: Option<PathBytes>,
    pub compile_dest: Vec<PathBytes>,
    pub workers: i64,
    pub invalidation_mode: Option<InvalidationMode>,
    /// `-o` levels (`[-1]` when none were given).
    pub opt_levels: Vec<i64>,
    /// `-e` (`None` also when empty).
    pub limit_sl_dest: Option<PathBytes>,
    pub hardlink_dupes: bool,
}

/// What parsing the command line leads to.
#[derive(Debug)]
pub enum ArgsOutcome {
    /// Go on with these arguments (and the compiled `-x` regex).
    Run(Box<ParsedArgs>, Option<fancy_regex::Regex>),
    /// `-h`: print this to stdout, exit 0.
    Help(String),
    /// `parser.error`: print this to stderr, exit 2.
    Usage(String),
    /// An exception before anything runs (a bad `-x` pattern): exit 1.
    Fatal(Fatal),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Act {
    Help,
    MaxLevels,
    Recursion,
    Force,
    Quiet,
    Legacy,
    Ddir,
    Stripdir,
    Prependdir,
    Rx,
    Flist,
    Workers,
    InvalidationMode,
    OptLevels,
    LimitSlDest,
    HardlinkDupes,
}

impl Act {
    /// Number of arguments the option takes (0 or 1).
    fn nargs(self) -> usize {
        match self {
            Act::Help | Act::MaxLevels | Act::Force | Act::Quiet | Act::Legacy | Act::HardlinkDupes => 0,
            _ => 1,
        }
    }
    /// `_get_action_name`: the option strings joined with `/`.
    fn name(self) -> &'static str {
        match self {
            Act::Help => "-h/--help",
            Act::MaxLevels => "-l",
            Act::Recursion => "-r",
            Act::Force => "-f",
            Act::Quiet => "-q",
            Act::Legacy => "-b",
            Act::Ddir => "-d",
            Act::Stripdir => "-s",
            Act::Prependdir => "-p",
            Act::Rx => "-x",
            Act::Flist => "-i",
            Act::Workers => "-j/--workers",
            Act::InvalidationMode => "--invalidation-mode",
            Act::OptLevels => "-o",
            Act::LimitSlDest => "-e",
            Act::HardlinkDupes => "--hardlink-dupes",
        }
    }
}

/// The parser's option strings in the order they were added (argparse searches them in this
/// order, which fixes the order of "could match" lists).
const OPTIONS: [(&str, Act); 18] = [
    ("-h", Act::Help),
    ("--help", Act::Help),
    ("-l", Act::MaxLevels),
    ("-r", Act::Recursion),
    ("-f", Act::Force),
    ("-q", Act::Quiet),
    ("-b", Act::Legacy),
    ("-d", Act::Ddir),
    ("-s", Act::Stripdir),
    ("-p", Act::Prependdir),
    ("-x", Act::Rx),
    ("-i", Act::Flist),
    ("-j", Act::Workers),
    ("--workers", Act::Workers),
    ("--invalidation-mode", Act::InvalidationMode),
    ("-o", Act::OptLevels),
    ("-e", Act::LimitSlDest),
    ("--hardlink-dupes", Act::HardlinkDupes),
];

fn lookup(s: &[u8]) -> Option<Act> {
    OPTIONS.iter().find(|(o, _)| o.as_bytes() == s).map(|&(_, a)| a)
}

/// The program name argparse shows.
pub fn prog(release: Release) -> &'static str {
    if release.at_least(3, 14) {
        "python3 -m compileall"
    } else {
        "compileall.py"
    }
}

/// `parser.format_usage()`.
pub fn usage(release: Release) -> &'static str {
    if release.at_least(3, 14) {
        include_str!("text/usage_python3_m.txt")
    } else {
        include_str!("text/usage_compileall_py.txt")
    }
}

/// `parser.format_help()`.
pub fn help(release: Release) -> String {
    // 3.15 quotes literals in the help with backticks (measured, tests/fixtures/argparse_3.15.0rc1.txt).
    let body = if release.at_least(3, 15) {
        include_str!("text/help_body_315.txt")
    } else if release.at_least(3, 13) {
        include_str!("text/help_body_313.txt")
    } else {
        include_str!("text/help_body_311.txt")
    };
    format!("{}{}", usage(release), body)
}

/// `parser.error(msg)`'s text.
fn error_text(release: Release, msg: &str) -> String {
    format!("{}{}: error: {}\n", usage(release), prog(release), msg)
}

/// argparse's behaviour family.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// 3.11.2, 3.11.7, 3.12.1.
    Old,
    /// 3.12.7 (new parsing, and its "ambiguous option" names the last word).
    New3127,
    /// 3.13.0 and later.
    New,
}

fn style(release: Release) -> Style {
    match release {
        Release::V3_11_2 | Release::V3_11_7 | Release::V3_12_1 => Style::Old,
        Release::V3_12_7 => Style::New3127,
        // 3.15.0rc1 measured: tests/fixtures/argparse_3.15.0rc1.txt.
        Release::V3_13_0 | Release::V3_13_2 | Release::V3_14_2 | Release::V3_15_0rc1 => Style::New,
    }
}

/// One interpretation of an option-looking word: the action, the option string it matched, and
/// the explicit argument (`-j4`, `--workers=4`) with whether it came after `=`.
#[derive(Clone, Debug)]
struct OptTuple {
    act: Option<Act>,
    opt: Vec<u8>,
    sep: bool,
    explicit: Option<Vec<u8>>,
}

/// `_negative_number_matcher`: `^-\d+$|^-\d*\.\d+$`.
fn looks_negative_number(s: &[u8]) -> bool {
    let Some(rest) = s.strip_prefix(b"-") else { return false };
    let digits = |t: &[u8]| !t.is_empty() && t.iter().all(u8::is_ascii_digit);
    if digits(rest) {
        return true;
    }
    match rest.iter().position(|&c| c == b'.') {
        Some(i) => rest[..i].iter().all(u8::is_ascii_digit) && digits(&rest[i + 1..]),
        None => false,
    }
}

/// `_parse_optional` + `_get_option_tuples`: `None` for a positional word.
fn parse_optional(arg: &[u8], st: Style) -> Option<Vec<OptTuple>> {
    if arg.first() != Some(&b'-') {
        return None;
    }
    if let Some(a) = lookup(arg) {
        return Some(vec![OptTuple { act: Some(a), opt: arg.to_vec(), sep: false, explicit: None }]);
    }
    if arg.len() == 1 {
        return None;
    }
    if let Some(eq) = arg.iter().position(|&c| c == b'=') {
        if let Some(a) = lookup(&arg[..eq]) {
            return Some(vec![OptTuple { act: Some(a), opt: arg[..eq].to_vec(), sep: true, explicit: Some(arg[eq + 1..].to_vec()) }]);
        }
    }
    let mut tuples = Vec::new();
    if arg.get(1) == Some(&b'-') {
        let (prefix, explicit) = match arg.iter().position(|&c| c == b'=') {
            Some(eq) => (&arg[..eq], Some(arg[eq + 1..].to_vec())),
            None => (arg, None),
        };
        for (o, a) in OPTIONS {
            if o.as_bytes().starts_with(prefix) {
                tuples.push(OptTuple { act: Some(a), opt: o.as_bytes().to_vec(), sep: explicit.is_some(), explicit: explicit.clone() });
            }
        }
    } else {
        let short = &arg[..2];
        for (o, a) in OPTIONS {
            if o.as_bytes() == short {
                tuples.push(OptTuple { act: Some(a), opt: o.as_bytes().to_vec(), sep: false, explicit: Some(arg[2..].to_vec()) });
            } else if o.as_bytes().starts_with(arg) {
                let _ = st;
                tuples.push(OptTuple { act: Some(a), opt: o.as_bytes().to_vec(), sep: false, explicit: None });
            }
        }
    }
    if !tuples.is_empty() {
        return Some(tuples);
    }
    if looks_negative_number(arg) {
        return None;
    }
    if arg.contains(&b' ') {
        return None;
    }
    Some(vec![OptTuple { act: None, opt: arg.to_vec(), sep: false, explicit: None }])
}

/// Python's `int(s)` for base-10 text: surrounding whitespace, a sign, digits with single
/// underscores between them. Values beyond `i64` saturate.
fn py_int(s: &[u8]) -> Option<i64> {
    let t = std::str::from_utf8(s).ok()?.trim_matches(|c: char| c.is_whitespace());
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let mut v: i64 = 0;
    for c in digits.chars() {
        if c == '_' {
            continue;
        }
        let d = c.to_digit(10)? as i64;
        v = v.saturating_mul(10).saturating_add(d);
    }
    Some(if neg { -v } else { v })
}

/// `argparse.ArgumentError` text.
struct ArgErr(String);

fn arg_err(act: Act, msg: String) -> ArgErr {
    ArgErr(format!("argument {}: {}", act.name(), msg))
}

/// Applies one action (`take_action`).
fn take(ns: &mut ParsedArgs, act: Act, val: Option<&[u8]>, release: Release) -> Result<Option<String>, ArgErr> {
    let int_val = |v: &[u8]| py_int(v).ok_or_else(|| arg_err(act, format!("invalid int value: {}", repr_path(v, release))));
    let v = val.unwrap_or(b"");
    match act {
        Act::Help => return Ok(Some(help(release))),
        Act::MaxLevels => ns.maxlevels = Some(0),
        Act::Recursion => ns.recursion = Some(int_val(v)?),
        Act::Force => ns.force = true,
        Act::Quiet => ns.quiet += 1,
        Act::Legacy => ns.legacy = true,
        Act::Ddir => ns.ddir = Some(v.to_vec()),
        Act::Stripdir => ns.stripdir = Some(v.to_vec()),
        Act::Prependdir => ns.prependdir = Some(v.to_vec()),
        Act::Rx => ns.rx = Some(fsdecode(v).to_string_lossy()),
        Act::Flist => ns.flist = Some(v.to_vec()),
        Act::Workers => ns.workers = int_val(v)?,
        Act::InvalidationMode => {
            let s = std::str::from_utf8(v).ok();
            match s.and_then(InvalidationMode::parse) {
                Some(m) => ns.invalidation_mode = Some(m),
                None => {
                    // 3.13.2 and 3.14.2 list the choices bare; the others (3.15.0rc1 again) quoted.
                    let bare = match release {
                        Release::V3_13_2 | Release::V3_14_2 => true,
                        Release::V3_11_2
                        | Release::V3_11_7
                        | Release::V3_12_1
                        | Release::V3_12_7
                        | Release::V3_13_0
                        | Release::V3_15_0rc1 => false,
                    };
                    let choices = if bare {
                        "checked-hash, timestamp, unchecked-hash".to_owned()
                    } else {
                        format!(
                            "{}, {}, {}",
                            repr_str("checked-hash", release),
                            repr_str("timestamp", release),
                            repr_str("unchecked-hash", release)
                        )
                    };
                    // 3.15's argparse defaults to `suggest_on_error`: the closest choice by
                    // `difflib.get_close_matches(value, choices, 1)` (measured on Pyodide 315).
                    let suggests = match release {
                        Release::V3_15_0rc1 => true,
                        Release::V3_11_2
                        | Release::V3_11_7
                        | Release::V3_12_1
                        | Release::V3_12_7
                        | Release::V3_13_0
                        | Release::V3_13_2
                        | Release::V3_14_2 => false,
                    };
                    let closest =
                        if suggests { s.and_then(|s| close_match(s, &["checked-hash", "timestamp", "unchecked-hash"])) } else { None };
                    if let Some(c) = closest {
                        return Err(arg_err(
                            act,
                            format!(
                                "invalid choice: {}, maybe you meant {}? (choose from {})",
                                repr_path(v, release),
                                repr_str(c, release),
                                choices
                            ),
                        ));
                    }
                    return Err(arg_err(act, format!("invalid choice: {} (choose from {})", repr_path(v, release), choices)));
                }
            }
        }
        Act::OptLevels => ns.opt_levels.push(int_val(v)?),
        Act::LimitSlDest => ns.limit_sl_dest = Some(v.to_vec()),
        Act::HardlinkDupes => ns.hardlink_dupes = true,
    }
    Ok(None)
}

/// Result of the argparse phase alone (`parser.parse_args()`).
#[derive(Debug)]
pub enum Parsed {
    /// The namespace as argparse leaves it, and whether any `-o` was given (`opt_levels` is
    /// `None` in Python otherwise).
    Ns(Box<ParsedArgs>, bool),
    /// `-h` was reached: the help text.
    Help(String),
}

/// `parser.parse_args(args)` alone: the namespace, or the full `parser.error` text.
pub fn parse_namespace(args: &[Vec<u8>], release: Release) -> Result<Parsed, String> {
    argparse(args, release).map_err(|ArgErr(msg)| error_text(release, &msg))
}

/// `parser.parse_args(args)` (`_parse_known_args`, then the "unrecognized arguments" check).
fn argparse(args: &[Vec<u8>], release: Release) -> Result<Parsed, ArgErr> {
    let st = style(release);
    let mut ns = ParsedArgs { workers: 1, ..Default::default() };
    let mut opt_levels_given = false;
    // Classify every word: 'O' option, 'A' argument, '-' the first `--`.
    let mut pattern: Vec<u8> = Vec::with_capacity(args.len());
    let mut tuples: Vec<Option<Vec<OptTuple>>> = Vec::with_capacity(args.len());
    let mut after_dd = false;
    for a in args {
        if after_dd {
            pattern.push(b'A');
            tuples.push(None);
            continue;
        }
        if a == b"--" {
            after_dd = true;
            pattern.push(b'-');
            tuples.push(None);
            continue;
        }
        match parse_optional(a, st) {
            None => {
                pattern.push(b'A');
                tuples.push(None);
            }
            Some(t) => {
                if st == Style::Old && t.len() > 1 {
                    return Err(ambiguous(a, &t));
                }
                pattern.push(b'O');
                tuples.push(Some(t));
            }
        }
    }
    let last_word: Vec<u8> = args.last().cloned().unwrap_or_default();
    let mut extras: Vec<Vec<u8>> = Vec::new();
    let mut positional_done = false;
    let max_opt = pattern.iter().rposition(|&c| c == b'O');

    // `consume_positionals`: the single `nargs='*'` positional takes the run of 'A'/'-' here.
    let consume_positionals = |start: usize, ns: &mut ParsedArgs, done: &mut bool| -> usize {
        if *done {
            return start;
        }
        *done = true;
        let mut end = start;
        while end < pattern.len() && pattern[end] != b'O' {
            end += 1;
        }
        let mut vals: Vec<Vec<u8>> = args[start..end].to_vec();
        if pattern[start..end].contains(&b'-') {
            if let Some(i) = vals.iter().position(|v| v == b"--") {
                vals.remove(i);
            }
        }
        ns.compile_dest = vals;
        end
    };

    let mut start = 0usize;
    if let Some(max_opt) = max_opt {
        while start <= max_opt {
            let mut next_opt = start;
            while next_opt <= max_opt && pattern[next_opt] != b'O' {
                next_opt += 1;
            }
            if start != next_opt {
                let end = consume_positionals(start, &mut ns, &mut positional_done);
                if end > start {
                    start = end;
                    continue;
                }
            }
            if pattern.get(start) != Some(&b'O') {
                extras.extend(args[start..next_opt].iter().cloned());
                start = next_opt;
            }
            // consume_optional(start)
            let Some(Some(ts)) = tuples.get(start) else { break };
            if ts.len() > 1 {
                let word = if st == Style::New3127 { &last_word } else { &args[start] };
                return Err(ambiguous(word, ts));
            }
            let Some(t) = ts.first().cloned() else { break };
            let (mut act, mut opt, mut sep, mut explicit) = (t.act, t.opt, t.sep, t.explicit);
            let mut actions: Vec<(Act, Option<Vec<u8>>)> = Vec::new();
            let stop;
            loop {
                let Some(a) = act else {
                    extras.push(args[start].clone());
                    stop = start + 1;
                    break;
                };
                match explicit.clone() {
                    Some(ex) => {
                        if a.nargs() == 0 && opt.get(1) != Some(&b'-') && !ex.is_empty() {
                            if st != Style::Old && (sep || ex[0] == b'-') {
                                return Err(arg_err(a, format!("ignored explicit argument {}", repr_path(&ex, release))));
                            }
                            actions.push((a, None));
                            let mut next_opt_s = vec![b'-'];
                            next_opt_s.push(ex[0]);
                            match lookup(&next_opt_s) {
                                Some(na) => {
                                    act = Some(na);
                                    opt = next_opt_s;
                                    let rest = &ex[1..];
                                    if rest.is_empty() {
                                        sep = false;
                                        explicit = None;
                                    } else if st != Style::Old && rest[0] == b'=' {
                                        sep = true;
                                        explicit = Some(rest[1..].to_vec());
                                    } else {
                                        sep = false;
                                        explicit = Some(rest.to_vec());
                                    }
                                }
                                None => {
                                    if st == Style::Old {
                                        return Err(arg_err(a, format!("ignored explicit argument {}", repr_path(&ex, release))));
                                    }
                                    let mut w = vec![b'-'];
                                    w.extend_from_slice(&ex);
                                    extras.push(w);
                                    stop = start + 1;
                                    break;
                                }
                            }
                        } else if a.nargs() == 1 {
                            actions.push((a, Some(ex)));
                            stop = start + 1;
                            break;
                        } else {
                            return Err(arg_err(a, format!("ignored explicit argument {}", repr_path(&ex, release))));
                        }
                    }
                    None => {
                        if a.nargs() == 1 {
                            if pattern.get(start + 1) != Some(&b'A') {
                                return Err(arg_err(a, "expected one argument".into()));
                            }
                            actions.push((a, Some(args[start + 1].clone())));
                            stop = start + 2;
                        } else {
                            actions.push((a, None));
                            stop = start + 1;
                        }
                        break;
                    }
                }
            }
            for (a, v) in actions {
                if a == Act::OptLevels {
                    opt_levels_given = true;
                }
                if let Some(h) = take(&mut ns, a, v.as_deref(), release)? {
                    return Ok(Parsed::Help(h));
                }
            }
            start = stop;
        }
    }
    let stop = if start < pattern.len() { consume_positionals(start, &mut ns, &mut positional_done) } else { start };
    extras.extend(args[stop.min(args.len())..].iter().cloned());
    if !extras.is_empty() {
        let words: Vec<String> = extras.iter().map(|w| fsdecode(w).to_string_lossy()).collect();
        return Err(ArgErr(format!("unrecognized arguments: {}", words.join(" "))));
    }
    Ok(Parsed::Ns(Box::new(ns), opt_levels_given))
}

fn ambiguous(word: &[u8], ts: &[OptTuple]) -> ArgErr {
    let matches: Vec<String> = ts.iter().map(|t| String::from_utf8_lossy(&t.opt).into_owned()).collect();
    ArgErr(format!("ambiguous option: {} could match {}", fsdecode(word).to_string_lossy(), matches.join(", ")))
}

/// Python `re` syntax mapped onto `fancy_regex` where they differ in spelling (`\Z` is `\z`).
fn translate_python_regex(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('Z') => out.push_str("\\z"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `compileall.main()` up to the file list: `parser.parse_args()`, `re.compile(-x)`, the empty
/// `-e` rule, the default `-o`, and the two `parser.error` checks (`--hardlink-dupes` with one
/// level, `-d` with `-s`/`-p`), in CPython's order.
pub fn parse_args(args: &[Vec<u8>], release: Release) -> ArgsOutcome {
    let (mut ns, opt_given) = match argparse(args, release) {
        Ok(Parsed::Ns(ns, g)) => (*ns, g),
        Ok(Parsed::Help(h)) => return ArgsOutcome::Help(h),
        Err(ArgErr(msg)) => return ArgsOutcome::Usage(error_text(release, &msg)),
    };
    let mut regex = None;
    if let Some(p) = ns.rx.clone() {
        if p.is_empty() {
            ns.rx = None;
        } else {
            match fancy_regex::Regex::new(&translate_python_regex(&p)) {
                Ok(r) => regex = Some(r),
                Err(e) => return ArgsOutcome::Fatal(Fatal { class: "re.error".into(), message: e.to_string() }),
            }
        }
    }
    if ns.limit_sl_dest.as_deref() == Some(b"") {
        ns.limit_sl_dest = None;
    }
    if !opt_given {
        ns.opt_levels = vec![-1];
    }
    if ns.opt_levels.len() == 1 && ns.hardlink_dupes {
        return ArgsOutcome::Usage(error_text(
            release,
            "Hardlinking of duplicated bytecode makes sense only for more than one optimization level.",
        ));
    }
    if ns.ddir.is_some() && (ns.stripdir.is_some() || ns.prependdir.is_some()) {
        return ArgsOutcome::Usage(error_text(release, "-d cannot be used in combination with -s or -p"));
    }
    if ns.flist.as_deref() == Some(b"") {
        ns.flist = None;
    }
    ArgsOutcome::Run(Box::new(ns), regex)
}

/// `difflib.get_close_matches(word, choices, n=1, cutoff=0.6)`: the choice with the highest
/// `SequenceMatcher(None, choice, word).ratio()` of at least 0.6 (ties: the greater string).
/// No junk heuristics: `autojunk` only starts at 200 characters of `word`, longer than any
/// choice can match at 0.6.
fn close_match<'c>(word: &str, choices: &[&'c str]) -> Option<&'c str> {
    let b: Vec<char> = word.chars().collect();
    let mut best: Option<(f64, &'c str)> = None;
    for &c in choices {
        let a: Vec<char> = c.chars().collect();
        let total = a.len() + b.len();
        if total == 0 {
            continue;
        }
        let r = 2.0 * matching_chars(&a, &b) as f64 / total as f64;
        if r >= 0.6 && best.is_none_or(|(br, bc)| r > br || (r == br && c > bc)) {
            best = Some((r, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The number of characters in `SequenceMatcher(None, a, b).get_matching_blocks()`: the longest
/// common block (earliest in `a`, then in `b`), then the same on each side of it.
fn matching_chars(a: &[char], b: &[char]) -> usize {
    let mut total = 0;
    let mut queue = vec![(0usize, a.len(), 0usize, b.len())];
    while let Some((alo, ahi, blo, bhi)) = queue.pop() {
        let (mut besti, mut bestj, mut bestsize) = (alo, blo, 0usize);
        let mut prev = vec![0usize; b.len() + 1];
        for i in alo..ahi {
            let mut cur = vec![0usize; b.len() + 1];
            for j in blo..bhi {
                if a.get(i) == b.get(j) {
                    let k = if j > blo { prev.get(j).copied().unwrap_or(0) } else { 0 } + 1;
                    if let Some(slot) = cur.get_mut(j + 1) {
                        *slot = k;
                    }
                    if k > bestsize {
                        besti = i + 1 - k;
                        bestj = j + 1 - k;
                        bestsize = k;
                    }
                }
            }
            prev = cur;
        }
        if bestsize > 0 {
            total += bestsize;
            if alo < besti && blo < bestj {
                queue.push((alo, besti, blo, bestj));
            }
            if besti + bestsize < ahi && bestj + bestsize < bhi {
                queue.push((besti + bestsize, ahi, bestj + bestsize, bhi));
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    #[test]
    fn close_match_is_difflib_get_close_matches() {
        // Expected values printed by CPython's difflib.get_close_matches(w, CHOICES, 1).
        const CHOICES: [&str; 3] = ["checked-hash", "timestamp", "unchecked-hash"];
        let cases: &[(&str, Option<&str>)] = &[
            ("checked_hash", Some("checked-hash")),
            ("checked-hsh", Some("checked-hash")),
            ("bogus", None),
            ("time", Some("timestamp")),
            ("stamp", Some("timestamp")),
            ("unchecked", Some("unchecked-hash")),
            ("hash", None),
            ("timestmp", Some("timestamp")),
            ("uncheckedhash", Some("unchecked-hash")),
            ("x", None),
            ("", None),
            ("checked", Some("checked-hash")),
            ("hecked-hash", Some("checked-hash")),
            ("\u{fc}nchecked-hash", Some("unchecked-hash")),
            ("tiemstamp", Some("timestamp")),
            ("checkedhash", Some("checked-hash")),
        ];
        for &(w, want) in cases {
            assert_eq!(super::close_match(w, &CHOICES), want, "{w:?}");
        }
        assert_eq!(cases.len(), 16);
    }

    use super::*;

    #[test]
    fn ints() {
        assert_eq!(py_int(b" +1_0 "), Some(10));
        assert_eq!(py_int(b"-3"), Some(-3));
        assert_eq!(py_int(b"1.5"), None);
        assert_eq!(py_int(b"1__0"), None);
        assert!(looks_negative_number(b"-1"));
        assert!(looks_negative_number(b"-.5"));
        assert!(!looks_negative_number(b"-x"));
    }
}
