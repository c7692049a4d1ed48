//! One generation, end to end: validate, build the request (chat history replayed byte-exact, then the new
//! user turn), send N variations in parallel with bounded concurrency, classify each answer, and save the
//! successes in one commit (files first, then rows).
//!
//! Cancellation is cooperative ([`CancelToken`]): until the save begins, a cancel drops the requests in
//! flight and nothing is saved ([`Error::Cancelled`]); once `Saving` has been announced the save runs to
//! the end and the result says the cancel came too late. Dropping the future still works the same way
//! (the save is one blocking task that is never interrupted half-way), but then nobody learns the outcome.
//! Interim thought images go to `tmp/` (emptied at the next open), never the gallery.
//!
//! This module holds the public types and `Engine::generate`, which runs the stages in order, one file
//! each: `validate`, `request` (history, references, Files API offload), `variations` (in parallel),
//! `classify` (one answer into a turn or a failure), `save` (the ledger and the one commit) and `summary`
//! (the result and the failure events). `errors` maps the client's errors to ours.

mod cancel;
mod classify;
mod errors;
mod request;
mod save;
mod summary;
mod validate;
mod variations;

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::capabilities::ModelCapabilities;
use crate::cost::{CostEstimate, Usage};
use crate::error::{Error, Result};
use crate::gallery::store::Store;
use crate::params::GenerateParams;
use crate::paths::new_id;

pub use cancel::CancelToken;
pub use classify::explain_block;
pub use errors::{is_foreign_context, is_model_gone, map_client_error};
pub use request::build_request;
pub use variations::{MAX_PARALLEL, MAX_THOUGHT_IMAGES};

use save::Batch;
use variations::{emit, Sink};

/// What to generate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct GenerateRequest {
    /// Continue this chat; `None` starts a new one.
    pub chat_id: Option<String>,
    /// Continue from this turn (a branch); `None` = the chat's most recent turn.
    pub parent_turn_id: Option<String>,
    /// Branch from the chat's beginning: a new first turn in `chat_id`, sent with no history (editing the
    /// first turn's prompt). Excludes `parent_turn_id`.
    pub from_start: bool,
    pub prompt: String,
    /// Hashes from `import_reference_*`, in the order to send.
    pub reference_hashes: Vec<String>,
    pub params: GenerateParams,
}

/// Progress of a generation. Never carries image bytes: interim images are files in the data dir.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GenerationEvent {
    /// The job exists: `job_id` is what `cancel_generation` takes. Sent first, by the desktop shell (which
    /// mints the id); studio-core itself never sends it.
    Accepted { job_id: String },
    /// Validated; about to send `variations` requests.
    Started {
        chat_id: Option<String>,
        variations: u32,
        estimate: CostEstimate,
    },
    /// A request failed transiently and will be retried after `delay_ms`.
    Retry {
        variation: u32,
        attempt: u32,
        delay_ms: i64,
        reason: String,
        message: String,
    },
    /// A piece of the model's thinking.
    ThoughtText { variation: u32, text: String },
    /// An interim image the model drew while thinking, saved at `path` (temporary; gone at next start).
    ThoughtImage {
        variation: u32,
        id: String,
        path: String,
        mime: String,
    },
    /// A piece of answer text.
    Text { variation: u32, text: String },
    /// Something the user should know about how the request was sent: a retired model moved to its
    /// successor, or a chat restarted on another model from its last image.
    Notice { message: String },
    /// One variation failed (the others may still succeed).
    VariationFailed {
        variation: u32,
        kind: String,
        message: String,
    },
    /// Every answer is in and the save has begun: from here a cancel no longer stops anything, and the
    /// result will say so.
    Saving,
    /// Everything saved.
    Done {
        chat_id: String,
        turn_ids: Vec<String>,
        images: u32,
    },
}

/// A saved image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GeneratedImage {
    pub id: String,
    /// Absolute path.
    pub path: String,
    pub width: u32,
    pub height: u32,
    pub mime: String,
    pub turn_id: String,
}

/// A variation that failed while others succeeded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VariationFailure {
    pub variation: u32,
    pub kind: String,
    pub message: String,
}

/// Billed cost of a generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GenerationCost {
    /// Output tokens of the images per the capability table.
    pub image_tokens: i64,
    /// Billed tokens from `usageMetadata` (prompt + output + thoughts), failed variations included.
    pub total_tokens: i64,
    pub price: Option<f64>,
}

