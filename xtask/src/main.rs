//! `cargo xtask serve | demo | test | bench`: installs what is missing, builds, serves, tests.
//! Plain std on purpose: it must build fast on a fresh machine before anything else exists.

mod cli_bench;
mod site;
mod split;
mod static_site;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const APP_PORT: u16 = 8080;
const DEMO_PROVIDER_PORT: u16 = 8787;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = root();
    let result = match args.first().map(String::as_str) {
        Some("build") => tools::ensure(&root, false).and_then(|()| build_app(&root)),
        Some("serve") => serve(&root, false, &args[1..]),
        Some("demo") => serve(&root, true, &args[1..]),
        Some("test") => test(&root, &args[1..]),
        Some("bench") => bench(&root, args.get(1).map(String::as_str)),
        Some("mutants") => mutants(&root),
        Some("install") => tools::ensure(&root, true),
        _ => {
            eprintln!(
                "usage: cargo xtask <build | serve [--port N] [--watch] | demo [--port N] | test [lint|native|browser|e2e] | bench [cost|profile] | mutants | install>"
            );
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("xtask: {e}");
        std::process::exit(1);
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Runs a command to completion; fails with its name if it fails.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    eprintln!("xtask: running {cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed ({status})"))
    }
}

/// The release site in `dist/`: Trunk's build, then hashed asset names, the service worker and
/// the web app manifest (`site.rs`).
fn build_app(root: &Path) -> Result<(), String> {
    // The wasm target's flags only: RUSTFLAGS would override them (and apply to build scripts).
    run(Command::new("trunk")
        .args(["build", "--release", "--features", "split"])
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            split::RUSTFLAGS,
        )
        .env_remove("RUSTFLAGS")
        .current_dir(root))?;
    let chunks = split::split_into(root, &root.join("dist"), false)?;
    eprintln!("xtask: split the wasm: {}", chunks.join(", "));
    let hash = site::finish(root)?;
    eprintln!("xtask: built the site in dist/ (build {hash})");
    Ok(())
}

/// The same site without code splitting, in `target/dist-unsplit`: the baseline the load
/// benchmark measures the split build against, in the same run.
fn unsplit_site(root: &Path) -> Result<PathBuf, String> {
    let dist = root.join("target/dist-unsplit");
    run(Command::new("trunk")
        .args(["build", "--release", "--dist"])
        .arg(&dist)
        .current_dir(root))?;
    let wasm = dist.join("synfact_bg.wasm");
    split::wasm_opt(&wasm, &wasm, false)?;
    site::finish_in(root, &dist)?;
    Ok(dist)
}

/// Builds the local provider server: a release build for benchmarks and demos, the test profile's
/// build (already made by the native tests) for end-to-end tests.
fn build_mock(root: &Path, release: bool) -> Result<PathBuf, String> {
    let mut cmd = Command::new("cargo");
    cmd.args(["build", "-p", "mock-provider"]).current_dir(root);
    if release {
        cmd.arg("--release");
    }
    run(&mut cmd)?;
    let profile = if release { "release" } else { "debug" };
    Ok(root.join("target").join(profile).join("mock-provider"))
}

/// The command line's builds go to a target directory of their own: its binary and the app's
/// (Trunk's) are both named `synfact`, and one directory would hold only one of them.
const CLI_TARGET: &str = "target/cli";

fn cli_cargo(root: &Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.env("CARGO_TARGET_DIR", root.join(CLI_TARGET))
        .current_dir(root);
    cmd
}

/// Builds the command line; returns its binary.
fn build_cli(root: &Path, release: bool) -> Result<PathBuf, String> {
    let mut cmd = cli_cargo(root);
    cmd.args(["build", "-p", "synfact-cli"]);
    if release {
        cmd.arg("--release");
    }
    run(&mut cmd)?;
    let profile = if release { "release" } else { "debug" };
    Ok(root.join(CLI_TARGET).join(profile).join("synfact"))
}

/// Kills a child process when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `serve`'s options: `--port N` (default 8080; 0 takes any free port), `--watch` (Trunk's
/// development server, rebuilding when the app's sources change).
struct ServeOptions {
    port: u16,
    watch: bool,
}

fn serve_options(args: &[String]) -> Result<ServeOptions, String> {
    let mut o = ServeOptions {
        port: APP_PORT,
        watch: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--watch" => o.watch = true,
            "--port" => {
                let p = it.next().ok_or("--port needs a number, e.g. --port 8081")?;
                o.port = p
                    .parse()
                    .map_err(|_| format!("--port {p}: not a port number (0 to 65535)"))?;
            }
            other => {
                return Err(format!(
                    "serve: unknown option {other:?} (--port N, --watch)"
                ))
            }
        }
    }
    Ok(o)
}

