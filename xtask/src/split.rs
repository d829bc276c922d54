//! Code splitting for the release build, on stable Rust: Trunk builds the app with the `split`
//! feature and relocations kept (`-Clink-args=--emit-relocs`); then, between cargo and
//! wasm-bindgen (a step Trunk cannot run), `wasm-split-cli` cuts the raw wasm at the parts'
//! split points (`src/parts.rs`) into the main module, one chunk per part, shared chunks and a
//! JS loader; wasm-bindgen (`--keep-lld-exports`, which the loader needs) and wasm-opt then run on
//! them, and the results replace Trunk's unsplit `synfact.js` and `synfact_bg.wasm` in `dist/`.

use crate::run;
use std::fs;
use std::path::Path;
use std::process::Command;

/// The loader the splitter writes beside the chunks; the main JS imports it by this name.
pub const LOADER: &str = "__wasm_split.js";

/// The rust flags the wasm must be linked with for the splitter to read it. They replace the
/// wasm target's flags in `.cargo/config.toml`, so those are repeated here.
pub const RUSTFLAGS: &str = "-Clink-args=--emit-relocs --cfg erase_components";

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("{} → {}: {e}", from.display(), to.display()))
}

/// wasm-opt for size, as Trunk's `data-wasm-opt="z"` did; `keep_names` keeps function names (for
/// profiles).
pub fn wasm_opt(input: &Path, output: &Path, keep_names: bool) -> Result<(), String> {
    let mut cmd = Command::new("wasm-opt");
    cmd.args([
        "-Oz",
        "--enable-bulk-memory",
        "--enable-nontrapping-float-to-int",
    ])
    .args(["--enable-sign-ext", "--enable-mutable-globals"]);
    if keep_names {
        cmd.arg("-g");
    }
    run(cmd.arg(input).arg("-o").arg(output))
}

/// Splits the raw release wasm and writes the main module, its JS, the loader and the chunks
/// into `out` (`dist/`, or a profiling copy with `keep_names`). Returns the chunks' file names.
pub fn split_into(root: &Path, out: &Path, keep_names: bool) -> Result<Vec<String>, String> {
    let raw = root.join("target/wasm32-unknown-unknown/release/synfact.wasm");
    let split = root.join("target/wasm-split");
    let bindgen = root.join("target/wasm-bindgen-split");
    for dir in [&split, &bindgen] {
        let _ = fs::remove_dir_all(dir);
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    run(Command::new("wasm-split-cli").arg(&raw).arg(&split).args([
        "--target",
        "web",
        "--out-name",
        "synfact",
    ]))?;
    let mut bg = Command::new("wasm-bindgen");
    bg.args(["--target", "web", "--no-typescript", "--keep-lld-exports"])
        .args(["--out-name", "synfact"]);
    if keep_names {
        bg.arg("--keep-debug");
    }
    run(bg
        .arg("--out-dir")
        .arg(&bindgen)
        .arg(split.join("synfact.wasm")))?;
    copy(&bindgen.join("synfact.js"), &out.join("synfact.js"))?;
    wasm_opt(
        &bindgen.join("synfact_bg.wasm"),
        &out.join("synfact_bg.wasm"),
        keep_names,
    )?;
    let mut chunks = Vec::new();
    for entry in fs::read_dir(&split).map_err(|e| e.to_string())? {
        let name = entry
            .map_err(|e| e.to_string())?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name == "synfact.wasm" {
            continue;
        }
        if name.ends_with(".wasm") {
            wasm_opt(&split.join(&name), &out.join(&name), keep_names)?;
            chunks.push(name);
        } else if name == LOADER {
            copy(&split.join(&name), &out.join(&name))?;
        }
    }
    if !out.join(LOADER).is_file() {
        return Err(format!(
            "wasm-split-cli wrote no {LOADER}: the app has no split points (is the `split` feature on?)"
        ));
    }
    chunks.sort();
    Ok(chunks)
}
