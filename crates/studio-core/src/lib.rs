//! Banana Studio's engine: everything the desktop app and the `banana` CLI share, with no UI and no Tauri.
//!
//! [`Studio`] is the entry point: it owns the data dir (gallery database, images, thumbnails, references)
//! and a Gemini client, and offers the capability table, validation, cost estimates, reference import,
//! generation (with chats, branches and variations), the gallery and the chats.

pub mod capabilities;
pub mod catalogue;
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
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub use capabilities::{
    capabilities, Availability, ModelCapabilities, ModelStatus, OutputFormat, SearchType, DEFAULT_MODEL,
};
pub use catalogue::{Catalogue, CatalogueSource, Resolved, RetiredModel};
pub use chat::{ChatDetail, ChatSummary, Chats, TurnView};
pub use cost::{CostEstimate, CostTotals, Usage};
pub use error::{Error, ErrorPayload, Result};
pub use gallery::{
    Gallery, GalleryQuery, ImageDetail, ImageSummary, IndexHealth, RebuildReport, SortOrder,
};
pub use generate::{
    CancelToken, GenerateRequest, GeneratedImage, GenerationCost, GenerationEvent, GenerationResult,
    VariationFailure,
};
pub use keys::{KeySource, KeyStorage, KeyStore};
pub use params::{GenerateParams, SearchParams};
pub use paths::default_data_dir;
pub use references::{ReferenceInfo, ReferenceKind};

pub use gemini::RetryPolicy;

use gallery::store::Store;

/// Google's API base URL.
pub const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com";

/// How to open a studio. `Debug` never prints the key.
#[derive(Clone)]
pub struct StudioConfig {
    pub data_dir: PathBuf,
    /// `None` is allowed: generation then refuses with a clear message unless `base_url` is not Google's
    /// (a local fake accepts any key).
    pub api_key: Option<String>,
    pub base_url: String,
    /// Price per million tokens for cost figures; `None` shows tokens only.
    pub price_per_million_tokens: Option<f64>,
}

impl std::fmt::Debug for StudioConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StudioConfig")
            .field("data_dir", &self.data_dir)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("price_per_million_tokens", &self.price_per_million_tokens)
            .finish()
    }
}

/// The environment variable with the price per million tokens shown next to token counts (the app and the
/// CLI read the same one).
pub const PRICE_ENV: &str = "BANANA_STUDIO_PRICE_PER_MTOK";

/// [`PRICE_ENV`], when set to a number.
pub fn price_from_env() -> Option<f64> {
    std::env::var(PRICE_ENV).ok().and_then(|p| p.trim().parse().ok())
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
    /// Overrides Google's inline request limit (the model data's 100 MB), so tests can reach the Files API
    /// path without 100 MB requests.
    pub inline_limit_bytes: Option<usize>,
}

