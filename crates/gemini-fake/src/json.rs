//! JSON output with Google's field order.
//!
//! Google writes fields in proto field-number order: `{"mimeType": ..., "data": ...}`,
//! `{"content": ..., "finishReason": ..., "index": 0}`, `candidates` before `usageMetadata`.
//! serde_json's map is sorted alphabetically (no `preserve_order` in this workspace), which would put
//! `data` before `mimeType`; a client that scans a stream for the MIME type before the image bytes would
//! pass against the fake and fail against Google, or the reverse. So output is written here, keys ranked
//! by [`ORDER`] (unknown keys after, alphabetically).
//!
//! Scalars and strings go through `Value`'s `Display`, which serde_json compiles in its own optimised
//! crate: `serde_json::to_vec` is generic, so it would be compiled here, unoptimised in test builds, and
//! escapes a 25 MB 4K image string 18 times slower.

use serde_json::Value;

/// One total order over every key the fake writes; each message's fields appear in proto order.
const ORDER: &[&str] = &[
    "@type",
    "name",
    "version",
    "displayName",
    "description",
    // Model (the fields after description), ListModelsResponse
    "inputTokenLimit",
    "outputTokenLimit",
    "supportedGenerationMethods",
    "temperature",
    "topP",
    "topK",
    "maxTemperature",
    "thinking",
    "models",
    "nextPageToken",
    // GenerateContentResponse
    "candidates",
    "promptFeedback",
    "usageMetadata",
    "modelVersion",
    "responseId",
    // Candidate
    "content",
    "finishReason",
    "index",
    "finishMessage",
    "groundingMetadata",
    // Content, Part, Blob, FileData
    "parts",
    "role",
    "text",
    "inlineData",
    "fileData",
    "thought",
    "thoughtSignature",
    "mimeType",
    "data",
    "fileUri",
    // UsageMetadata
    "promptTokenCount",
    "candidatesTokenCount",
    "totalTokenCount",
    "promptTokensDetails",
    "candidatesTokensDetails",
    "thoughtsTokenCount",
    "modality",
    "tokenCount",
    // GroundingMetadata
    "searchEntryPoint",
    "renderedContent",
    "groundingChunks",
    "groundingSupports",
    "webSearchQueries",
    "imageSearchQueries",
    "web",
    "image",
    "uri",
    "sourceUri",
    "imageUri",
    "title",
    "domain",
    "segment",
    "startIndex",
    "endIndex",
    "groundingChunkIndices",
    // google.rpc.Status
    "error",
    "code",
    "message",
    "status",
    "details",
    // File
    "sizeBytes",
    "createTime",
    "updateTime",
    "expirationTime",
    "sha256Hash",
    "state",
    "source",
];

fn rank(key: &str) -> usize {
    ORDER.iter().position(|k| *k == key).unwrap_or(ORDER.len())
}

fn scalar(v: &Value, out: &mut Vec<u8>) {
    out.extend_from_slice(v.to_string().as_bytes());
}

fn newline(out: &mut Vec<u8>, indent: Option<usize>, depth: usize) {
    if let Some(step) = indent {
        out.push(b'\n');
        out.extend(std::iter::repeat_n(b' ', depth * step));
    }
}

fn write(v: &Value, out: &mut Vec<u8>, indent: Option<usize>, depth: usize) {
    match v {
        Value::Array(items) if !items.is_empty() => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                newline(out, indent, depth + 1);
                write(item, out, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push(b']');
        }
        Value::Object(map) if !map.is_empty() => {
            let mut fields: Vec<(&String, &Value)> = map.iter().collect();
            fields.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then_with(|| a.0.cmp(b.0)));
            out.push(b'{');
            for (i, (k, child)) in fields.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                newline(out, indent, depth + 1);
                scalar(&Value::String(k.clone()), out);
                out.push(b':');
                if indent.is_some() {
                    out.push(b' ');
                }
                write(child, out, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push(b'}');
        }
        // Strings (a 4K image is one 25 MB string), numbers, booleans, null, and empty containers.
        other => scalar(other, out),
    }
}

/// Compact JSON, keys in Google's order.
pub fn to_bytes(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write(v, &mut out, None, 0);
    out
}

/// Two-space indented JSON, as Google formats error bodies.
pub fn to_pretty(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write(v, &mut out, Some(2), 0);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn google_order_and_round_trip() {
        let v = json!({"inlineData": {"data": "AAAA", "mimeType": "image/png"}, "zeta": [1, {"b": null, "a": "x\"y"}], "e": {}});
        let s = String::from_utf8(super::to_bytes(&v)).unwrap();
        assert_eq!(
            s,
            r#"{"inlineData":{"mimeType":"image/png","data":"AAAA"},"e":{},"zeta":[1,{"a":"x\"y","b":null}]}"#
        );
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
        let pretty = String::from_utf8(super::to_pretty(
            &json!({"error": {"status": "X", "code": 400}}),
        ))
        .unwrap();
        assert_eq!(
            pretty,
            "{\n  \"error\": {\n    \"code\": 400,\n    \"status\": \"X\"\n  }\n}"
        );
    }
}
