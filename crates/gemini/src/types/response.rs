//! The `generateContent` response (also each event of a stream), and [`Outcome`], which tells apart the
//! ways an answer can come back without an image.
//!
//! Tolerant by design: every enum has an `Unknown` catch-all, every struct keeps unknown fields in
//! `extra`, and every field is optional, because the API adds fields and values without notice.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::content::{Content, Part};

/// A full answer, or one event of a stream.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateContentResponse {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Candidate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_feedback: Option<PromptFeedback>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_metadata: Option<UsageMetadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_id: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One candidate answer (image models return exactly one).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// The model turn: store and replay this whole value, never rebuild it from pieces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Content>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<FinishReason>,
    /// Human-readable reason, often set when no image came back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_message: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub safety_ratings: Vec<SafetyRating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grounding_metadata: Option<GroundingMetadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Why generation stopped (the google-genai 3.3 SDK's list). `Unknown` keeps new values parseable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FinishReason {
    FinishReasonUnspecified,
    Stop,
    MaxTokens,
    Safety,
    Recitation,
    Language,
    Other,
    Blocklist,
    ProhibitedContent,
    Spii,
    MalformedFunctionCall,
    ImageSafety,
    ImageProhibitedContent,
    ImageRecitation,
    ImageOther,
    NoImage,
    UnexpectedToolCall,
    MissingThoughtSignature,
    MalformedResponse,
    #[serde(other)]
    Unknown,
}

impl FinishReason {
    /// Plain-language explanation for the UI.
    pub fn explain(self) -> &'static str {
        match self {
            FinishReason::Stop | FinishReason::FinishReasonUnspecified => "the model finished",
            FinishReason::MaxTokens => "the answer hit the output token limit",
            FinishReason::Safety | FinishReason::ImageSafety => {
                "the output was withheld by safety filters"
            }
            FinishReason::ProhibitedContent | FinishReason::ImageProhibitedContent => {
                "the output was withheld as prohibited content"
            }
            FinishReason::Recitation | FinishReason::ImageRecitation => {
                "the output was withheld because it resembled existing material too closely"
            }
            FinishReason::NoImage => "the model returned no image; try rephrasing the prompt",
            FinishReason::ImageOther | FinishReason::Other => {
                "the model stopped for an unspecified reason"
            }
            FinishReason::Blocklist => "the output contained blocked terms",
            FinishReason::Spii => "the output contained sensitive personal information",
            FinishReason::MissingThoughtSignature => {
                "a replayed model turn lacked its thought signature"
            }
            FinishReason::MalformedResponse | FinishReason::MalformedFunctionCall => {
                "the model produced a malformed answer"
            }
            FinishReason::Language => "the language is not supported",
            FinishReason::UnexpectedToolCall => "the model made an unexpected tool call",
            FinishReason::Unknown => "the model stopped for a reason this app does not know",
        }
    }
}

/// A safety classifier verdict.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SafetyRating {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Feedback on the prompt; `blockReason` set means the prompt was refused and no candidate exists.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptFeedback {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_reason: Option<BlockReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_reason_message: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub safety_ratings: Vec<SafetyRating>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Why a prompt was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BlockReason {
    BlockReasonUnspecified,
    Safety,
    Other,
    Blocklist,
    ProhibitedContent,
    ImageSafety,
    #[serde(other)]
    Unknown,
}

impl BlockReason {
    /// The API's spelling, for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            BlockReason::BlockReasonUnspecified => "BLOCK_REASON_UNSPECIFIED",
            BlockReason::Safety => "SAFETY",
            BlockReason::Other => "OTHER",
            BlockReason::Blocklist => "BLOCKLIST",
            BlockReason::ProhibitedContent => "PROHIBITED_CONTENT",
            BlockReason::ImageSafety => "IMAGE_SAFETY",
            BlockReason::Unknown => "UNKNOWN",
        }
    }
}

/// Content modality, in `responseModalities` and per-modality token counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Modality {
    ModalityUnspecified,
    Text,
    Image,
    Audio,
    Video,
    Document,
    #[serde(other)]
    Unknown,
}