impl Default for StudioOptions {
    fn default() -> Self {
        StudioOptions {
            retry: gemini::RetryPolicy::default(),
            request_timeout: Duration::from_secs(180),
            inline_limit_bytes: None,
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
    /// The models this key can call: the data file merged with the last `models.list` answer.
    catalogue: RwLock<Catalogue>,
    inline_limit: usize,
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
        let catalogue = RwLock::new(match &client {
            Some(_) => cached_catalogue(&store, &cfg)
                .unwrap_or_else(|| Catalogue::bundled_because("The model list has not been read yet")),
            None => Catalogue::bundled_because("No API key"),
        });
        let inline_limit = opts
            .inline_limit_bytes
            .unwrap_or(Catalogue::bundled().inline_limit_bytes as usize);
        Ok(Studio {
            catalogue,
            inline_limit,
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

    /// The model catalogue as this studio knows it now (no network; see [`Studio::refresh_catalogue`]).
    pub fn catalogue(&self) -> Catalogue {
        self.read_catalogue(Catalogue::clone)
    }

    /// Runs `f` on the catalogue under its read lock: lookups on the hot paths (every estimate, every
    /// validation) need no copy of the whole catalogue. A poisoned lock still holds a whole catalogue (every
    /// write replaces or edits it in one step), so it is used as it is.
    fn read_catalogue<R>(&self, f: impl FnOnce(&Catalogue) -> R) -> R {
        match self.catalogue.read() {
            Ok(g) => f(&g),
            Err(p) => f(&p.into_inner()),
        }
    }

    fn write_catalogue<R>(&self, f: impl FnOnce(&mut Catalogue) -> R) -> R {
        match self.catalogue.write() {
            Ok(mut g) => f(&mut g),
            Err(p) => f(&mut p.into_inner()),
        }
    }

    /// Asks `models.list` when the cached answer is older than a day, or always with `force`, and merges it
    /// with the data file. When the list cannot be read, the last answer (or the data file) stays and the
    /// catalogue's note says why; only a rejected key is an error.
    pub async fn refresh_catalogue(&self, force: bool) -> Result<Catalogue> {
        let Some(client) = &self.client else {
            return Ok(self.catalogue());
        };
        let scope = catalogue::cache::scope(&self.config.base_url, self.config.api_key.as_deref());
        let cached = catalogue::cache::load(&self.store, &scope).ok().flatten();
        let now = time::now_ms();
        if let (false, Some((_, at))) = (force, &cached) {
            if now - at < catalogue::cache::MAX_AGE_MS {
                return Ok(self.catalogue());
            }
        }
        let fresh = match client.list_models().await {
            Ok(listing) => {
                if let Err(e) = catalogue::cache::save(&self.store, &scope, &listing, now) {
                    tracing::warn!("could not cache the model list: {e}");
                }
                Catalogue::from_listing(&listing, &time::iso_utc(now))
            }
            Err(e) => {
                let e = generate::map_client_error(e);
                if matches!(e, Error::InvalidKey(_)) {
                    return Err(e);
                }
                let why = format!("Could not read Google's model list ({e})");
                match cached {
                    Some((listing, at)) => {
                        let mut c = Catalogue::from_listing(&listing, &time::iso_utc(at));
                        c.note = format!("{why}; showing the list read at {}", time::iso_utc(at));
                        c
                    }
                    None => Catalogue::bundled_because(&why),
                }
            }
        };
        self.set_catalogue(fresh.clone());
        Ok(fresh)
    }

    fn set_catalogue(&self, c: Catalogue) {
        self.write_catalogue(|g| *g = c);
    }

    /// The model a request for `id` uses: itself, or its successor when retired (with the notice to show).
    pub fn resolve_model(&self, id: &str) -> Result<Resolved> {
        self.read_catalogue(|c| c.resolve(id))
    }

    /// Records that the API answered 404 for a model, so later requests move to its successor.
    pub fn mark_model_retired(&self, id: &str) -> RetiredModel {
        self.write_catalogue(|c| c.mark_retired(id))
    }

    /// Checks parameters and the number of reference images (videos do not count) against the model's
    /// capabilities (a retired model is checked as its successor, which is what will be sent).
    pub fn validate(&self, params: &GenerateParams, reference_count: usize) -> Result<()> {
        let caps = self.resolve_model(&params.model)?.caps;
        params::validate_for(&caps, params, reference_count)
    }

    /// [`Studio::validate`] for reference files not imported yet (the CLI checks before it imports): each
    /// file's first bytes say whether it is a video, which only some models take and which does not count
    /// against the image limits. A file that cannot be read counts as an image; its import names it.
    pub fn validate_reference_files(&self, params: &GenerateParams, paths: &[PathBuf]) -> Result<()> {
        let caps = self.resolve_model(&params.model)?.caps;
        let names: Vec<String> = paths.iter().map(|p| references::display_name(p)).collect();
        let refs: Vec<(ReferenceKind, &str)> = paths
            .iter()
            .zip(&names)
            .map(|(p, n)| (references::sniff_file(p), n.as_str()))
            .collect();
        params::validate_with_references(&caps, params, &refs, &self.video_models())
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
        let caps = self.read_catalogue(|catalogue| match catalogue.resolve(&params.model) {
            Ok(r) => r.caps,
            Err(_) => catalogue
                .default_model()
                .cloned()
                .unwrap_or_else(|| Catalogue::bundled().models.remove(0)),
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

    /// Generates: resolves the model through the catalogue (a retired id moves to its successor, with a
    /// notice), validates, sends (variations in parallel), saves the successes, reports progress. A 404 for
    /// the model retires it in the catalogue and names the successor; a chat whose earlier turns the model
    /// refuses (another model's thought signatures) continues from its last image in a fresh context.
    /// Dropping the future cancels; nothing is left half-saved.
    pub async fn generate(
        &self,
        req: GenerateRequest,
        on_event: impl FnMut(GenerationEvent) + Send,
    ) -> Result<GenerationResult> {
        self.generate_cancellable(req, &CancelToken::new(), on_event)
            .await
    }

    /// [`Studio::generate`] that `cancel` can stop: until the save begins it ends with
    /// [`Error::Cancelled`] and nothing saved; once the save has begun (the `Saving` event) everything is
    /// saved and the result's `cancel_too_late` says the cancel came after that.
    pub async fn generate_cancellable(
        &self,
        mut req: GenerateRequest,
        cancel: &CancelToken,
        mut on_event: impl FnMut(GenerationEvent) + Send,
    ) -> Result<GenerationResult> {
        let resolved = self.resolve_model(&req.params.model)?;
        let mut notices = Vec::new();
        if let Some(n) = resolved.notice {
            on_event(GenerationEvent::Notice { message: n.clone() });
            notices.push(n);
        }
        let caps = resolved.caps;
        req.params.model = caps.id.clone();
        let first = self
            .engine(&caps, None)
            .generate(req.clone(), cancel, &mut on_event)
            .await;
        let outcome = match first {
            Err(e) if generate::is_model_gone(&e) => Err(self.retired_error(&caps.id)),
            Err(e) if generate::is_foreign_context(&e) && req.chat_id.is_some() && !req.from_start => {
                let (restarted, note) = self.restart_from_last_image(req, &caps).await?;
                on_event(GenerationEvent::Notice {
                    message: note.clone(),
                });
                notices.push(note.clone());
                self.engine(&caps, Some(&note))
                    .generate(restarted, cancel, &mut on_event)
                    .await
            }
            other => other,
        };
        let mut result = outcome?;
        notices.append(&mut result.notices);
        result.notices = notices;
        Ok(result)
    }

    fn engine<'a>(
        &'a self,
        caps: &'a ModelCapabilities,
        restart: Option<&'a str>,
    ) -> generate::Engine<'a> {
        generate::Engine {
            store: &self.store,
            client: self.client.as_ref(),
            caps,
            restart,
            inline_limit: self.inline_limit,
            video_models: self.video_models(),
        }
    }

    /// The models on offer to this key that take a video as context.
    fn video_models(&self) -> Vec<ModelCapabilities> {
        self.read_catalogue(|c| {
            c.models
                .iter()
                .filter(|m| m.video_input && m.is_usable())
                .cloned()
                .collect()
        })
    }

    /// The 404 for a model: retire it in the catalogue and say what replaces it.
    fn retired_error(&self, model: &str) -> Error {
        let r = self.mark_model_retired(model);
        let successor_name = self
            .read_catalogue(|c| c.find(&r.successor).map(|m| m.name.clone()))
            .unwrap_or_else(|| r.successor.clone());
        Error::ModelRetired {
            model: model.to_string(),
            successor: r.successor,
            successor_name,
        }
    }

    /// The same request as a fresh start after the parent turn: its last image goes first among the
    /// references, and the turn's context note says where and why the chat restarted.
    async fn restart_from_last_image(
        &self,
        mut req: GenerateRequest,
        caps: &ModelCapabilities,
    ) -> Result<(GenerateRequest, String)> {
        let chat_id = req.chat_id.clone().unwrap_or_default();
        let chat = self.chats.show(&chat_id)?;
        let parent = match &req.parent_turn_id {
            Some(p) => chat.turns.iter().find(|t| &t.id == p),
            None => chat.turns.iter().max_by_key(|t| t.created_at),
        };
        let Some(parent) = parent else {
            return Err(Error::NotFound {
                what: "turn",
                id: format!("latest (in chat {chat_id})"),
            });
        };
        let earlier = parent.params.model.clone();
        let image = parent
            .image_ids
            .last()
            .and_then(|id| self.gallery.image_path(id).ok());
        let note = match image {
            Some(path) => {
                // Reading and checking the image is file and decode work: off the async workers.
                let store = Arc::clone(&self.store);
                let r = tokio::task::spawn_blocking(move || {
                    references::import_file_as_blocking(&store, &path, "last image of the chat")
                })
                .await
                .map_err(|e| Error::Other(format!("import task failed: {e}")))??;
                req.reference_hashes.insert(0, r.hash);
                format!(
                    "Continued on {} from the last image: the earlier turns were made with {earlier}, whose context {} cannot read",
                    caps.name, caps.name
                )
            }
            None => format!(
                "Continued on {} without the earlier turns: they were made with {earlier}, whose context {} cannot read, and their image is gone",
                caps.name, caps.name
            ),
        };
        req.parent_turn_id = Some(parent.id.clone());
        Ok((req, note))
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

/// Whether the gallery database in `data_dir` can be read: when [`Studio::open`] fails, [`IndexHealth::Corrupt`]
/// means [`rebuild_gallery_index`] can bring the gallery back from its files (offer it).
pub fn gallery_index_health(data_dir: &Path) -> Result<IndexHealth> {
    gallery::rebuild::health(&paths::DataDir::new(data_dir))
}

/// How many image files of `data_dir` the gallery does not list: what [`rebuild_gallery_index`] would add
/// (after a database restored from an older backup, replaced, or lost).
pub fn unlisted_gallery_images(data_dir: &Path) -> Result<u32> {
    gallery::rebuild::unlisted_images(data_dir)
}

/// Lists every image file of `data_dir` the gallery database does not know into it again (with its
/// provenance from the sidecar saved next to it, or marked recovered), moving a corrupt database aside
/// first. Deletes nothing. See [`gallery::rebuild`].
pub fn rebuild_gallery_index(data_dir: &Path) -> Result<RebuildReport> {
    gallery::rebuild::rebuild_index(data_dir)
}

/// The catalogue from the cached `models.list` answer for this base URL and key, if there is one.
fn cached_catalogue(store: &Store, cfg: &StudioConfig) -> Option<Catalogue> {
    let scope = catalogue::cache::scope(&cfg.base_url, cfg.api_key.as_deref());
    let (listing, at) = catalogue::cache::load(store, &scope).ok().flatten()?;
    Some(Catalogue::from_listing(&listing, &time::iso_utc(at)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The desktop shell keeps a `Studio` in Tauri state and awaits `generate` in async commands.
    /// Issue 9: `Debug` printed the key.
    #[test]
    fn config_debug_redacts_the_key() {
        let c = StudioConfig {
            api_key: Some("AIzaSy-secret".into()),
            ..Default::default()
        };
        let text = format!("{c:?}");
        assert!(!text.contains("AIzaSy-secret") && text.contains("<redacted>"), "{text}");
    }

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
