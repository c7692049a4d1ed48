//! Facts about the running app the UI shows in its status bar and settings.

use serde::Serialize;
use tauri::State;

use crate::error::CommandResult;
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
}

#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    Ok(AppInfo {
        name: "Banana Studio".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        data_dir: state.data_dir.display().to_string(),
        mode: state.mode,
        api_base_url: state.base_url.clone(),
        has_api_key: state.mode == Mode::Live,
    })
}
