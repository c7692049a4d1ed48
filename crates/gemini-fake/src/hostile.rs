//! Hostile replies, as a broken proxy or a wrong base URL would send them: a body far larger than any
//! answer, an error body that goes on and on, a stream of tiny events without end. They test that the
//! client stops reading at its bounds.
//!
//! Every body here is generated lazily, chunk by chunk, and is finite: its size comes from the test, so
//! the fake stops by itself even when a client reads all of it. Each chunk handed to the connection is
//! counted ([`crate::FakeGemini::hostile_bytes_sent`]), so a test can tell how far a client read before it
//! hung up (plus what the sockets buffer).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;

use crate::faults::Fault;

const CHUNK: usize = 64 * 1024;
static FILL: [u8; CHUNK] = [b'a'; CHUNK];

/// The response for a hostile fault, or `None` when `fault` is not one (or does not apply to this call:
/// an endless stream on `generateContent` is an ordinary answer). `stream` as in the server's `generate`.
pub fn response(counter: &Arc<AtomicU64>, fault: &Fault, stream: Option<bool>) -> Option<Response> {
    let sse = stream == Some(true);
    let (status, content_type, body) = match *fault {
        Fault::OversizedBody { bytes } if sse => {
            // Well-formed events of 64 KiB of thought text each, for as long as `bytes` lasts.
            let head = br#"data: {"candidates": [{"content": {"role": "model", "parts": [{"thought": true, "text": ""#;
            let tail = b"\"}]}, \"index\": 0}]}\r\n\r\n";
            let mut event = Vec::with_capacity(head.len() + CHUNK + tail.len());
            event.extend_from_slice(head);
            event.extend_from_slice(&FILL);
            event.extend_from_slice(tail);
            let event = Bytes::from(event);
            let n = bytes.div_ceil(event.len() as u64);
            (
                StatusCode::OK,
                "text/event-stream",
                repeat(counter, event, n),
            )
        }
        Fault::OversizedBody { bytes } => {
            // A JSON answer whose one text part never ends.
            let head = Bytes::from_static(
                br#"{"candidates": [{"content": {"role": "model", "parts": [{"text": ""#,
            );
            (
                StatusCode::OK,
                "application/json; charset=UTF-8",
                head_then_fill(counter, head, bytes),
            )
        }
        Fault::OversizedErrorBody { bytes } => {
            // Google's error shape with a debug detail that goes on past any bound.
            let head = Bytes::from_static(
                br#"{"error": {"code": 400, "message": "Request contains an invalid argument.", "status": "INVALID_ARGUMENT", "details": [{"@type": "type.googleapis.com/google.rpc.DebugInfo", "detail": ""#,
            );
            (
                StatusCode::BAD_REQUEST,
                "application/json; charset=UTF-8",
                head_then_fill(counter, head, bytes),
            )
        }
        Fault::EndlessStream { events } if sse => {
            let event = Bytes::from_static(
                b"data: {\"candidates\": [{\"content\": {\"role\": \"model\", \"parts\": [{\"text\": \"hmm \", \"thought\": true}]}, \"index\": 0}]}\r\n\r\n",
            );
            (
                StatusCode::OK,
                "text/event-stream",
                repeat(counter, event, events),
            )
        }
        _ => return None,
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Some(r)
}

/// `head`, then filler until the body is `total` bytes long.
fn head_then_fill(counter: &Arc<AtomicU64>, head: Bytes, total: u64) -> Body {
    let counter = Arc::clone(counter);
    let chunks = std::iter::once(head.clone()).chain(
        (0..total
            .saturating_sub(head.len() as u64)
            .div_ceil(CHUNK as u64))
            .map(move |i| {
                let left = total - head.len() as u64 - i * CHUNK as u64;
                Bytes::from_static(&FILL[..(left.min(CHUNK as u64)) as usize])
            }),
    );
    counted(counter, chunks)
}

/// `chunk`, `n` times.
fn repeat(counter: &Arc<AtomicU64>, chunk: Bytes, n: u64) -> Body {
    counted(Arc::clone(counter), (0..n).map(move |_| chunk.clone()))
}

/// A body of `chunks`, each counted when the connection takes it.
fn counted(counter: Arc<AtomicU64>, chunks: impl Iterator<Item = Bytes> + Send + 'static) -> Body {
    Body::from_stream(futures_util::stream::iter(chunks.map(move |c| {
        counter.fetch_add(c.len() as u64, Ordering::Relaxed);
        Ok::<_, std::io::Error>(c)
    })))
}

/// The frames of `images` interim thought images (tiny PNGs, each a distinct picture), to go before an
/// answer's own events.
pub fn thought_image_frames(images: u32) -> Vec<Bytes> {
    use base64::Engine as _;
    (0..images)
        .map(|i| {
            let png = crate::images::render_png(8, 8, u64::from(i));
            let data = base64::engine::general_purpose::STANDARD.encode(png);
            crate::sse::frame(&serde_json::json!({
                "candidates": [{"content": {"role": "model", "parts": [
                    {"inlineData": {"mimeType": "image/png", "data": data}, "thought": true}]}, "index": 0}]
            }))
        })
        .collect()
}
