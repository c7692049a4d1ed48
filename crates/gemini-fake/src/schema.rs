//! The request schema, checked field by field like Google's JSON front end does.
//!
//! The REST API parses bodies against the proto: any name it does not know is refused with
//! `Invalid JSON payload received. Unknown name "foo" at 'generation_config': Cannot find field.`, and a
//! value of the wrong type with `Invalid value at 'generation_config.candidate_count' (TYPE_INT32), "x"`.
//! Both camelCase and snake_case spellings of each field are accepted (proto JSON allows either; the
//! google-genai Python SDK even mixes them, e.g. `inlineData: {"mime_type": ...}`). [`normalize`] returns
//! the body with every known key rewritten to camelCase, so later checks look in one place only.
//! Fields the image models never use in an interesting way (function declarations, schemas) are `Any`:
//! their inside is not checked.

use serde_json::{Map, Value};

#[derive(Debug)]
pub enum Kind {
    Msg(&'static Msg),
    RepMsg(&'static Msg),
    Str,
    RepStr,
    Int,
    Num,
    Bool,
    /// base64 bytes; decoded (and refused if not base64) where they are used.
    Bytes,
    Enum(&'static Enum),
    RepEnum(&'static Enum),
    /// Free JSON (a `google.protobuf.Struct`, or a message the fake does not look into).
    Any,
}

#[derive(Debug)]
pub struct Msg {
    pub type_name: &'static str,
    pub fields: &'static [(&'static str, Kind)],
}

#[derive(Debug)]
pub struct Enum {
    pub type_name: &'static str,
    pub values: &'static [&'static str],
}

const PKG: &str = "type.googleapis.com/google.ai.generativelanguage.v1beta.";

pub static REQUEST: Msg = Msg {
    type_name: "GenerateContentRequest",
    fields: &[
        ("model", Kind::Str),
        ("contents", Kind::RepMsg(&CONTENT)),
        ("tools", Kind::RepMsg(&TOOL)),
        ("toolConfig", Kind::Any),
        ("safetySettings", Kind::RepMsg(&SAFETY_SETTING)),
        ("systemInstruction", Kind::Msg(&CONTENT)),
        ("generationConfig", Kind::Msg(&GENERATION_CONFIG)),
        ("cachedContent", Kind::Str),
        ("serviceTier", Kind::Str),
        ("store", Kind::Bool),
        ("labels", Kind::Any),
    ],
};

pub static CONTENT: Msg = Msg {
    type_name: "Content",
    fields: &[("role", Kind::Str), ("parts", Kind::RepMsg(&PART))],
};

pub static PART: Msg = Msg {
    type_name: "Part",
    fields: &[
        ("text", Kind::Str),
        ("inlineData", Kind::Msg(&BLOB)),
        ("fileData", Kind::Msg(&FILE_DATA)),
        ("functionCall", Kind::Any),
        ("functionResponse", Kind::Any),
        ("executableCode", Kind::Any),
        ("codeExecutionResult", Kind::Any),
        ("videoMetadata", Kind::Any),
        ("thought", Kind::Bool),
        ("thoughtSignature", Kind::Bytes),
        ("partMetadata", Kind::Any),
        ("mediaResolution", Kind::Any),
    ],
};

pub static BLOB: Msg = Msg {
    type_name: "Blob",
    fields: &[("mimeType", Kind::Str), ("data", Kind::Bytes)],
};

pub static FILE_DATA: Msg = Msg {
    type_name: "FileData",
    fields: &[("mimeType", Kind::Str), ("fileUri", Kind::Str)],
};

pub static MODALITY: Enum = Enum {
    type_name: "GenerationConfig.Modality",
    values: &["MODALITY_UNSPECIFIED", "TEXT", "IMAGE", "AUDIO"],
};

pub static MEDIA_RESOLUTION: Enum = Enum {
    type_name: "GenerationConfig.MediaResolution",
    values: &[
        "MEDIA_RESOLUTION_UNSPECIFIED",
        "MEDIA_RESOLUTION_LOW",
        "MEDIA_RESOLUTION_MEDIUM",
        "MEDIA_RESOLUTION_HIGH",
    ],
};

pub static THINKING_LEVEL: Enum = Enum {
    type_name: "ThinkingConfig.ThinkingLevel",
    values: &[
        "THINKING_LEVEL_UNSPECIFIED",
        "MINIMAL",
        "LOW",
        "MEDIUM",
        "HIGH",
    ],
};

pub static GENERATION_CONFIG: Msg = Msg {
    type_name: "GenerationConfig",
    fields: &[
        ("candidateCount", Kind::Int),
        ("stopSequences", Kind::RepStr),
        ("maxOutputTokens", Kind::Int),
        ("temperature", Kind::Num),
        ("topP", Kind::Num),
        ("topK", Kind::Int),
        ("seed", Kind::Int),
        ("presencePenalty", Kind::Num),
        ("frequencyPenalty", Kind::Num),
        ("responseLogprobs", Kind::Bool),
        ("logprobs", Kind::Int),
        ("responseMimeType", Kind::Str),
        ("responseSchema", Kind::Any),
        ("responseJsonSchema", Kind::Any),
        ("responseModalities", Kind::RepEnum(&MODALITY)),
        ("mediaResolution", Kind::Enum(&MEDIA_RESOLUTION)),
        ("enableEnhancedCivicAnswers", Kind::Bool),
        ("speechConfig", Kind::Any),
        ("thinkingConfig", Kind::Msg(&THINKING_CONFIG)),
        ("imageConfig", Kind::Msg(&IMAGE_CONFIG)),
    ],
};

pub static THINKING_CONFIG: Msg = Msg {
    type_name: "ThinkingConfig",
    fields: &[
        ("includeThoughts", Kind::Bool),
        ("thinkingBudget", Kind::Int),
        ("thinkingLevel", Kind::Enum(&THINKING_LEVEL)),
    ],
};

pub static IMAGE_CONFIG: Msg = Msg {
    type_name: "ImageConfig",
    fields: &[("aspectRatio", Kind::Str), ("imageSize", Kind::Str)],
};

pub static SAFETY_SETTING: Msg = Msg {
    type_name: "SafetySetting",
    fields: &[
        ("category", Kind::Enum(&HARM_CATEGORY)),
        ("threshold", Kind::Enum(&HARM_THRESHOLD)),
    ],
};

pub static HARM_CATEGORY: Enum = Enum {
    type_name: "HarmCategory",
    values: &[
        "HARM_CATEGORY_UNSPECIFIED",
        "HARM_CATEGORY_DEROGATORY",
        "HARM_CATEGORY_TOXICITY",
        "HARM_CATEGORY_VIOLENCE",
        "HARM_CATEGORY_SEXUAL",
        "HARM_CATEGORY_MEDICAL",
        "HARM_CATEGORY_DANGEROUS",
        "HARM_CATEGORY_HARASSMENT",
        "HARM_CATEGORY_HATE_SPEECH",
        "HARM_CATEGORY_SEXUALLY_EXPLICIT",
        "HARM_CATEGORY_DANGEROUS_CONTENT",
        "HARM_CATEGORY_CIVIC_INTEGRITY",
        "HARM_CATEGORY_IMAGE_HATE",
        "HARM_CATEGORY_IMAGE_DANGEROUS_CONTENT",
        "HARM_CATEGORY_IMAGE_HARASSMENT",
        "HARM_CATEGORY_IMAGE_SEXUALLY_EXPLICIT",
    ],
};

pub static HARM_THRESHOLD: Enum = Enum {
    type_name: "SafetySetting.HarmBlockThreshold",
    values: &[
        "HARM_BLOCK_THRESHOLD_UNSPECIFIED",
        "BLOCK_LOW_AND_ABOVE",
        "BLOCK_MEDIUM_AND_ABOVE",
        "BLOCK_ONLY_HIGH",
        "BLOCK_NONE",
        "OFF",
    ],
};

pub static TOOL: Msg = Msg {
    type_name: "Tool",
    fields: &[
        ("functionDeclarations", Kind::Any),
        ("googleSearchRetrieval", Kind::Any),
        ("codeExecution", Kind::Any),
        ("googleSearch", Kind::Msg(&GOOGLE_SEARCH)),
        ("urlContext", Kind::Any),
        ("computerUse", Kind::Any),
        ("fileSearch", Kind::Any),
        ("googleMaps", Kind::Any),
    ],
};

pub static GOOGLE_SEARCH: Msg = Msg {
    type_name: "Tool.GoogleSearch",
    fields: &[
        ("timeRangeFilter", Kind::Any),
        ("searchTypes", Kind::Msg(&SEARCH_TYPES)),
    ],
};

pub static SEARCH_TYPES: Msg = Msg {
    type_name: "SearchTypes",
    fields: &[
        ("webSearch", Kind::Msg(&EMPTY)),
        ("imageSearch", Kind::Msg(&EMPTY)),
    ],
};

pub static EMPTY: Msg = Msg {
    type_name: "Empty",
    fields: &[],
};

pub static COUNT_TOKENS_REQUEST: Msg = Msg {
    type_name: "CountTokensRequest",
    fields: &[
        ("contents", Kind::RepMsg(&CONTENT)),
        ("generateContentRequest", Kind::Msg(&REQUEST)),
    ],
};

pub static BATCH_REQUEST: Msg = Msg {
    type_name: "BatchGenerateContentRequest",
    fields: &[("batch", Kind::Msg(&BATCH))],
};

pub static BATCH: Msg = Msg {
    type_name: "GenerateContentBatch",
    fields: &[
        ("model", Kind::Str),
        ("name", Kind::Str),
        ("displayName", Kind::Str),
        ("inputConfig", Kind::Msg(&BATCH_INPUT)),
        ("priority", Kind::Int),
    ],
};

pub static BATCH_INPUT: Msg = Msg {
    type_name: "InputConfig",
    fields: &[
        ("fileName", Kind::Str),
        ("requests", Kind::Msg(&INLINED_REQUESTS)),
    ],
};

pub static INLINED_REQUESTS: Msg = Msg {
    type_name: "InlinedRequests",
    fields: &[("requests", Kind::RepMsg(&INLINED_REQUEST))],
};

pub static INLINED_REQUEST: Msg = Msg {
    type_name: "InlinedRequest",
    fields: &[("request", Kind::Msg(&REQUEST)), ("metadata", Kind::Any)],
};

/// `candidateCount` -> `candidate_count`: Google names fields in error paths by their proto names.
pub fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A JSON value shown the way Google quotes it in "Invalid value" messages.
fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 80 {
        let mut cut = 80;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}...", &s[..cut])
    } else {
        s
    }
}

