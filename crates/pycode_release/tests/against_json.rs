//! Differential test: every field of every generated `OpcodeTable` against the
//! JSON measured from that release's interpreter (`tools/opcode_data/*.json`),
//! through the public API only. Stack-effect formulas are evaluated at every
//! oparg the interpreter was sampled at.

use pycode_release::{OpFlags, Release};

mod json {
    //! Just enough JSON for the dumps (no floats, no escapes beyond `\"`/`\\`/`\uXXXX`).
    #[derive(Debug, Clone, PartialEq)]
    pub enum V {
        Null,
        Bool(bool),
        Int(i64),
        Str(String),
        List(Vec<V>),
        Map(Vec<(String, V)>),
    }

    impl V {
        pub fn get(&self, key: &str) -> &V {
            match self {
                V::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v).unwrap_or(&V::Null),
                _ => panic!("not a map looking up {key}"),
            }
        }
        pub fn int(&self) -> i64 {
            match self {
                V::Int(i) => *i,
                V::Bool(b) => i64::from(*b),
                other => panic!("not an int: {other:?}"),
            }
        }
        pub fn str(&self) -> &str {
            match self {
                V::Str(s) => s,
                other => panic!("not a str: {other:?}"),
            }
        }
        pub fn list(&self) -> &[V] {
            match self {
                V::List(l) => l,
                other => panic!("not a list: {other:?}"),
            }
        }
        pub fn map(&self) -> &[(String, V)] {
            match self {
                V::Map(m) => m,
                other => panic!("not a map: {other:?}"),
            }
        }
        pub fn is_null(&self) -> bool {
            matches!(self, V::Null)
        }
        pub fn strs(&self) -> Vec<&str> {
            self.list().iter().map(V::str).collect()
        }
    }

    pub fn parse(text: &str) -> V {
        let mut p = P { s: text.as_bytes(), i: 0 };
        let v = p.value();
        p.ws();
        assert_eq!(p.i, p.s.len(), "trailing data");
        v
    }

    struct P<'a> {
        s: &'a [u8],
        i: usize,
    }

    impl P<'_> {
        fn ws(&mut self) {
            while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
        }
        fn eat(&mut self, c: u8) {
            self.ws();
            assert_eq!(self.s[self.i], c, "at byte {}", self.i);
            self.i += 1;
        }
        fn peek(&mut self) -> u8 {
            self.ws();
            self.s[self.i]
        }
        fn value(&mut self) -> V {
            match self.peek() {
                b'n' => self.word("null", V::Null),
                b't' => self.word("true", V::Bool(true)),
                b'f' => self.word("false", V::Bool(false)),
                b'"' => V::Str(self.string()),
                b'[' => {
                    self.eat(b'[');
                    let mut out = Vec::new();
                    if self.peek() == b']' {
                        self.i += 1;
                        return V::List(out);
                    }
                    loop {
                        out.push(self.value());
                        if self.peek() == b',' {
                            self.i += 1;
                        } else {
                            self.eat(b']');
                            return V::List(out);
                        }
                    }
                }
                b'{' => {
                    self.eat(b'{');
                    let mut out = Vec::new();
                    if self.peek() == b'}' {
                        self.i += 1;
                        return V::Map(out);
                    }
                    loop {
                        self.ws();
                        let k = self.string();
                        self.eat(b':');
                        out.push((k, self.value()));
                        if self.peek() == b',' {
                            self.i += 1;
                        } else {
                            self.eat(b'}');
                            return V::Map(out);
                        }
                    }
                }
                _ => {
                    let start = self.i;
                    if self.s[self.i] == b'-' {
                        self.i += 1;
                    }
                    while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
                        self.i += 1;
                    }
                    let t = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                    V::Int(t.parse().unwrap_or_else(|_| panic!("bad number {t:?} at {start}")))
                }
            }
        }
        fn word(&mut self, w: &str, v: V) -> V {
            assert!(self.s[self.i..].starts_with(w.as_bytes()));
            self.i += w.len();
            v
        }
        fn string(&mut self) -> String {
            self.eat(b'"');
            let mut out = String::new();
            loop {
                let c = self.s[self.i];
                self.i += 1;
                match c {
                    b'"' => return out,
                    b'\\' => {
                        let e = self.s[self.i];
                        self.i += 1;
                        match e {
                            b'"' => out.push('"'),
                            b'\\' => out.push('\\'),
                            b'/' => out.push('/'),
                            b'n' => out.push('\n'),
                            b't' => out.push('\t'),
                            b'r' => out.push('\r'),
                            b'u' => {
                                let h = std::str::from_utf8(&self.s[self.i..self.i + 4]).unwrap();
                                self.i += 4;
                                out.push(char::from_u32(u32::from_str_radix(h, 16).unwrap()).unwrap());
                            }
                            _ => panic!("escape {e}"),
                        }
                    }
                    _ => {
                        // copy one UTF-8 sequence
                        let start = self.i - 1;
                        let mut end = self.i;
                        while end < self.s.len() && (self.s[end] & 0xC0) == 0x80 {
                            end += 1;
                        }
                        out.push_str(std::str::from_utf8(&self.s[start..end]).unwrap());
                        self.i = end;
                    }
                }
            }
        }
    }
}

