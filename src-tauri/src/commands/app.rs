//! Facts about the running app, the capability table, and opening links in the system browser.

use serde::Serialize;
use tauri::State;

use crate::error::{CommandError, CommandResult};
use studio_core::{KeySource, KeyStorage};
use crate::state::{AppState, Mode};

#[derive(Debug, Serialize, specta::Type)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    pub data_dir: String,
    pub mode: Mode,
    /// The API base requests go to (Google's, an override, or the local demo server).
    pub api_base_url: String,
    /// Whether an API key is set. The key itself never reaches the webview.
    pub has_api_key: bool,
    pub key_source: KeySource,
    /// Where a key saved in Settings goes: the OS keychain, or a 0600 file when no keychain runs.
    pub key_storage: KeyStorage,
}

#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    let engine = state.engine();
    Ok(AppInfo {
        name: "Banana Studio".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        data_dir: state.data_dir.display().to_string(),
        mode: engine.mode,
        api_base_url: engine.base_url.clone(),
        has_api_key: engine.mode == Mode::Live,
        key_source: engine.key_source,
        key_storage: engine.key_storage,
    })
}

/// What every model allows, and whether this key can call it: the single source the controls are built from.
#[tauri::command]
#[specta::specta]
pub fn capabilities(state: State<'_, AppState>) -> Vec<studio_core::ModelCapabilities> {
    state.studio().catalogue().models
}

/// The model catalogue as known now (the cached `models.list` answer merged with the bundled data), with
/// the retired ids and where the list came from. No network.
#[tauri::command]
#[specta::specta]
pub fn catalogue(state: State<'_, AppState>) -> studio_core::Catalogue {
    state.studio().catalogue()
}

/// Reads `models.list` again when the cached answer is a day old, or always with `force` (Settings'
/// Refresh button), and returns the merged catalogue.
#[tauri::command]
#[specta::specta]
pub async fn refresh_catalogue(state: State<'_, AppState>, force: bool) -> CommandResult<studio_core::Catalogue> {
    Ok(state.studio().refresh_catalogue(force).await?)
}

/// Opens an http(s) link (a grounding source, the search chip's target) in the system browser.
#[tauri::command]
#[specta::specta]
pub fn open_external(url: String) -> CommandResult<()> {
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 4096 {
        return Err(CommandError::new("invalid_link", format!("not a web link: {url}")));
    }
    open_with_system(url.as_ref()).map_err(|e| CommandError::new("open_failed", format!("could not open {url} in the browser: {e}")))
}

/// Shows a gallery image in the system file manager.
#[tauri::command]
#[specta::specta]
pub fn reveal_image(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    let path = state.studio().image_path(&id)?;
    let folder = path.parent().unwrap_or(&state.data_dir).to_path_buf();
    open_with_system(folder.as_os_str())
        .map_err(|e| CommandError::new("open_failed", format!("could not open {}: {e}", folder.display())))
}

/// Hands a link or a folder to the desktop's default handler (browser, file manager).
fn open_with_system(target: &std::ffi::OsStr) -> std::io::Result<()> {
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    std::process::Command::new(opener).arg(target).spawn().map(|_| ())
}
