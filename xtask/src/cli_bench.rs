//! `cargo xtask bench cli`: the command line against the local server (both release builds).
//! A large run at zero latency (wall time, calls per second, peak resident memory, the store's
//! size on disk), and the schedule at 50 in flight with the page's benchmark latency model
//! (lognormal, median 200 ms, sigma 0.8), against the bound the injected latencies set.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Items of the large run (four calls each); `SYNFACT_BENCH_ITEMS` overrides.
const ITEMS: usize = 100_000;

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(mock: &Path, args: &[&str]) -> Result<Server, String> {
    let mut child = Command::new(mock)
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{}: {e}", mock.display()))?;
    let mut out = child.stdout.take().ok_or("no stdout")?;
    let mut seen = String::new();
    let mut buf = [0u8; 256];
    loop {
        use std::io::Read;
        let n = out.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err(format!("mock-provider ended: {seen}"));
        }
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        if let Some(at) = seen.find("base URL ") {
            let rest = &seen[at + "base URL ".len()..];
            if let Some(end) = rest.find(')') {
                let base = rest[..end].to_string();
                return Ok(Server { child, base });
            }
        }
    }
}

/// The peak resident memory of a process so far (VmHWM), in KB.
fn peak_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Runs the command line to its end: (wall time, peak resident KB, its exit).
fn timed(cli: &Path, args: &[String]) -> Result<(Duration, u64, bool), String> {
    let started = Instant::now();
    let mut child = Command::new(cli)
        .args(args)
        .env_remove("SYNFACT_API_KEY")
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", cli.display()))?;
    let mut peak = 0;
    loop {
        if let Some(kb) = peak_kb(child.id()) {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Ok((started.elapsed(), peak, status.success()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A number from the server's `/_stats` (a plain HTTP GET, std only).
fn stat(base: &str, field: &str) -> Result<f64, String> {
    use std::io::{Read, Write};
    let host = base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .ok_or("no host")?;
    let mut s = std::net::TcpStream::connect(host).map_err(|e| e.to_string())?;
    write!(s, "GET /_stats HTTP/1.0\r\nHost: {host}\r\n\r\n").map_err(|e| e.to_string())?;
    let mut text = String::new();
    s.read_to_string(&mut text).map_err(|e| e.to_string())?;
    let key = format!("\"{field}\":");
    let at = text.find(&key).ok_or(format!("no {field} in /_stats"))? + key.len();
    let num: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == 'e' || *c == '-')
        .collect();
    num.parse().map_err(|_| format!("{field}: {num:?}"))
}

fn run_args(store: &Path, base: &str, items: usize, concurrency: usize) -> Vec<String> {
    [
        "--store",
        &store.to_string_lossy(),
        "run",
        "blue_honeyeater",
        "--provider",
        "custom",
        "--base-url",
        base,
        "--model",
        "gen",
        "--judge-model",
        "judge",
        "--examples",
        &items.to_string(),
        "--stop-when",
        "attempts",
        "--concurrency",
        &concurrency.to_string(),
        "--quiet",
    ]
    .map(str::to_string)
    .to_vec()
}

pub fn bench(root: &Path, mock: &Path, cli: &Path) -> Result<(), String> {
    let dir = root.join("target/bench-cli");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let items: usize = std::env::var("SYNFACT_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ITEMS);

    // The schedule at 50 in flight, 200 items, the page's latency model.
    let server = start_server(
        mock,
        &[
            "--latency-median-ms",
            "200",
            "--latency-sigma",
            "0.8",
            "--seed",
            "3",
        ],
    )?;
    let (wall, _, ok) = timed(
        cli,
        &run_args(&dir.join("schedule.redb"), &server.base, 200, 50),
    )?;
    if !ok {
        return Err("the schedule run did not finish".into());
    }
    let injected = stat(&server.base, "latency_ms_total")?;
    let bound = injected / 50.0;
    println!(
        "schedule, 200 items at 50 in flight: {:.2} s; injected-latency bound {:.2} s; {:.2}x the bound",
        wall.as_secs_f64(),
        bound / 1000.0,
        wall.as_secs_f64() * 1000.0 / bound
    );
    drop(server);

    // The large run at zero latency. The local server samples like a model at temperature 1
    // (`--vary-samples`): items planned from the same prompt get questions of their own, as
    // from a real model, instead of the same reply (which the duplicate check would reject).
    let server = start_server(mock, &["--vary-samples"])?;
    let store = dir.join("large.redb");
    let (wall, peak, ok) = timed(cli, &run_args(&store, &server.base, items, 64))?;
    let calls = stat(&server.base, "requests")?;
    let size = std::fs::metadata(&store).map(|m| m.len()).unwrap_or(0);
    println!(
        "{items} items ({calls} calls) at zero latency, 64 in flight: {:.1} s, {:.0} calls/s, peak resident {:.0} MB, store {:.0} MB{}",
        wall.as_secs_f64(),
        calls / wall.as_secs_f64(),
        peak as f64 / 1024.0,
        size as f64 / 1e6,
        if ok { "" } else { " (did not finish)" }
    );
    Ok(())
}
