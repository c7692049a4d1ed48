//! Injected failures: the [`Fault`] queue tests push, and the `[fake:...]` markers for manual tries.
//!
//! Markers are read from the last user turn only (older turns are history, replayed on every request).
//! Transient markers (`[fake:429]`, `[fake:503]`, `[fake:500]`, `[fake:504]`) fire on the first attempt of
//! a request only: the fake remembers a hash of the request body, so a client that retries the identical
//! request succeeds, as it would once Google's quota window or overload passed. Every other marker fires
//! every time. Pushed faults always fire once each, in order.

use std::time::Duration;

use serde_json::json;

use crate::error::ApiError;

/// A failure to inject into the next generate or stream request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 RESOURCE_EXHAUSTED with a per-minute QuotaFailure and RetryInfo `retryDelay`.
    QuotaPerMinute { retry_delay_secs: u64 },
    /// 429 RESOURCE_EXHAUSTED with a per-day QuotaFailure and no RetryInfo: retrying cannot help.
    QuotaPerDay,
    /// 503 UNAVAILABLE "The model is overloaded. Please try again later."
    Overloaded,
    /// 500 INTERNAL.
    Internal,
    /// 504 DEADLINE_EXCEEDED.
    DeadlineExceeded,
    /// 200 with `promptFeedback.blockReason` set to this value and no candidates.
    BlockedPrompt(String),
    /// 200 with one candidate that has this `finishReason`, a `finishMessage`, and no parts.
    NoImage { finish_reason: String },
    /// 200 with a text answer and no image.
    TextOnly,
    /// 200 whose body is not JSON (streams: an event whose data is not JSON).
    MalformedBody,
    /// 200 whose JSON body is cut in the middle (streams: the last event is cut, then the stream ends).
    TruncatedBody,
    /// A stream whose connection closes in the middle of the event carrying the final image. On
    /// `generateContent` the connection closes halfway through the body (a connection reset).
    StreamCutMidImage,
    /// The answer comes after this delay.
    Slow(Duration),
    /// A stream that starts fine, then carries an event with an `error` (503 UNAVAILABLE) instead of the
    /// image, and ends: gemini-api.md notes errors after the stream started arrive that way. On
    /// `generateContent` it is a plain 503.
    StreamErrorEvent,
    /// A 200 whose body is `bytes` long, far past any answer (a proxy gone wrong): one JSON text part that
    /// never closes, or on a stream well-formed events of 64 KiB of thought text each. Finite, generated
    /// as it is sent, and counted ([`crate::FakeGemini::hostile_bytes_sent`]).
    OversizedBody { bytes: u64 },
    /// A 400 in Google's error shape whose body goes on for `bytes` (a debug detail without end).
    OversizedErrorBody { bytes: u64 },
    /// A stream of `events` tiny thought-text events and no finish. `generateContent` answers normally.
    EndlessStream { events: u64 },
    /// A stream that sends `images` interim thought images (tiny distinct PNGs) before the answer.
    /// `generateContent` answers normally.
    ThoughtImageFlood { images: u32 },
}

/// Markers and whether they fire on the first attempt only.
pub fn from_prompt(prompt: &str) -> Vec<(Fault, bool)> {
    let mut out = Vec::new();
    let mut rest = prompt;
    while let Some(start) = rest.find("[fake:") {
        let after = &rest[start + 6..];
        let Some(end) = after.find(']') else { break };
        let name = after[..end].trim().to_ascii_lowercase();
        rest = &after[end..];
        let no_image = |r: &str| Fault::NoImage {
            finish_reason: r.to_string(),
        };
        let fault = match name.as_str() {
            "429" => (
                Fault::QuotaPerMinute {
                    retry_delay_secs: 2,
                },
                true,
            ),
            "429day" => (Fault::QuotaPerDay, false),
            "503" => (Fault::Overloaded, true),
            "500" => (Fault::Internal, true),
            "504" => (Fault::DeadlineExceeded, true),
            "block" => (Fault::BlockedPrompt("PROHIBITED_CONTENT".into()), false),
            "image_safety" => (no_image("IMAGE_SAFETY"), false),
            "image_prohibited" => (no_image("IMAGE_PROHIBITED_CONTENT"), false),
            "image_recitation" => (no_image("IMAGE_RECITATION"), false),
            "image_other" => (no_image("IMAGE_OTHER"), false),
            "no_image" => (no_image("NO_IMAGE"), false),
            "text_only" => (Fault::TextOnly, false),
            "malformed" => (Fault::MalformedBody, false),
            "truncated" => (Fault::TruncatedBody, false),
            "cut_stream" => (Fault::StreamCutMidImage, false),
            "stream_error" => (Fault::StreamErrorEvent, false),
            // 1 GiB: past the client's 256 MiB bound on an answer, finite all the same.
            "oversized" => (Fault::OversizedBody { bytes: 1 << 30 }, false),
            "thought_flood" => (Fault::ThoughtImageFlood { images: 100 }, false),
            slow if slow.starts_with("slow=") => match parse_duration(&slow[5..]) {
                Some(d) => (Fault::Slow(d), false),
                None => continue,
            },
            _ => continue,
        };
        out.push(fault);
    }
    out
}

