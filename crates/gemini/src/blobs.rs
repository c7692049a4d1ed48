//! Fast path for replies carrying large inline images (a 4K PNG is ~20 MB of base64 in one JSON string).
//!
//! serde_json scans such a string byte by byte for escapes and then copies it into a `String`; that costs
//! as much as decoding the image itself. Base64 never needs escaping, so this module finds each large
//! `"data": "..."` string with SIMD searches, checks it is plain printable ASCII, parses the small JSON
//! left around it (the string replaced by a placeholder), and puts the string back into the
//! `inlineData.data` field it came from. When the buffer is uniquely owned, the single large string
//! becomes the `String` in place (a memmove, no allocation), so the reply's bytes are never held twice.
//!
//! Any doubt falls back to the plain parse of the original bytes: a string with escapes or non-ASCII
//! bytes stays where it is, and unless every extracted string lands in exactly one `inlineData.data`
//! (not, say, in an unknown field) the fast result is discarded. The result is therefore always the
//! one the plain parse gives, which the unit tests check.

use bytes::Bytes;
use memchr::memmem;

use crate::error::Result;
use crate::types::GenerateContentResponse;

/// Strings shorter than this are not worth the detour.
const MIN_BLOB: usize = 64 * 1024;
/// Placeholder written into the small JSON: `\u0000` can never be base64, and the check below makes
/// sure no such text came from the reply itself.
const MARK_JSON: &str = "\\u0000gemini-blob-";
const MARK_VALUE: &str = "\u{0}gemini-blob-";

/// A string's content range in the buffer (between its quotes).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Span {
    start: usize,
    end: usize,
}

/// Parses a reply body, taking the fast path for large inline data.
pub(crate) fn parse_response_owned(buf: Bytes) -> Result<GenerateContentResponse> {
    let spans = find_blobs(&buf);
    if spans.is_empty() {
        return crate::client::parse_json(&buf);
    }
    match fast_parse(&buf, &spans) {
        Some(mut resp) => {
            let strings = take_strings(buf, &spans);
            if restore(&mut resp, strings) {
                return Ok(resp);
            }
            // Unreachable in practice (fast_parse checked the placement); the buffer was consumed, so
            // the caller cannot re-parse: report rather than guess.
            Err(crate::Error::malformed(
                "inline data could not be placed back",
                b"",
            ))
        }
        None => crate::client::parse_json(&buf),
    }
}

/// Large `"data"` string values: `"data"`, optional whitespace, `:`, optional whitespace, `"`, then at
/// least [`MIN_BLOB`] bytes without quote, backslash, control or non-ASCII bytes, then `"`.
fn find_blobs(buf: &[u8]) -> Vec<Span> {
    let mut spans = Vec::new();
    if buf.len() < MIN_BLOB {
        return spans;
    }
    let finder = memmem::Finder::new(b"\"data\"");
    let mut from = 0;
    while let Some(i) = finder.find(&buf[from..]) {
        let mut p = from + i + 6;
        from = p;
        p = skip_ws(buf, p);
        if buf.get(p) != Some(&b':') {
            continue;
        }
        p = skip_ws(buf, p + 1);
        if buf.get(p) != Some(&b'"') {
            continue;
        }
        let start = p + 1;
        let len = plain_run(&buf[start..]);
        let end = start + len;
        from = end;
        if buf.get(end) == Some(&b'"') && len >= MIN_BLOB {
            spans.push(Span { start, end });
            from = end + 1;
        }
        // Otherwise the string holds an escape or a non-ASCII byte: it stays with serde_json, and the
        // search goes on from there (a `"data"` key cannot occur inside a string: quotes are escaped).
    }
    spans
}

fn skip_ws(buf: &[u8], mut p: usize) -> usize {
    while matches!(buf.get(p), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        p += 1;
    }
    p
}

/// A byte a JSON string may hold unescaped that base64 could contain: printable ASCII except `"` and `\`.
fn is_plain(b: u8) -> bool {
    (b.wrapping_sub(0x20) < 0x5f) & (b != b'"') & (b != b'\\')
}

