//! Incremental Server-Sent Events framing (the WHATWG `text/event-stream` rules Gemini's `alt=sse` uses).
//!
//! Network chunks split the stream anywhere: mid-line, mid-UTF-8 character, mid-base64, between a CR and
//! its LF. The parser works on bytes, so nothing is decoded before a line is whole, and accepts LF, CRLF
//! and lone CR line ends, multi-line `data:` fields (joined with `\n`) and `:` comments.
//!
//! Memory matters: a 4K image arrives as one ~20 MB `data:` line. The unfinished line is kept as the list
//! of received chunks (refcounted [`Bytes`], no copy) and joined once, into an exact-size buffer, when its
//! end arrives; a line that arrived in one chunk is not copied at all. That keeps the peak at two copies of
//! the event, where a growing `Vec` would briefly hold three (old buffer, new buffer, parsed string).

use bytes::{Bytes, BytesMut};

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, when present (Gemini sends none).
    pub event: Option<String>,
    /// The `data:` lines, joined with `\n`.
    pub data: Bytes,
}

/// Streaming SSE parser: feed chunks with [`SseParser::push`], then call [`SseParser::finish`] at EOF.
#[derive(Debug, Default)]
pub struct SseParser {
    /// Pieces of the current unfinished line.
    line: Vec<Bytes>,
    line_len: usize,
    /// The previous chunk ended in CR: a LF starting the next chunk belongs to the same line end.
    skip_lf: bool,
    data: Option<Bytes>,
    event: Option<String>,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds a chunk; complete events are appended to `out` in order.
    pub fn push(&mut self, chunk: Bytes, out: &mut Vec<SseEvent>) {
        let mut pos = 0;
        if self.skip_lf && !chunk.is_empty() {
            self.skip_lf = false;
            if chunk[0] == b'\n' {
                pos = 1;
            }
        }
        while pos < chunk.len() {
            match memchr::memchr2(b'\n', b'\r', &chunk[pos..]) {
                None => {
                    self.line_len += chunk.len() - pos;
                    self.line.push(chunk.slice(pos..));
                    return;
                }
                Some(i) => {
                    let end = pos + i;
                    let piece = chunk.slice(pos..end);
                    let line = self.take_line(piece);
                    self.process_line(line, out);
                    pos = end + 1;
                    if chunk[end] == b'\r' {
                        if pos < chunk.len() {
                            if chunk[pos] == b'\n' {
                                pos += 1;
                            }
                        } else {
                            self.skip_lf = true;
                        }
                    }
                }
            }
        }
    }

    /// Bytes of the unfinished line and event held so far; lets the caller bound memory against a server
    /// that never ends a line.
    pub fn pending_len(&self) -> usize {
        self.line_len + self.data.as_ref().map_or(0, Bytes::len)
    }

    /// Convenience for tests and fuzzing: feeds a borrowed chunk (copies it).
    pub fn push_slice(&mut self, chunk: &[u8], out: &mut Vec<SseEvent>) {
        self.push(Bytes::copy_from_slice(chunk), out)
    }

    /// Ends the stream. An unterminated last line is processed and a pending event dispatched (lenient,
    /// like browsers are about the last line); whether its data is complete is for the JSON parser to say.
    /// Returns whether anything was pending, which tells a clean end from a cut.
    pub fn finish(&mut self, out: &mut Vec<SseEvent>) -> bool {
        let pending_line = !self.line.is_empty();
        if pending_line {
            let line = self.take_line(Bytes::new());
            self.process_line(line, out);
        }
        let pending_event = self.data.is_some();
        self.dispatch(out);
        self.skip_lf = false;
        pending_line || pending_event
    }

    /// Joins the stored pieces and `last` into one line; copies only if the line spans chunks.
    fn take_line(&mut self, last: Bytes) -> Bytes {
        if self.line.is_empty() {
            return last;
        }
        let mut buf = BytesMut::with_capacity(self.line_len + last.len());
        for piece in self.line.drain(..) {
            buf.extend_from_slice(&piece);
        }
        buf.extend_from_slice(&last);
        self.line_len = 0;
        buf.freeze()
    }

