//! One generation, end to end: validate, build the request (chat history replayed byte-exact, then the new
//! user turn), send N variations in parallel with bounded concurrency, classify each answer, and save the
//! successes in one commit (files first, then rows).
//!
//! Cancellation is dropping the future. Nothing is written until every variation has answered; the final
//! save runs as one blocking task that is never interrupted half-way, so a cancel leaves either nothing or
//! the whole generation. Interim thought images go to `tmp/` (emptied at the next open), never the gallery.

use std::sync::{Arc, Mutex};

use futures_util::stream::{self, StreamExt};
use gemini::{
    Content, GenerateContentRequest, GenerateContentResponse, GenerationConfig, ImageConfig,
    Modality, Outcome, RetryNotice, StreamEvent, ThinkingConfig, Tool,
};
use serde::{Deserialize, Serialize};

use crate::capabilities::ModelCapabilities;
use crate::cost::{CostEstimate, Usage};
use crate::error::{Error, Result};
use crate::gallery::store::{NewBlob, NewChat, NewImage, NewTurn, Store, UsageEvent};
use crate::params::GenerateParams;
use crate::paths::{atomic_write, ext_for_mime, new_id};
use crate::references::pipeline::INLINE_LIMIT_BYTES;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// Most variations in flight at once.
pub const MAX_PARALLEL: usize = 4;

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
    /// One variation failed (the others may still succeed).
    VariationFailed {
        variation: u32,
        kind: String,
        message: String,
    },
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
}

/// Everything `generate` needs besides the request.
pub(crate) struct Engine<'a> {
    pub store: &'a Arc<Store>,
    pub client: Option<&'a gemini::Client>,
}

/// The API's image size and thinking spelling.
fn thinking_level_wire(level: &str) -> String {
    level.to_string()
}

