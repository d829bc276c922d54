//! The core's shape, as ARCHITECTURE.md states it: no import circle among its files, and no
//! file longer than a sitting's read (test tables excepted). Read from the sources themselves.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lines a source file may have (tests and their tables are not counted).
const MAX_LINES: usize = 600;

/// Files that only tests compile: they may reach anywhere.
fn is_test_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name == "tests.rs"
        || name.ends_with("_tests.rs")
        || matches!(name, "sim.rs" | "testing.rs" | "proptests.rs")
        || rel.contains("/tests/")
}

/// Every source file under `dir`, as a path relative to `src/`.
fn files(src: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(src, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push(rel);
        }
    }
}

/// The module path of a file: `run/engine/mod.rs` → `run::engine`.
fn module_of(rel: &str) -> String {
    let trimmed = rel.trim_end_matches(".rs");
    let trimmed = trimmed.strip_suffix("/mod").unwrap_or(trimmed);
    if trimmed == "lib" {
        String::new()
    } else {
        trimmed.replace('/', "::")
    }
}

/// The source without comments and string literals, and before its `#[cfg(test)]` module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                out.push_str("\"\"");
            }
            c => out.push(c),
        }
    }
    out
}

/// Module paths named in `code` (`crate::a::b::C`, `super::x`, grouped `crate::{a, b::c}`),
/// made absolute for a file in module `module`.
fn named(code: &str, module: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let parent = |m: &str, up: usize| -> Vec<String> {
        let mut parts: Vec<String> = if m.is_empty() {
            Vec::new()
        } else {
            m.split("::").map(str::to_string).collect()
        };
        for _ in 0..up {
            parts.pop();
        }
        parts
    };
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        let rest = &code[i..];
        let (base, skip) = if rest.starts_with("crate::") {
            (Vec::new(), "crate::".len())
        } else if rest.starts_with("super::") {
            let mut up = 1;
            let mut skip = "super::".len();
            while code[i + skip..].starts_with("super::") {
                up += 1;
                skip += "super::".len();
            }
            (parent(module, up), skip)
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if !boundary {
            i += 1;
            continue;
        }
        let mut paths = Vec::new();
        collect(&code[i + skip..], base, &mut paths);
        out.extend(paths.into_iter().map(|p| p.join("::")));
        i += skip;
    }
    out
}

/// The paths in `a::b::C`, `{a, b::{c, d}}` at the start of `text`, after `base`.
fn collect(text: &str, base: Vec<String>, out: &mut Vec<Vec<String>>) {
    let text = text.trim_start();
    if let Some(inner) = text.strip_prefix('{') {
        let mut depth = 0;
        let mut start = 0;
        for (k, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    collect(&inner[start..k], base.clone(), out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    collect(&inner[start..k], base.clone(), out);
                    start = k + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let ident: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if ident.is_empty() {
        out.push(base);
        return;
    }
    let mut path = base;
    path.push(ident.clone());
    let after = &text[ident.len()..];
    if let Some(more) = after.strip_prefix("::") {
        collect(more, path, out);
    } else {
        out.push(path);
    }
}

/// The file a module path resolves to: the longest prefix that is a module.
fn file_of(path: &str, modules: &BTreeMap<String, String>) -> Option<String> {
    let parts: Vec<&str> = if path.is_empty() {
        Vec::new()
    } else {
        path.split("::").collect()
    };
    (0..=parts.len())
        .rev()
        .find_map(|n| modules.get(&parts[..n].join("::")).cloned())
}

#[test]
fn no_import_circle_among_the_cores_files_and_no_file_over_600_lines() {
    let src: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &src, &mut all);
    let sources: Vec<String> = all.into_iter().filter(|r| !is_test_file(r)).collect();
    let modules: BTreeMap<String, String> =
        sources.iter().map(|r| (module_of(r), r.clone())).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut long = Vec::new();
    for rel in &sources {
        let text = std::fs::read_to_string(src.join(rel)).unwrap();
        let body = code(&text);
        let lines = body.lines().count();
        if lines > MAX_LINES {
            long.push(format!("{rel}: {lines} lines"));
        }
        let module = module_of(rel);
        let targets: BTreeSet<String> = named(&body, &module)
            .iter()
            .filter_map(|p| file_of(p, &modules))
            .filter(|f| f != rel)
            .collect();
        edges.insert(rel.clone(), targets);
    }
    // lib.rs re-exports for other crates; a core file reaching a re-export would make every
    // file depend on every other, so core files name the module that holds a thing.
    let via_lib: Vec<&String> = edges
        .iter()
        .filter(|(f, t)| f.as_str() != "lib.rs" && t.contains("lib.rs"))
        .map(|(f, _)| f)
        .collect();
    assert!(
        via_lib.is_empty(),
        "files naming a re-export of lib.rs: {via_lib:?}"
    );
    // A circle: a file that reaches itself through the files it names.
    let mut circles = Vec::new();
    for start in edges.keys() {
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, trail)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    let mut c = trail.clone();
                    c.push(start.clone());
                    circles.push(c.join(" → "));
                } else if seen.insert(next.clone()) {
                    let mut t = trail.clone();
                    t.push(next.clone());
                    stack.push((next.clone(), t));
                }
            }
        }
    }
    circles.sort();
    circles.dedup();
    assert!(
        long.is_empty() && via_lib.is_empty() && circles.is_empty(),
        "files over {MAX_LINES} lines: {long:?}\nfiles naming a re-export of lib.rs: {via_lib:?}\nimport circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_reader_of_imports_reads_them() {
    let found = named(
        "use crate::run::{Item, engine::{calls::call_for, Engine}};\nlet x = super::health::Health::new(0.0);",
        "run::engine::reply",
    );
    let found: Vec<&str> = found.iter().map(String::as_str).collect();
    assert_eq!(
        found,
        [
            "run::Item",
            "run::engine::Engine",
            "run::engine::calls::call_for",
            "run::engine::health::Health::new"
        ]
    );
    assert_eq!(module_of("run/engine/mod.rs"), "run::engine");
    assert_eq!(code("a // crate::x\n\"crate::y\" b"), "a \n\"\" b");
}
