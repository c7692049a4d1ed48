//! Banana Studio's engine: everything the desktop app and the `banana` CLI share, with no UI and no Tauri.
//!
//! [`Studio`] is the entry point: it owns the data dir (gallery database, images, thumbnails, references)
//! and a Gemini client, and offers the capability table, validation, cost estimates, reference import,
//! generation (with chats, branches and variations), the gallery and the chats.

pub mod capabilities;
pub mod chat;
pub mod cost;
pub mod error;
pub mod gallery;
pub mod generate;
pub mod keys;
pub mod params;
pub mod paths;
pub mod references;
pub mod time;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

pub use capabilities::{capabilities, ModelCapabilities, OutputFormat, SearchType, DEFAULT_MODEL};
pub use chat::{ChatDetail, ChatSummary, Chats, TurnView};
pub use cost::{CostEstimate, CostTotals, Usage};
pub use error::{Error, ErrorPayload, Result};
pub use gallery::{Gallery, GalleryQuery, ImageDetail, ImageSummary, SortOrder};
pub use generate::{
    GenerateRequest, GeneratedImage, GenerationCost, GenerationEvent, GenerationResult,
    VariationFailure,
};
pub use keys::{KeySource, KeyStorage, KeyStore};
pub use params::{GenerateParams, SearchParams};
pub use paths::default_data_dir;
pub use references::ReferenceInfo;

pub use gemini::RetryPolicy;

use gallery::store::Store;

/// Google's API base URL.
pub const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com";

/// How to open a studio.
#[derive(Debug, Clone)]
pub struct StudioConfig {
    pub data_dir: PathBuf,
    /// `None` is allowed: generation then refuses with a clear message unless `base_url` is not Google's
    /// (a local fake accepts any key).
    pub api_key: Option<String>,
    pub base_url: String,
    /// Price per million tokens for cost figures; `None` shows tokens only.
    pub price_per_million_tokens: Option<f64>,
}

impl Default for StudioConfig {
    fn default() -> Self {
        StudioConfig {
            data_dir: default_data_dir(),
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            price_per_million_tokens: None,
        }
    }
}

/// Network tuning beyond [`StudioConfig`] (tests use short retry delays).
#[derive(Debug, Clone)]
pub struct StudioOptions {
    pub retry: gemini::RetryPolicy,
    pub request_timeout: Duration,
}

impl Default for StudioOptions {
    fn default() -> Self {
        StudioOptions {
            retry: gemini::RetryPolicy::default(),
            request_timeout: Duration::from_secs(180),
        }
    }
}

/// The engine. `Send + Sync`: share it (e.g. as Tauri state) and call it from any thread.
pub struct Studio {
    store: Arc<Store>,
    gallery: Gallery,
    chats: Chats,
    client: Option<gemini::Client>,
    config: StudioConfig,
}

fn is_google(base_url: &str) -> bool {
    base_url
        .trim_end_matches('/')
        .ends_with("generativelanguage.googleapis.com")
}

impl Studio {
    /// Opens (creating) the data dir: `gallery.sqlite` (WAL), `images/`, `thumbs/`, `refs/`, `tmp/`; runs the
    /// migrations; removes what a crash can leave behind (orphan files, temp files).
    pub fn open(cfg: StudioConfig) -> Result<Studio> {
        Studio::open_with(cfg, StudioOptions::default())
    }

    /// [`Studio::open`] with network options.
    pub fn open_with(cfg: StudioConfig, opts: StudioOptions) -> Result<Studio> {
        let store = Arc::new(Store::open(
            paths::DataDir::new(&cfg.data_dir),
            cfg.price_per_million_tokens,
        )?);
        let key = match (&cfg.api_key, is_google(&cfg.base_url)) {
            (Some(k), _) if !k.trim().is_empty() => Some(k.trim().to_string()),
            (_, false) => Some("unused-local-key".to_string()),
            _ => None,
        };
        let client = match key {
            Some(api_key) => Some(
                gemini::Client::new(gemini::ClientConfig {
                    api_key,
                    base_url: cfg.base_url.clone(),
                    request_timeout: opts.request_timeout,
                    retry: opts.retry.clone(),
                })
                .map_err(generate::map_client_error)?,
            ),
            None => None,
        };
        Ok(Studio {
            gallery: Gallery {
                store: Arc::clone(&store),
            },
            chats: Chats {
                store: Arc::clone(&store),
            },
            store,
            client,
            config: cfg,
        })
    }

    /// Waits for the start-up sweep of files a crash left behind (it runs in the background; see
    /// [`gallery::store::Store::open`]).
    pub fn finish_cleanup(&self) {
        self.store.finish_cleanup();
    }

    /// The capability table (same as [`capabilities::capabilities`]).
    pub fn capabilities() -> Vec<ModelCapabilities> {
        capabilities::capabilities()
    }

    pub fn config(&self) -> &StudioConfig {
        &self.config
    }

    pub fn data_dir(&self) -> &Path {
        &self.store.dirs.root
    }

