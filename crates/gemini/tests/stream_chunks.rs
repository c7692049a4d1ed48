//! A real SSE stream from the fake (thought text, two thought images, signed text and image), fed to the
//! parser and folder at random chunk boundaries (mid-line, mid-UTF-8, mid-base64, between CR and LF):
//! always the same events and the same folded response as the client's own streaming call.

mod common;

use std::sync::OnceLock;

use bytes::Bytes;
use common::*;
use gemini::sse::SseParser;
use gemini::stream::{StreamEvent, StreamFolder};
use proptest::prelude::*;
use serde_json::Value;

struct Captured {
    raw: Vec<u8>,
    folded: Value,
    events: Vec<StreamEvent>,
}

fn strip_id(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("responseId");
    }
    v
}

/// One raw stream body (fetched without the client) and the client's own result for the same request.
fn captured() -> &'static Captured {
    static C: OnceLock<Captured> = OnceLock::new();
    C.get_or_init(|| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let fake = fake().await;
            // Non-ASCII text so that cuts can fall inside multi-byte characters.
            let req = thinking_request("un plátano — 香蕉 🍌 on a plate");
            let raw = reqwest::Client::new()
                .post(format!(
                    "{}/v1beta/models/{FLASH}:streamGenerateContent?alt=sse",
                    fake.base_url()
                ))
                .header("x-goog-api-key", KEY)
                .json(&req)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
                .to_vec();
            let client = client_for(&fake);
            let mut events = Vec::new();
            let resp = client
                .stream_generate_content(FLASH, &req, &mut |e| events.push(e))
                .await
                .unwrap();
            Captured {
                raw,
                folded: strip_id(serde_json::to_value(resp).unwrap()),
                events,
            }
        })
    })
}

fn run(raw: &[u8], cuts: &[usize]) -> (Value, Vec<StreamEvent>) {
    let mut parser = SseParser::new();
    let mut folder = StreamFolder::new();
    let mut events = Vec::new();
    let mut out = Vec::new();
    let mut prev = 0;
    for &c in cuts.iter().chain([raw.len()].iter()) {
        parser.push(Bytes::copy_from_slice(&raw[prev..c]), &mut out);
        prev = c;
        for ev in out.drain(..) {
            folder
                .push_event_owned(ev.data, &mut |e| events.push(e))
                .unwrap();
        }
    }
    assert!(!parser.finish(&mut out), "nothing pending at the end");
    let resp = folder.finish().unwrap();
    (strip_id(serde_json::to_value(resp).unwrap()), events)
}

#[test]
fn the_captured_stream_is_rich_and_crlf_framed() {
    let c = captured();
    assert!(c.raw.windows(4).any(|w| w == b"\r\n\r\n"));
    assert!(
        c.events
            .iter()
            .filter(|e| matches!(e, StreamEvent::ThoughtImage { .. }))
            .count()
            >= 1
    );
    assert!(c
        .events
        .iter()
        .any(|e| matches!(e, StreamEvent::ThoughtText(_))));
    let (folded, events) = run(&c.raw, &[]);
    assert_eq!(folded, c.folded);
    assert_eq!(events, c.events);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_chunk_boundaries_give_the_same_events_and_response(cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..40)) {
        let c = captured();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|i| i.index(c.raw.len() + 1)).collect();
        cuts.sort_unstable();
        let (folded, events) = run(&c.raw, &cuts);
        prop_assert_eq!(folded, c.folded.clone());
        prop_assert_eq!(events, c.events.clone());
    }

    #[test]
    fn one_byte_chunks_around_the_line_ends(start in 0usize..4096) {
        // Dense cuts in a window: every byte boundary, including between \r and \n.
        let c = captured();
        let s = start % c.raw.len();
        let cuts: Vec<usize> = (s..(s + 64).min(c.raw.len())).collect();
        let (folded, _) = run(&c.raw, &cuts);
        prop_assert_eq!(folded, c.folded.clone());
    }
}
