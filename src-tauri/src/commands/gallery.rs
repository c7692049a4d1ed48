//! The gallery: pages of summaries, one image's full provenance, favourites, trash, delete, export.

use serde::Serialize;
use tauri::State;

use studio_core::{GalleryQuery, ImageDetail, ImageSummary};

use crate::error::{blocking, CommandError, CommandResult};
use crate::state::AppState;

#[derive(Debug, Serialize, specta::Type)]
pub struct GalleryPage {
    pub items: Vec<ImageSummary>,
    /// How many images match the query in all (for the scroll height).
    pub total: i64,
}

#[tauri::command]
#[specta::specta]
pub async fn gallery_list(state: State<'_, AppState>, query: GalleryQuery, with_total: bool) -> CommandResult<GalleryPage> {
    let studio = state.studio();
    blocking(move || {
        let items = studio.gallery().list(&query)?;
        let total = if with_total { studio.gallery().count(&query)? } else { -1 };
        Ok(GalleryPage { items, total })
    })
    .await
}

/// How many images match `query`. Separate from the page so a search shows its first results without
/// waiting for the count, which at 100k images is the slower half.
#[tauri::command]
#[specta::specta]
pub async fn gallery_count(state: State<'_, AppState>, query: GalleryQuery) -> CommandResult<i64> {
    let studio = state.studio();
    blocking(move || studio.gallery().count(&query)).await
}

#[tauri::command]
#[specta::specta]
pub fn gallery_get(state: State<'_, AppState>, id: String) -> CommandResult<ImageDetail> {
    Ok(state.studio().gallery().get(&id)?)
}

#[tauri::command]
#[specta::specta]
pub fn gallery_set_favourite(state: State<'_, AppState>, id: String, favourite: bool) -> CommandResult<()> {
    Ok(state.studio().gallery().set_favourite(&id, favourite)?)
}

#[tauri::command]
#[specta::specta]
pub fn gallery_trash(state: State<'_, AppState>, ids: Vec<String>) -> CommandResult<()> {
    let studio = state.studio();
    for id in &ids {
        studio.gallery().trash(id)?;
    }
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub fn gallery_restore(state: State<'_, AppState>, ids: Vec<String>) -> CommandResult<()> {
    let studio = state.studio();
    for id in &ids {
        studio.gallery().restore(id)?;
    }
    Ok(())
}

/// Deletes for good: rows and files.
#[tauri::command]
#[specta::specta]
pub fn gallery_delete(state: State<'_, AppState>, ids: Vec<String>) -> CommandResult<()> {
    let studio = state.studio();
    for id in &ids {
        studio.gallery().delete(id)?;
    }
    Ok(())
}

/// Copies the chosen images into `folder` (created if missing); returns how many were written.
#[tauri::command]
#[specta::specta]
pub fn gallery_export(state: State<'_, AppState>, ids: Vec<String>, folder: String) -> CommandResult<u32> {
    let studio = state.studio();
    let folder = studio_core::paths::expand_home(&folder);
    std::fs::create_dir_all(&folder)
        .map_err(|e| CommandError::new("io", format!("cannot create {}: {e}", folder.display())))?;
    let mut written = 0;
    for id in &ids {
        let src = studio.image_path(id)?;
        let name = src.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| id.into());
        std::fs::copy(&src, folder.join(&name))
            .map_err(|e| CommandError::new("io", format!("cannot copy {} to {}: {e}", src.display(), folder.display())))?;
        written += 1;
    }
    Ok(written)
}
