//! The `generateContent` request body.
//!
//! Serialized camelCase (as responses are) with absent optionals left out: the API treats an explicit
//! `null` differently from a missing field in places, and the strict fake rejects fields it does not know.
//! Deserialization also accepts the snake_case spellings the REST API allows (`inline_data`,
//! `google_search`), so request JSON written either way (fixtures, stored requests) reads back typed.
//! Every struct keeps unknown fields in `extra`, so callers can send fields this crate does not model yet.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::content::Content;
use super::response::Modality;

/// `POST /v1beta/models/{model}:generateContent` body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateContentRequest {
    /// The whole history, alternating user and model turns, ending with a user turn.
    pub contents: Vec<Content>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "system_instruction"
    )]
    pub system_instruction: Option<Content>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Tool>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "safety_settings"
    )]
    pub safety_settings: Option<Vec<SafetySetting>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "generation_config"
    )]
    pub generation_config: Option<GenerationConfig>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl GenerateContentRequest {
    /// A request with one user turn made of `parts`.
    pub fn new(parts: impl IntoIterator<Item = super::content::Part>) -> Self {
        GenerateContentRequest {
            contents: vec![Content::user(parts)],
            ..Default::default()
        }
    }
}

/// A tool the model may use. Image models use only Google Search grounding.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "google_search"
    )]
    pub google_search: Option<GoogleSearch>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Tool {
    /// `{"googleSearch": {}}`: web search grounding (the API's default search type).
    pub fn google_search() -> Self {
        Tool {
            google_search: Some(GoogleSearch::default()),
            extra: Map::new(),
        }
    }

    /// Google Search with explicit search types (`imageSearch` exists only on 3.1 Flash Image).
    pub fn google_search_with(web: bool, image: bool) -> Self {
        Tool {
            google_search: Some(GoogleSearch {
                search_types: Some(SearchTypes {
                    web_search: web.then(WebSearch::default),
                    image_search: image.then(ImageSearch::default),
                    extra: Map::new(),
                }),
                extra: Map::new(),
            }),
            extra: Map::new(),
        }
    }
}

/// `googleSearch` tool settings; names as in google-genai (`search_types` → `searchTypes`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoogleSearch {
    /// Without it the API searches the web only.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "search_types"
    )]
    pub search_types: Option<SearchTypes>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Which searches to ground on: `{"webSearch": {}, "imageSearch": {}}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchTypes {
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "web_search")]
    pub web_search: Option<WebSearch>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "image_search"
    )]
    pub image_search: Option<ImageSearch>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Marker object `{}` enabling web search.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WebSearch {
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Marker object `{}` enabling image search.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ImageSearch {
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A safety threshold, e.g. `HARM_CATEGORY_HARASSMENT` / `BLOCK_ONLY_HIGH`. Strings rather than enums:
/// the API adds categories, and validating them is the API's job.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SafetySetting {
    pub category: String,
    pub threshold: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `generationConfig`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationConfig {
    /// Default text and image; `[IMAGE]` returns images only.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "response_modalities"
    )]
    pub response_modalities: Option<Vec<Modality>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "image_config"
    )]
    pub image_config: Option<ImageConfig>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "thinking_config"
    )]
    pub thinking_config: Option<ThinkingConfig>,
    /// Above 1 is refused by image models; variations are parallel calls.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "candidate_count"
    )]
    pub candidate_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "top_p")]
    pub top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "top_k")]
    pub top_k: Option<u32>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "max_output_tokens"
    )]
    pub max_output_tokens: Option<u32>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `imageConfig`. Plain strings on purpose: `"1K"` is valid and `"1k"` is not, and the API's own message
/// for a bad value is what the user should see, so the client does not pre-validate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageConfig {
    /// e.g. `"16:9"`; without it the output follows the input image's ratio, or is square.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "aspect_ratio"
    )]
    pub aspect_ratio: Option<String>,
    /// Exactly `"512"` (3.1 Flash only), `"1K"`, `"2K"` or `"4K"`; absent on 2.5 Flash Image.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "image_size")]
    pub image_size: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `thinkingConfig`. Gemini 3 image models always think; this only picks the level and whether thoughts
/// (text and interim images) are returned.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThinkingConfig {
    /// e.g. `"minimal"`/`"high"` (the API is case-insensitive here; the guide writes `"High"`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "thinking_level"
    )]
    pub thinking_level: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "include_thoughts"
    )]
    pub include_thoughts: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::content::Part;
    use serde_json::json;

    #[test]
    fn serializes_camel_case_without_absent_fields() {
        let req = GenerateContentRequest {
            contents: vec![Content::user([Part::text("a cat")])],
            tools: Some(vec![Tool::google_search_with(true, true)]),
            generation_config: Some(GenerationConfig {
                response_modalities: Some(vec![Modality::Text, Modality::Image]),
                image_config: Some(ImageConfig {
                    aspect_ratio: Some("16:9".into()),
                    image_size: Some("2K".into()),
                    ..Default::default()
                }),
                thinking_config: Some(ThinkingConfig {
                    thinking_level: Some("High".into()),
                    include_thoughts: Some(true),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({
                "contents": [{"role": "user", "parts": [{"text": "a cat"}]}],
                "tools": [{"googleSearch": {"searchTypes": {"webSearch": {}, "imageSearch": {}}}}],
                "generationConfig": {
                    "responseModalities": ["TEXT", "IMAGE"],
                    "imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"},
                    "thinkingConfig": {"thinkingLevel": "High", "includeThoughts": true}
                }
            })
        );
    }

    #[test]
    fn reads_snake_case_spellings() {
        let req: GenerateContentRequest = serde_json::from_value(json!({
            "contents": [{"role": "user", "parts": [{"inline_data": {"mime_type": "image/png", "data": "AA=="}}]}],
            "tools": [{"google_search": {}}],
            "generation_config": {"candidate_count": 1, "seed": 7, "temperature": 0.5}
        }))
        .unwrap();
        assert!(req.contents[0].parts[0].is_image());
        assert!(req.tools.unwrap()[0].google_search.is_some());
        let gc = req.generation_config.unwrap();
        assert_eq!(
            (gc.candidate_count, gc.seed, gc.temperature),
            (Some(1), Some(7), Some(0.5))
        );
    }
}
