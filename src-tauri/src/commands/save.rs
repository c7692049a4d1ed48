//! "Save as…": the desktop's own save dialog, then a copy of the stored image to where the person chose.
//! The dialog runs on the GTK main thread; the command waits for its answer without blocking it.

use std::path::PathBuf;

use tauri::{AppHandle, State, Window};

use studio_core::gallery::save::{save_copy, suggested_name};

use crate::error::{blocking, blocking_cmd, CommandError, CommandResult};
use crate::state::AppState;

/// Asks where to save image `id` (suggesting a name made from its prompt) and copies it there. Returns the
/// path written, or `None` when the dialog was cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_image_as(app: AppHandle, window: Window, state: State<'_, AppState>, id: String) -> CommandResult<Option<String>> {
    let (studio, data_dir) = (state.studio(), state.data_dir.clone());
    let image_id = id.clone();
    let (detail, src) = blocking_cmd(move || {
        let detail = studio.gallery().get(&image_id)?;
        let src = crate::commands::gallery::stored_image(&studio, &data_dir, &image_id)?;
        Ok((detail, src))
    })
    .await?;
    let ext = src.extension().and_then(|e| e.to_str()).unwrap_or("png").to_string();
    let fallback = format!("banana-{}", id.chars().take(8).collect::<String>());
    let name = suggested_name(&detail.summary.prompt, &fallback, &ext);
    let Some(dest) = ask_save_path(&app, window, name).await? else {
        return Ok(None);
    };
    let written = blocking(move || save_copy(&src, &dest)).await?;
    Ok(Some(written.display().to_string()))
}

#[cfg(target_os = "linux")]
async fn ask_save_path(app: &AppHandle, window: Window, name: String) -> CommandResult<Option<PathBuf>> {
    use gtk::prelude::*;

    let (tx, rx) = tokio::sync::oneshot::channel::<Option<PathBuf>>();
    app.run_on_main_thread(move || {
        let parent = window.gtk_window().ok();
        // FileChooserNative: the desktop portal's dialog where one runs (Flatpak, KDE), GTK's otherwise.
        let dialog = gtk::FileChooserNative::new(
            Some("Save image as"),
            parent.as_ref(),
            gtk::FileChooserAction::Save,
            Some("_Save"),
            Some("_Cancel"),
        );
        dialog.set_modal(true);
        dialog.set_do_overwrite_confirmation(true);
        dialog.set_current_name(&name);
        let start = gtk::glib::user_special_dir(gtk::glib::UserDirectory::Pictures)
            .filter(|p| p.is_dir())
            .unwrap_or_else(gtk::glib::home_dir);
        dialog.set_current_folder(start);
        let tx = std::cell::Cell::new(Some(tx));
        // A native dialog is not a widget GTK keeps alive: the handler holds it until the answer comes, then
        // lets go (which also breaks the dialog -> handler -> dialog cycle).
        let keep = std::rc::Rc::new(std::cell::RefCell::new(Some(dialog.clone())));
        dialog.connect_response(move |d, response| {
            let chosen = if response == gtk::ResponseType::Accept { d.filename() } else { None };
            if let Some(tx) = tx.take() {
                let _ = tx.send(chosen);
            }
            d.destroy();
            keep.borrow_mut().take();
        });
        dialog.show();
    })
    .map_err(|e| CommandError::new("dialog", format!("could not open the save dialog: {e}")))?;
    rx.await.map_err(|_| CommandError::new("dialog", "the save dialog closed without an answer"))
}

#[cfg(not(target_os = "linux"))]
async fn ask_save_path(_: &AppHandle, _: Window, _: String) -> CommandResult<Option<PathBuf>> {
    Err(CommandError::new("dialog", "Save as is not available on this system yet: use Export to folder"))
}
