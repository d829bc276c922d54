//! Files: saving text as a download (a Blob and a temporary object URL, `gloo-file`), and
//! reading a picked file as UTF-8 text.

use crate::errors::FileError;
use wasm_bindgen::JsCast;

/// Offers `text` for download as `file_name`.
pub fn save_text(file_name: &str, text: &str, mime: &str) -> Result<(), FileError> {
    let blob = gloo_file::Blob::new_with_options(text, Some(mime));
    let url = gloo_file::ObjectUrl::from(blob);
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| FileError::NotSaved("the page has no document".into()))?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into().ok())
        .ok_or_else(|| FileError::NotSaved("the page could not make a link".into()))?;
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    // The object URL is revoked when `url` drops, after the click has started the download.
    Ok(())
}

/// Reads a picked file as UTF-8 text: its name and text.
pub async fn read_file(file: web_sys::File) -> Result<(String, String), FileError> {
    let file = gloo_file::File::from(file);
    let name = file.name();
    let bytes = gloo_file::futures::read_as_bytes(&file)
        .await
        .map_err(|e| FileError::Unreadable {
            name: name.clone(),
            detail: e.to_string(),
        })?;
    String::from_utf8(bytes)
        .map(|t| (name.clone(), t))
        .map_err(|e| FileError::NotUtf8 {
            name,
            at: e.utf8_error().valid_up_to() + 1,
        })
}