use json::V;

fn load(r: Release) -> V {
    let path = format!("{}/../../tools/opcode_data/{r}.json", env!("CARGO_MANIFEST_DIR"));
    json::parse(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
}

fn opt_strs(v: &V) -> Option<Vec<&str>> {
    if v.is_null() {
        None
    } else {
        Some(v.strs())
    }
}

const LISTS: [(&str, OpFlags); 11] = [
    ("hasarg", OpFlags::HAS_ARG),
    ("hasconst", OpFlags::HAS_CONST),
    ("hasname", OpFlags::HAS_NAME),
    ("hasjrel", OpFlags::HAS_JREL),
    ("hasjabs", OpFlags::HAS_JABS),
    ("hasjump", OpFlags::HAS_JUMP),
    ("haslocal", OpFlags::HAS_LOCAL),
    ("hasfree", OpFlags::HAS_FREE),
    ("hascompare", OpFlags::HAS_COMPARE),
    ("hasexc", OpFlags::HAS_EXC),
    ("hasnargs", OpFlags::HAS_NARGS),
];

#[test]
fn release_facts_match_json() {
    for r in Release::ALL {
        let d = load(r);
        let v: Vec<i64> = d.get("version").list().iter().map(V::int).collect();
        let (a, b, c) = r.version();
        assert_eq!(v, vec![i64::from(a), i64::from(b), i64::from(c)]);
        assert_eq!(d.get("sys_version").str(), r.to_string());
        assert_eq!(d.get("magic").int(), i64::from(r.magic()), "{r}");
        let mb: Vec<i64> = d.get("magic_bytes").list().iter().map(V::int).collect();
        assert_eq!(mb, r.magic_bytes().map(i64::from).to_vec(), "{r}");
        assert_eq!(d.get("marshal_version").int(), i64::from(r.marshal_version()), "{r}");
        assert_eq!(d.get("cache_tag").str(), r.cache_tag(), "{r}");
    }
}

#[test]
fn opcode_tables_match_json() {
    for r in Release::ALL {
        let d = load(r);
        let t = r.opcodes();
        assert_eq!(t.version, r.version());
        assert_eq!(i64::from(t.have_argument), d.get("HAVE_ARGUMENT").int(), "{r}");
        assert_eq!(i64::from(t.extended_arg), d.get("EXTENDED_ARG").int(), "{r}");
        assert_eq!(i64::from(t.cache), d.get("CACHE").int(), "{r}");
        let mio = d.get("MIN_INSTRUMENTED_OPCODE");
        assert_eq!(t.min_instrumented_opcode.map(i64::from), (!mio.is_null()).then(|| mio.int()), "{r}");
        let es = d.get("ENABLE_SPECIALIZATION");
        assert_eq!(t.enable_specialization, (!es.is_null()).then(|| es.int() != 0), "{r}");

        // opname (real range exactly; pseudo range: named ones only)
        for (op, name) in d.get("opname").list().iter().enumerate() {
            let op = u16::try_from(op).unwrap();
            let name = name.str();
            if op < 256 {
                assert_eq!(t.opname(op), Some(name), "{r} opname[{op}]");
            } else if name.starts_with('<') {
                assert_eq!(t.opname(op), None, "{r} opname[{op}]");
            } else {
                assert_eq!(t.opname(op), Some(name), "{r} opname[{op}]");
            }
        }
        for (op, name) in d.get("dis_all_opname").list().iter().enumerate().take(256) {
            let op = u16::try_from(op).unwrap();
            assert_eq!(t.all_opname(op), Some(name.str()), "{r} _all_opname[{op}]");
        }
        for (key, len, get) in [
            ("opmap", t.opmap.len(), &(|n: &str| t.opmap(n)) as &dyn Fn(&str) -> Option<u16>),
            ("dis_all_opmap", t.all_opmap.len(), &|n: &str| t.all_opmap(n)),
        ] {
            let m = d.get(key).map();
            assert_eq!(m.len(), len, "{r} {key}");
            for (name, op) in m {
                assert_eq!(get(name).map(i64::from), Some(op.int()), "{r} {key}[{name}]");
            }
        }

        // has* lists and dis._is_backward_jump
        for (key, flag) in LISTS {
            let want = d.get(key);
            let got: Option<Vec<i64>> = t.list(flag).map(|it| it.map(i64::from).collect());
            if want.is_null() {
                assert!(got.is_none(), "{r} {key}");
            } else {
                let w: Vec<i64> = want.list().iter().map(V::int).collect();
                assert_eq!(got, Some(w), "{r} {key}");
            }
        }
        let bj: Vec<i64> = d.get("backward_jumps").list().iter().map(V::int).collect();
        let got: Vec<i64> = (0..256u16).filter(|&op| t.is_backward_jump(op)).map(i64::from).collect();
        assert_eq!(got, bj, "{r} backward jumps");
        for op in 0..256u16 {
            let in_hasarg = d.get("hasarg");
            let want = if in_hasarg.is_null() {
                op >= u16::from(t.have_argument)
            } else {
                in_hasarg.list().iter().any(|x| x.int() == i64::from(op))
            };
            assert_eq!(t.has_arg(op), want, "{r} has_arg({op})");
        }

        // deopt and caches
        for (op, want) in d.get("deopt").list().iter().enumerate() {
            assert_eq!(i64::from(t.deopt(u8::try_from(op).unwrap())), want.int(), "{r} deopt[{op}]");
        }
        for (op, want) in d.get("inline_cache_entries").list().iter().enumerate() {
            let got = t.inline_cache_entries(u8::try_from(op).unwrap());
            assert_eq!(i64::from(got), want.int(), "{r} caches[{op}]");
        }
        let cf = d.get("cache_format").map();
        assert_eq!(cf.len(), t.cache_format.len(), "{r}");
        for (name, fields) in cf {
            let got = t.cache_format(name).unwrap_or_else(|| panic!("{r} cache_format[{name}]"));
            let want: Vec<(&str, i64)> = fields.list().iter().map(|p| (p.list()[0].str(), p.list()[1].int())).collect();
            let got: Vec<(&str, i64)> = got.iter().map(|(n, s)| (*n, i64::from(*s))).collect();
            assert_eq!(got, want, "{r} cache_format[{name}]");
            // 3.13+: _inline_cache_entries is derived from the format by name
            if t.inline_cache_entries_by_name {
                let total: i64 = want.iter().map(|(_, s)| s).sum();
                let op = t.opmap(name).and_then(|o| u8::try_from(o).ok()).unwrap();
                assert_eq!(i64::from(t.inline_cache_entries(op)), total, "{r} {name}");
            }
        }

        // specialization
        let sp = d.get("specializations").map();
        assert_eq!(sp.len(), t.specializations.len(), "{r}");
        for (fam, members) in sp {
            assert_eq!(t.specializations(fam).map(<[_]>::to_vec), Some(members.strs()), "{r} {fam}");
        }
        let dm = d.get("deoptmap").map();
        assert_eq!(dm.len(), t.deoptmap.len(), "{r}");
        for (k, v) in dm {
            assert_eq!(t.deopt_name(k), Some(v.str()), "{r} deoptmap[{k}]");
            let spec = t.all_opmap(k).unwrap();
            assert!(t.has(spec, OpFlags::SPECIALIZED) || spec >= 256, "{r} {k} flagged specialized");
        }

        // pseudo ops
        let pseudo = d.get("pseudo_ops");
        for p in t.pseudo_ops {
            assert!(p.opcode >= 256);
            assert_eq!(t.opmap(p.name), Some(p.opcode), "{r} {}", p.name);
            if !pseudo.is_null() {
                assert_eq!(p.targets.to_vec(), pseudo.get(p.name).strs(), "{r} {}", p.name);
            }
        }
        let n_pseudo = d.get("opmap").map().iter().filter(|(_, v)| v.int() >= 256).count();
        assert_eq!(t.pseudo_ops.len(), n_pseudo, "{r}");

        // argument reprs
        assert_eq!(t.cmp_op.to_vec(), d.get("cmp_op").strs(), "{r}");
        let nb: Vec<(&str, &str)> = d.get("nb_ops").list().iter().map(|p| (p.list()[0].str(), p.list()[1].str())).collect();
        assert_eq!(t.nb_ops.to_vec(), nb, "{r}");
        assert_eq!(t.intrinsic_1_descs.map(<[_]>::to_vec), opt_strs(d.get("intrinsic_1_descs")), "{r}");
        assert_eq!(t.intrinsic_2_descs.map(<[_]>::to_vec), opt_strs(d.get("intrinsic_2_descs")), "{r}");
        assert_eq!(t.special_method_names.map(<[_]>::to_vec), opt_strs(d.get("special_method_names")), "{r}");
        assert_eq!(t.common_constants.map(<[_]>::to_vec), opt_strs(d.get("common_constants")), "{r}");
        let dc = d.get("dis");
        assert_eq!(t.make_function_flags.map(<[_]>::to_vec), opt_strs(dc.get("MAKE_FUNCTION_FLAGS")), "{r}");
        assert_eq!(t.function_attr_flags.map(<[_]>::to_vec), opt_strs(dc.get("FUNCTION_ATTR_FLAGS")), "{r}");
        assert_eq!(t.format_value_converters.map(<[_]>::to_vec), opt_strs(dc.get("FORMAT_VALUE_CONVERTERS")), "{r}");
        let cfn: Vec<(i64, &str)> = dc.get("COMPILER_FLAG_NAMES").list().iter().map(|p| (p.list()[0].int(), p.list()[1].str())).collect();
        let got: Vec<(i64, &str)> = t.compiler_flag_names.iter().map(|(k, v)| (i64::from(*k), *v)).collect();
        assert_eq!(got, cfn, "{r}");
        assert_eq!(i64::from(t.opname_width), dc.get("OPNAME_WIDTH").int());
        assert_eq!(i64::from(t.oparg_width), dc.get("OPARG_WIDTH").int());
    }
}

#[test]
fn stack_effects_match_every_sample() {
    let mut checked = 0usize;
    for r in Release::ALL {
        let d = load(r);
        let t = r.opcodes();
        let samples: Vec<u32> = d.get("stack_effect_samples").list().iter().map(|v| u32::try_from(v.int()).unwrap()).collect();
        let se = d.get("stack_effect").map();
        for (op, e) in se {
            let op: u16 = op.parse().unwrap();
            for (key, jump) in [("nojump", false), ("jump", true)] {
                match e.get(key) {
                    V::Null => {
                        for &a in &samples {
                            assert_eq!(t.stack_effect(op, a, Some(jump)), None, "{r} op {op} {key}");
                        }
                    }
                    V::Int(c) => {
                        assert_eq!(t.stack_effect(op, 0, Some(jump)), Some(*c), "{r} op {op} {key}");
                        checked += 1;
                    }
                    V::List(vals) => {
                        for (&a, want) in samples.iter().zip(vals) {
                            let want = if want.is_null() { None } else { Some(want.int()) };
                            assert_eq!(t.stack_effect(op, a, Some(jump)), want, "{r} op {op} oparg {a} {key}");
                            checked += 1;
                        }
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
        // numbers not in opmap have no stack effect
        for op in 0..600u16 {
            if !se.iter().any(|(k, _)| k == &op.to_string()) {
                assert_eq!(t.stack_effect_formula(op), None, "{r} op {op}");
            }
        }
    }
    assert!(checked > 10_000, "only {checked} samples checked");
}
