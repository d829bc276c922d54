//! Files: saving text as a download (a Blob and a temporary object URL, `gloo-file`), and
//! reading a picked file as UTF-8 text.

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

/// Reads a picked file as UTF-8 text: its name and text, or what is wrong, worded with `verb`
/// ("imported", "opened").
pub async fn read_file(file: web_sys::File, verb: &str) -> Result<(String, String), String> {
    let file = gloo_file::File::from(file);
    let name = file.name();
    let bytes = gloo_file::futures::read_as_bytes(&file)
        .await
        .map_err(|e| format!("{name} could not be read: {e}"))?;
    String::from_utf8(bytes).map(|t| (name.clone(), t)).map_err(|e| {
        format!(
            "{name} was not {verb}: it is not UTF-8 text (an invalid byte at position {}). Save it as UTF-8 and try again.",
            e.utf8_error().valid_up_to() + 1
        )
    })
}
