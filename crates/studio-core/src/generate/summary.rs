//! What the caller is told at the end: one event per failed variation, the `GenerationResult` of the
//! saved turns, and a new chat's title.

use super::variations::{emit, Sink};
use super::{GeneratedImage, GenerationCost, GenerationEvent, GenerationResult, VariationFailure};
use crate::cost::Usage;
use crate::error::Error;
use crate::gallery::store::{NewTurn, Store, UsageEvent};
use crate::paths::ext_for_mime;

/// Tells the caller about each failed variation (the others may still have succeeded).
pub(super) fn report_failures(sink: &Sink<'_>, failures: &[(u32, Error)]) {
    for (v, e) in failures {
        emit(
            sink,
            GenerationEvent::VariationFailed {
                variation: *v,
                kind: e.kind().into(),
                message: e.to_string(),
            },
        );
    }
}

/// The result of the saved turns (images, text, thoughts), with the usage and cost of every answer, failed
/// ones included, and the failures.
pub(super) fn summarize(
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
    let images = saved_images(store, turns);
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
        // Filled in by `Studio::generate`, which decides the model and any restart.
        notices: Vec::new(),
        cancel_too_late: false,
    }
}

/// The turns' images, with the paths they are saved at.
fn saved_images(store: &Store, turns: &[NewTurn]) -> Vec<GeneratedImage> {
    turns
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
        .collect()
}

/// A chat title from its first prompt: the first line, at most 60 characters.
pub(super) fn title_of(prompt: &str) -> String {
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
