//! The gallery index: rebuilding it from the image files (Settings' "Rebuild gallery index from files").
//! When the database cannot be opened at all the app does not start; `studio_core::gallery_index_health`
//! tells that case apart (corrupt) and `studio_core::rebuild_gallery_index` repairs it without a studio.

use tauri::State;

use studio_core::RebuildReport;

use crate::error::{blocking, CommandResult};
use crate::state::AppState;

/// How many image files in the data folder the gallery does not list (what a rebuild would add), so Settings
/// can say so after a database was restored from an older backup.
#[tauri::command]
#[specta::specta]
pub async fn unlisted_gallery_images(state: State<'_, AppState>) -> CommandResult<u32> {
    let data_dir = state.data_dir.clone();
    blocking(move || studio_core::unlisted_gallery_images(&data_dir)).await
}

/// Lists every image file the gallery database lacks into it again (with its provenance from its sidecar,
/// or marked recovered); a corrupt database is moved aside, nothing is deleted.
#[tauri::command]
#[specta::specta]
pub async fn rebuild_gallery_index(state: State<'_, AppState>) -> CommandResult<RebuildReport> {
    let data_dir = state.data_dir.clone();
    blocking(move || studio_core::rebuild_gallery_index(&data_dir)).await
}
