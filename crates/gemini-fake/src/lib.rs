//! A strict local fake of the Gemini API v1beta, as the image models ("Nano Banana") use it.
//!
//! Started in-process on `127.0.0.1` (tests) or as the `gemini-fake` binary (offline demo, UI tests), it
//! validates requests the way Google does, refusing in Google's error shape what Google would refuse, and
//! answers like Google: PNG images of the documented pixel sizes, thought parts and signatures, grounding,
//! usage, SSE streams. Faults are injected per test with [`FakeGemini::push_fault`] or by a `[fake:...]`
//! marker in the prompt (see [`faults`]). Every request is recorded for tests to assert on the wire.
//!
//! Which models exist is data, not code: a [`Catalogue`] (default [`Catalogue::google`], Google's list as
//! of `catalogue/google.json`'s `as_of` date; format in [`models`]). Listed models (`active`,
//! `deprecated`) are served; `restricted` ones answer 403 PERMISSION_DENIED, `retired` and unknown ids
//! 404 NOT_FOUND, on every endpoint that names a model. Start with another catalogue
//! ([`FakeConfig::catalogue`], or `gemini-fake --catalogue FILE`), or edit it while the server runs
//! ([`FakeGemini::update_catalogue`]) to play out Google shipping a model and retiring another:
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use gemini_fake::{Catalogue, FakeConfig, FakeGemini};
//! let mut catalogue = Catalogue::google();
//! catalogue.grant("gemini-2.5-flash-image")?; // as if this project had used it before
//! let fake = FakeGemini::start(FakeConfig { catalogue, ..FakeConfig::default() }).await?;
//! // ... a chat on gemini-nano-banana-2.1, then Google ships 2.2 and shuts 2.1 down:
//! fake.update_catalogue(|c| {
//!     c.clone_model("gemini-nano-banana-2.1", "gemini-nano-banana-2.2")?.display_name = "Nano Banana 2.2".into();
//!     c.retire("gemini-nano-banana-2.1").map(|_| ())
//! })?;
//! # Ok(()) }
//! ```
//! Thought signatures are bound to the model that minted them, so that chat continued on 2.2 is refused
//! with Google's "Unable to submit request because Thought signature is not valid." (see [`signatures`]).
//!
//! Endpoints (each also under `/v1/`, the google-genai 3.x Python SDK's default version):
//! `POST /v1beta/models/{model}:generateContent`, `:streamGenerateContent?alt=sse` (a JSON array
//! without `alt=sse`), `:countTokens`, `:batchGenerateContent`, `GET /v1beta/models[/{model}]` (paged: `pageSize` default 50,
//! max 1000, `pageToken`),
//! `POST /upload/v1beta/files` (resumable), `GET /v1beta/files`, `GET|DELETE /v1beta/files/{id}`,
//! `GET /v1beta/batches`, `GET|DELETE /v1beta/batches/{id}`, `POST /v1beta/batches/{id}:cancel`.
//!
//! Prompt markers (read from the last user turn only): `[fake:429]`, `[fake:503]`, `[fake:500]`,
//! `[fake:504]` fire on the first attempt of a request body only, so a retrying client then succeeds;
//! `[fake:429day]`, `[fake:block]`, `[fake:image_safety]`, `[fake:image_prohibited]`,
//! `[fake:image_recitation]`, `[fake:image_other]`, `[fake:no_image]`, `[fake:text_only]`,
//! `[fake:malformed]`, `[fake:truncated]`, `[fake:cut_stream]`, `[fake:stream_error]`, `[fake:oversized]` (a 1 GiB
//! answer), `[fake:thought_flood]` (100 interim thought images on a stream) fire every time; `[fake:slow=3s]` (or
//! `=250ms`) delays the answer and combines with the others. Pushed [`Fault`]s take precedence and fire
//! once each, in order; a request the fake refuses as invalid consumes no fault.
//!
//! Choices where Google's behaviour is not pinned down: a file is PROCESSING at upload and at the first
//! poll, ACTIVE from the second; an unknown `fileData` file is 404; Gemini 3 signs the answer text even
//! without `includeThoughts` (thinking always happens); the documented skip values
//! `skip_thought_signature_validator` / `context_engineering_is_the_way_to_go` pass signature checks.

mod b64;
mod batch;
pub mod error;
pub mod faults;
mod files;
mod grounding;
mod hostile;
pub mod images;
mod json;
pub mod models;
mod respond;
pub mod schema;
mod server;
pub mod signatures;
mod sse;
mod validate;

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::Duration;

pub use error::{Error, Result};
pub use faults::Fault;
pub use models::{Catalogue, ModelSpec, ModelState};

/// JSON text of a value, keys in Google's order (see [`json`]).
pub(crate) fn json_bytes(v: &serde_json::Value) -> Vec<u8> {
    json::to_bytes(v)
}

/// The fixed default signing secret: signatures stay valid across restarts of the demo server, so a
/// gallery's saved chats can still be continued.
pub const DEFAULT_SIGNING_SECRET: &[u8] = b"banana-studio/gemini-fake/thought-signatures/v1";