/// Token accounting. Thought tokens are billed whether or not thoughts are returned.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thoughts_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_content_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_use_prompt_token_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prompt_tokens_details: Vec<ModalityTokenCount>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates_tokens_details: Vec<ModalityTokenCount>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cache_tokens_details: Vec<ModalityTokenCount>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Tokens of one modality.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModalityTokenCount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modality: Option<Modality>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_count: Option<u64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Google Search grounding of a candidate; the UI must show `search_entry_point` and link sources.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroundingMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_entry_point: Option<SearchEntryPoint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grounding_chunks: Vec<GroundingChunk>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grounding_supports: Vec<GroundingSupport>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub web_search_queries: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_search_queries: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The required "Google Search" suggestions chip (HTML + CSS).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchEntryPoint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendered_content: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One grounding source: a web page or, for image search, an image and its landing page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroundingChunk {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<WebChunk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageChunk>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A web source.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebChunk {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An image-search source. Link the page (`source_uri`), not the image file (`image_uri`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageChunk {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Which text segment is backed by which chunks.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroundingSupport {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<Segment>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grounding_chunk_indices: Vec<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confidence_scores: Vec<f64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A span of generated text.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_index: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_index: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_index: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What an answer amounts to, so the UI can explain a missing image precisely.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// At least one final (non-thought) image came back.
    Image,
    /// The model answered with text only (`STOP`, no image): usually it asked a question or refused.
    TextOnly,
    /// A candidate came back without an image, with the reason (e.g. `IMAGE_SAFETY`, `NO_IMAGE`).
    NoImage {
        finish_reason: Option<FinishReason>,
        message: Option<String>,
    },
    /// The prompt itself was refused (`promptFeedback.blockReason`); there is no candidate.
    Blocked {
        reason: BlockReason,
        message: Option<String>,
    },
}

impl GenerateContentResponse {
    /// The first candidate's model turn, to show and to store for replay.
    pub fn content(&self) -> Option<&Content> {
        self.candidates.first().and_then(|c| c.content.as_ref())
    }

    /// Final (non-thought) image parts of the first candidate, in order; the last is the final render.
    pub fn images(&self) -> impl Iterator<Item = &Part> {
        self.content()
            .into_iter()
            .flat_map(|c| c.parts.iter())
            .filter(|p| p.is_image() && !p.is_thought())
    }

    /// Non-thought text of the first candidate.
    pub fn text(&self) -> String {
        self.content().map(Content::text).unwrap_or_default()
    }

    /// The prompt's block reason, when the prompt was refused outright.
    pub fn block_reason(&self) -> Option<BlockReason> {
        if !self.candidates.is_empty() {
            return None;
        }
        self.prompt_feedback.as_ref().and_then(|f| f.block_reason)
    }

