//! What the shell keeps for the app's lifetime: where data lives, which API it talks to, the engine, running
//! generations (so they can be cancelled), and in demo mode the in-process fake Gemini server.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use studio_core::{KeySource, KeyStorage, KeyStore, Studio, StudioConfig};

/// Google's API base. `GEMINI_BASE_URL` overrides it (tests point the app at the fake this way).
/// The offline demo fake reads no request body over this.
const DEMO_BODY_LIMIT: usize = 32 << 20;

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

/// The engine and how it was configured; swapped whole when the key changes.
pub struct Engine {
    pub studio: Arc<Studio>,
    pub mode: Mode,
    pub base_url: String,
    pub key_source: KeySource,
    /// Where a key saved in Settings would go: the OS keychain, or the 0600 file when none runs.
    pub key_storage: KeyStorage,
    /// Held so the demo server lives as long as the engine that uses it.
    _demo_server: Option<gemini_fake::FakeGemini>,
}

pub struct AppState {
    pub data_dir: PathBuf,
    pub keys: Arc<KeyStore>,
    engine: RwLock<Arc<Engine>>,
    /// Running generations by job id, so `cancel_generation` can stop one.
    pub jobs: crate::jobs::Jobs,
}

impl AppState {
    pub async fn init() -> Result<AppState, String> {
        let data_dir = data_dir();
        std::fs::create_dir_all(&data_dir)
            .map_err(|e| format!("cannot create the data folder {}: {e}", data_dir.display()))?;
        let keys = Arc::new(KeyStore::new(&data_dir));
        let engine = build_engine(&data_dir, &keys).await?;
        Ok(AppState { data_dir, keys, engine: RwLock::new(Arc::new(engine)), jobs: Default::default() })
    }

    pub fn engine(&self) -> Arc<Engine> {
        match self.engine.read() {
            Ok(e) => Arc::clone(&e),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub fn studio(&self) -> Arc<Studio> {
        Arc::clone(&self.engine().studio)
    }

    /// Rebuilds the engine after the key changed (demo <-> live).
    pub async fn reload(&self) -> Result<(), String> {
        let engine = Arc::new(build_engine(&self.data_dir, &self.keys).await?);
        match self.engine.write() {
            Ok(mut e) => *e = engine,
            Err(poisoned) => *poisoned.into_inner() = engine,
        }
        Ok(())
    }
}

async fn build_engine(data_dir: &std::path::Path, keys: &Arc<KeyStore>) -> Result<Engine, String> {
    // D-Bus calls block, and a locked keyring may show its unlock prompt: keep them off the async workers.
    let store = Arc::clone(keys);
    let ((key, key_source), key_storage) = tokio::task::spawn_blocking(move || (store.current(), store.storage()))
        .await
        .map_err(|e| format!("reading the API key failed: {e}"))?;
    let (mode, base_url, demo_server) = match key {
        Some(_) => (Mode::Live, configured_base_url(), None),
        None => {
            // The demo keeps no request bodies (tests are the only readers of them) and reads none over 32 MB:
            // references are re-encoded to about 1 MB each, so 14 of them fit, and a stray huge post costs nothing.
            let fake = gemini_fake::FakeGemini::start(gemini_fake::FakeConfig {
                record_requests: false,
                body_limit: DEMO_BODY_LIMIT,
                ..Default::default()
            })
                .await
                .map_err(|e| format!("cannot start the offline demo server: {e}"))?;
            (Mode::Demo, fake.base_url(), Some(fake))
        }
    };
    let studio = Studio::open(StudioConfig {
        data_dir: data_dir.to_path_buf(),
        api_key: key.or_else(|| Some("demo".to_string())),
        base_url: base_url.clone(),
        price_per_million_tokens: price_per_million(),
    })
    .map_err(|e| e.to_string())?;
    Ok(Engine { studio: Arc::new(studio), mode, base_url, key_source, key_storage, _demo_server: demo_server })
}

/// `GEMINI_BASE_URL` when set, else Google's.
pub fn configured_base_url() -> String {
    std::env::var("GEMINI_BASE_URL")
        .ok()
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| GOOGLE_BASE_URL.to_string())
}

/// `BANANA_STUDIO_PRICE_PER_MTOK`: the price per million tokens shown next to token costs (the CLI reads the
/// same variable).
fn price_per_million() -> Option<f64> {
    studio_core::price_from_env()
}

/// The data folder: `BANANA_STUDIO_DATA_DIR` wins (tests and the CLI use it), else the OS app-data folder
/// (the same one the `banana` CLI uses, so both share one gallery).
pub fn data_dir() -> PathBuf {
    studio_core::default_data_dir()
}