/// Length of the leading run of [`is_plain`] bytes. One pass, 64-byte blocks checked branch-free so the
/// compiler vectorizes them: this finds the closing quote and validates the content at once.
fn plain_run(s: &[u8]) -> usize {
    let mut done = 0;
    for block in s.chunks_exact(64) {
        if !block.iter().fold(true, |ok, &b| ok & is_plain(b)) {
            break;
        }
        done += 64;
    }
    done + s[done..]
        .iter()
        .position(|&b| !is_plain(b))
        .unwrap_or(s.len() - done)
}

/// Parses the buffer with each span replaced by a numbered placeholder. `None` if the reply itself
/// contains placeholder text, or the small JSON does not parse.
fn fast_parse(buf: &[u8], spans: &[Span]) -> Option<GenerateContentResponse> {
    let mut small = Vec::with_capacity(
        buf.len() - spans.iter().map(|s| s.end - s.start).sum::<usize>() + spans.len() * 32,
    );
    let mut prev = 0;
    for (n, s) in spans.iter().enumerate() {
        small.extend_from_slice(&buf[prev..s.start]);
        small.extend_from_slice(format!("{MARK_JSON}{n}").as_bytes());
        prev = s.end;
    }
    small.extend_from_slice(&buf[prev..]);
    if memmem::find_iter(&small, MARK_JSON.as_bytes()).count() != spans.len() {
        return None;
    }
    let mut resp: GenerateContentResponse = serde_json::from_slice(&small).ok()?;
    // Every placeholder must sit in exactly one inlineData.data; anything else means the plain parse.
    let mut seen = vec![false; spans.len()];
    for data in blob_data(&mut resp) {
        if let Some(n) = data
            .strip_prefix(MARK_VALUE)
            .and_then(|n| n.parse::<usize>().ok())
        {
            match seen.get_mut(n) {
                Some(s) if !*s => *s = true,
                _ => return None,
            }
        }
    }
    seen.iter().all(|s| *s).then_some(resp)
}

/// The span strings, owned. One span in a uniquely owned buffer becomes the string in place.
fn take_strings(buf: Bytes, spans: &[Span]) -> Vec<String> {
    if let [only] = spans {
        return match buf.try_into_mut() {
            Ok(mut whole) => {
                whole.truncate(only.end);
                let _ = whole.split_to(only.start);
                let v: Vec<u8> = whole.into();
                debug_assert!(v.is_ascii());
                // SAFETY: `find_blobs` admitted the span only if every byte is printable ASCII
                // (`plain_run`), and ASCII is valid UTF-8. Skipping a second 20 MB validation pass is
                // worth a tenth of the parse time.
                vec![unsafe { String::from_utf8_unchecked(v) }]
            }
            Err(shared) => spans_copied(&shared, spans),
        };
    }
    spans_copied(&buf, spans)
}

fn spans_copied(buf: &[u8], spans: &[Span]) -> Vec<String> {
    spans
        .iter()
        .map(|s| {
            buf.get(s.start..s.end)
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default()
        })
        .collect()
}

fn restore(resp: &mut GenerateContentResponse, mut strings: Vec<String>) -> bool {
    let mut placed = 0;
    for data in blob_data(resp) {
        if let Some(n) = data
            .strip_prefix(MARK_VALUE)
            .and_then(|n| n.parse::<usize>().ok())
        {
            if let Some(s) = strings.get_mut(n) {
                *data = std::mem::take(s);
                placed += 1;
            }
        }
    }
    placed == strings.len()
}

