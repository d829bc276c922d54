//! Installs the toolchain on a fresh machine, skipping what is already there at the right version.

use crate::run;
use std::path::{Path, PathBuf};
use std::process::Command;

const TRUNK: &str = "0.21";
/// The wasm splitter (its CLI, `wasm-split-cli`): 0.2.4 knows wasm-bindgen 0.2.128+'s names.
const WASM_SPLIT: &str = "0.2.4";
const BINARYEN: &str = "132";

/// The path of a program on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    })
}

/// The wasm-bindgen version pinned in Cargo.lock; the CLI must match it exactly.
fn wasm_bindgen_version(root: &Path) -> Result<String, String> {
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

/// Everything to build and serve; with `for_tests`, also Chromium, chromedriver and the Node test dependencies.
pub fn ensure(root: &Path, for_tests: bool) -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    // The lint step's tools (in rustup's default profile, but a minimal one lacks them).
    for (component, probe) in [("clippy", "clippy"), ("rustfmt", "fmt")] {
        if output("cargo", &[probe, "--version"]).is_none() {
            run(Command::new("rustup").args(["component", "add", component]))?;
        }
    }
    if !output("trunk", &["--version"]).is_some_and(|v| v.contains(&format!("trunk {TRUNK}."))) {
        // trunk 0.22 needs a newer rustc than this machine has.
        run(Command::new("cargo").args([
            "install",
            "trunk",
            "--version",
            &format!("~{TRUNK}"),
            "--locked",
        ]))?;
    }
    let wbg = wasm_bindgen_version(root)?;
    if !output("wasm-bindgen", &["--version"]).is_some_and(|v| v.contains(&wbg)) {
        // Without --locked: a locked dependency of the CLI is missing from the registry here.
        run(Command::new("cargo").args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &format!("={wbg}"),
        ]))?;
    }
    // The splitter has no --version: cargo's list of installed crates says which one is there.
    let listed = output("cargo", &["install", "--list"]).unwrap_or_default();
    if which("wasm-split-cli").is_none()
        || !listed.contains(&format!("wasm_split_cli_support v{WASM_SPLIT}"))
    {
        run(Command::new("cargo").args([
            "install",
            "--locked",
            "wasm_split_cli_support",
            "--version",
            &format!("={WASM_SPLIT}"),
            "--features",
            "build-binary",
        ]))?;
    }
    if !output("wasm-opt", &["--version"])
        .is_some_and(|v| v.contains(&format!("version {BINARYEN}")))
    {
        run(Command::new("npm").args(["install", "--global", &format!("binaryen@{BINARYEN}")]))?;
    }
    if for_tests {
        if which("chromium").is_none() || which("chromedriver").is_none() {
            run(Command::new("apt-get").arg("update"))?;
            run(Command::new("apt-get")
                .args([
                    "install",
                    "-y",
                    "--no-install-recommends",
                    "chromium",
                    "chromium-driver",
                ])
                .env("DEBIAN_FRONTEND", "noninteractive"))?;
        }
        let e2e = root.join("tests/e2e");
        let installed = [
            "@playwright/test",
            "@axe-core/playwright",
            "@action-validator/cli",
        ]
        .iter()
        .all(|m| e2e.join("node_modules").join(m).is_dir());
        if !installed {
            run(Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
                .current_dir(&e2e))?;
        }
    }
    Ok(())
}