/// Builds the release site and serves `dist/` with a plain static server: no file watcher, so a
/// build can never take it down. `--watch` runs Trunk's server instead, watching only the app's
/// sources (Trunk.toml's `[watch]`).
fn serve(root: &Path, demo: bool, args: &[String]) -> Result<(), String> {
    let options = serve_options(args)?;
    tools::ensure(root, false)?;
    let _mock = if demo {
        let bin = build_mock(root, true)?;
        let child = Command::new(bin)
            .args([
                "--port",
                &DEMO_PROVIDER_PORT.to_string(),
                "--latency-median-ms",
                "300",
                "--latency-sigma",
                "0.5",
            ])
            .spawn()
            .map_err(|e| format!("could not start the local provider server: {e}"))?;
        println!();
        println!("  Local provider server: http://127.0.0.1:{DEMO_PROVIDER_PORT}/v1");
        println!("  In the app choose Provider \"Custom\" (OpenAI-compatible) or \"Anthropic\", paste that Base URL,");
        println!("  type any API key and any model name, then press Generate.");
        println!();
        Some(Guard(child))
    } else {
        None
    };
    if options.watch {
        println!(
            "  synfact (rebuilt when src/, style/ or the core change): http://127.0.0.1:{}",
            options.port
        );
        return run(Command::new("trunk")
            .args(["serve", "--release", "--address", "127.0.0.1", "--port"])
            .arg(options.port.to_string())
            .current_dir(root));
    }
    build_app(root)?;
    static_site::serve(&root.join("dist"), options.port, |port| {
        println!("  synfact: http://127.0.0.1:{port}");
        println!("  (the release build in dist/; Ctrl-C stops it. `cargo xtask serve --watch` rebuilds on every change.)");
    })
}