    /// Classifies the answer: image, text only, no image (with the reason) or blocked prompt.
    pub fn outcome(&self) -> Outcome {
        if let Some(reason) = self.block_reason() {
            let message = self
                .prompt_feedback
                .as_ref()
                .and_then(|f| f.block_reason_message.clone());
            return Outcome::Blocked { reason, message };
        }
        let Some(candidate) = self.candidates.first() else {
            return Outcome::NoImage {
                finish_reason: None,
                message: None,
            };
        };
        if self.images().next().is_some() {
            return Outcome::Image;
        }
        let stopped_normally = matches!(candidate.finish_reason, None | Some(FinishReason::Stop));
        if stopped_normally && !self.text().is_empty() {
            return Outcome::TextOnly;
        }
        Outcome::NoImage {
            finish_reason: candidate.finish_reason,
            message: candidate.finish_message.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_enum_values_and_fields_are_tolerated() {
        let r: GenerateContentResponse = serde_json::from_value(json!({
            "candidates": [{"finishReason": "SOMETHING_NEW", "content": {"role": "model", "parts": []}, "newThing": 1}],
            "promptFeedback": {"blockReason": "NEW_REASON"},
            "usageMetadata": {"promptTokenCount": 3, "promptTokensDetails": [{"modality": "HOLOGRAM", "tokenCount": 3}]},
            "topLevelNew": true
        }))
        .unwrap();
        assert_eq!(r.candidates[0].finish_reason, Some(FinishReason::Unknown));
        assert_eq!(r.candidates[0].extra["newThing"], 1);
        assert_eq!(
            r.prompt_feedback.unwrap().block_reason,
            Some(BlockReason::Unknown)
        );
        assert_eq!(
            r.usage_metadata.unwrap().prompt_tokens_details[0].modality,
            Some(Modality::Unknown)
        );
        assert_eq!(r.extra["topLevelNew"], true);
    }

    #[test]
    fn parses_the_documented_example_fully() {
        let r: GenerateContentResponse = serde_json::from_value(json!({"candidates": [{
           "content": {"role": "model", "parts": [
             {"text": "**Planning**", "thought": true},
             {"inlineData": {"mimeType": "image/png", "data": "AAAA"}, "thought": true},
             {"text": "Here it is.", "thoughtSignature": "sig1"},
             {"inlineData": {"mimeType": "image/png", "data": "AQID"}, "thoughtSignature": "sig2"}]},
           "finishReason": "STOP", "index": 0,
           "groundingMetadata": {"searchEntryPoint": {"renderedContent": "<div/>"},
             "groundingChunks": [{"web": {"uri": "u", "title": "t", "domain": "d"}},
                                 {"image": {"sourceUri": "s", "imageUri": "i", "title": "t", "domain": "d"}}],
             "groundingSupports": [{"segment": {"startIndex": 0, "endIndex": 24, "text": "x"}, "groundingChunkIndices": [0]}],
             "webSearchQueries": ["q"], "imageSearchQueries": ["iq"]}}],
         "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 1120, "thoughtsTokenCount": 240,
           "totalTokenCount": 1372, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 12}],
           "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 1120}]},
         "modelVersion": "gemini-3.1-flash-image-preview", "responseId": "r1"}))
        .unwrap();
        assert_eq!(r.outcome(), Outcome::Image);
        assert_eq!(r.images().count(), 1);
        assert_eq!(
            r.images().next().unwrap().decode_inline().unwrap().unwrap(),
            vec![1, 2, 3]
        );
        assert_eq!(r.text(), "Here it is.");
        let g = r.candidates[0].grounding_metadata.as_ref().unwrap();
        assert_eq!(
            g.grounding_chunks[1]
                .image
                .as_ref()
                .unwrap()
                .image_uri
                .as_deref(),
            Some("i")
        );
        assert_eq!(g.image_search_queries, vec!["iq"]);
        let u = r.usage_metadata.as_ref().unwrap();
        assert_eq!(u.thoughts_token_count, Some(240));
        assert_eq!(
            u.candidates_tokens_details[0].modality,
            Some(Modality::Image)
        );
        assert_eq!(r.response_id.as_deref(), Some("r1"));
    }

    #[test]
    fn outcome_tells_missing_images_apart() {
        let blocked: GenerateContentResponse = serde_json::from_value(
            json!({"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}}),
        )
        .unwrap();
        assert!(matches!(
            blocked.outcome(),
            Outcome::Blocked {
                reason: BlockReason::ProhibitedContent,
                ..
            }
        ));
        let no_image: GenerateContentResponse = serde_json::from_value(json!({"candidates": [
            {"finishReason": "IMAGE_SAFETY", "finishMessage": "withheld"}]}))
        .unwrap();
        assert_eq!(
            no_image.outcome(),
            Outcome::NoImage {
                finish_reason: Some(FinishReason::ImageSafety),
                message: Some("withheld".into())
            }
        );
        let text: GenerateContentResponse = serde_json::from_value(json!({"candidates": [
            {"finishReason": "STOP", "content": {"role": "model", "parts": [{"text": "Which cat?"}]}}]})).unwrap();
        assert_eq!(text.outcome(), Outcome::TextOnly);
    }
}
