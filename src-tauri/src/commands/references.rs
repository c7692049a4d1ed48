//! Reference images: imported from dropped or picked file paths, or from raw bytes (paste, browser drags)
//! sent as a binary IPC body, never as JSON. Each file succeeds or fails on its own, by name.

use serde::Serialize;
use tauri::ipc::{InvokeBody, Request};
use tauri::State;

use studio_core::ReferenceInfo;

use crate::error::{blocking, blocking_cmd, CommandError, CommandResult};
use crate::state::AppState;

/// One file's outcome: the stored reference, or why it was refused (the message names the file).
#[derive(Debug, Serialize, specta::Type)]
pub struct ReferenceImport {
    pub name: String,
    pub reference: Option<ReferenceInfo>,
    pub error: Option<CommandError>,
}

/// Imports files by path (drag-and-drop from the file manager, the file picker). Runs in parallel.
#[tauri::command]
#[specta::specta]
pub async fn import_reference_paths(state: State<'_, AppState>, paths: Vec<String>) -> CommandResult<Vec<ReferenceImport>> {
    let studio = state.studio();
    let names: Vec<String> = paths
        .iter()
        .map(|p| std::path::Path::new(p).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| p.clone()))
        .collect();
    let results = studio.import_reference_files(paths.into_iter().map(Into::into).collect()).await;
    Ok(names
        .into_iter()
        .zip(results)
        .map(|(name, r)| match r {
            Ok(info) => ReferenceImport { name, reference: Some(info), error: None },
            Err(e) => ReferenceImport { name, reference: None, error: Some(e.into()) },
        })
        .collect())
}

/// Imports one image from a raw binary body (`invoke("import_reference_bytes", bytes, {headers:
/// {"x-file-name": name}})`): pasted images and images dragged from other apps arrive as bytes.
#[tauri::command]
pub async fn import_reference_bytes(state: State<'_, AppState>, request: Request<'_>) -> CommandResult<ReferenceInfo> {
    let name = request
        .headers()
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        // Header values are Latin-1, so the UI percent-encodes names; decode them back to UTF-8.
        .map(|n| percent_decode(n).chars().take(200).collect::<String>())
        .unwrap_or_else(|| "pasted image".to_string());
    let bytes = match request.body() {
        InvokeBody::Raw(bytes) => bytes.clone(),
        InvokeBody::Json(_) => {
            return Err(CommandError::new("invalid_reference", "image bytes must be sent as a binary body"))
        }
    };
    Ok(state.studio().import_reference_bytes(bytes, &name).await?)
}

/// A stored reference's facts (for a reference reused from an earlier turn).
#[tauri::command]
#[specta::specta]
pub async fn reference_info(state: State<'_, AppState>, hash: String) -> CommandResult<ReferenceInfo> {
    let studio = state.studio();
    blocking(move || studio.reference(&hash)).await
}

/// Makes a gallery image usable as a reference (one click from any result).
#[tauri::command]
#[specta::specta]
pub async fn reference_from_image(state: State<'_, AppState>, image_id: String) -> CommandResult<ReferenceInfo> {
    let (studio, data_dir) = (state.studio(), state.data_dir.clone());
    let lookup = std::sync::Arc::clone(&studio);
    let path = blocking_cmd(move || crate::commands::gallery::stored_image(&lookup, &data_dir, &image_id)).await?;
    Ok(studio.import_reference_file(&path).await?)
}

/// Decodes `%XX` escapes (UTF-8); anything malformed is kept as it is.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn decodes_percent_encoded_names() {
        assert_eq!(percent_decode("caf%C3%A9%20photo.jpg"), "café photo.jpg");
        assert_eq!(percent_decode("plain.png"), "plain.png");
        assert_eq!(percent_decode("100%.png"), "100%.png");
        assert_eq!(percent_decode("bad%ZZ.png"), "bad%ZZ.png");
        assert_eq!(percent_decode("%FF%FE.png"), "%FF%FE.png");
    }
}