/// Builds the request body for `contents` (history + the new user turn).
pub fn build_request(
    caps: &ModelCapabilities,
    params: &GenerateParams,
    contents: Vec<Content>,
) -> GenerateContentRequest {
    let modalities = if params.images_only {
        vec![Modality::Image]
    } else {
        vec![Modality::Text, Modality::Image]
    };
    let image_config =
        (params.aspect_ratio.is_some() || params.image_size.is_some()).then(|| ImageConfig {
            aspect_ratio: params.aspect_ratio.clone(),
            image_size: params.image_size.clone(),
            ..Default::default()
        });
    let thinking_config = (caps.thinks
        && (params.thinking_level.is_some() || params.include_thoughts))
        .then(|| ThinkingConfig {
            thinking_level: params.thinking_level.as_deref().map(thinking_level_wire),
            include_thoughts: params.include_thoughts.then_some(true),
            ..Default::default()
        });
    let tools = params.search.any().then(|| {
        if params.search.image {
            vec![Tool::google_search_with(params.search.web, true)]
        } else {
            vec![Tool::google_search()]
        }
    });
    GenerateContentRequest {
        contents,
        tools,
        generation_config: Some(GenerationConfig {
            response_modalities: Some(modalities),
            image_config,
            thinking_config,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Inline size of a request: the base64 data the API's 20 MB inline limit counts.
fn inline_size(req: &GenerateContentRequest) -> usize {
    req.contents
        .iter()
        .flat_map(|c| c.parts.iter())
        .filter_map(|p| p.inline_data.as_ref())
        .map(|b| b.data.len())
        .sum()
}

/// Files kept by the Files API for 48 hours; reuse an upload for 47.
const UPLOAD_REUSE_MS: i64 = 47 * 3600 * 1000;

/// Brings a request under the inline limit by moving the largest inline blobs to the Files API
/// (`fileData`), biggest first, until the rest fits. This is the documented path for large inputs; it is
/// needed as soon as a chat holds a 4K image (~24 MB of base64). A model part keeps its thought signature
/// and every other field: only its data moves. Uploads are remembered (by content hash) and reused while
/// the file lives, so each turn of a long chat does not upload the same image again.
async fn offload_to_files(
    client: &gemini::Client,
    store: &Store,
    mut req: GenerateContentRequest,
) -> Result<GenerateContentRequest> {
    let mut size = inline_size(&req);
    let mut blobs: Vec<(usize, usize, usize)> = Vec::new();
    for (ci, c) in req.contents.iter().enumerate() {
        for (pi, p) in c.parts.iter().enumerate() {
            if let Some(b) = &p.inline_data {
                blobs.push((b.data.len(), ci, pi));
            }
        }
    }
    blobs.sort_by_key(|b| std::cmp::Reverse(b.0));
    for (len, ci, pi) in blobs {
        if size <= INLINE_LIMIT_BYTES {
            break;
        }
        let part = &mut req.contents[ci].parts[pi];
        let Some(blob) = part.inline_data.take() else {
            continue;
        };
        let bytes = blob.decode().map_err(map_client_error)?;
        let key = crate::references::pipeline::content_hash(&bytes);
        let now = crate::time::now_ms();
        let cached = store.uploads.lock().ok().and_then(|m| {
            m.get(&key)
                .filter(|(_, at)| now - at < UPLOAD_REUSE_MS)
                .map(|(u, _)| u.clone())
        });
        let uri = match cached {
            Some(u) => u,
            None => {
                let info = client
                    .upload_file(bytes, &blob.mime_type, &format!("banana-{}", &key[..16]))
                    .await
                    .map_err(map_client_error)?;
                if let Ok(mut m) = store.uploads.lock() {
                    m.insert(key, (info.uri.clone(), now));
                }
                info.uri
            }
        };
        part.file_data = Some(gemini::FileData {
            mime_type: Some(blob.mime_type.clone()),
            file_uri: uri,
            ..Default::default()
        });
        size -= len;
    }
    if size > INLINE_LIMIT_BYTES {
        return Err(Error::RequestTooLarge {
            size_mb: size as f64 / 1e6,
            limit_mb: (INLINE_LIMIT_BYTES / 1_000_000) as u32,
        });
    }
    Ok(req)
}

/// Maps the client's error to ours; a per-day quota gets its reset time.
pub fn map_client_error(e: gemini::Error) -> Error {
    use gemini::Error as G;
    match e {
        G::InvalidKey => Error::InvalidKey("Gemini refused it (API_KEY_INVALID)".into()),
        G::PermissionDenied { message } => Error::PermissionDenied(message),
        G::NotFound { message } => Error::NotFound {
            what: "API resource",
            id: message,
        },
        G::InvalidArgument { message } => Error::ApiInvalidArgument(message),
        G::Quota {
            per_day: true,
            message,
            ..
        } => {
            let now = crate::time::now_ms();
            let reset = crate::time::next_pacific_midnight(now);
            Error::QuotaPerDay {
                message,
                resets_at_utc: crate::time::iso_utc(reset),
                resets_in: crate::time::human_duration(reset - now),
            }
        }
        G::Quota { message, .. } => Error::Quota(message),
        G::Overloaded => Error::Overloaded,
        G::Server { status, message } => Error::Server(format!("{status}: {message}")),
        G::Timeout => Error::Timeout(
            "Gemini did not answer in time; try a smaller size or fewer references".into(),
        ),
        G::Network(m) => Error::Network(m),
        e @ G::Malformed { .. } => Error::Malformed(e.to_string()),
        G::Blocked { reason, message } => Error::Blocked {
            explanation: message.unwrap_or_else(|| explain_block(&reason).to_string()),
            reason,
        },
        G::Cancelled => Error::Cancelled,
        other => Error::Other(other.to_string()),
    }
}

/// Plain words for a prompt block reason.
pub fn explain_block(reason: &str) -> &'static str {
    match reason {
        "SAFETY" => {
            "the prompt was refused by safety filters; rephrase it or change the input images"
        }
        "PROHIBITED_CONTENT" => "the prompt asks for prohibited content; it will not be generated",
        "BLOCKLIST" => "the prompt contains blocked terms; remove them",
        "IMAGE_SAFETY" => "an input image was refused by safety filters; use a different image",
        "OTHER" => "the prompt was refused for an unspecified reason; rephrase it",
        _ => "the prompt was refused; rephrase it or change the input images",
    }
}

/// The answer of one variation, classified.
struct Answer {
    response: GenerateContentResponse,
    usage: Usage,
}

type Sink<'a> = Mutex<&'a mut (dyn FnMut(GenerationEvent) + Send)>;

fn emit(sink: &Sink<'_>, ev: GenerationEvent) {
    let mut f = sink.lock().unwrap_or_else(|p| p.into_inner());
    (*f)(ev);
}

fn retry_event(variation: u32, n: &RetryNotice) -> GenerationEvent {
    GenerationEvent::Retry {
        variation,
        attempt: n.attempt,
        delay_ms: n.delay.as_millis() as i64,
        reason: n.reason.to_string(),
        message: n.message.clone(),
    }
}

async fn run_variation(
    client: &gemini::Client,
    store: &Store,
    model: &str,
    req: &GenerateContentRequest,
    stream_thoughts: bool,
    variation: u32,
    sink: &Sink<'_>,
) -> std::result::Result<Answer, gemini::Error> {
    let response = if stream_thoughts {
        let tmp = store.dirs.tmp.clone();
        let mut on_event = |ev: StreamEvent| match ev {
            StreamEvent::ThoughtText(text) => {
                emit(sink, GenerationEvent::ThoughtText { variation, text })
            }
            StreamEvent::Text(text) => emit(sink, GenerationEvent::Text { variation, text }),
            StreamEvent::ThoughtImage { mime_type, data } => {
                let id = new_id("thought_");
                let path = tmp.join(format!("{id}.{}", ext_for_mime(&mime_type)));
                if atomic_write(&path, &data).is_ok() {
                    emit(
                        sink,
                        GenerationEvent::ThoughtImage {
                            variation,
                            id,
                            path: path.to_string_lossy().into_owned(),
                            mime: mime_type,
                        },
                    );
                }
            }
            StreamEvent::Retry(n) => emit(sink, retry_event(variation, &n)),
            _ => {}
        };
        client
            .stream_generate_content(model, req, &mut on_event)
            .await?
    } else {
        let on_retry = |n: &RetryNotice| emit(sink, retry_event(variation, n));
        client.generate_content(model, req, &on_retry).await?
    };
    let usage = response
        .usage_metadata
        .as_ref()
        .and_then(|u| serde_json::to_value(u).ok())
        .map(|v| Usage::from_metadata(&v))
        .unwrap_or_default();
    Ok(Answer { response, usage })
}

/// Classifies one answer: a turn to save, or the refusal with what was billed and the ledger outcome.
// Called once per variation, never in a loop: the large error tuple costs nothing worth boxing.
#[allow(clippy::result_large_err)]
fn classify(
    caps: &ModelCapabilities,
    params: &GenerateParams,
    answer: Answer,
) -> std::result::Result<(NewTurn, Usage), (Error, Usage, &'static str)> {
    let Answer { response, usage } = answer;
    match response.outcome() {
        Outcome::Blocked { reason, message } => {
            let r = reason.as_str().to_string();
            let explanation = match message {
                Some(m) => format!("{}; {m}", explain_block(&r)),
                None => explain_block(&r).to_string(),
            };
            return Err((
                Error::Blocked {
                    reason: r,
                    explanation,
                },
                usage,
                "blocked",
            ));
        }
        Outcome::NoImage {
            finish_reason,
            message,
        } => {
            let name = finish_reason
                .and_then(|f| serde_json::to_value(f).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "NO_CANDIDATE".into());
            let mut explanation = finish_reason
                .map(|f| f.explain().to_string())
                .unwrap_or_else(|| "the API returned no answer".to_string());
            if let Some(m) = message.filter(|m| !m.is_empty()) {
                explanation = format!("{explanation} ({m})");
            }
            let outcome = if is_block_finish(&name) {
                "blocked"
            } else {
                "no_image"
            };
            let err = if is_block_finish(&name) {
                Error::Blocked {
                    reason: name,
                    explanation,
                }
            } else {
                Error::NoImage {
                    finish_reason: name,
                    explanation,
                }
            };
            return Err((err, usage, outcome));
        }
        Outcome::Image | Outcome::TextOnly => {}
    }
    let text = response.text();
    let usage_json = response
        .usage_metadata
        .as_ref()
        .and_then(|u| serde_json::to_value(u).ok());
    let Some(cand) = response.candidates.into_iter().next() else {
        return Err((
            Error::Malformed("no candidate in the answer".into()),
            usage,
            "malformed",
        ));
    };
    let Some(mut content) = cand.content else {
        return Err((
            Error::Malformed("the candidate has no content".into()),
            usage,
            "malformed",
        ));
    };
    let tokens_per_image = caps.tokens_per_image(params.image_size.as_deref()) as i64;
    let mut images = Vec::new();
    let mut blobs = Vec::new();
    for (pi, part) in content.parts.iter_mut().enumerate() {
        if !part.is_image() {
            continue;
        }
        let thought = part.is_thought();
        let Some(blob) = part.inline_data.as_mut() else {
            continue;
        };
        // Canonical (standard, padded) base64 re-encodes to the very same text, so the bytes can live in a
        // file and the turn still replays byte-exact. Anything else stays inline in the stored content.
        let data = std::mem::take(&mut blob.data);
        let (bytes, external) = match decode_canonical(&data) {
            Ok(b) => (b, true),
            Err(_) => {
                blob.data = data;
                match blob.decode() {
                    Ok(b) => (b, false),
                    Err(e) => {
                        return Err((
                            Error::Malformed(format!("image data: {e}")),
                            usage,
                            "malformed",
                        ))
                    }
                }
            }
        };
        let ext = ext_for_mime(&blob.mime_type);
        if thought {
            if external {
                blobs.push(NewBlob {
                    part: pi,
                    file: format!("{}.{ext}", new_id("thought_")),
                    bytes: Some(bytes),
                });
            }
            continue;
        }
        let dims = image::ImageReader::new(std::io::Cursor::new(&bytes))
            .with_guessed_format()
            .ok()
            .and_then(|r| r.into_dimensions().ok());
        let Some((width, height)) = dims else {
            return Err((
                Error::Malformed(format!(
                    "the returned {} data is not a readable image",
                    blob.mime_type
                )),
                usage,
                "malformed",
            ));
        };
        let id = new_id("img_");
        if external {
            // The gallery file doubles as the blob (hard link), so deleting the image keeps the chat whole.
            blobs.push(NewBlob {
                part: pi,
                file: format!("{id}.{ext}"),
                bytes: None,
            });
        }
        images.push(NewImage {
            id,
            mime: blob.mime_type.clone(),
            sha256: String::new(),
            bytes,
            width,
            height,
            image_tokens: tokens_per_image,
        });
    }
    let thoughts: String = content
        .parts
        .iter()
        .filter(|p| p.is_thought())
        .filter_map(|p| p.text.as_deref())
        .collect::<Vec<_>>()
        .join("\n");
    let finish_reason = cand
        .finish_reason
        .and_then(|f| serde_json::to_value(f).ok())
        .and_then(|v| v.as_str().map(str::to_string));
    let turn = NewTurn {
        id: new_id("turn_"),
        parent_turn_id: None,
        prompt: String::new(),
        reference_hashes: vec![],
        params_json: String::new(),
        model: caps.id.clone(),
        model_content: content.to_json(),
        blobs,
        text,
        thoughts,
        grounding: cand
            .grounding_metadata
            .as_ref()
            .and_then(|g| serde_json::to_value(g).ok()),
        usage_json,
        usage,
        finish_reason,
        created_at: crate::time::now_ms(),
        images,
    };
    Ok((turn, usage))
}

/// Strict standard base64 decode (canonical padding), split across cores for large data: a 4K answer
/// is ~22 MB of base64. Chunks are cut at multiples of 4 characters, so each decodes on its own and only
/// the last may carry padding.
fn decode_canonical(data: &str) -> std::result::Result<Vec<u8>, base64::DecodeError> {
    const CHUNK: usize = 4 << 20;
    let b = data.as_bytes();
    if b.len() <= CHUNK || !b.len().is_multiple_of(4) {
        return STANDARD.decode(b);
    }
    let body_len = (b.len() - 4) / CHUNK * CHUNK; // whole chunks, none touching the final quad
    let (body, tail) = b.split_at(body_len);
    let mut out = vec![0u8; body_len / 4 * 3];
    use rayon::prelude::*;
    out.par_chunks_mut(CHUNK / 4 * 3)
        .zip(body.par_chunks(CHUNK))
        .try_for_each(|(o, i)| {
            STANDARD
                .decode_slice(i, o)
                .map(|_| ())
                .map_err(|e| match e {
                    base64::DecodeSliceError::DecodeError(e) => e,
                    base64::DecodeSliceError::OutputSliceTooSmall => {
                        base64::DecodeError::InvalidLength(i.len())
                    }
                })
        })?;
    out.extend_from_slice(&STANDARD.decode(tail)?);
    Ok(out)
}

/// Finish reasons that are refusals (never retried, reported as blocked).
fn is_block_finish(name: &str) -> bool {
    matches!(
        name,
        "SAFETY"
            | "IMAGE_SAFETY"
            | "PROHIBITED_CONTENT"
            | "IMAGE_PROHIBITED_CONTENT"
            | "BLOCKLIST"
            | "SPII"
    )
}

impl Engine<'_> {
    #[allow(clippy::result_large_err)] // the per-variation results of `classify`, see there
    pub async fn generate(
        &self,
        req: GenerateRequest,
        on_event: &mut (dyn FnMut(GenerationEvent) + Send),
    ) -> Result<GenerationResult> {
        let store = self.store;
        if req.prompt.trim().is_empty() {
            return Err(Error::EmptyPrompt);
        }
        let caps = crate::params::validate(&req.params, req.reference_hashes.len())?;
        if let Some(id) = &req.chat_id {
            if !crate::paths::is_safe_id(id) {
                return Err(Error::NotFound {
                    what: "chat",
                    id: id.clone(),
                });
            }
        }
        if (req.parent_turn_id.is_some() || req.from_start) && req.chat_id.is_none() {
            return Err(Error::InvalidParams(
                "a branch needs its chat_id".into(),
            ));
        }
        if req.parent_turn_id.is_some() && req.from_start {
            return Err(Error::InvalidParams(
                "branch either from a turn or from the start of the chat, not both".into(),
            ));
        }
        let client = self.client.ok_or(Error::MissingKey)?;

        // Everything below reads the store: do it off the async threads.
        let (history, parent, refs) = {
            let store = Arc::clone(store);
            let chat_id = req.chat_id.clone();
            let parent = match (&req.parent_turn_id, req.from_start) {
                (_, true) => crate::chat::Parent::Start,
                (Some(p), false) => crate::chat::Parent::Turn(p.clone()),
                (None, false) => crate::chat::Parent::Latest,
            };
            let hashes = req.reference_hashes.clone();
            tokio::task::spawn_blocking(move || -> Result<_> {
                let parent = match &chat_id {
                    Some(c) => crate::chat::resolve_parent(&store, c, &parent)?,
                    None => None,
                };
                let history = crate::chat::history(&store, parent.as_deref())?;
                let mut refs = Vec::with_capacity(hashes.len());
                for h in &hashes {
                    refs.push(crate::references::load(&store, h)?);
                }
                Ok((history, parent, refs))
            })
            .await
            .map_err(|e| Error::Other(format!("background task failed: {e}")))??
        };
        let mut contents = history;
        contents.push(crate::chat::user_content(&req.prompt, &refs));
        let mut request = build_request(&caps, &req.params, contents);
        if inline_size(&request) > INLINE_LIMIT_BYTES {
            request = offload_to_files(client, store, request).await?;
        }

        let n = req.params.count;
        let estimate = crate::cost::estimate(
            &caps,
            &req.params,
            req.reference_hashes.len(),
            store.price_per_million,
        );
        on_event(GenerationEvent::Started {
            chat_id: req.chat_id.clone(),
            variations: n,
            estimate,
        });
        let sink: Sink<'_> = Mutex::new(on_event);
        let stream_thoughts = req.params.include_thoughts && caps.supports_thoughts;
        let model = caps.id.clone();
        let answers: Vec<(u32, std::result::Result<Answer, gemini::Error>)> = stream::iter(0..n)
            .map(|v| {
                let (request, model, sink) = (&request, &model, &sink);
                async move {
                    (
                        v,
                        run_variation(client, store, model, request, stream_thoughts, v, sink)
                            .await,
                    )
                }
            })
            .buffer_unordered(MAX_PARALLEL)
            .collect()
            .await;
        let mut answers = answers;
        answers.sort_by_key(|(v, _)| *v);

        let chat_id = req.chat_id.clone().unwrap_or_else(|| new_id("chat_"));
        let params_json =
            serde_json::to_string(&req.params).map_err(|e| Error::Other(e.to_string()))?;
        let mut turns: Vec<NewTurn> = Vec::new();
        let mut events: Vec<UsageEvent> = Vec::new();
        let mut failures: Vec<(u32, Error)> = Vec::new();
        for (v, res) in answers {
            match res
                .map_err(map_client_error)
                .map(|a| classify(&caps, &req.params, a))
            {
                Ok(Ok((mut turn, usage))) => {
                    turn.parent_turn_id = parent.clone();
                    turn.prompt = req.prompt.clone();
                    turn.reference_hashes = req.reference_hashes.clone();
                    turn.params_json = params_json.clone();
                    events.push(UsageEvent {
                        at: turn.created_at,
                        model: model.clone(),
                        chat_id: Some(chat_id.clone()),
                        turn_id: Some(turn.id.clone()),
                        outcome: if turn.images.is_empty() {
                            "text".into()
                        } else {
                            "image".into()
                        },
                        images: turn.images.len() as i64,
                        usage,
                    });
                    turns.push(turn);
                }
                Ok(Err((err, usage, outcome))) => {
                    // Billed anyway: recorded in the ledger, not in the chat (the chat may not exist).
                    events.push(UsageEvent {
                        at: crate::time::now_ms(),
                        model: model.clone(),
                        chat_id: req.chat_id.clone(),
                        turn_id: None,
                        outcome: outcome.into(),
                        images: 0,
                        usage,
                    });
                    failures.push((v, err));
                }
                Err(err) => failures.push((v, err)),
            }
        }
        for (v, e) in &failures {
            emit(
                &sink,
                GenerationEvent::VariationFailed {
                    variation: *v,
                    kind: e.kind().into(),
                    message: e.to_string(),
                },
            );
        }
        if turns.is_empty() {
            let billed: Vec<UsageEvent> = events
                .into_iter()
                .filter(|e| e.usage.total_tokens > 0)
                .collect();
            let s = Arc::clone(store);
            let _ = tokio::task::spawn_blocking(move || s.record_usage(&billed)).await;
            let (_, first) = failures
                .into_iter()
                .next()
                .ok_or_else(|| Error::Other("no variation ran".into()))?;
            return Err(first);
        }

        let new_chat = req.chat_id.is_none().then(|| NewChat {
            id: chat_id.clone(),
            title: title_of(&req.prompt),
            model: model.clone(),
        });
        let result = summarize(store, &chat_id, &turns, &events, &failures);
        {
            let s = Arc::clone(store);
            let cid = chat_id.clone();
            tokio::task::spawn_blocking(move || {
                s.commit_generation(new_chat.as_ref(), &cid, &turns, &events)
            })
            .await
            .map_err(|e| Error::Other(format!("save task failed: {e}")))??;
        }
        emit(
            &sink,
            GenerationEvent::Done {
                chat_id: chat_id.clone(),
                turn_ids: result.turn_ids.clone(),
                images: result.images.len() as u32,
            },
        );
        Ok(result)
    }
}

fn summarize(
    store: &Store,
    chat_id: &str,
    turns: &[NewTurn],
    events: &[UsageEvent],
    failures: &[(u32, Error)],
) -> GenerationResult {
    let mut usage = Usage::default();
    for e in events {
        usage.add(&e.usage);
    }
    let images: Vec<GeneratedImage> = turns
        .iter()
        .flat_map(|t| {
            t.images.iter().map(move |i| GeneratedImage {
                id: i.id.clone(),
                path: store
                    .image_file(&format!("{}.{}", i.id, ext_for_mime(&i.mime)))
                    .to_string_lossy()
                    .into_owned(),
                width: i.width,
                height: i.height,
                mime: i.mime.clone(),
                turn_id: t.id.clone(),
            })
        })
        .collect();
    let image_tokens = turns
        .iter()
        .flat_map(|t| t.images.iter())
        .map(|i| i.image_tokens)
        .sum();
    GenerationResult {
        chat_id: chat_id.to_string(),
        turn_id: turns.first().map(|t| t.id.clone()).unwrap_or_default(),
        turn_ids: turns.iter().map(|t| t.id.clone()).collect(),
        images,
        text: turns
            .iter()
            .map(|t| t.text.as_str())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n"),
        thoughts: turns
            .iter()
            .map(|t| t.thoughts.as_str())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n"),
        grounding: turns.iter().find_map(|t| t.grounding.clone()),
        finish_reason: turns.first().and_then(|t| t.finish_reason.clone()),
        cost: GenerationCost {
            image_tokens,
            total_tokens: usage.total_tokens,
            price: crate::cost::price(usage.total_tokens, store.price_per_million),
        },
        usage,
        failures: failures
            .iter()
            .map(|(v, e)| VariationFailure {
                variation: *v,
                kind: e.kind().into(),
                message: e.to_string(),
            })
            .collect(),
    }
}

/// A chat title from its first prompt: the first line, at most 60 characters.
fn title_of(prompt: &str) -> String {
    let line = prompt.lines().next().unwrap_or("").trim();
    let mut t: String = line.chars().take(60).collect();
    if line.chars().count() > 60 {
        t.push('…');
    }
    if t.is_empty() {
        "Untitled".into()
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_decode_matches_and_stays_strict() {
        for len in [0usize, 1, 2, 3, 10, (3 << 20) + 1, (6 << 20) + 2, 9 << 20] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let text = STANDARD.encode(&bytes);
            assert_eq!(decode_canonical(&text).unwrap(), bytes, "len {len}");
            if len % 3 != 0 && len > 3 {
                // Without its padding the text is not canonical: it must stay inline, not be re-encoded.
                assert!(decode_canonical(text.trim_end_matches('=')).is_err());
            }
        }
        let mut bad = STANDARD.encode(vec![7u8; 6 << 20]);
        bad.replace_range(10..11, "!");
        assert!(decode_canonical(&bad).is_err());
    }
}
