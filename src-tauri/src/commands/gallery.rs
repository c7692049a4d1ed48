//! The gallery: pages of summaries, one image's full provenance, favourites, trash, delete, export. Every
//! command reads or writes the store off the main thread.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tauri::{AppHandle, State};

use studio_core::paths::DataDir;
use studio_core::{GalleryQuery, ImageDetail, ImageSummary, Studio};

use crate::error::{blocking, blocking_cmd, CommandError, CommandResult};
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
pub async fn gallery_get(state: State<'_, AppState>, id: String) -> CommandResult<ImageDetail> {
    let studio = state.studio();
    blocking(move || studio.gallery().get(&id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn gallery_set_favourite(state: State<'_, AppState>, id: String, favourite: bool) -> CommandResult<()> {
    let studio = state.studio();
    blocking(move || studio.gallery().set_favourite(&id, favourite)).await
}

#[tauri::command]
#[specta::specta]
pub async fn gallery_trash(state: State<'_, AppState>, ids: Vec<String>) -> CommandResult<()> {
    let studio = state.studio();
    blocking(move || ids.iter().try_for_each(|id| studio.gallery().trash(id))).await
}

#[tauri::command]
#[specta::specta]
pub async fn gallery_restore(state: State<'_, AppState>, ids: Vec<String>) -> CommandResult<()> {
    let studio = state.studio();
    blocking(move || ids.iter().try_for_each(|id| studio.gallery().restore(id))).await
}

/// Deletes for good: rows and files.
#[tauri::command]
#[specta::specta]
pub async fn gallery_delete(state: State<'_, AppState>, ids: Vec<String>) -> CommandResult<()> {
    let studio = state.studio();
    // In batches: one journal entry and one durable commit per 256 images, not one per image.
    blocking(move || studio.gallery().delete_many(&ids).map(|_| ())).await
}

/// Copies the chosen images into `folder` (created if missing); returns how many were written.
// The copies run on a blocking thread: on the main thread (as before) the window froze until the last one
// was done.
#[tauri::command]
#[specta::specta]
pub async fn gallery_export(app: AppHandle, state: State<'_, AppState>, ids: Vec<String>, folder: String) -> CommandResult<u32> {
    let (studio, data_dir) = (state.studio(), state.data_dir.clone());
    if std::env::var_os(EXPORT_ON_MAIN_THREAD).is_some_and(|v| v == "1") {
        return export_on_main_thread(&app, move || export(&studio, &data_dir, &ids, &folder)).await;
    }
    blocking_cmd(move || export(&studio, &data_dir, &ids, &folder)).await
}

/// Benchmarks only: with this set to 1 the export runs on the GTK main thread, as every store command did
/// before, so `scripts/bench-app` measures the old window stall against the new in the same run.
pub const EXPORT_ON_MAIN_THREAD: &str = "BANANA_BENCH_EXPORT_ON_MAIN_THREAD";

async fn export_on_main_thread(app: &AppHandle, f: impl FnOnce() -> CommandResult<u32> + Send + 'static) -> CommandResult<u32> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.run_on_main_thread(move || {
        let _ = tx.send(f());
    })
    .map_err(|e| CommandError::new("other", e.to_string()))?;
    rx.await.map_err(|e| CommandError::new("other", e.to_string()))?
}

/// The export itself, on whichever thread calls it.
pub(crate) fn export(studio: &Studio, data_dir: &Path, ids: &[String], folder: &str) -> CommandResult<u32> {
    let folder = studio_core::paths::expand_home(folder);
    std::fs::create_dir_all(&folder)
        .map_err(|e| CommandError::new("io", format!("cannot create {}: {e}", folder.display())))?;
    let mut written = 0;
    for id in ids {
        let src = stored_image(studio, data_dir, id)?;
        let name = src.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| id.into());
        let dest = folder.join(&name);
        // fs::copy carries the gallery file's owner-only mode over; an export is the person's own document.
        std::fs::copy(&src, &dest)
            .and_then(|_| studio_core::paths::make_shareable(&dest))
            .map_err(|e| CommandError::new("io", format!("cannot copy {} to {}: {e}", src.display(), folder.display())))?;
        written += 1;
    }
    Ok(written)
}

/// An image's file, checked as the `studio://` scheme checks it: a plain name inside images/. Whatever a
/// database row says, export, reveal and "use as reference" never reach the key file or the database.
pub(crate) fn stored_image(studio: &Studio, data_dir: &Path, id: &str) -> CommandResult<PathBuf> {
    let path = studio.image_path(id)?;
    crate::protocol::stored_file(&DataDir::new(data_dir).images, &path)
        .map_err(|_| CommandError::new("not_found", format!("image {id} has no file in the gallery's images folder")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9: export copied whatever file a row named, so a row naming `../api-key` copied the key file out
    /// of the data folder. Such rows are refused by name; a proper row is copied.
    #[test]
    fn export_copies_only_files_in_images() {
        let mut rows = vec![("good", "good.png")];
        rows.extend_from_slice(crate::test_support::HOSTILE_ROWS);
        let (tmp, dirs, studio) = crate::test_support::studio_with_rows(&rows);
        let out = tmp.path().join("out");
        let folder = out.to_string_lossy().into_owned();
        assert_eq!(export(&studio, &dirs.root, &["good".to_string()], &folder).unwrap(), 1);
        for (id, _) in crate::test_support::HOSTILE_ROWS {
            let err = export(&studio, &dirs.root, &[id.to_string()], &folder).unwrap_err();
            assert_eq!(err.kind, "not_found", "{id}: {err}");
        }
        let names: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("good.png")]);
    }
}