fn blob_data(resp: &mut GenerateContentResponse) -> impl Iterator<Item = &mut String> {
    resp.candidates
        .iter_mut()
        .filter_map(|c| c.content.as_mut())
        .flat_map(|c| c.parts.iter_mut())
        .filter_map(|p| p.inline_data.as_mut())
        .map(|b| &mut b.data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(n: usize, seed: u8) -> String {
        (0..n)
            .map(|i| {
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                    [(i + seed as usize) % 64] as char
            })
            .collect()
    }

    fn both(json: String) -> GenerateContentResponse {
        let plain = crate::client::parse_json::<GenerateContentResponse>(json.as_bytes()).unwrap();
        let fast = parse_response_owned(Bytes::from(json.into_bytes())).unwrap();
        assert_eq!(fast, plain);
        fast
    }

    #[test]
    fn one_large_image_is_placed_back_in_place() {
        let data = big(200_000, 0);
        let json = format!(
            r#"{{"candidates": [{{"content": {{"parts": [{{"text": "hi"}}, {{"inlineData": {{"mimeType": "image/png", "data" :  "{data}"}}, "thoughtSignature": "s"}}]}}, "finishReason": "STOP"}}]}}"#
        );
        assert_eq!(find_blobs(json.as_bytes()).len(), 1);
        let r = both(json);
        assert_eq!(
            r.images()
                .next()
                .unwrap()
                .inline_data
                .as_ref()
                .unwrap()
                .data,
            data
        );
    }

    #[test]
    fn several_images_and_a_shared_buffer() {
        let (a, b) = (big(70_000, 1), big(90_000, 2));
        let json = format!(
            r#"{{"candidates": [{{"content": {{"parts": [{{"inlineData": {{"mimeType": "image/png", "data": "{a}"}}, "thought": true}}, {{"inlineData": {{"mimeType": "image/png", "data": "{b}"}}}}]}}}}]}}"#
        );
        assert_eq!(find_blobs(json.as_bytes()).len(), 2);
        both(json.clone());
        let shared = Bytes::from(json.into_bytes());
        let keep = shared.clone();
        let r = parse_response_owned(shared).unwrap();
        assert_eq!(
            r.content().unwrap().parts[1]
                .inline_data
                .as_ref()
                .unwrap()
                .data,
            b
        );
        drop(keep);
    }

    #[test]
    fn strings_elsewhere_fall_back_to_the_plain_parse() {
        let data = big(100_000, 3);
        // A large "data" in an unknown field: extracted, not placed in a blob, so the plain parse runs.
        let json = format!(
            r#"{{"candidates": [{{"content": {{"parts": [{{"text": "x", "other": {{"data": "{data}"}}}}]}}}}]}}"#
        );
        let r = both(json);
        assert_eq!(
            r.content().unwrap().parts[0].extra["other"]["data"],
            data.as_str()
        );
        // Placeholder text inside the reply itself.
        let json = format!(
            r#"{{"candidates": [{{"content": {{"parts": [{{"inlineData": {{"mimeType": "a", "data": "\u0000gemini-blob-0"}}}}, {{"inlineData": {{"mimeType": "a", "data": "{data}"}}}}]}}}}]}}"#
        );
        both(json);
        // Escapes and control characters stay with serde_json.
        let json = format!(
            r#"{{"candidates": [{{"content": {{"parts": [{{"inlineData": {{"mimeType": "a", "data": "{data}\/"}}}}]}}}}]}}"#
        );
        assert!(find_blobs(json.as_bytes()).is_empty());
        both(json);
        let json = format!("{{\"candidates\": [{{\"content\": {{\"parts\": [{{\"inlineData\": {{\"mimeType\": \"a\", \"data\": \"{data}\u{1}\"}}}}]}}}}]}}");
        assert!(crate::client::parse_json::<GenerateContentResponse>(json.as_bytes()).is_err());
        assert!(parse_response_owned(Bytes::from(json.into_bytes())).is_err());
    }

    #[test]
    fn cut_replies_are_still_malformed() {
        let data = big(100_000, 4);
        let json = format!(
            r#"{{"candidates": [{{"content": {{"parts": [{{"inlineData": {{"mimeType": "image/png", "data": "{data}"#
        );
        assert!(matches!(
            parse_response_owned(Bytes::from(json.into_bytes())),
            Err(crate::Error::Malformed { .. })
        ));
    }
}