/// `3s`, `250ms`, `1.5s`, or a bare number of seconds.
fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if let Some(ms) = s.strip_suffix("ms") {
        return ms.trim().parse::<u64>().ok().map(Duration::from_millis);
    }
    let secs = s
        .strip_suffix('s')
        .unwrap_or(s)
        .trim()
        .parse::<f64>()
        .ok()?;
    (0.0..3600.0)
        .contains(&secs)
        .then(|| Duration::from_secs_f64(secs))
}

/// The error a fault answers with, for the faults that are HTTP errors.
pub fn error_for(fault: &Fault, model: &str) -> Option<ApiError> {
    let help = json!({
        "@type": "type.googleapis.com/google.rpc.Help",
        "links": [{"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]
    });
    let quota = |id: &str, metric: &str, limit: u32| {
        json!({
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": [{
                "quotaMetric": format!("generativelanguage.googleapis.com/{metric}"),
                "quotaId": id,
                "quotaDimensions": {"location": "global", "model": model},
                "quotaValue": limit.to_string()
            }]
        })
    };
    Some(match fault {
        Fault::QuotaPerMinute { retry_delay_secs } => ApiError::new(
            429,
            "RESOURCE_EXHAUSTED",
            format!(
                "You exceeded your current quota, please check your plan and billing details. For more information \
                 on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current \
                 usage, head to: https://ai.dev/usage?tab=rate-limit. \n* Quota exceeded for metric: \
                 generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 10, model: {model}\n\
                 Please retry in {retry_delay_secs}s."
            ),
        )
        .with_detail(quota("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "generate_content_free_tier_requests", 10))
        .with_detail(help)
        .with_detail(json!({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": format!("{retry_delay_secs}s")})),
        Fault::QuotaPerDay => ApiError::new(
            429,
            "RESOURCE_EXHAUSTED",
            format!(
                "You exceeded your current quota, please check your plan and billing details. For more information \
                 on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current \
                 usage, head to: https://ai.dev/usage?tab=rate-limit. \n* Quota exceeded for metric: \
                 generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 100, model: {model}"
            ),
        )
        .with_detail(quota("GenerateRequestsPerDayPerProjectPerModel-FreeTier", "generate_content_free_tier_requests", 100))
        .with_detail(help),
        Fault::Overloaded => ApiError::new(503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
        Fault::Internal => ApiError::new(
            500,
            "INTERNAL",
            "An internal error has occurred. Please retry or report in \
             https://developers.generativeai.google/guide/troubleshooting",
        ),
        Fault::DeadlineExceeded => ApiError::new(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
        _ => return None,
    })
}

/// The `finishMessage` Google attaches to a candidate that ended without an image.
pub fn finish_message(reason: &str) -> String {
    match reason {
        "IMAGE_SAFETY" => "Unable to show the generated image. The image was filtered out because it violated \
                           Google's Generative AI Prohibited Use policy. You will not be charged for blocked images. \
                           Try rephrasing the prompt."
            .into(),
        "IMAGE_PROHIBITED_CONTENT" => "Unable to show the generated image: it contains prohibited content. \
                                       Try a different prompt."
            .into(),
        "IMAGE_RECITATION" => "Unable to show the generated image: it too closely resembles existing content. \
                               Try a more original prompt."
            .into(),
        "NO_IMAGE" => "The model did not generate an image for this prompt. Try asking for an image explicitly.".into(),
        "IMAGE_OTHER" => "Unable to generate the image for an unspecified reason. Try again or rephrase the prompt.".into(),
        other => format!("Generation stopped: {other}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_parse() {
        let f = from_prompt(
            "a cat [fake:429] and [fake:slow=1.5s] [fake:IMAGE_SAFETY] [fake:nope] [fake:oversized]",
        );
        assert_eq!(
            f[0],
            (
                Fault::QuotaPerMinute {
                    retry_delay_secs: 2
                },
                true
            )
        );
        assert_eq!(f[1], (Fault::Slow(Duration::from_millis(1500)), false));
        assert_eq!(
            f[2],
            (
                Fault::NoImage {
                    finish_reason: "IMAGE_SAFETY".into()
                },
                false
            )
        );
        assert_eq!(f[3], (Fault::OversizedBody { bytes: 1 << 30 }, false));
        assert_eq!(f.len(), 4);
    }
}
