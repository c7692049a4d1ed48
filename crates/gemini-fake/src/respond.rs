//! Building the answer to a valid request: parts in the documented order with signatures exactly where
//! the rules put them, usage metadata with the per-size token counts, grounding, and the fault variants
//! that still answer 200 (blocked prompt, no image, text only).
//!
//! Part order with thoughts included: thought text, interim thought image, thought text, interim thought
//! image, answer text, final image. Thought parts never carry a signature; the first text after the
//! thoughts and before any image does; every final image does; later text does not. Gemini 3 always
//! thinks, so the answer text is signed even when thoughts are not included. Gemini 2.5 signs nothing.
//! One [`Answer`] yields both the non-streaming body and the SSE events, so folding the stream gives back
//! exactly the non-streaming parts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::faults::{self, Fault};
use crate::signatures::{self, Signed};
use crate::validate::GenRequest;

/// Tokens billed for each input image.
const INPUT_IMAGE_TOKENS: u32 = 258;

/// Tokens billed for each input video. Google bills 263 tokens a second of video; the fake does not read
/// durations, so every video counts as four seconds.
const INPUT_VIDEO_TOKENS: u32 = 4 * 263;

/// A rendered picture, base64-encoded, with the digest its signatures cover (computed once: signing
/// then costs one small HMAC per answer, for whichever model asked).
pub struct Rendered {
    pub b64: String,
    pub digest: [u8; 32],
}

/// Rendered pictures, shared by every fake in the process: a 4K PNG takes a second to render in a test
/// build, and tests (each starting its own fake) and demos ask for the same prompts again and again.
/// Keyed by size and seed only (signatures are minted per answer from the cached digest, so two models
/// asking for the same picture share it); bounded by bytes, since a 4K entry weighs ~25 MB of base64.
#[derive(Default)]
pub struct ImageCache;

type CacheKey = (u32, u32, u64);

const CACHE_BUDGET: usize = 192 * 1024 * 1024;

fn cache() -> &'static Mutex<HashMap<CacheKey, Arc<Rendered>>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, Arc<Rendered>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

impl ImageCache {
    pub fn get(&self, w: u32, h: u32, seed: u64) -> Arc<Rendered> {
        let key = (w, h, seed);
        if let Some(r) = cache().lock().ok().and_then(|m| m.get(&key).cloned()) {
            return r;
        }
        let png = crate::images::render_png(w, h, seed);
        let r = Arc::new(Rendered {
            b64: STANDARD.encode(&png),
            digest: signatures::digest(&Signed::Image(&png)),
        });
        if let Ok(mut m) = cache().lock() {
            let used: usize = m.values().map(|r| r.b64.len()).sum();
            if used + r.b64.len() > CACHE_BUDGET {
                m.clear();
            }
            m.insert(key, r.clone());
        }
        r
    }
}

/// One answer, ready to be sent whole or as a stream.
#[derive(Debug, Clone)]
pub struct Answer {
    pub parts: Vec<Value>,
    /// None: no candidate at all (blocked prompt).
    pub finish_reason: Option<String>,
    pub finish_message: Option<String>,
    pub grounding: Option<Value>,
    pub prompt_feedback: Option<Value>,
    pub usage: Value,
    pub model_version: String,
    pub response_id: String,
}

fn response_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..22)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

/// The prompt without its `[fake:...]` markers, shortened for quoting in an answer.
fn subject(prompt: &str) -> String {
    let mut s = String::new();
    let mut rest = prompt;
    while let Some(i) = rest.find("[fake:") {
        s.push_str(&rest[..i]);
        rest = rest[i..].find(']').map_or("", |j| &rest[i + j + 1..]);
    }
    s.push_str(rest);
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let short: String = s.chars().take(80).collect();
    if short.is_empty() {
        "your idea".into()
    } else if short.len() < s.len() {
        format!("{short}…")
    } else {
        short
    }
}

fn text_tokens(text: &str) -> u32 {
    (text.chars().count() as u32).div_ceil(4)
}

