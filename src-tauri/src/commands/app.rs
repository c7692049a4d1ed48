//! Facts about the running app, the capability table, and opening links in the system browser.

use serde::Serialize;
use tauri::State;

use crate::error::{blocking_cmd, CommandError, CommandResult};
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
pub async fn app_info(state: State<'_, AppState>) -> CommandResult<AppInfo> {
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
// This, `catalogue`, `estimate_cost` and `cancel_generation` stay synchronous: they only read memory under a
// lock that writers hold for in-memory edits, never for store or file work.
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
pub async fn open_external(url: String) -> CommandResult<()> {
    let link = web_link(&url).ok_or_else(|| CommandError::new("invalid_link", format!("not a web link: {url}")))?;
    // Starting a process forks the app: not on the main thread.
    blocking_cmd(move || {
        open_with_system(link.as_str().as_ref())
            .map_err(|e| CommandError::new("open_failed", format!("could not open {link} in the browser: {e}")))
    })
    .await
}

/// A link the system browser may open: http(s) with a host and no credentials, parsed and normalised (what
/// is handed on is the parsed form, never the raw text).
fn web_link(url: &str) -> Option<tauri::Url> {
    if url.len() > 4096 {
        return None;
    }
    let u = tauri::Url::parse(url.trim()).ok()?;
    let web = matches!(u.scheme(), "http" | "https");
    let host = u.host_str().is_some_and(|h| !h.is_empty());
    (web && host && u.username().is_empty() && u.password().is_none()).then_some(u)
}

/// Shows a gallery image in the system file manager.
#[tauri::command]
#[specta::specta]
pub async fn reveal_image(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    let (studio, data_dir) = (state.studio(), state.data_dir.clone());
    blocking_cmd(move || {
        let path = crate::commands::gallery::stored_image(&studio, &data_dir, &id)?;
        let folder = path.parent().unwrap_or(&data_dir).to_path_buf();
        open_with_system(folder.as_os_str())
            .map_err(|e| CommandError::new("open_failed", format!("could not open {}: {e}", folder.display())))
    })
    .await
}

/// Hands a link or a folder to the desktop's default handler (browser, file manager). The opener is waited
/// for on a thread of its own, so no zombie process is left behind.
fn open_with_system(target: &std::ffi::OsStr) -> std::io::Result<()> {
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let mut child = std::process::Command::new(opener).arg(target).spawn()?;
    std::thread::Builder::new().name("opener-reaper".into()).spawn(move || {
        let _ = child.wait();
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9: `open_external` checked only a prefix.
    #[test]
    fn only_real_web_links_are_opened() {
        assert_eq!(web_link("https://example.com/a b").unwrap().as_str(), "https://example.com/a%20b");
        assert!(web_link("http://example.com").is_some());
        assert!(web_link("https://").is_none());
        assert!(web_link("https://user:pw@example.com/").is_none());
        assert!(web_link("file:///etc/passwd").is_none());
        assert!(web_link("javascript:alert(1)").is_none());
        assert!(web_link("https-evil:x").is_none());
    }
}
