#![allow(dead_code)] // each fuzz target uses one of the bodies
//! The fuzz bodies, shared by the `cargo fuzz` targets (`fuzz/fuzz_targets/*.rs`, which include this file)
//! and by the bounded proptest fallback (`tests/fuzz_fallback.rs`), so both check the same properties.
//! Each body must never panic on any input; it panics only when a property is broken.

use gemini::sse::{parse_all, SseParser};
use gemini::stream::StreamFolder;

/// SSE framing: splitting the input at arbitrary points (derived from its first bytes) never changes
/// the events, and folding whatever the events hold never panics.
pub fn sse(data: &[u8]) {
    let (seed, stream) = match data.split_first() {
        Some((s, rest)) => (*s as usize, rest),
        None => return,
    };
    let whole = parse_all(stream);
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    let mut pos = 0;
    let mut step = seed % 17 + 1;
    while pos < stream.len() {
        let end = (pos + step).min(stream.len());
        parser.push_slice(&stream[pos..end], &mut events);
        pos = end;
        step = (step * 7 + seed) % 23 + 1;
    }
    parser.finish(&mut events);
    assert_eq!(events, whole, "chunking changed the events");
    let mut folder = StreamFolder::new();
    for ev in events {
        if folder.push_event(&ev.data, &mut |_| {}).is_err() {
            return;
        }
    }
    let _ = folder.finish();
}

/// Response parsing: any bytes give `Ok` or an error (never a panic); what parses re-serializes to JSON
/// that parses back to the same value (lossless), and its helpers never panic.
pub fn response(data: &[u8]) {
    let _ = gemini::Error::from_http(400, data);
    let _ = gemini::Error::from_http(429, data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(c) = gemini::Content::from_json(text) {
            let stored = c.to_json();
            let again = gemini::Content::from_json(&stored).expect("stored content reads back");
            assert_eq!(again.to_json(), stored, "stored content is not stable");
        }
    }
    // The fast path for large inline data must agree with the plain parse, error or not.
    let plain = gemini::parse_response(data);
    let fast = gemini::parse_response_bytes(data.to_vec().into());
    assert_eq!(plain.is_ok(), fast.is_ok(), "fast and plain parse disagree");
    if let (Ok(p), Ok(f)) = (&plain, &fast) {
        assert_eq!(p, f, "fast and plain parse disagree");
    }
    // Again with each `@` (up to three) blown up to a 70 KB base64-like run, so the fast path's
    // extraction is exercised wherever the fuzzer puts it (inlineData, unknown fields, next to escapes).
    if data.iter().filter(|&&b| b == b'@').count() <= 3 && data.contains(&b'@') {
        let mut inflated = Vec::with_capacity(data.len() + 3 * 70_000);
        for &b in data {
            if b == b'@' {
                inflated.extend((0..70_000).map(|i| {
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i % 64]
                }));
            } else {
                inflated.push(b);
            }
        }
        let plain = gemini::parse_response(&inflated);
        let fast = gemini::parse_response_bytes(inflated.into());
        assert_eq!(
            plain.is_ok(),
            fast.is_ok(),
            "fast and plain parse disagree on large strings"
        );
        if let (Ok(p), Ok(f)) = (&plain, &fast) {
            assert_eq!(p, f, "fast and plain parse disagree on large strings");
        }
    }
    let Ok(resp) = plain else { return };
    let _ = resp.outcome();
    let _ = resp.text();
    for part in resp
        .candidates
        .iter()
        .filter_map(|c| c.content.as_ref())
        .flat_map(|c| &c.parts)
    {
        let _ = part.decode_inline();
    }
    let first = serde_json::to_string(&resp).expect("responses serialize");
    let back = gemini::parse_response(first.as_bytes()).expect("a serialized response parses back");
    assert_eq!(
        serde_json::to_string(&back).expect("responses serialize"),
        first,
        "response round trip is lossy"
    );
}