pub fn build(req: &GenRequest, fault: Option<&Fault>, cache: &ImageCache, secret: &[u8]) -> Answer {
    let model = &req.model;
    let subj = subject(&req.prompt);
    let size_label = match model.sizes.get(req.size_index).map(String::as_str) {
        Some("512") => "512 px",
        Some(s) => s,
        None => "1024 px",
    };
    let thoughts_tokens = 96 + (req.seed % 160) as u32;

    let mut parts = Vec::new();
    let mut answer_text: Option<String> = None;
    let mut images = 0u32;
    let mut finish_reason = Some("STOP".to_string());
    let mut finish_message = None;
    let mut prompt_feedback = None;

    let sig = |text: &str| signatures::sign(secret, &model.id, &Signed::Text(text));
    match fault {
        Some(Fault::BlockedPrompt(reason)) => {
            finish_reason = None;
            prompt_feedback = Some(json!({"blockReason": reason}));
        }
        Some(Fault::NoImage { finish_reason: r }) => {
            finish_message = Some(faults::finish_message(r));
            finish_reason = Some(r.clone());
        }
        Some(Fault::TextOnly) => {
            let t = format!(
                "I can describe it instead: {subj}. Picture it as a {} composition with soft light and a calm palette.",
                req.ratio
            );
            let mut p = json!({"text": t});
            if model.thinks {
                p["thoughtSignature"] = json!(sig(&t));
            }
            parts.push(p);
            answer_text = Some(t);
        }
        _ => {
            if req.include_thoughts {
                let (tw, th) = ((req.width / 4).max(16), (req.height / 4).max(16));
                let thoughts = [
                    format!("**Planning the composition**\n\nThe request is for {subj}. I'll lay it out in {} and settle the palette first.", req.ratio),
                    format!("**Refining the details**\n\nThe first draft reads well; I'm sharpening the focal point and balancing the light at {size_label}."),
                ];
                if req.want_image {
                    for (i, t) in thoughts.iter().enumerate() {
                        parts.push(json!({"text": t, "thought": true}));
                        let draft = cache.get(tw, th, req.seed ^ (0x9E37_79B9 + i as u64));
                        parts.push(json!({"inlineData": {"mimeType": "image/png", "data": draft.b64}, "thought": true}));
                    }
                } else {
                    // No draft images between them: one thought part, as adjacent thought text would be
                    // one part once a stream of it is folded.
                    parts.push(json!({"text": thoughts.join("\n\n"), "thought": true}));
                }
            }
            if req.want_text {
                let t = if req.want_image {
                    format!(
                        "Here is {subj}. A {} image at {size_label}, {}x{} pixels.",
                        req.ratio, req.width, req.height
                    )
                } else {
                    format!("{subj}. (Text only was requested, so no image this time.)")
                };
                let mut p = json!({"text": t});
                if model.thinks {
                    p["thoughtSignature"] = json!(sig(&t));
                }
                parts.push(p);
                answer_text = Some(t);
            }
            if req.want_image {
                let img = cache.get(req.width, req.height, req.seed);
                let mut p = json!({"inlineData": {"mimeType": "image/png", "data": img.b64}});
                if model.thinks {
                    p["thoughtSignature"] =
                        json!(signatures::sign_digest(secret, &model.id, &img.digest));
                }
                parts.push(p);
                images += 1;
            }
        }
    }

    // Usage: billed even when no image came back.
    let image_prompt = req.prompt_images * INPUT_IMAGE_TOKENS;
    let video_prompt = req.prompt_videos * INPUT_VIDEO_TOKENS;
    let prompt_tokens = req.prompt_text_tokens + image_prompt + video_prompt;
    let mut prompt_details =
        vec![json!({"modality": "TEXT", "tokenCount": req.prompt_text_tokens})];
    if image_prompt > 0 {
        prompt_details.push(json!({"modality": "IMAGE", "tokenCount": image_prompt}));
    }
    if video_prompt > 0 {
        prompt_details.push(json!({"modality": "VIDEO", "tokenCount": video_prompt}));
    }
    let text_out = answer_text.as_deref().map_or(0, text_tokens);
    let image_out = images * model.tokens_for(req.size_index);
    let mut usage =
        json!({"promptTokenCount": prompt_tokens, "promptTokensDetails": prompt_details});
    let blocked = prompt_feedback.is_some();
    if !blocked && text_out + image_out > 0 {
        let mut details = Vec::new();
        if text_out > 0 {
            details.push(json!({"modality": "TEXT", "tokenCount": text_out}));
        }
        if image_out > 0 {
            details.push(json!({"modality": "IMAGE", "tokenCount": image_out}));
        }
        usage["candidatesTokenCount"] = json!(text_out + image_out);
        usage["candidatesTokensDetails"] = json!(details);
    }
    let thoughts = if model.thinks && !blocked {
        thoughts_tokens
    } else {
        0
    };
    if thoughts > 0 {
        usage["thoughtsTokenCount"] = json!(thoughts);
    }
    usage["totalTokenCount"] = json!(prompt_tokens + text_out + image_out + thoughts);

    let grounding = (finish_reason.is_some() && (req.web_search || req.image_search)).then(|| {
        crate::grounding::metadata(
            &subj,
            answer_text.as_deref(),
            req.web_search,
            req.image_search,
        )
    });

    Answer {
        parts,
        finish_reason,
        finish_message,
        grounding,
        prompt_feedback,
        usage,
        model_version: model.id.clone(),
        response_id: response_id(),
    }
}