    fn process_line(&mut self, line: Bytes, out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line[0] == b':' {
            return; // comment
        }
        let (name, value) = match memchr::memchr(b':', &line) {
            Some(i) => {
                let start = if line.get(i + 1) == Some(&b' ') {
                    i + 2
                } else {
                    i + 1
                };
                (line.slice(..i), line.slice(start..))
            }
            None => (line.clone(), Bytes::new()),
        };
        match &name[..] {
            b"data" => {
                self.data = Some(match self.data.take() {
                    None => value,
                    Some(prev) => {
                        let mut buf = BytesMut::with_capacity(prev.len() + 1 + value.len());
                        buf.extend_from_slice(&prev);
                        buf.extend_from_slice(b"\n");
                        buf.extend_from_slice(&value);
                        buf.freeze()
                    }
                });
            }
            b"event" => self.event = Some(String::from_utf8_lossy(&value).into_owned()),
            _ => {} // id, retry and unknown fields do not matter here
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        let event = self.event.take();
        if let Some(data) = self.data.take() {
            out.push(SseEvent { event, data });
        }
    }
}

/// Parses a whole stream at once (tests, fuzzing, the benchmark's reference).
pub fn parse_all(stream: &[u8]) -> Vec<SseEvent> {
    let mut p = SseParser::new();
    let mut out = Vec::new();
    p.push_slice(stream, &mut out);
    p.finish(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn datas(events: &[SseEvent]) -> Vec<String> {
        events
            .iter()
            .map(|e| String::from_utf8(e.data.to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn crlf_lf_cr_comments_and_multiline_data() {
        let s = b": keep-alive\r\ndata: {\"a\":1}\r\n\r\ndata:x\ndata: y\n\nevent: e\rdata:  two spaces\r\r";
        let ev = parse_all(s);
        assert_eq!(datas(&ev), vec!["{\"a\":1}", "x\ny", " two spaces"]);
        assert_eq!(ev[2].event.as_deref(), Some("e"));
    }

    #[test]
    fn events_without_data_are_not_dispatched_and_finish_reports_a_cut() {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        p.push_slice(b"event: x\n\nid: 3\n\ndata: {\"cut", &mut out);
        assert!(out.is_empty());
        assert!(p.finish(&mut out));
        assert_eq!(datas(&out), vec!["{\"cut"]);
        let mut clean = SseParser::new();
        clean.push_slice(b"data: 1\r\n\r\n", &mut out);
        assert!(!clean.finish(&mut out));
    }

    #[test]
    fn a_line_in_one_chunk_is_not_copied() {
        let chunk = Bytes::from_static(b"data: hello\n\n");
        let mut p = SseParser::new();
        let mut out = Vec::new();
        p.push(chunk.clone(), &mut out);
        assert_eq!(out[0].data.as_ptr(), chunk[6..].as_ptr());
    }

    fn stream_strategy() -> impl Strategy<Value = Vec<u8>> {
        let line_end = prop_oneof![Just("\n"), Just("\r\n"), Just("\r")];
        let event = (
            proptest::collection::vec("[a-zA-Z0-9+/=é€😀\" ]{0,40}", 1..4),
            line_end.clone(),
            proptest::bool::ANY,
        )
            .prop_map(|(lines, end, comment)| {
                let mut s = String::new();
                if comment {
                    s.push_str(": ping");
                    s.push_str(end);
                }
                for l in lines {
                    s.push_str("data: ");
                    s.push_str(&l);
                    s.push_str(end);
                }
                s.push_str(end);
                s
            });
        proptest::collection::vec(event, 0..6).prop_map(|e| e.concat().into_bytes())
    }

    proptest! {
        #[test]
        fn chunk_boundaries_never_change_the_events(stream in stream_strategy(), cuts in proptest::collection::vec(0usize..10_000, 0..12)) {
            let whole = parse_all(&stream);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (stream.len() + 1)).collect();
            cuts.sort_unstable();
            let mut p = SseParser::new();
            let mut out = Vec::new();
            let mut prev = 0;
            for c in cuts.into_iter().chain([stream.len()]) {
                p.push_slice(&stream[prev..c], &mut out);
                prev = c;
            }
            prop_assert!(!p.finish(&mut out));
            prop_assert_eq!(out, whole);
        }
    }
}