    /// Whether generation can run (a key is set, or the base URL is a local fake).
    pub fn has_client(&self) -> bool {
        self.client.is_some()
    }

    /// Checks parameters and the number of references against the model's capabilities.
    pub fn validate(&self, params: &GenerateParams, reference_count: usize) -> Result<()> {
        params::validate(params, reference_count).map(|_| ())
    }

    /// What a generation with `params` is expected to cost (no references).
    pub fn estimate_cost(&self, params: &GenerateParams) -> CostEstimate {
        self.estimate_cost_with(params, 0)
    }

    /// What a generation with `params` and `reference_count` references is expected to cost.
    pub fn estimate_cost_with(
        &self,
        params: &GenerateParams,
        reference_count: usize,
    ) -> CostEstimate {
        let caps = capabilities::model(&params.model).unwrap_or_else(|| {
            capabilities::model(DEFAULT_MODEL).expect("the default model is in the table")
        });
        cost::estimate(
            &caps,
            params,
            reference_count,
            self.config.price_per_million_tokens,
        )
    }

    /// Imports a reference image file (checked, oriented, downscaled if needed, deduplicated, stored).
    pub async fn import_reference_file(&self, path: &Path) -> Result<ReferenceInfo> {
        let store = Arc::clone(&self.store);
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || references::import_file_blocking(&store, &path))
            .await
            .map_err(|e| Error::Other(format!("import task failed: {e}")))?
    }

    /// Imports several reference files in parallel across cores; results in input order.
    pub async fn import_reference_files(&self, paths: Vec<PathBuf>) -> Vec<Result<ReferenceInfo>> {
        let store = Arc::clone(&self.store);
        let n = paths.len();
        tokio::task::spawn_blocking(move || references::import_files_blocking(&store, &paths))
            .await
            .unwrap_or_else(|e| {
                (0..n)
                    .map(|_| Err(Error::Other(format!("import task failed: {e}"))))
                    .collect()
            })
    }

    /// Imports a reference image from bytes (e.g. pasted or dropped), named `name` in messages.
    pub async fn import_reference_bytes(
        &self,
        bytes: Vec<u8>,
        name: &str,
    ) -> Result<ReferenceInfo> {
        let store = Arc::clone(&self.store);
        let name = name.to_string();
        tokio::task::spawn_blocking(move || {
            references::import_bytes_blocking(&store, &bytes, &name)
        })
        .await
        .map_err(|e| Error::Other(format!("import task failed: {e}")))?
    }

    /// A stored reference's info.
    pub fn reference(&self, hash: &str) -> Result<ReferenceInfo> {
        references::info(&self.store, hash)
    }

    /// Generates: validates, sends (variations in parallel), saves the successes, reports progress.
    /// Dropping the future cancels; nothing is left half-saved.
    pub async fn generate(
        &self,
        req: GenerateRequest,
        mut on_event: impl FnMut(GenerationEvent) + Send,
    ) -> Result<GenerationResult> {
        let engine = generate::Engine {
            store: &self.store,
            client: self.client.as_ref(),
        };
        engine.generate(req, &mut on_event).await
    }

    pub fn gallery(&self) -> &Gallery {
        &self.gallery
    }

    pub fn chats(&self) -> &Chats {
        &self.chats
    }

    /// Absolute path of an image file (inside the data dir).
    pub fn image_path(&self, id: &str) -> Result<PathBuf> {
        self.gallery.image_path(id)
    }

    /// Absolute path of an image's thumbnail, generated now if missing.
    pub fn thumb_path(&self, id: &str) -> Result<PathBuf> {
        self.gallery.thumb_path(id)
    }

    /// Absolute path of a stored reference image.
    pub fn ref_path(&self, hash: &str) -> Result<PathBuf> {
        if !paths::is_safe_id(hash) {
            return Err(Error::ReferenceNotFound(hash.to_string()));
        }
        let info = references::info(&self.store, hash)?;
        Ok(self
            .store
            .dirs
            .refs
            .join(format!("{}.{}", info.hash, paths::ext_for_mime(&info.mime))))
    }

    /// Test-only failpoint: when set, the next saves fail after writing the image files and before the
    /// database commit, as a crash there would.
    #[doc(hidden)]
    pub fn set_fail_before_commit(&self, on: bool) {
        self.store.fail_before_commit.store(on, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The desktop shell keeps a `Studio` in Tauri state and awaits `generate` in async commands.
    #[test]
    fn studio_is_send_sync_and_generate_is_send() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Studio>();
        fn is_send<T: Send>(_: &T) {}
        let dir = std::env::temp_dir().join(format!("studio-send-{}", std::process::id()));
        let s = Studio::open(StudioConfig {
            data_dir: dir.clone(),
            ..Default::default()
        })
        .unwrap();
        let fut = s.generate(GenerateRequest::default(), |_| {});
        is_send(&fut);
        drop(fut);
        drop(s);
        let _ = std::fs::remove_dir_all(dir);
    }
}