impl Answer {
    fn candidate(&self, parts: Vec<Value>, last: bool) -> Value {
        let mut c = Map::new();
        if !parts.is_empty() {
            c.insert("content".into(), json!({"role": "model", "parts": parts}));
        }
        if last {
            if let Some(r) = &self.finish_reason {
                c.insert("finishReason".into(), json!(r));
            }
            if let Some(m) = &self.finish_message {
                c.insert("finishMessage".into(), json!(m));
            }
            if let Some(g) = &self.grounding {
                c.insert("groundingMetadata".into(), g.clone());
            }
        }
        c.insert("index".into(), json!(0));
        Value::Object(c)
    }

    fn envelope(&self, candidate: Option<Value>, last: bool) -> Value {
        let mut r = Map::new();
        if let Some(c) = candidate {
            r.insert("candidates".into(), json!([c]));
        }
        if let Some(pf) = &self.prompt_feedback {
            r.insert("promptFeedback".into(), pf.clone());
        }
        if last {
            r.insert("usageMetadata".into(), self.usage.clone());
        }
        r.insert("modelVersion".into(), json!(self.model_version));
        r.insert("responseId".into(), json!(self.response_id));
        Value::Object(r)
    }

    /// The whole `GenerateContentResponse`.
    pub fn to_json(&self) -> Value {
        let candidate = self
            .finish_reason
            .is_some()
            .then(|| self.candidate(self.parts.clone(), true));
        self.envelope(candidate, true)
    }

    /// The stream: text in pieces, each image whole in its own event, finishReason, grounding and usage
    /// with the last. Folding the events (concatenating adjacent text pieces) gives back [`Self::to_json`].
    pub fn to_events(&self) -> Vec<Value> {
        if self.finish_reason.is_none() || self.parts.is_empty() {
            return vec![self.to_json()];
        }
        let mut pieces: Vec<Value> = Vec::new();
        for part in &self.parts {
            let Some(text) = part.get("text").and_then(Value::as_str) else {
                pieces.push(part.clone());
                continue;
            };
            let chars: Vec<char> = text.chars().collect();
            let n = chars.len().div_ceil(3).max(1);
            for (i, chunk) in chars.chunks(n).enumerate() {
                let mut p = part.clone();
                p["text"] = json!(chunk.iter().collect::<String>());
                // The signature rides on the first piece of its part only.
                if i > 0 {
                    if let Some(o) = p.as_object_mut() {
                        o.remove("thoughtSignature");
                    }
                }
                pieces.push(p);
            }
        }
        let count = pieces.len();
        pieces
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let last = i + 1 == count;
                self.envelope(Some(self.candidate(vec![p], last)), last)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn subject_strips_markers() {
        assert_eq!(
            super::subject("a cat [fake:429] on a mat"),
            "a cat on a mat"
        );
        assert_eq!(super::subject("[fake:503]"), "your idea");
    }
}
