//! Turning `streamGenerateContent` events into caller events and one folded final response.
//!
//! Each SSE event is a partial [`GenerateContentResponse`]: text arrives in pieces, an image whole, and
//! `finishReason`/`usageMetadata` with the last event. Folding appends each candidate's parts in order and
//! glues a text piece onto the previous part when the stream merely split one text part in two: both
//! plain text, same thought-ness, and at most one of them carrying a thought signature (the signature
//! stays). Only the first part of an event is glued to the last part so far, since a split can only
//! happen at an event boundary; parts inside one event stay as the server sent them. The result equals
//! what the non-streaming call returns, signatures in place, so it can be stored and replayed the same.

use serde_json::Value;

use crate::error::{ApiError, Error, Result};
use crate::retry::RetryNotice;
use crate::types::{Candidate, Content, GenerateContentResponse, Part};

/// Something the caller can show while a stream runs.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// A piece of the model's thinking, as text.
    ThoughtText(String),
    /// An interim image the model drew while thinking (decoded bytes).
    ThoughtImage { mime_type: String, data: Vec<u8> },
    /// A piece of answer text.
    Text(String),
    /// A final image (decoded bytes); the folded response keeps the base64 for replay.
    Image { mime_type: String, data: Vec<u8> },
    /// The request failed before anything was shown and is being retried after `delay`.
    Retry(RetryNotice),
}

/// Accumulates a stream's events. Feed each SSE `data` payload to [`StreamFolder::push_event`].
#[derive(Debug, Default)]
pub struct StreamFolder {
    acc: GenerateContentResponse,
    events: usize,
    emitted: bool,
}

impl StreamFolder {
    /// An empty folder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether any content event reached the caller (after which a retry would repeat output).
    pub fn emitted(&self) -> bool {
        self.emitted
    }

    /// Parses one event payload, reports its parts, and folds it in. An `{"error": ...}` event (a
    /// failure after the stream started) becomes the matching [`Error`].
    pub fn push_event(
        &mut self,
        data: &[u8],
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
    ) -> Result<()> {
        let chunk = parse_event(data)?;
        self.push_parsed(chunk, on_event)
    }

    /// Like [`StreamFolder::push_event`], but takes the payload by value: a large image's base64 then
    /// becomes the part's string in place (see `blobs`), and the payload is gone before the image is
    /// decoded, so a 4K image never exists as payload, base64 string and decoded bytes at once.
    pub fn push_event_owned(
        &mut self,
        data: bytes::Bytes,
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
    ) -> Result<()> {
        let chunk = crate::blobs::parse_response_owned(data)?;
        self.push_parsed(chunk, on_event)
    }

    fn push_parsed(
        &mut self,
        mut chunk: GenerateContentResponse,
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
    ) -> Result<()> {
        if let Some(err) = chunk.extra.remove("error") {
            return Err(error_from_value(err));
        }
        self.events += 1;
        for cand in &chunk.candidates {
            for part in cand.content.iter().flat_map(|c| c.parts.iter()) {
                if let Some(ev) = event_for(part)? {
                    self.emitted = true;
                    on_event(ev);
                }
            }
        }
        fold(&mut self.acc, chunk);
        Ok(())
    }

    /// The folded response. A stream that carried no event, or candidates that never got a
    /// `finishReason`, was cut short between events.
    pub fn finish(self) -> Result<GenerateContentResponse> {
        if self.events == 0 {
            return Err(Error::malformed("the stream ended without any event", b""));
        }
        if !self.acc.candidates.is_empty()
            && self
                .acc
                .candidates
                .iter()
                .all(|c| c.finish_reason.is_none())
        {
            return Err(Error::malformed(
                "the stream ended before the answer was complete (no finishReason)",
                b"",
            ));
        }
        Ok(self.acc)
    }
}

fn parse_event(data: &[u8]) -> Result<GenerateContentResponse> {
    serde_json::from_slice(data).map_err(|e| {
        let detail = if e.is_eof() {
            "the stream was cut short in the middle of an event".to_string()
        } else {
            format!("a stream event is not a valid response: {e}")
        };
        Error::malformed(detail, data)
    })
}

