//! Saving text as a file, through a Blob and a temporary object URL (`gloo-file`).

use wasm_bindgen::JsCast;

/// Offers `text` for download as `file_name`.
pub fn save_text(file_name: &str, text: &str, mime: &str) -> Result<(), String> {
    let blob = gloo_file::Blob::new_with_options(text, Some(mime));
    let url = gloo_file::ObjectUrl::from(blob);
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "could not make a link".to_string())?
        .dyn_into()
        .map_err(|_| "not a link".to_string())?;
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    // The object URL is revoked when `url` drops, after the click has started the download.
    Ok(())
}
