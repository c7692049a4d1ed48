//! Turning one answer into what to save: the final images (decoded and measured), the thought images kept
//! as files, the text, the thoughts and the finish reason; or, for a refusal or a broken answer, the error
//! with what was billed and the ledger outcome.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use gemini::{BlockReason, Content, FinishReason, Outcome};

use super::variations::{Answer, MAX_THOUGHT_IMAGES};
use crate::capabilities::ModelCapabilities;
use crate::cost::Usage;
use crate::error::{Error, Result};
use crate::gallery::store::{NewBlob, NewImage, NewTurn};
use crate::params::GenerateParams;
use crate::paths::{ext_for_mime, new_id};

/// A failed answer: the error, what was billed anyway, and the ledger outcome.
pub(super) type Refusal = (Error, Usage, &'static str);

/// Classifies one answer: a turn to save, or the refusal with what was billed and the ledger outcome.
// Called once per variation, never in a loop: the large error tuple costs nothing worth boxing.
#[allow(clippy::result_large_err)]
pub(super) fn classify(
    caps: &ModelCapabilities,
    params: &GenerateParams,
    answer: Answer,
) -> std::result::Result<(NewTurn, Usage), Refusal> {
    let Answer { response, usage } = answer;
    if let Some((err, outcome)) = refusal(response.outcome()) {
        return Err((err, usage, outcome));
    }
    let text = response.text();
    let usage_json = response
        .usage_metadata
        .as_ref()
        .and_then(|u| serde_json::to_value(u).ok());
    let Some(cand) = response.candidates.into_iter().next() else {
        return Err(malformed("no candidate in the answer", usage));
    };
    let Some(mut content) = cand.content else {
        return Err(malformed("the candidate has no content", usage));
    };
    let tokens_per_image = caps.tokens_per_image(params.image_size.as_deref()) as i64;
    let (images, blobs) =
        take_images(&mut content, tokens_per_image).map_err(|e| (e, usage, "malformed"))?;
    let thoughts = thoughts_of(&content);
    let finish_reason = wire_name(cand.finish_reason);
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
        context_note: None,
    };
    Ok((turn, usage))
}

/// A broken answer's refusal.
fn malformed(message: &str, usage: Usage) -> Refusal {
    (Error::Malformed(message.into()), usage, "malformed")
}

/// The error and ledger outcome of an answer with neither an image nor text; `None` when it has one.
fn refusal(outcome: Outcome) -> Option<(Error, &'static str)> {
    match outcome {
        Outcome::Blocked { reason, message } => Some((blocked_prompt(reason, message), "blocked")),
        Outcome::NoImage {
            finish_reason,
            message,
        } => Some(no_image(finish_reason, message)),
        Outcome::Image | Outcome::TextOnly => None,
    }
}

/// A refused prompt, explained.
fn blocked_prompt(reason: BlockReason, message: Option<String>) -> Error {
    let r = reason.as_str().to_string();
    let explanation = match message {
        Some(m) => format!("{}; {m}", explain_block(&r)),
        None => explain_block(&r).to_string(),
    };
    Error::Blocked {
        reason: r,
        explanation,
    }
}

/// A candidate without an image: blocked when its finish reason is a refusal, otherwise "no image".
fn no_image(finish_reason: Option<FinishReason>, message: Option<String>) -> (Error, &'static str) {
    let name = wire_name(finish_reason).unwrap_or_else(|| "NO_CANDIDATE".into());
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
    (err, outcome)
}

/// The API's spelling of a finish reason (`STOP`, `IMAGE_SAFETY`, ...).
fn wire_name(finish_reason: Option<FinishReason>) -> Option<String> {
    finish_reason
        .and_then(|f| serde_json::to_value(f).ok())
        .and_then(|v| v.as_str().map(str::to_string))
}

/// Takes the image parts' bytes out of `content`: the final images (measured, for the gallery) and the
/// blobs to keep as files (thought images, and the final images' files doubling as blobs).
fn take_images(
    content: &mut Content,
    tokens_per_image: i64,
) -> Result<(Vec<NewImage>, Vec<NewBlob>)> {
    let mut images = Vec::new();
    let mut blobs = Vec::new();
    let mut thought_files = 0usize;
    for (pi, part) in content.parts.iter_mut().enumerate() {
        if !part.is_image() {
            continue;
        }
        let thought = part.is_thought();
        let Some(blob) = part.inline_data.as_mut() else {
            continue;
        };
        if thought {
            thought_files += 1;
            // Past the bound a thought image stays inline in the stored turn (it still replays as
            // received) instead of becoming one more file: a flood of them cannot fill `blobs/`.
            if thought_files > MAX_THOUGHT_IMAGES {
                continue;
            }
        }
        let (bytes, external) = take_bytes(blob)?;
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
        let (width, height) = dimensions(&bytes, &blob.mime_type)?;
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
    Ok((images, blobs))
}

/// An image part's bytes, and whether they move to a file (`true`) or stay inline.
fn take_bytes(blob: &mut gemini::Blob) -> Result<(Vec<u8>, bool)> {
    // Canonical (standard, padded) base64 re-encodes to the very same text, so the bytes can live in a
    // file and the turn still replays byte-exact. Anything else stays inline in the stored content.
    let data = std::mem::take(&mut blob.data);
    match decode_canonical(&data) {
        Ok(b) => Ok((b, true)),
        Err(_) => {
            blob.data = data;
            match blob.decode() {
                Ok(b) => Ok((b, false)),
                Err(e) => Err(Error::Malformed(format!("image data: {e}"))),
            }
        }
    }
}

/// Width and height of a final image; one that does not read as an image makes the answer malformed.
fn dimensions(bytes: &[u8], mime: &str) -> Result<(u32, u32)> {
    image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok())
        .ok_or_else(|| {
            Error::Malformed(format!("the returned {mime} data is not a readable image"))
        })
}

/// The model's thinking: its thought parts' text, one per line.
fn thoughts_of(content: &Content) -> String {
    content
        .parts
        .iter()
        .filter(|p| p.is_thought())
        .filter_map(|p| p.text.as_deref())
        .collect::<Vec<_>>()
        .join("\n")
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
