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
    out.extend_from_slice(&crate::json_bytes(event));
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
        out.extend_from_slice(&crate::json_bytes(e));
    }
    out.extend_from_slice(b"]");
    let mut resp = Response::new(Body::from(out));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    resp
}

/// A body that sends `chunks`, then drops the connection. The short pause lets hyper flush the status
/// line and the partial body first, so the client sees a 200 whose body is cut, not a refused request.
pub fn then_reset(chunks: Vec<Bytes>) -> Body {
    use futures_util::StreamExt as _;
    let reset = futures_util::stream::once(async {
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fake: connection cut",
        ))
    });
    Body::from_stream(futures_util::stream::iter(chunks.into_iter().map(Ok)).chain(reset))
}

/// The stream response for `events`, shaped by a stream fault if any.
pub fn response(events: &[Value], fault: Option<&Fault>) -> Response {
    let mut frames: Vec<Bytes> = events.iter().map(frame).collect();
    let mut cut = false;
    match fault {
        Some(Fault::MalformedBody) => {
            frames.truncate(1);
            frames.push(Bytes::from_static(
                b"data: {\"candidates\": [{\"content\": oops, not json}\r\n\r\n",
            ));
        }
        Some(Fault::TruncatedBody) => {
            if let Some(last) = frames.pop() {
                let keep = (last.len() / 2).max(7).min(last.len());
                let mut b = last.slice(..keep).to_vec();
                b.extend_from_slice(b"\r\n\r\n");
                frames.push(Bytes::from(b));
            }
        }
        Some(Fault::StreamErrorEvent) => {
            // Keep the events before the final image, then the error event.
            let idx = events
                .iter()
                .rposition(|e| {
                    e.pointer("/candidates/0/content/parts/0/inlineData")
                        .is_some()
                        && e.pointer("/candidates/0/content/parts/0/thought").is_none()
                })
                .unwrap_or(events.len().saturating_sub(1));
            frames.truncate(idx);
            let err = crate::error::ApiError::new(
                503,
                "UNAVAILABLE",
                "The model is overloaded. Please try again later.",
            );
            frames.push(frame(&err.body()));
        }
        Some(Fault::ThoughtImageFlood { images }) => {
            let mut flood = crate::hostile::thought_image_frames(*images);
            flood.append(&mut frames);
            frames = flood;
        }
        Some(Fault::StreamCutMidImage) => {
            // The event carrying the final (non-thought) image, else the last one.
            let idx = events
                .iter()
                .rposition(|e| {
                    e.pointer("/candidates/0/content/parts/0/inlineData")
                        .is_some()
                        && e.pointer("/candidates/0/content/parts/0/thought").is_none()
                })
                .unwrap_or(events.len().saturating_sub(1));
            frames.truncate(idx + 1);
            if let Some(last) = frames.pop() {
                frames.push(last.slice(..last.len() / 2));
            }
            cut = true;
        }
        _ => {}
    }
    let body = if cut {
        then_reset(frames)
    } else {
        Body::from_stream(futures_util::stream::iter(
            frames.into_iter().map(Ok::<_, std::io::Error>),
        ))
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}
