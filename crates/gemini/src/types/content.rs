//! `Content` and `Part`: the unit of conversation history, shared by requests and responses.
//!
//! A model turn must go back to the API exactly as it came (thought signatures are checked), so these
//! types are lossless: image data stays the base64 string that was received (decoded only on demand by
//! [`Part::decode_inline`]), signatures are opaque strings, and every field this crate does not model is
//! kept in an `extra` map and written back. [`Content::to_json`] / [`Content::from_json`] give the stored
//! form studio-core keeps in SQLite.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Role of a user turn.
pub const ROLE_USER: &str = "user";
/// Role of a model turn.
pub const ROLE_MODEL: &str = "model";

/// One turn of a conversation: a role and its parts, in order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    /// `"user"` or `"model"`; absent in `systemInstruction`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Parts in the order received. Left out when empty, as the API does for a candidate stopped before
    /// any output (`{"role": "model"}`), so such a content also replays value for value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// Fields this crate does not model, kept for byte-exact replay.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Content {
    /// A user turn from parts.
    pub fn user(parts: impl IntoIterator<Item = Part>) -> Self {
        Content {
            role: Some(ROLE_USER.into()),
            parts: parts.into_iter().collect(),
            extra: Map::new(),
        }
    }

    /// A model turn from parts (tests and fixtures; real model turns come from responses).
    pub fn model(parts: impl IntoIterator<Item = Part>) -> Self {
        Content {
            role: Some(ROLE_MODEL.into()),
            parts: parts.into_iter().collect(),
            extra: Map::new(),
        }
    }

    /// A role-less content, the shape `systemInstruction` takes.
    pub fn system(text: impl Into<String>) -> Self {
        Content {
            role: None,
            parts: vec![Part::text(text)],
            extra: Map::new(),
        }
    }

    /// The JSON this content is sent as. Storing this string and reading it back with
    /// [`Content::from_json`] gives a content that serializes to the very same bytes, which is how
    /// studio-core keeps model turns (with their thought signatures) for replay.
    pub fn to_json(&self) -> String {
        // Serializing plain strings, bools and serde_json values cannot fail.
        serde_json::to_string(self).expect("Content serializes infallibly")
    }

    /// Reads a content stored with [`Content::to_json`] (or any API JSON of a content).
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| {
            Error::malformed(format!("stored content is not valid: {e}"), json.as_bytes())
        })
    }

    /// Concatenated non-thought text of all parts.
    pub fn text(&self) -> String {
        self.parts
            .iter()
            .filter(|p| !p.is_thought())
            .filter_map(|p| p.text.as_deref())
            .collect()
    }
}

/// One part of a turn: text, an inline blob (image), a file reference, with thought markers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "inline_data"
    )]
    pub inline_data: Option<Blob>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "file_data")]
    pub file_data: Option<FileData>,
    /// `true` on the model's thoughts (text and interim images); those carry no signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thought: Option<bool>,
    /// Opaque, encrypted reasoning state. Must be sent back untouched, on the same part.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "thought_signature"
    )]
    pub thought_signature: Option<String>,
    /// Fields this crate does not model, kept for byte-exact replay.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Part {
    /// A text part.
    pub fn text(text: impl Into<String>) -> Self {
        Part {
            text: Some(text.into()),
            ..Default::default()
        }
    }

    /// An inline image (or other blob) part from raw bytes; encodes to base64 once, here.
    pub fn inline_bytes(mime_type: impl Into<String>, bytes: &[u8]) -> Self {
        Part {
            inline_data: Some(Blob {
                mime_type: mime_type.into(),
                data: base64::engine::general_purpose::STANDARD.encode(bytes),
                extra: Map::new(),
            }),
            ..Default::default()
        }
    }

    /// A reference to a file uploaded with the Files API ([`crate::FileInfo::uri`]).
    pub fn file(mime_type: impl Into<String>, file_uri: impl Into<String>) -> Self {
        Part {
            file_data: Some(FileData {
                mime_type: Some(mime_type.into()),
                file_uri: file_uri.into(),
                extra: Map::new(),
            }),
            ..Default::default()
        }
    }

    /// Whether the model marked this part as a thought.
    pub fn is_thought(&self) -> bool {
        self.thought == Some(true)
    }

    /// Whether this part is an inline image.
    pub fn is_image(&self) -> bool {
        self.inline_data
            .as_ref()
            .is_some_and(|b| b.mime_type.starts_with("image/"))
    }

    /// Decodes the inline data (lazily: responses keep the base64 text for replay).
    /// `None` when the part has no inline data.
    pub fn decode_inline(&self) -> Option<Result<Vec<u8>>> {
        self.inline_data.as_ref().map(Blob::decode)
    }

    /// A part that only carries text (no blob, file or unknown fields): the kind streaming splits up.
    pub(crate) fn is_plain_text(&self) -> bool {
        self.text.is_some()
            && self.inline_data.is_none()
            && self.file_data.is_none()
            && self.extra.is_empty()
    }
}

