//! Server-sent events as `:streamGenerateContent?alt=sse` sends them: `data: {json}\r\n\r\n` per event,
//! and the stream faults (malformed event, truncated last event, connection cut mid-image).

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;

use crate::faults::Fault;

/// One event frame. The real API separates events with CRLF pairs.
pub fn frame(event: &Value) -> Bytes {
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(b"data: ");
    // Serializing a serde_json::Value cannot fail.
    out.extend_from_slice(&serde_json::to_vec(event).unwrap_or_default());
    out.extend_from_slice(b"\r\n\r\n");
    Bytes::from(out)
}

/// Without `alt=sse` the API streams one JSON array of the same responses instead of events.
pub fn json_array_response(events: &[Value]) -> Response {
    let mut out = Vec::from(&b"["[..]);
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\r\n");
        }
        out.extend_from_slice(&serde_json::to_vec(e).unwrap_or_default());
    }
    out.extend_from_slice(b"]");
    let mut resp = Response::new(Body::from(out));
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=UTF-8"));
    resp
}

/// The stream response for `events`, shaped by a stream fault if any.
pub fn response(events: &[Value], fault: Option<&Fault>) -> Response {
    let mut frames: Vec<Result<Bytes, std::io::Error>> = events.iter().map(|e| Ok(frame(e))).collect();
    match fault {
        Some(Fault::MalformedBody) => {
            frames.truncate(1);
            frames.push(Ok(Bytes::from_static(b"data: {\"candidates\": [{\"content\": oops, not json}\r\n\r\n")));
        }
        Some(Fault::TruncatedBody) => {
            if let Some(Ok(last)) = frames.pop() {
                let cut = (last.len() / 2).max(7);
                let mut b = last.slice(..cut.min(last.len())).to_vec();
                b.extend_from_slice(b"\r\n\r\n");
                frames.push(Ok(Bytes::from(b)));
            }
        }
        Some(Fault::StreamCutMidImage) => {
            // The event carrying the final (non-thought) image, else the last one.
            let idx = events
                .iter()
                .rposition(|e| {
                    e.pointer("/candidates/0/content/parts/0/inlineData").is_some()
                        && e.pointer("/candidates/0/content/parts/0/thought").is_none()
                })
                .unwrap_or(events.len().saturating_sub(1));
            frames.truncate(idx + 1);
            if let Some(Ok(last)) = frames.pop() {
                frames.push(Ok(last.slice(..last.len() / 2)));
                // An error item makes hyper abort the connection: the client sees a body cut short.
                frames.push(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fake: stream cut mid-image")));
            }
        }
        _ => {}
    }
    let body = Body::from_stream(futures_util::stream::iter(frames));
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}
