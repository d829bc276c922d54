//! Serves the built site (`dist/`) on loopback, for `cargo xtask serve`: no file watcher, so
//! nothing a build writes can take it down (Trunk's watcher aborts on a path-less inotify event,
//! notify-rs/notify#678). Plain std, like the rest of xtask, so it builds in seconds on a fresh
//! machine; it serves one developer's browser, a thread per connection, GET and HEAD only.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `%41` → `A`; `None` for an escape that is not one.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The file a request path names inside `root`, or `None` if it leaves `root`.
pub fn file_for(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(path)?;
    let mut file = root.to_path_buf();
    for c in Path::new(decoded.trim_start_matches('/')).components() {
        match c {
            Component::Normal(part) => file.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    Some(file)
}

fn respond(mut stream: TcpStream, root: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    // The headers are not needed: read past them.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let (status, kind, body) = if method != "GET" && method != "HEAD" {
        (
            "405 Method Not Allowed",
            "text/plain",
            b"GET or HEAD only".to_vec(),
        )
    } else {
        match file_for(root, target).map(|f| (std::fs::read(&f), f)) {
            Some((Ok(data), f)) => ("200 OK", content_type(&f), data),
            Some((Err(_), _)) => ("404 Not Found", "text/plain", b"not found".to_vec()),
            None => ("403 Forbidden", "text/plain", b"outside the site".to_vec()),
        }
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n",
        body.len()
    )?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// Serves `root` on 127.0.0.1:`port` (0: any free port) until the process ends; `on_ready`
/// gets the address once it listens.
pub fn serve(root: &Path, port: u16, on_ready: impl FnOnce(u16)) -> Result<(), String> {
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
        format!("could not listen on 127.0.0.1:{port} ({e}); is another server using it? Try `cargo xtask serve --port 8081`.")
    })?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    on_ready(port);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let root = root.to_path_buf();
        std::thread::spawn(move || {
            let _ = respond(stream, &root);
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_site() {
        let root = std::env::temp_dir().join("xtask-static-test");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        assert_eq!(file_for(&root, "/"), Some(root.join("index.html")));
        assert_eq!(file_for(&root, "/sub/"), Some(root.join("sub/index.html")));
        assert_eq!(file_for(&root, "/a%20b.js?v=1"), Some(root.join("a b.js")));
        assert_eq!(file_for(&root, "/../etc/passwd"), None);
        assert_eq!(file_for(&root, "/%2e%2e/etc/passwd"), None);
        assert_eq!(file_for(&root, "/bad%zz"), None);
    }

    #[test]
    fn it_serves_files_with_their_types() {
        let root = std::env::temp_dir().join("xtask-static-serve");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("index.html"), "<p>hi</p>").unwrap();
        std::fs::write(root.join("app.wasm"), [0u8, 97, 115, 109]).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let r = root.clone();
        std::thread::spawn(move || serve(&r, 0, |p| tx.send(p).unwrap()));
        let port = rx.recv().unwrap();
        let get = |path: &str| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut s, &mut out).unwrap();
            String::from_utf8_lossy(&out).into_owned()
        };
        let page = get("/");
        assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
        assert!(page.contains("text/html") && page.ends_with("<p>hi</p>"));
        assert!(get("/app.wasm").contains("content-type: application/wasm"));
        assert!(get("/missing.js").starts_with("HTTP/1.1 404"));
        assert!(get("/../x").starts_with("HTTP/1.1 403"));
    }
}
