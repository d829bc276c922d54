//! The release site: after Trunk's build, names every asset after a hash of the build, so a
//! browser or a CDN never mixes an old `synfact.js` with a new wasm; writes the service worker
//! (with the build's file list) and the web app manifest.

use crate::split::LOADER;
use std::fs;
use std::path::Path;

/// Assets renamed to `<stem>-<hash>.<ext>`; the page, the service worker and the manifest keep
/// their names (a service worker must keep its URL to be updated).
const HASHED: [&str; 4] = ["synfact.js", "synfact_bg.wasm", "main.css", "boot.js"];

/// FNV-1a, 64 bits: a content fingerprint for file names (not a security measure), in a few
/// lines of std so xtask stays dependency-free.
fn fnv1a(data: &[u8], mut h: u64) -> u64 {
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn read(dist: &Path, name: &str) -> Result<Vec<u8>, String> {
    fs::read(dist.join(name)).map_err(|e| format!("{name} is missing from {}: {e}", dist.display()))
}

fn write(dist: &Path, name: &str, data: &[u8]) -> Result<(), String> {
    fs::write(dist.join(name), data).map_err(|e| format!("could not write {name}: {e}"))
}

fn text(data: Vec<u8>) -> Result<String, String> {
    String::from_utf8(data).map_err(|e| e.to_string())
}

fn hashed_name(name: &str, hash: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}-{hash}.{ext}"),
        None => format!("{name}-{hash}"),
    }
}

/// The split build's loader and chunks in `dist` (none in a build without splitting), in a
/// fixed order.
fn split_files(dist: &Path) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dist).map_err(|e| e.to_string())? {
        let name = entry
            .map_err(|e| e.to_string())?
            .file_name()
            .to_string_lossy()
            .into_owned();
        let chunk =
            (name.starts_with("split_") || name.starts_with("chunk_")) && name.ends_with(".wasm");
        if chunk || name == LOADER {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Renames the assets, rewrites the references to them, and writes `sw.js` and the manifest.
/// Returns the build's hash.
pub fn finish(root: &Path) -> Result<String, String> {
    finish_in(root, &root.join("dist"))
}

/// `finish` on a site built into `dist`.
pub fn finish_in(root: &Path, dist: &Path) -> Result<String, String> {
    let dist = dist.to_path_buf();
    let names: Vec<String> = HASHED
        .iter()
        .map(|n| n.to_string())
        .chain(split_files(&dist)?)
        .collect();
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for name in &names {
        let data = read(&dist, name)?;
        h = fnv1a(&data, h);
        files.push((name, data));
    }
    let hash = format!("{:012x}", h >> 16);
    let rename = |mut s: String| {
        for name in &names {
            s = s.replace(
                &format!("./{name}"),
                &format!("./{}", hashed_name(name, &hash)),
            );
        }
        s
    };
    let split = names.iter().any(|n| n == LOADER);
    for (name, data) in files {
        let data = match name {
            "boot.js" | LOADER => rename(text(data)?).into_bytes(),
            // Only the import: the imports object's key must stay the name compiled into the wasm.
            "synfact.js" if split => {
                let js = text(data)?;
                let from = format!("from \"./{LOADER}\"");
                if !js.contains(&from) {
                    return Err(format!("synfact.js does not import ./{LOADER} as expected"));
                }
                js.replace(&from, &format!("from \"./{}\"", hashed_name(LOADER, &hash)))
                    .into_bytes()
            }
            _ => data,
        };
        write(&dist, &hashed_name(name, &hash), &data)?;
        fs::remove_file(dist.join(name)).map_err(|e| e.to_string())?;
    }
    let index = rename(text(read(&dist, "index.html")?)?).replace(
        "<link rel=\"icon\" href=\"data:,\" />",
        "<link rel=\"icon\" href=\"./icon.svg\" />\n    <link rel=\"manifest\" href=\"./manifest.webmanifest\" />",
    );
    if index.contains("./synfact.js") || !index.contains(&hashed_name("boot.js", &hash)) {
        return Err("index.html does not load the hashed boot script".into());
    }
    write(&dist, "index.html", index.as_bytes())?;
    for name in ["manifest.webmanifest", "icon.svg"] {
        let data = fs::read(root.join("public").join(name)).map_err(|e| e.to_string())?;
        write(&dist, name, &data)?;
    }
    // The service worker: the template in public/, with this build's version and files.
    let mut cached = vec![
        "./".to_string(),
        "./index.html".into(),
        "./manifest.webmanifest".into(),
        "./icon.svg".into(),
    ];
    // Every chunk too: a part of the page must load offline.
    cached.extend(names.iter().map(|n| format!("./{}", hashed_name(n, &hash))));
    let list = cached
        .iter()
        .map(|f| format!("'{f}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let sw = text(fs::read(root.join("public/sw.js")).map_err(|e| e.to_string())?)?
        .replace("'__VERSION__'", &format!("'{hash}'"))
        .replace("['__FILES__']", &format!("[{list}]"));
    if sw.contains("'__VERSION__'") || sw.contains("['__FILES__']") {
        return Err("public/sw.js has a placeholder the build does not fill".into());
    }
    write(&dist, "sw.js", sw.as_bytes())?;
    Ok(hash)
}