fn error_from_value(err: Value) -> Error {
    let text = err.to_string();
    match serde_json::from_value::<ApiError>(err) {
        Ok(api) => api.into_error(200),
        Err(e) => Error::malformed(
            format!("a stream error event is not understood: {e}"),
            text.as_bytes(),
        ),
    }
}

fn event_for(part: &Part) -> Result<Option<StreamEvent>> {
    if let Some(blob) = &part.inline_data {
        if !blob.mime_type.starts_with("image/") {
            return Ok(None);
        }
        let data = blob.decode()?;
        let mime_type = blob.mime_type.clone();
        return Ok(Some(if part.is_thought() {
            StreamEvent::ThoughtImage { mime_type, data }
        } else {
            StreamEvent::Image { mime_type, data }
        }));
    }
    Ok(match &part.text {
        Some(t) if t.is_empty() => None,
        Some(t) if part.is_thought() => Some(StreamEvent::ThoughtText(t.clone())),
        Some(t) => Some(StreamEvent::Text(t.clone())),
        None => None,
    })
}

/// Folds one partial response into the accumulated one.
pub fn fold(acc: &mut GenerateContentResponse, chunk: GenerateContentResponse) {
    for cand in chunk.candidates {
        let pos = acc.candidates.iter().position(|c| c.index == cand.index);
        match pos {
            Some(i) => merge_candidate(&mut acc.candidates[i], cand),
            None => {
                let mut fresh = Candidate {
                    index: cand.index,
                    ..Default::default()
                };
                merge_candidate(&mut fresh, cand);
                acc.candidates.push(fresh);
            }
        }
    }
    if chunk.prompt_feedback.is_some() {
        acc.prompt_feedback = chunk.prompt_feedback;
    }
    if chunk.usage_metadata.is_some() {
        acc.usage_metadata = chunk.usage_metadata;
    }
    if chunk.model_version.is_some() {
        acc.model_version = chunk.model_version;
    }
    if chunk.response_id.is_some() {
        acc.response_id = chunk.response_id;
    }
    acc.extra.extend(chunk.extra);
}

fn merge_candidate(acc: &mut Candidate, c: Candidate) {
    if let Some(content) = c.content {
        let target = acc.content.get_or_insert_with(Content::default);
        if target.role.is_none() {
            target.role = content.role;
        }
        target.extra.extend(content.extra);
        let mut parts = content.parts.into_iter();
        if let Some(first) = parts.next() {
            let unglued = match target.parts.last_mut() {
                Some(last) => glue(last, first),
                None => Some(first),
            };
            target.parts.extend(unglued);
        }
        target.parts.extend(parts);
    }
    if c.finish_reason.is_some() {
        acc.finish_reason = c.finish_reason;
    }
    if c.finish_message.is_some() {
        acc.finish_message = c.finish_message;
    }
    if !c.safety_ratings.is_empty() {
        acc.safety_ratings = c.safety_ratings;
    }
    if c.grounding_metadata.is_some() {
        acc.grounding_metadata = c.grounding_metadata;
    }
    acc.extra.extend(c.extra);
}