/// Checks `value` against `msg`, returning it with camelCase keys, or every problem found (one message per
/// problem, in Google's wording) paired with the field path.
pub fn normalize(value: &Value, msg: &'static Msg) -> Result<Value, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let out = walk_msg(value, msg, "", &mut errors);
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

fn walk_msg(
    value: &Value,
    msg: &'static Msg,
    path: &str,
    errors: &mut Vec<(String, String)>,
) -> Value {
    let Some(obj) = value.as_object() else {
        let at = if path.is_empty() {
            String::new()
        } else {
            format!(" at '{path}'")
        };
        errors.push((
            path.to_string(),
            format!(
                "Invalid value{at} ({PKG}{}), {}",
                msg.type_name,
                shown(value)
            ),
        ));
        return Value::Null;
    };
    let mut out = Map::new();
    for (key, v) in obj {
        let found = msg
            .fields
            .iter()
            .find(|(name, _)| *name == key || snake(name) == *key);
        let Some((name, kind)) = found else {
            let msg = if path.is_empty() {
                format!("Invalid JSON payload received. Unknown name \"{key}\": Cannot find field.")
            } else {
                format!("Invalid JSON payload received. Unknown name \"{key}\" at '{path}': Cannot find field.")
            };
            errors.push((path.to_string(), msg));
            continue;
        };
        // proto JSON treats null as "not set".
        if v.is_null() {
            continue;
        }
        let field_path = join(path, &snake(name));
        if out.contains_key(*name) {
            // Both spellings of one field: proto JSON refuses the second.
            errors.push((
                path.to_string(),
                format!(
                    "Invalid JSON payload received. Duplicate field \"{key}\" at '{field_path}'."
                ),
            ));
            continue;
        }
        let nv = walk_kind(v, kind, &field_path, errors);
        out.insert((*name).to_string(), nv);
    }
    Value::Object(out)
}

fn walk_kind(v: &Value, kind: &Kind, path: &str, errors: &mut Vec<(String, String)>) -> Value {
    let bad = |errors: &mut Vec<(String, String)>, ty: &str| {
        errors.push((
            path.to_string(),
            format!("Invalid value at '{path}' ({ty}), {}", shown(v)),
        ));
        Value::Null
    };
    match kind {
        Kind::Msg(m) => walk_msg(v, m, path, errors),
        Kind::RepMsg(m) => match v.as_array() {
            Some(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, it)| walk_msg(it, m, &format!("{path}[{i}]"), errors))
                    .collect(),
            ),
            None => bad(errors, &format!("{PKG}{}", m.type_name)),
        },
        Kind::Str | Kind::Bytes => {
            if v.is_string() {
                v.clone()
            } else {
                bad(
                    errors,
                    if matches!(kind, Kind::Str) {
                        "TYPE_STRING"
                    } else {
                        "TYPE_BYTES"
                    },
                )
            }
        }
        Kind::RepStr => match v.as_array() {
            Some(items) if items.iter().all(Value::is_string) => v.clone(),
            _ => bad(errors, "TYPE_STRING"),
        },
        Kind::Int => {
            let ok = v.as_i64().is_some()
                || v.as_f64().is_some_and(|f| f.fract() == 0.0)
                || v.as_str().is_some_and(|s| s.parse::<i64>().is_ok());
            if ok {
                match v.as_str() {
                    Some(s) => s.parse::<i64>().map(Value::from).unwrap_or(Value::Null),
                    None => v.clone(),
                }
            } else {
                bad(errors, "TYPE_INT32")
            }
        }
        Kind::Num => {
            if v.is_number() || v.as_str().is_some_and(|s| s.parse::<f64>().is_ok()) {
                v.clone()
            } else {
                bad(errors, "TYPE_FLOAT")
            }
        }
        Kind::Bool => {
            if v.is_boolean() {
                v.clone()
            } else {
                bad(errors, "TYPE_BOOL")
            }
        }
        Kind::Enum(e) => enum_value(v, e, path, errors),
        Kind::RepEnum(e) => match v.as_array() {
            Some(items) => Value::Array(
                items
                    .iter()
                    .map(|it| enum_value(it, e, path, errors))
                    .collect(),
            ),
            None => bad(errors, &format!("{PKG}{}", e.type_name)),
        },
        Kind::Any => v.clone(),
    }
}