/// How to run the fake.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// 0: a random free port.
    pub port: u16,
    /// `None`: any non-empty key is accepted. `Some(k)`: only `k`; others get API_KEY_INVALID.
    pub key: Option<String>,
    /// HMAC key of thought signatures.
    pub signing_secret: Vec<u8>,
    /// Added before every generate/stream answer.
    pub latency: Duration,
    /// The models served, and in which state. Default: [`Catalogue::google`].
    pub catalogue: Catalogue,
    /// Keep every request for [`FakeGemini::requests`] (tests assert on the wire). The app's offline demo
    /// turns it off: it would keep every body, refused ones included, for as long as the app runs.
    pub record_requests: bool,
    /// Bodies above this many bytes are refused unread, with Google's "payload size exceeds the limit".
    /// Default: [`REQUEST_BODY_LIMIT`], above Google's inline limit. The app's offline demo sets a small one, so a
    /// stray 1 GB post costs it no memory.
    pub body_limit: usize,
}

/// The default cap on one request body: Google's own cap is above the 100 MB inline limit, which is checked
/// separately with its own message.
pub const REQUEST_BODY_LIMIT: usize = 128 * 1024 * 1024;

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            port: 0,
            key: None,
            signing_secret: DEFAULT_SIGNING_SECRET.to_vec(),
            latency: Duration::ZERO,
            catalogue: Catalogue::google(),
            record_requests: true,
            body_limit: REQUEST_BODY_LIMIT,
        }
    }
}

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query, e.g. `/v1beta/models/gemini-nano-banana-2.1:streamGenerateContent?alt=sse`.
    pub path: String,
    /// Header names in lower case, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: bytes::Bytes,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<serde_json::Value>,
}

impl RecordedRequest {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server's handlers share.
pub(crate) struct Shared {
    pub key: Option<String>,
    pub secret: Vec<u8>,
    pub latency: Duration,
    pub record_requests: bool,
    pub body_limit: usize,
    pub base_url: String,
    pub requests: Mutex<Vec<RecordedRequest>>,
    pub faults: Mutex<VecDeque<Fault>>,
    /// Hashes of request bodies whose first-attempt-only marker already fired.
    pub marker_seen: Mutex<HashSet<[u8; 32]>>,
    pub files: files::FileStore,
    pub images: respond::ImageCache,
    pub batches: Mutex<std::collections::HashMap<String, batch::Batch>>,
    /// Read on every call that names a model, so an edit applies from the next request on.
    pub catalogue: RwLock<Catalogue>,
    /// Bytes of hostile bodies ([`Fault::OversizedBody`] and the like) handed to connections so far.
    pub hostile_bytes: Arc<std::sync::atomic::AtomicU64>,
}

impl Shared {
    /// The catalogue as it is now. A panic while editing it (in a test's closure) must not take the
    /// server down with it, so a poisoned lock is read anyway.
    pub(crate) fn catalogue(&self) -> RwLockReadGuard<'_, Catalogue> {
        self.catalogue.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// Handle to a running fake server. Dropping it shuts the server down.
pub struct FakeGemini {
    shared: Arc<Shared>,
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl FakeGemini {
    /// Binds `127.0.0.1:{port}` and serves on the current tokio runtime.
    pub async fn start(config: FakeConfig) -> std::io::Result<FakeGemini> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            key: config.key,
            secret: config.signing_secret,
            latency: config.latency,
            record_requests: config.record_requests,
            body_limit: config.body_limit,
            base_url: format!("http://127.0.0.1:{port}"),
            requests: Mutex::new(Vec::new()),
            faults: Mutex::new(VecDeque::new()),
            marker_seen: Mutex::new(HashSet::new()),
            files: files::FileStore::default(),
            images: respond::ImageCache,
            batches: Mutex::new(Default::default()),
            catalogue: RwLock::new(config.catalogue),
            hostile_bytes: Default::default(),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = server::router(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(FakeGemini {
            shared,
            port,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`; API paths are `{base}/v1beta/...`, uploads `{base}/upload/v1beta/files`.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .requests
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    pub fn clear_requests(&self) {
        if let Ok(mut r) = self.shared.requests.lock() {
            r.clear();
        }
    }

    /// A copy of the catalogue being served.
    pub fn catalogue(&self) -> Catalogue {
        self.shared.catalogue().clone()
    }

    /// Edits the catalogue of the running server; requests from then on see the change. Returns what `f`
    /// returns, e.g. the [`Result`] of [`Catalogue::retire`].
    pub fn update_catalogue<R>(&self, f: impl FnOnce(&mut Catalogue) -> R) -> R {
        let mut c = self
            .shared
            .catalogue
            .write()
            .unwrap_or_else(|e| e.into_inner());
        f(&mut c)
    }

    /// Queues a fault: each generate/stream request pops one, first in first out.
    pub fn push_fault(&self, fault: Fault) {
        if let Ok(mut f) = self.shared.faults.lock() {
            f.push_back(fault);
        }
    }

    /// How many bytes of hostile bodies the server has handed to connections: what a client read of them,
    /// plus what the sockets buffered before it hung up.
    pub fn hostile_bytes_sent(&self) -> u64 {
        self.shared
            .hostile_bytes
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Stops the server (also done on drop).
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Graceful shutdown would wait for idle keep-alive connections; a test wants the port closed now.
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl Drop for FakeGemini {
    fn drop(&mut self) {
        self.stop_now();
    }
}