/// Appends `next` to `last` if the stream split one text part; otherwise hands `next` back.
fn glue(last: &mut Part, next: Part) -> Option<Part> {
    let same_kind =
        last.is_plain_text() && next.is_plain_text() && last.is_thought() == next.is_thought();
    let signatures_fit = last.thought_signature.is_none() || next.thought_signature.is_none();
    if !(same_kind && signatures_fit) {
        return Some(next);
    }
    if let (Some(t), Some(more)) = (last.text.as_mut(), next.text) {
        t.push_str(&more);
    }
    if last.thought_signature.is_none() {
        last.thought_signature = next.thought_signature;
    }
    if last.thought.is_none() {
        last.thought = next.thought;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn push(f: &mut StreamFolder, v: Value, seen: &mut Vec<StreamEvent>) -> Result<()> {
        f.push_event(v.to_string().as_bytes(), &mut |e| seen.push(e))
    }

    #[test]
    fn folds_split_text_and_keeps_signatures_and_images() {
        let mut f = StreamFolder::new();
        let mut seen = Vec::new();
        let evs = [
            json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "Plan", "thought": true}]}, "index": 0}]}),
            json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "ning", "thought": true}]}, "index": 0}]}),
            json!({"candidates": [{"content": {"role": "model", "parts": [{"inlineData": {"mimeType": "image/png", "data": "AAE="}, "thought": true}]}, "index": 0}]}),
            json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "Here ", "thoughtSignature": "s1"}]}, "index": 0}]}),
            json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "it is."}]}, "index": 0}]}),
            json!({"candidates": [{"content": {"role": "model", "parts": [{"inlineData": {"mimeType": "image/png", "data": "AQID"}, "thoughtSignature": "s2"}]}, "index": 0}]}),
            json!({"candidates": [{"content": {"role": "model", "parts": [{"text": ""}]}, "finishReason": "STOP", "index": 0}],
                   "usageMetadata": {"totalTokenCount": 9}, "modelVersion": "m", "responseId": "r"}),
        ];
        for e in evs {
            push(&mut f, e, &mut seen).unwrap();
        }
        assert!(f.emitted());
        let got = serde_json::to_value(f.finish().unwrap()).unwrap();
        assert_eq!(
            got,
            json!({"candidates": [{"content": {"role": "model", "parts": [
                {"text": "Planning", "thought": true},
                {"inlineData": {"mimeType": "image/png", "data": "AAE="}, "thought": true},
                {"text": "Here it is.", "thoughtSignature": "s1"},
                {"inlineData": {"mimeType": "image/png", "data": "AQID"}, "thoughtSignature": "s2"},
                {"text": ""}]}, "finishReason": "STOP", "index": 0}],
             "usageMetadata": {"totalTokenCount": 9}, "modelVersion": "m", "responseId": "r"})
        );
        assert_eq!(
            seen,
            vec![
                StreamEvent::ThoughtText("Plan".into()),
                StreamEvent::ThoughtText("ning".into()),
                StreamEvent::ThoughtImage {
                    mime_type: "image/png".into(),
                    data: vec![0, 1]
                },
                StreamEvent::Text("Here ".into()),
                StreamEvent::Text("it is.".into()),
                StreamEvent::Image {
                    mime_type: "image/png".into(),
                    data: vec![1, 2, 3]
                },
            ]
        );
    }

    #[test]
    fn two_signed_text_parts_stay_apart() {
        let mut acc = GenerateContentResponse::default();
        for sig in ["a", "b"] {
            let chunk = serde_json::from_value(json!({"candidates": [{"content": {"parts": [{"text": sig, "thoughtSignature": sig}]}}]})).unwrap();
            fold(&mut acc, chunk);
        }
        assert_eq!(acc.candidates[0].content.as_ref().unwrap().parts.len(), 2);
    }

    #[test]
    fn error_events_and_cuts_are_errors() {
        let mut f = StreamFolder::new();
        let e = push(
            &mut f,
            json!({"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}),
            &mut Vec::new(),
        );
        assert_eq!(e, Err(Error::Overloaded));
        let cut = f.push_event(br#"{"candidates": [{"content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": "AAAA"#, &mut |_| {});
        assert!(
            matches!(cut, Err(Error::Malformed { ref detail, .. }) if detail.contains("cut short")),
            "{cut:?}"
        );
        assert!(matches!(
            StreamFolder::new().finish(),
            Err(Error::Malformed { .. })
        ));
        let mut unfinished = StreamFolder::new();
        push(
            &mut unfinished,
            json!({"candidates": [{"content": {"parts": [{"text": "a"}]}}]}),
            &mut Vec::new(),
        )
        .unwrap();
        assert!(matches!(unfinished.finish(), Err(Error::Malformed { .. })));
    }

    #[test]
    fn blocked_prompt_folds_without_candidates() {
        let mut f = StreamFolder::new();
        push(&mut f, json!({"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}, "usageMetadata": {"promptTokenCount": 4}}), &mut Vec::new()).unwrap();
        let r = f.finish().unwrap();
        assert!(r.block_reason().is_some());
    }
}
