//! Bounds on how much of a reply the client reads, and the readers that enforce them.
//!
//! A broken proxy or a wrong base URL can answer with a body that never ends; without a bound the process
//! grows by hundreds of MB a second. Every body is read chunk by chunk with a running count, and the read
//! stops at the bound with [`Error::ReplyTooLarge`]. `Content-Length` only lets a reply be refused early:
//! a server can lie about it or leave it out, so the count is what decides.

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt as _;

use crate::error::{Error, ReplyCap, Result};

const MIB: usize = 1 << 20;

/// How much the client reads of each kind of reply. The defaults fit any real answer with room to spare;
/// tests set small ones with [`crate::Client::with_reply_limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyLimits {
    /// A whole `generateContent` body. The catalogue's largest output is 12288×1536 (1:8 at 4K, 18.9
    /// million pixels); even as an uncompressed RGBA PNG that is 75.5 MB, 101 MB in base64, and a real 4K
    /// PNG is about 20 MB of base64. An answer carries the final image and up to two interim thought
    /// images; 256 MiB holds two worst-case images or a dozen real ones. (The 100 MB inline limit bounds
    /// requests; an answer never echoes the request's inline data.)
    pub generate_body: usize,
    /// Everything one stream sends, all events together: the same answer as `generate_body`.
    pub stream_total: usize,
    /// One SSE event: a worst-case image (101 MB of base64, above) plus its JSON, with room.
    pub stream_event: usize,
    /// Events in one stream. Text arrives in pieces of a few words, so a long answer with its thinking is
    /// hundreds of events; 20,000 is far past any real answer, and stops an endless trickle of tiny ones.
    pub stream_events: usize,
    /// A JSON resource (`models.list` page, `models.get`, a file's state): a full page of models is
    /// about 100 KB.
    pub json_body: usize,
    /// An error body. What fits is kept for the message; the rest is not read.
    pub error_body: usize,
}

impl Default for ReplyLimits {
    fn default() -> Self {
        ReplyLimits {
            generate_body: 256 * MIB,
            stream_total: 256 * MIB,
            stream_event: 128 * MIB,
            stream_events: 20_000,
            json_body: 8 * MIB,
            error_body: 64 * 1024,
        }
    }
}

/// The error for a reply past `limit` bytes.
pub(crate) fn too_large(what: &'static str, limit: usize) -> Error {
    Error::ReplyTooLarge {
        what,
        limit: ReplyCap::Bytes(limit as u64),
    }
}

/// Reads the whole body, refusing it once it passes `limit` bytes (before reading further).
pub(crate) async fn read_capped(
    resp: reqwest::Response,
    limit: usize,
    what: &'static str,
) -> Result<Bytes> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large(what, limit));
    }
    let mut body = resp.bytes_stream();
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| crate::client::body_cut(&e))?;
        total += chunk.len();
        if total > limit {
            return Err(too_large(what, limit));
        }
        chunks.push(chunk);
    }
    Ok(join(chunks, total))
}

/// Reads at most `limit` bytes of an error body and drops the rest unread. A body that breaks off gives
/// what arrived: the status alone still says what failed.
pub(crate) async fn read_prefix(resp: reqwest::Response, limit: usize) -> Bytes {
    let mut body = resp.bytes_stream();
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut total = 0usize;
    while let Some(Ok(mut chunk)) = body.next().await {
        let room = limit - total;
        if chunk.len() >= room {
            chunk.truncate(room);
            total += chunk.len();
            chunks.push(chunk);
            break;
        }
        total += chunk.len();
        chunks.push(chunk);
    }
    join(chunks, total)
}

/// One buffer of exactly `total` bytes; a body that came in one chunk is not copied.
fn join(mut chunks: Vec<Bytes>, total: usize) -> Bytes {
    if chunks.len() <= 1 {
        return chunks.pop().unwrap_or_default();
    }
    let mut out = BytesMut::with_capacity(total);
    for c in chunks {
        out.extend_from_slice(&c);
    }
    out.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_generate_cap_holds_two_worst_case_images_in_base64() {
        // The catalogue's largest output (12288×1536) as uncompressed RGBA, then base64.
        let worst = 12288usize * 1536 * 4;
        let b64 = worst.div_ceil(3) * 4;
        let l = ReplyLimits::default();
        assert!(l.stream_event > b64, "one event holds a worst-case image");
        assert!(l.generate_body >= 2 * b64 && l.stream_total >= 2 * b64);
        assert!(l.error_body < l.json_body && l.json_body < l.generate_body);
    }

    #[test]
    fn the_cap_reads_as_megabytes() {
        let e = too_large("a generated answer", 256 * MIB);
        let text = e.to_string();
        assert!(
            text.contains("more than 256 MB") && text.contains("base URL"),
            "{text}"
        );
    }
}