/// Enum names are matched case-insensitively (the guide itself sends `"thinkingLevel": "High"`), and
/// returned upper case; the enum's number is accepted too, as proto JSON allows.
fn enum_value(
    v: &Value,
    e: &'static Enum,
    path: &str,
    errors: &mut Vec<(String, String)>,
) -> Value {
    if let Some(s) = v.as_str() {
        if let Some(name) = e.values.iter().find(|n| n.eq_ignore_ascii_case(s)) {
            return Value::String((*name).to_string());
        }
    } else if let Some(n) = v.as_u64() {
        if let Some(name) = e.values.get(n as usize) {
            return Value::String((*name).to_string());
        }
    }
    errors.push((
        path.to_string(),
        format!(
            "Invalid value at '{path}' ({PKG}{}), {}",
            e.type_name,
            shown(v)
        ),
    ));
    Value::Null
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_field_message_names_the_path() {
        let body = json!({"contents": [], "generation_config": {"foo": 1}});
        let errs = normalize(&body, &REQUEST).unwrap_err();
        assert_eq!(
            errs[0].1,
            "Invalid JSON payload received. Unknown name \"foo\" at 'generation_config': Cannot find field."
        );
    }

    #[test]
    fn snake_and_camel_both_normalize_to_camel() {
        let body = json!({"contents": [{"parts": [{"inline_data": {"mime_type": "image/png", "data": "AA=="}}]}],
                          "generationConfig": {"image_config": {"aspectRatio": "1:1"}, "thinkingConfig": {"thinking_level": "High"}}});
        let n = normalize(&body, &REQUEST).unwrap();
        assert_eq!(
            n["contents"][0]["parts"][0]["inlineData"]["mimeType"],
            "image/png"
        );
        assert_eq!(n["generationConfig"]["imageConfig"]["aspectRatio"], "1:1");
        assert_eq!(
            n["generationConfig"]["thinkingConfig"]["thinkingLevel"],
            "HIGH"
        );
    }

    #[test]
    fn wrong_type_is_reported() {
        let body = json!({"generationConfig": {"candidateCount": "two"}});
        let errs = normalize(&body, &REQUEST).unwrap_err();
        assert_eq!(
            errs[0].1,
            "Invalid value at 'generation_config.candidate_count' (TYPE_INT32), \"two\""
        );
    }
}