/// Inline bytes: `{"mimeType": "...", "data": "<base64>"}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Blob {
    #[serde(alias = "mime_type")]
    pub mime_type: String,
    /// Base64 exactly as received (or as encoded by [`Part::inline_bytes`]).
    pub data: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Blob {
    /// Decodes the base64 data. Google sends standard, padded base64; missing padding is tolerated.
    pub fn decode(&self) -> Result<Vec<u8>> {
        decode_base64(&self.data)
    }
}

/// Decodes standard base64, with or without padding.
pub(crate) fn decode_base64(data: &str) -> Result<Vec<u8>> {
    use base64::engine::{
        general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig,
    };
    const ENGINE: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    ENGINE.decode(data.as_bytes()).map_err(|e| {
        Error::malformed(
            format!("inline data is not valid base64: {e}"),
            data.as_bytes(),
        )
    })
}

/// A reference to an uploaded file: `{"mimeType": "...", "fileUri": "..."}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileData {
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "mime_type")]
    pub mime_type: Option<String>,
    #[serde(alias = "file_uri")]
    pub file_uri: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_round_trips_unknown_fields_and_signature() {
        let json = r#"{"inlineData":{"mimeType":"image/png","data":"iVBORw0K","future":1},"thoughtSignature":"c2ln/+==","videoMetadata":{"x":[1,2]}}"#;
        let part: Part = serde_json::from_str(json).unwrap();
        assert_eq!(part.thought_signature.as_deref(), Some("c2ln/+=="));
        assert_eq!(part.extra["videoMetadata"]["x"][1], 2);
        let back = serde_json::to_string(&part).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&back).unwrap(),
            serde_json::from_str::<Value>(json).unwrap()
        );
        assert_eq!(
            back, json,
            "field order matches the API's, so the bytes match too"
        );
    }

    #[test]
    fn stored_content_reserializes_to_identical_bytes() {
        let json = r#"{"role":"model","parts":[{"text":"a","thought":true},{"text":"b","thoughtSignature":"xyz","z":null}],"newField":{"k":"v"}}"#;
        let c = Content::from_json(json).unwrap();
        let stored = c.to_json();
        assert_eq!(Content::from_json(&stored).unwrap().to_json(), stored);
        assert_eq!(
            serde_json::from_str::<Value>(&stored).unwrap(),
            serde_json::from_str::<Value>(json).unwrap()
        );
    }

    #[test]
    fn decode_inline_tolerates_missing_padding_and_rejects_garbage() {
        let p = Part::inline_bytes("image/png", b"hello!!");
        assert_eq!(p.decode_inline().unwrap().unwrap(), b"hello!!");
        let mut unpadded = p.clone();
        unpadded.inline_data.as_mut().unwrap().data = "aGk".into();
        assert_eq!(unpadded.decode_inline().unwrap().unwrap(), b"hi");
        unpadded.inline_data.as_mut().unwrap().data = "!!!".into();
        assert!(matches!(
            unpadded.decode_inline().unwrap(),
            Err(Error::Malformed { .. })
        ));
        assert!(Part::text("x").decode_inline().is_none());
    }

    #[test]
    fn absent_optionals_are_not_sent() {
        assert_eq!(
            serde_json::to_string(&Part::text("hi")).unwrap(),
            r#"{"text":"hi"}"#
        );
        assert_eq!(
            serde_json::to_string(&Part::file("image/png", "https://x/files/a")).unwrap(),
            r#"{"fileData":{"mimeType":"image/png","fileUri":"https://x/files/a"}}"#
        );
    }
}
