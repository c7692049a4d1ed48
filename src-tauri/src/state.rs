//! What the shell keeps for the app's lifetime: where data lives, which API it talks to, and in demo mode the
//! in-process fake Gemini server that stands in for Google.

use std::path::PathBuf;

/// Google's API base. `GEMINI_BASE_URL` overrides it (tests point the app at the fake this way).
pub const GOOGLE_BASE_URL: &str = "https://generativelanguage.googleapis.com";

/// How the app reaches a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// A key is set: requests go to `base_url`.
    Live,
    /// No key: requests go to the bundled fake server on loopback, and the UI says so.
    Demo,
}

pub struct AppState {
    pub data_dir: PathBuf,
    pub base_url: String,
    pub mode: Mode,
}

impl AppState {
    pub async fn init() -> Result<AppState, Box<dyn std::error::Error>> {
        let data_dir = data_dir();
        std::fs::create_dir_all(&data_dir)
            .map_err(|e| format!("cannot create the data folder {}: {e}", data_dir.display()))?;
        let key = std::env::var("GEMINI_API_KEY").ok().filter(|k| !k.trim().is_empty());
        let (mode, base_url, demo_server) = match key {
            Some(_) => {
                let base = std::env::var("GEMINI_BASE_URL")
                    .ok()
                    .filter(|b| !b.trim().is_empty())
                    .unwrap_or_else(|| GOOGLE_BASE_URL.to_string());
                (Mode::Live, base, None)
            }
            None => {
                // TODO(issue 3): start the in-process fake server here.
                (Mode::Demo, "http://127.0.0.1:0".to_string(), None::<()>)
            }
        };
        let _ = demo_server;
        Ok(AppState { data_dir, base_url, mode })
    }
}

/// The data folder: `BANANA_STUDIO_DATA_DIR` wins (tests and the CLI use it), else the OS app-data folder.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("BANANA_STUDIO_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("studio.banana.desktop")
}

impl AppState {
    /// Where a gallery image lives. Filled in by studio-core's gallery; until then nothing resolves.
    pub fn image_path(&self, id: &str) -> Option<PathBuf> {
        find_with_any_extension(&self.data_dir.join("images"), id)
    }

    pub fn thumb_path(&self, id: &str) -> Option<PathBuf> {
        find_with_any_extension(&self.data_dir.join("thumbs"), id)
    }

    pub fn ref_path(&self, hash: &str) -> Option<PathBuf> {
        find_with_any_extension(&self.data_dir.join("refs"), hash)
    }
}

fn find_with_any_extension(dir: &std::path::Path, stem: &str) -> Option<PathBuf> {
    ["png", "jpg", "webp", "heic", "heif"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.{ext}")))
        .find(|p| p.exists())
}