fn test(root: &Path, which: &[String]) -> Result<(), String> {
    let all = which.is_empty();
    let wants =
        |s: &str| all || which.first().is_some_and(|w| w == s) || which.iter().any(|w| w == s);
    tools::ensure(root, wants("browser") || wants("e2e"))?;
    if wants("lint") {
        lint(root)?;
    }
    if wants("native") {
        run(Command::new("cargo")
            .args(["test", "--workspace", "--exclude", "synfact-cli"])
            .current_dir(root))?;
        run(cli_cargo(root).args(["test", "-p", "synfact-cli"]))?;
    }
    if wants("browser") {
        let chromedriver = tools::which("chromedriver").ok_or("chromedriver is missing")?;
        run(Command::new("cargo")
            .args([
                "test",
                "-p",
                "synfact",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("CHROMEDRIVER", chromedriver)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
            .current_dir(root))?;
    }
    if wants("e2e") {
        // `cargo xtask test e2e specs/x.spec.js -g name`: Playwright's own arguments after e2e.
        let extra: Vec<&str> = match which.split_first() {
            Some((first, rest)) if first == "e2e" => rest.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        e2e(root, false, &extra)?;
    }
    Ok(())
}

/// Formatting and clippy (warnings are errors), natively and for the app's wasm target (as the
/// release build compiles it, split), with
/// the workspace's lint table (Cargo.toml `[workspace.lints]`).
fn lint(root: &Path) -> Result<(), String> {
    run(Command::new("cargo")
        .args(["fmt", "--all", "--check"])
        .current_dir(root))?;
    run(Command::new("cargo")
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
        .current_dir(root))?;
    run(Command::new("cargo")
        .args([
            "clippy",
            "-p",
            "synfact",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            // The release build's code path (the native run above checks the other).
            "--features",
            "split",
            "--",
            "-D",
            "warnings",
        ])
        .current_dir(root))
}

fn e2e(root: &Path, release_mock: bool, extra: &[&str]) -> Result<(), String> {
    build_app(root)?;
    e2e_on(root, &root.join("dist"), release_mock, extra)
}

/// The end-to-end suite (or the benchmarks: `extra`) on the site built in `dist`.
fn e2e_on(root: &Path, dist: &Path, release_mock: bool, extra: &[&str]) -> Result<(), String> {
    let mock = build_mock(root, release_mock)?;
    let cli = build_cli(root, release_mock)?;
    let chromium = tools::which("chromium").ok_or("chromium is missing")?;
    let mut cmd = Command::new("node");
    cmd.arg("node_modules/@playwright/test/cli.js")
        .arg("test")
        .args(extra)
        .env("SYNFACT_DIST", dist)
        .env("SYNFACT_CLI_BIN", cli)
        .env("MOCK_PROVIDER_BIN", mock)
        .env("CHROMIUM", chromium)
        .current_dir(root.join("tests/e2e"))
        .stdin(Stdio::null());
    run(&mut cmd)
}

fn bench(root: &Path, which: Option<&str>) -> Result<(), String> {
    tools::ensure(root, true)?;
    match which {
        None => {
            let unsplit = unsplit_site(root)?;
            std::env::set_var("SYNFACT_DIST_UNSPLIT", &unsplit);
            e2e(root, true, &["--config", "bench.config.js"])
        }
        Some("load") => {
            let unsplit = unsplit_site(root)?;
            std::env::set_var("SYNFACT_DIST_UNSPLIT", &unsplit);
            e2e(
                root,
                true,
                &["--config", "bench.config.js", "bench/load.bench.js"],
            )
        }
        Some("profile") => {
            build_app(root)?;
            let dist = profiling_site(root)?;
            e2e_on(
                root,
                &dist,
                true,
                &["--config", "bench.config.js", "bench/profile.bench.js"],
            )
        }
        Some("cost") => e2e(
            root,
            true,
            &["--config", "bench.config.js", "bench/cost.bench.js"],
        ),
        Some("cli") => {
            let mock = build_mock(root, true)?;
            let cli = build_cli(root, true)?;
            cli_bench::bench(root, &mock, &cli)
        }
        Some(other) => Err(format!(
            "unknown benchmark {other:?}: `bench`, `bench cost`, `bench cli` or `bench profile`"
        )),
    }
}

/// A copy of the release site whose wasm keeps its function names (wasm-bindgen --keep-debug,
/// wasm-opt -g), so a CPU profile names our functions; in `target/dist-profile`.
fn profiling_site(root: &Path) -> Result<PathBuf, String> {
    let dist = root.join("dist");
    let out = root.join("target/dist-profile");
    let bindgen = root.join("target/wasm-bindgen-profile");
    for dir in [&out, &bindgen] {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut wasm_name = None;
    for entry in std::fs::read_dir(&dist).map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("synfact_bg-") && name.ends_with(".wasm") {
            wasm_name = Some(name.clone());
        }
        std::fs::copy(entry.path(), out.join(&name)).map_err(|e| format!("{name}: {e}"))?;
    }
    let wasm_name = wasm_name.ok_or("dist/ has no synfact_bg-*.wasm")?;
    // The same split, with names kept; each wasm replaces its hashed copy.
    split::split_into(root, &bindgen, true)?;
    let hashed: Vec<String> = std::fs::read_dir(&out)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    for entry in std::fs::read_dir(&bindgen).map_err(|e| e.to_string())? {
        let name = entry
            .map_err(|e| e.to_string())?
            .file_name()
            .to_string_lossy()
            .into_owned();
        let Some(stem) = name.strip_suffix(".wasm") else {
            continue;
        };
        let target = if name == "synfact_bg.wasm" {
            Some(wasm_name.clone())
        } else {
            hashed
                .iter()
                .find(|h| h.starts_with(&format!("{stem}-")) && h.ends_with(".wasm"))
                .cloned()
        };
        let target = target.ok_or(format!("dist/ has no hashed copy of {name}"))?;
        std::fs::copy(bindgen.join(&name), out.join(target)).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(out)
}

/// The core modules whose tests must catch every change of behaviour: a surviving mutant is a
/// change no test notices.
const MUTATED: [&str; 15] = [
    "provider/retry.rs",
    "provider/verdict.rs",
    "provider/refusal.rs",
    "provider/cache_key.rs",
    "provider/endpoint.rs",
    "provider/wire/*.rs",
    "template/plan.rs",
    "template/mod.rs",
    "template/fact.rs",
    "template/share.rs",
    "dataset/export.rs",
    "dataset/chat.rs",
    "quality/dedup.rs",
    "run/engine/health.rs",
    "run/calls.rs",
];

/// Mutation testing of the core with `cargo mutants` (slow: not part of `cargo xtask test`).
fn mutants(root: &Path) -> Result<(), String> {
    if tools::which("cargo-mutants").is_none() {
        run(Command::new("cargo").args(["install", "cargo-mutants", "--locked"]))?;
    }
    let mut cmd = Command::new("cargo");
    cmd.args(["mutants", "--package", "synfact-core", "--no-shuffle"])
        .args(std::env::args().skip(2))
        .current_dir(root);
    for f in MUTATED {
        cmd.arg("--file")
            .arg(format!("crates/synfact-core/src/{f}"));
    }
    run(&mut cmd)
}