/// The outcome of `generate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GenerationResult {
    pub chat_id: String,
    /// The first variation's turn.
    pub turn_id: String,
    /// One turn per successful variation (siblings: same parent).
    pub turn_ids: Vec<String>,
    pub images: Vec<GeneratedImage>,
    /// The model's text (variations joined by blank lines).
    pub text: String,
    pub thoughts: String,
    /// The first variation's `groundingMetadata`, as returned.
    pub grounding: Option<serde_json::Value>,
    pub usage: Usage,
    pub finish_reason: Option<String>,
    pub cost: GenerationCost,
    pub failures: Vec<VariationFailure>,
    /// The notices sent as events during the generation, for callers that only read the result.
    pub notices: Vec<String>,
    /// A cancel arrived after the save had begun: everything here was saved anyway.
    pub cancel_too_late: bool,
}

/// Everything `generate` needs besides the request.
pub(crate) struct Engine<'a> {
    pub store: &'a Arc<Store>,
    pub client: Option<&'a gemini::Client>,
    /// The model the request uses, resolved by the catalogue (a retired id is already its successor).
    pub caps: &'a ModelCapabilities,
    /// Set when the chat restarts on this model from its last image: sent without the older turns, and
    /// saved as the turn's context note.
    pub restart: Option<&'a str>,
    /// Google's inline request limit in bytes; past it, the largest blobs go through the Files API.
    pub inline_limit: usize,
    /// The models on offer that take video, named when a video is given to one that does not.
    pub video_models: Vec<ModelCapabilities>,
}

impl Engine<'_> {
    /// Validate, build the request, run the variations, classify the answers, save the successes and
    /// summarize them. Events come in that order too: `Started`, the variations' progress, one
    /// `VariationFailed` per failure, `Saving`, then `Done`. `cancel` is checked up to `Saving` (see the
    /// module's doc).
    pub async fn generate(
        &self,
        req: GenerateRequest,
        cancel: &CancelToken,
        on_event: &mut (dyn FnMut(GenerationEvent) + Send),
    ) -> Result<GenerationResult> {
        let store = self.store;
        let caps = self.caps;
        validate::validate(self, &req)?;
        let client = self.client.ok_or(Error::MissingKey)?;
        // Notices (such as dropped thought images) also go into the result.
        let mut notices = Vec::new();
        let mut forward = |ev: GenerationEvent| {
            if let GenerationEvent::Notice { message } = &ev {
                notices.push(message.clone());
            }
            on_event(ev)
        };
        let sink: Sink<'_> = Mutex::new(&mut forward);
        let sending = async {
            let prepared = request::prepare(
                client,
                store,
                caps,
                &req,
                self.restart.is_some(),
                self.inline_limit,
            )
            .await?;
            emit(&sink, started(caps, &req, store));
            let answers =
                variations::run_all(client, store, caps, &req.params, &prepared.request, &sink)
                    .await;
            Ok::<_, Error>((prepared, answers))
        };
        // A cancel drops `sending`, and with it every connection still open.
        let (prepared, answers) = cancel.run(sending).await.ok_or(Error::Cancelled)??;
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }

        let chat_id = req.chat_id.clone().unwrap_or_else(|| new_id("chat_"));
        let mut batch =
            Batch::from_answers(caps, &req, prepared.parent.as_ref(), &chat_id, answers)?;
        for t in &mut batch.turns {
            t.context_note = self.restart.map(str::to_string);
        }
        summary::report_failures(&sink, &batch.failures);
        if batch.turns.is_empty() {
            return Err(batch.record_failure(store).await);
        }
        // The last point where a cancel stops the generation; from `Saving` on it runs to the end.
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        emit(&sink, GenerationEvent::Saving);

        let new_chat = save::new_chat(&req, &chat_id, &caps.id);
        let mut result = summary::summarize(
            store,
            &chat_id,
            &batch.turns,
            &batch.events,
            &batch.failures,
        );
        batch.commit(store, &chat_id, new_chat).await?;
        emit(
            &sink,
            GenerationEvent::Done {
                chat_id: chat_id.clone(),
                turn_ids: result.turn_ids.clone(),
                images: result.images.len() as u32,
            },
        );
        result.notices = notices;
        result.cancel_too_late = cancel.is_cancelled();
        Ok(result)
    }
}

/// Validated: the number of requests about to be sent and what they are expected to cost.
fn started(caps: &ModelCapabilities, req: &GenerateRequest, store: &Store) -> GenerationEvent {
    let estimate = crate::cost::estimate(
        caps,
        &req.params,
        req.reference_hashes.len(),
        store.price_per_million,
    );
    GenerationEvent::Started {
        chat_id: req.chat_id.clone(),
        variations: req.params.count,
        estimate,
    }
}
