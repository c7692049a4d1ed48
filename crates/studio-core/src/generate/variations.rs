//! Running the variations: the same request sent `count` times, at most [`MAX_PARALLEL`] at once, each
//! streaming its thoughts (when asked) and reporting its retries as events.
//!
//! Cancellation is dropping the future: the requests still in flight are dropped with it, and nothing has
//! been written yet but interim thought images in `tmp/`.

use std::sync::Mutex;

use futures_util::stream::{self, StreamExt};
use gemini::{GenerateContentRequest, GenerateContentResponse, RetryNotice, StreamEvent};

use super::GenerationEvent;
use crate::capabilities::ModelCapabilities;
use crate::cost::Usage;
use crate::gallery::store::Store;
use crate::params::GenerateParams;
use crate::paths::{atomic_write, ext_for_mime, new_id};

/// Most variations in flight at once.
pub const MAX_PARALLEL: usize = 4;

/// Interim thought images kept per variation: shown live (written to `tmp/`) and saved with the turn as
/// files. The model draws up to two; twice that leaves room for a model that draws more. Past it, a server
/// that sends image after image (a broken proxy) gets them dropped unwritten, with one notice.
pub const MAX_THOUGHT_IMAGES: usize = 4;

/// The answer of one variation, classified.
pub(super) struct Answer {
    pub response: GenerateContentResponse,
    pub usage: Usage,
}

/// Each variation's answer or error, in variation order.
pub(super) type Answers = Vec<(u32, std::result::Result<Answer, gemini::Error>)>;

/// The caller's event callback, shared by the variations running at once.
pub(super) type Sink<'a> = Mutex<&'a mut (dyn FnMut(GenerationEvent) + Send)>;

pub(super) fn emit(sink: &Sink<'_>, ev: GenerationEvent) {
    let mut f = sink.lock().unwrap_or_else(|p| p.into_inner());
    (*f)(ev);
}

/// Sends `params.count` variations of `request`, at most [`MAX_PARALLEL`] at once.
pub(super) async fn run_all(
    client: &gemini::Client,
    store: &Store,
    caps: &ModelCapabilities,
    params: &GenerateParams,
    request: &GenerateContentRequest,
    sink: &Sink<'_>,
) -> Answers {
    let stream_thoughts = params.include_thoughts && caps.supports_thoughts;
    let model = &caps.id;
    let mut answers: Answers = stream::iter(0..params.count)
        .map(|v| async move {
            (
                v,
                run_variation(client, store, model, request, stream_thoughts, v, sink).await,
            )
        })
        .buffer_unordered(MAX_PARALLEL)
        .collect()
        .await;
    answers.sort_by_key(|(v, _)| *v);
    answers
}

/// Said once per variation, when its first thought image past [`MAX_THOUGHT_IMAGES`] is dropped.
fn too_many_thought_images(variation: u32) -> GenerationEvent {
    GenerationEvent::Notice {
        message: format!(
            "Variation {}: the model sent more than {MAX_THOUGHT_IMAGES} interim images while thinking; \
             the first {MAX_THOUGHT_IMAGES} are shown and the rest were dropped.",
            variation + 1
        ),
    }
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
        let mut thought_images = 0usize;
        let mut on_event = |ev: StreamEvent| match ev {
            StreamEvent::ThoughtText(text) => {
                emit(sink, GenerationEvent::ThoughtText { variation, text })
            }
            StreamEvent::Text(text) => emit(sink, GenerationEvent::Text { variation, text }),
            StreamEvent::ThoughtImage { mime_type, data } => {
                thought_images += 1;
                if thought_images > MAX_THOUGHT_IMAGES {
                    if thought_images == MAX_THOUGHT_IMAGES + 1 {
                        emit(sink, too_many_thought_images(variation));
                    }
                    return;
                }
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
