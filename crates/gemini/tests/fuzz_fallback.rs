//! The fuzz bodies run as a bounded property test, so they are exercised on every `cargo test` even where
//! `cargo fuzz` (nightly, libFuzzer) is unavailable. `scripts/fuzz` runs a longer pass with
//! `GEMINI_FUZZ_CASES` when cargo-fuzz cannot run.

#[path = "support/fuzz_bodies.rs"]
mod fuzz_bodies;

use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("GEMINI_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Inputs biased toward the interesting shapes: SSE framing and Gemini-like JSON, plus raw bytes.
fn sse_input() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"data: ".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b": c\n".to_vec()),
        Just(br#"{"candidates":[{"content":{"role":"model","parts":[{"text":"hi","thought":true}]},"index":0}]}"#.to_vec()),
        Just(br#"{"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"AAEC"},"thoughtSignature":"s"}]},"finishReason":"STOP"}]}"#.to_vec()),
        Just(br#"{"error":{"code":503,"status":"UNAVAILABLE","message":"overloaded"}}"#.to_vec()),
        "[ -~é😀]{0,12}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    (any::<u8>(), proptest::collection::vec(piece, 0..24)).prop_map(|(seed, p)| {
        let mut v = vec![seed];
        v.extend(p.concat());
        v
    })
}

fn json_input() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        Just(serde_json::json!(null)),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "[a-zA-Z0-9+/=_ ]{0,8}".prop_map(serde_json::Value::from),
        // Expanded to a 70 KB run by the body: exercises the large-inline-data fast path.
        "@|x@y|@\\\\n|é@".prop_map(serde_json::Value::from),
    ];
    let keys = prop_oneof![
        Just("candidates"),
        Just("content"),
        Just("parts"),
        Just("text"),
        Just("inlineData"),
        Just("inline_data"),
        Just("data"),
        Just("mimeType"),
        Just("thought"),
        Just("thoughtSignature"),
        Just("finishReason"),
        Just("promptFeedback"),
        Just("blockReason"),
        Just("usageMetadata"),
        Just("groundingMetadata"),
        Just("groundingChunks"),
        Just("web"),
        Just("image"),
        Just("error"),
        Just("role"),
        Just("other"),
    ];
    let value = leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::vec((keys.clone(), inner), 0..5).prop_map(|kv| {
                serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    });
    (value, any::<u16>()).prop_map(|(v, cut)| {
        let mut s = serde_json::to_vec(&v).unwrap_or_default();
        // Sometimes cut the document short, as a dropped connection would.
        if cut % 4 == 0 && !s.is_empty() {
            s.truncate(cut as usize % s.len());
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_sse(data in prop_oneof![sse_input(), proptest::collection::vec(any::<u8>(), 0..256)]) {
        fuzz_bodies::sse(&data);
    }

    #[test]
    fn fuzz_response(data in prop_oneof![json_input(), proptest::collection::vec(any::<u8>(), 0..256)]) {
        fuzz_bodies::response(&data);
    }
}

/// Well-formed responses with `@` (inflated to 70 KB by the body) in the places large strings occur:
/// image data, unknown fields named `data`, strings with escapes, pretty-printed whitespace.
fn blob_response() -> impl Strategy<Value = Vec<u8>> {
    let part = prop_oneof![
        Just(r#"{"text": "hi"}"#.to_string()),
        Just(
            r#"{"inlineData": {"mimeType": "image/png", "data": "@"}, "thoughtSignature": "s"}"#
                .to_string()
        ),
        Just(
            r#"{"inlineData": {"mimeType": "image/png", "data" :  "@"}, "thought": true}"#
                .to_string()
        ),
        Just(
            r#"{"inlineData": {"data": "x@", "mimeType": "image/png", "extra": {"data": "y"}}}"#
                .to_string()
        ),
        Just(r#"{"text": "t", "other": {"data": "@"}}"#.to_string()),
        Just(r#"{"inlineData": {"mimeType": "image/png", "data": "@\/"}}"#.to_string()),
        Just(r#"{"inlineData": {"mimeType": "image/png", "data": "@é"}}"#.to_string()),
    ];
    (proptest::collection::vec(part, 1..4), any::<bool>()).prop_map(|(parts, pretty)| {
        let sep = if pretty { ",\n    " } else { "," };
        format!(r#"{{"candidates": [{{"content": {{"role": "model", "parts": [{}]}}, "finishReason": "STOP"}}]}}"#, parts.join(sep))
            .into_bytes()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases().min(512), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_response_large_inline_data(data in blob_response()) {
        fuzz_bodies::response(&data);
    }
}
