//! Semantic checks of a generate request, after [`crate::schema`] has accepted its shape.
//!
//! Everything a real image model refuses is refused here with a 400 in Google's shape: a history that does
//! not alternate or end with a user turn, parts without data, unsupported MIME types, bad base64, an inline
//! payload over 100 MB, too many input images, video on a model without video input, an image size,
//! aspect ratio, thinking level or search type the model lacks, image output from a text model, more than
//! one candidate, and replayed model turns whose thought signatures are missing, altered, moved or minted
//! by another model. What survives becomes a [`GenRequest`], the few facts the answer is built from.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::files::FileStore;
use crate::models::ModelSpec;
use crate::signatures::{self, Signed, Verdict};

/// Google's limit on the inline data of one request: 100 MB since 2026-01-08 (20 MB before). Counted in
/// MiB, as the 20 MB limit was, so the number in the message stays in the same unit.
pub const INLINE_LIMIT: usize = 100 * 1024 * 1024;

/// Accepted input MIME types for images; `text/plain` is accepted as a document.
const IMAGE_MIMES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/heic",
    "image/heif",
];

/// Video MIME types the Gemini API takes as input (its video-understanding guide, plus
/// `video/quicktime`, the registered type of `.mov`). Accepted only on models with `videoInput`.
const VIDEO_MIMES: &[&str] = &[
    "video/mp4",
    "video/mpeg",
    "video/mpg",
    "video/mov",
    "video/quicktime",
    "video/avi",
    "video/x-flv",
    "video/webm",
    "video/wmv",
    "video/3gpp",
];

/// Google's answer to a replayed signature minted by another model (or not by Google at all).
pub const FOREIGN_SIGNATURE: &str =
    "Unable to submit request because Thought signature is not valid.";

/// Signatures Google documents as "skip validation" markers, for histories built by hand or taken from
/// another model (Gemini 3 thought signatures guide).
const SKIP_SIGNATURES: &[&str] = &[
    "context_engineering_is_the_way_to_go",
    "skip_thought_signature_validator",
];

const DATA_FIELDS: &[&str] = &[
    "text",
    "inlineData",
    "fileData",
    "functionCall",
    "functionResponse",
    "executableCode",
    "codeExecutionResult",
];

/// The facts of a valid request that shape the answer.
#[derive(Debug, Clone)]
pub struct GenRequest {
    pub model: ModelSpec,
    pub ratio: String,
    pub size_index: usize,
    pub width: u32,
    pub height: u32,
    pub include_thoughts: bool,
    pub want_text: bool,
    pub want_image: bool,
    pub web_search: bool,
    pub image_search: bool,
    /// The text of the last user turn: markers are read from it, and the picture is seeded by it.
    pub prompt: String,
    pub prompt_text_tokens: u32,
    pub prompt_images: u32,
    pub prompt_videos: u32,
    pub seed: u64,
}

fn is_image_mime(m: &str) -> bool {
    IMAGE_MIMES.contains(&m)
}

pub fn is_video_mime(m: &str) -> bool {
    VIDEO_MIMES.contains(&m)
}

/// A video part on a model that takes none.
fn no_video(mname: &str, mime: &str) -> ApiError {
    ApiError::invalid(format!(
        "Video input is not supported for {mname}: {mime} parts are only accepted by models that take \
         video input."
    ))
}

/// `{base}/v1beta/files/abc`, `files/abc` or any URL ending in `files/abc` -> `abc`.
pub fn file_id(uri: &str) -> Option<&str> {
    let idx = uri.rfind("files/")?;
    let id = &uri[idx + 6..];
    let id = id.split(['?', '#']).next().unwrap_or(id);
    (!id.is_empty()).then_some(id)
}

fn missing_field(path: &str, what: &str) -> ApiError {
    ApiError::bad_field(path, format!("* GenerateContentRequest.{path}: {what}\n"))
}

/// Validates a normalized (camelCase) request body for `model`.
pub fn validate(
    body: &Value,
    model: ModelSpec,
    secret: &[u8],
    files: &FileStore,
) -> ApiResult<GenRequest> {
    let empty = Vec::new();
    let contents = body
        .get("contents")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    if contents.is_empty() {
        return Err(missing_field("contents", "contents is not specified"));
    }

    // Shape of every turn and part.
    for (ci, content) in contents.iter().enumerate() {
        let parts = content
            .get("parts")
            .and_then(Value::as_array)
            .unwrap_or(&empty);
        if parts.is_empty() {
            return Err(missing_field(
                &format!("contents[{ci}].parts"),
                "contents.parts must not be empty.",
            ));
        }
        for (pi, part) in parts.iter().enumerate() {
            let set: Vec<&&str> = DATA_FIELDS
                .iter()
                .filter(|f| part.get(**f).is_some())
                .collect();
            if set.is_empty() {
                return Err(missing_field(
                    &format!("contents[{ci}].parts[{pi}].data"),
                    "required oneof field 'data' must have one initialized field",
                ));
            }
            if set.len() > 1 {
                return Err(ApiError::bad_field(
                    &format!("contents[{ci}].parts[{pi}]"),
                    format!(
                        "Invalid JSON payload received. Oneof field 'data' is already set. Cannot set '{}'",
                        set[1]
                    ),
                ));
            }
        }
    }

    // Roles: user and model only, alternating, ending with the user.
    let roles: Vec<&str> = contents
        .iter()
        .map(|c| {
            c.get("role")
                .and_then(Value::as_str)
                .filter(|r| !r.is_empty())
                .unwrap_or("user")
        })
        .collect();
    if roles.iter().any(|r| *r != "user" && *r != "model") {
        return Err(ApiError::invalid("Please use a valid role: user, model."));
    }
    if roles.windows(2).any(|w| w[0] == w[1]) || roles.first() != Some(&"user") {
        return Err(ApiError::invalid(
            "Please ensure that multiturn requests alternate between user and model.",
        ));
    }
    if roles.last() != Some(&"user") {
        return Err(ApiError::invalid(
            "Please ensure that the last turn is a user turn: a request must end with the user's message.",
        ));
    }

    let gc = body.get("generationConfig").cloned().unwrap_or(Value::Null);
    let mname = format!("models/{}", model.id);

    if gc
        .get("candidateCount")
        .and_then(Value::as_i64)
        .is_some_and(|n| n > 1)
    {
        return Err(ApiError::invalid(format!(
            "Multiple candidates is not enabled for {mname}"
        )));
    }

    // Modalities.
    let modalities: Vec<&str> = gc
        .get("responseModalities")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|m| *m != "MODALITY_UNSPECIFIED")
                .collect()
        })
        .unwrap_or_default();
    if !model.image_output && modalities.iter().any(|m| *m != "TEXT") {
        return Err(ApiError::invalid(format!(
            "The requested combination of response modalities ({}) is not supported by the model. {mname} accepts \
             the following combination of response modalities:\n* TEXT\n",
            modalities.join(", ")
        )));
    }
    if modalities.contains(&"AUDIO") {
        return Err(ApiError::invalid(format!(
            "The requested combination of response modalities ({}) is not supported by the model. {mname} accepts \
             the following combination of response modalities:\n* IMAGE\n* IMAGE, TEXT\n* TEXT\n",
            modalities.join(", ")
        )));
    }
    let (want_text, want_image) = if !model.image_output {
        // A text model answers text, whatever the default for image models.
        (true, false)
    } else if modalities.is_empty() {
        (true, true)
    } else {
        (modalities.contains(&"TEXT"), modalities.contains(&"IMAGE"))
    };

    // Image config.
    let ic = gc.get("imageConfig").cloned().unwrap_or(Value::Null);
    if !model.image_output && ic.as_object().is_some_and(|o| !o.is_empty()) {
        return Err(ApiError::invalid(format!(
            "Image config is not supported for {mname}: it does not support image output. Use an image model \
             from ListModels."
        )));
    }
    let mut size_index = model.default_size();
    // Proto3: an empty string is the default, i.e. "not set".
    if let Some(size) = ic
        .get("imageSize")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        if model.sizes.is_empty() {
            return Err(ApiError::invalid(format!(
                "Setting image_size is not supported for {mname}: it only generates 1024-pixel-class images."
            )));
        }
        size_index = model.size_index(size).ok_or_else(|| {
            ApiError::invalid(format!(
                "Unsupported image size \"{size}\" for {mname}. Supported values are: {}.",
                model.sizes.join(", ")
            ))
        })?;
    }
    let ratio_req = ic
        .get("aspectRatio")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    if let Some(r) = ratio_req {
        if !model.has_ratio(r) {
            return Err(ApiError::invalid(format!(
                "Unsupported aspect ratio \"{r}\" for {mname}. Supported values are: {}.",
                model.ratios().collect::<Vec<_>>().join(", ")
            )));
        }
    }

    // Thinking.
    let tc = gc.get("thinkingConfig").cloned().unwrap_or(Value::Null);
    if let Some(level) = tc
        .get("thinkingLevel")
        .and_then(Value::as_str)
        .filter(|l| *l != "THINKING_LEVEL_UNSPECIFIED")
    {
        if model.thinking_levels.is_empty() {
            return Err(ApiError::invalid(format!(
                "Thinking level is not supported for {mname}."
            )));
        }
        if !model.thinking_levels.iter().any(|l| l == level) {
            return Err(ApiError::invalid(format!(
                "Thinking level {level} is not supported for {mname}. Supported levels: {}.",
                model.thinking_levels.join(", ")
            )));
        }
    }
    if !model.thinks
        && tc
            .get("thinkingBudget")
            .and_then(Value::as_i64)
            .is_some_and(|b| b != 0)
    {
        return Err(ApiError::invalid(format!(
            "Thinking budget is not supported for {mname}."
        )));
    }
    if model.thinks && tc.get("thinkingBudget").and_then(Value::as_i64) == Some(0) {
        return Err(ApiError::invalid(format!(
            "Thinking can't be disabled for {mname}: it always thinks."
        )));
    }
    let include_thoughts = model.thinks
        && tc
            .get("includeThoughts")
            .and_then(Value::as_bool)
            .unwrap_or(false);

    // Tools.
    let (mut web_search, mut image_search) = (false, false);
    for tool in body
        .get("tools")
        .and_then(Value::as_array)
        .unwrap_or(&empty)
    {
        if tool.get("googleSearchRetrieval").is_some() {
            return Err(ApiError::invalid(
                "google_search_retrieval is not supported; please use google_search tool instead.",
            ));
        }
        for (field, what) in [
            ("functionDeclarations", "Function calling"),
            ("codeExecution", "Code execution"),
            ("urlContext", "URL context"),
            ("computerUse", "Computer use"),
            ("fileSearch", "File search"),
            ("googleMaps", "Google Maps grounding"),
        ] {
            if tool.get(field).is_some() {
                return Err(ApiError::invalid(format!(
                    "{what} is not enabled for {mname}"
                )));
            }
        }
        if let Some(gs) = tool.get("googleSearch") {
            match gs.get("searchTypes") {
                Some(st) if st.get("webSearch").is_some() || st.get("imageSearch").is_some() => {
                    web_search |= st.get("webSearch").is_some();
                    image_search |= st.get("imageSearch").is_some();
                }
                _ => web_search = true,
            }
        }
    }
    if (web_search || image_search) && !model.web_search {
        return Err(ApiError::invalid(format!(
            "Search Grounding is not supported for {mname}."
        )));
    }
    if image_search && !model.image_search {
        return Err(ApiError::invalid(format!(
            "Image search is not supported for {mname}."
        )));
    }

    // Parts: MIME types, base64, payload size, images, files; signatures on model turns.
    let mut inline_total = 0usize;
    let mut input_images = 0u32;
    let mut input_videos = 0u32;
    let mut user_images = 0usize;
    let mut first_image_dims: Option<(u32, u32)> = None;
    let mut text_chars = 0usize;
    for (ci, content) in contents.iter().enumerate() {
        let is_model = roles[ci] == "model";
        let parts = content
            .get("parts")
            .and_then(Value::as_array)
            .unwrap_or(&empty);
        // Which parts of a model turn must carry a signature: every non-thought image, and the first
        // non-thought text when it comes before any image (thinking always precedes it on Gemini 3).
        let first_image = parts
            .iter()
            .position(|p| !is_thought(p) && p.get("inlineData").is_some());
        let first_text = parts
            .iter()
            .position(|p| !is_thought(p) && p.get("text").is_some());
        for (pi, part) in parts.iter().enumerate() {
            let here = format!("content position {}, part position {}", ci + 1, pi + 1);
            let mut image_bytes: Option<Vec<u8>> = None;
            if let Some(t) = part.get("text").and_then(Value::as_str) {
                text_chars += t.chars().count();
            }
            if let Some(blob) = part.get("inlineData") {
                let mime = blob.get("mimeType").and_then(Value::as_str).unwrap_or("");
                let data = blob.get("data").and_then(Value::as_str).unwrap_or("");
                inline_total += data.len();
                if inline_total > INLINE_LIMIT {
                    return Err(ApiError::invalid(format!(
                        "Request payload size exceeds the limit: {INLINE_LIMIT} bytes. Upload large inputs \
                         with the Files API and reference them with file_data."
                    )));
                }
                if mime.is_empty() {
                    return Err(missing_field(
                        &format!("contents[{ci}].parts[{pi}].inline_data.mime_type"),
                        "mime_type is not specified",
                    ));
                }
                if !is_image_mime(mime) && !is_video_mime(mime) && mime != "text/plain" {
                    return Err(ApiError::invalid(format!("Unsupported MIME type: {mime}")));
                }
                if is_video_mime(mime) {
                    if !model.video_input {
                        return Err(no_video(&mname, mime));
                    }
                    // Videos are context, not reference images: they do not count against the limit.
                    input_videos += 1;
                }
                let bytes = crate::b64::decode(data).ok_or_else(|| {
                    let path = format!("contents[{ci}].parts[{pi}].inline_data.data");
                    let shown: String = data.chars().take(40).collect();
                    ApiError::bad_field(
                        &path,
                        format!("Invalid value at '{path}' (TYPE_BYTES), Base64 decoding failed for \"{shown}\""),
                    )
                })?;
                if is_image_mime(mime) {
                    input_images += 1;
                    if !is_model {
                        user_images += 1;
                        if first_image_dims.is_none() {
                            first_image_dims = crate::images::dimensions(&bytes);
                        }
                    }
                    image_bytes = Some(bytes);
                }
            }
            if let Some(fd) = part.get("fileData") {
                let uri = fd.get("fileUri").and_then(Value::as_str).unwrap_or("");
                let id = file_id(uri).ok_or_else(|| {
                    ApiError::invalid(format!(
                        "Invalid file_uri \"{uri}\": expected a Files API URI."
                    ))
                })?;
                let file = files.get(id).ok_or_else(|| {
                    ApiError::not_found(format!(
                        "File {id} is not found. It may not exist, may have expired (files are kept 48 hours) or \
                         may belong to another project."
                    ))
                })?;
                if !file.active {
                    return Err(ApiError::new(
                        400,
                        "FAILED_PRECONDITION",
                        format!(
                            "The File {id} is not in an ACTIVE state and usage is not allowed."
                        ),
                    ));
                }
                let mime = fd
                    .get("mimeType")
                    .and_then(Value::as_str)
                    .unwrap_or(&file.mime_type);
                if !is_image_mime(mime) && !is_video_mime(mime) && mime != "text/plain" {
                    return Err(ApiError::invalid(format!("Unsupported MIME type: {mime}")));
                }
                if is_video_mime(mime) {
                    if !model.video_input {
                        return Err(no_video(&mname, mime));
                    }
                    input_videos += 1;
                }
                if is_image_mime(mime) {
                    input_images += 1;
                    if !is_model {
                        user_images += 1;
                        if first_image_dims.is_none() {
                            first_image_dims = crate::images::dimensions(&file.bytes);
                        }
                    }
                }
            }

            if !(is_model && model.thinks) {
                continue;
            }
            let signature = part.get("thoughtSignature").and_then(Value::as_str);
            let kind = if part.get("inlineData").is_some() {
                "Image"
            } else {
                "Text"
            };
            let required = !is_thought(part)
                && (part.get("inlineData").is_some()
                    || (Some(pi) == first_text && first_image.is_none_or(|fi| pi < fi)));
            match signature {
                None if required => {
                    return Err(ApiError::invalid(format!(
                        "{kind} part is missing a thought_signature in {here}."
                    )))
                }
                None => {}
                Some(s) if SKIP_SIGNATURES.contains(&s) => {}
                Some(s) => {
                    let verdict = match (&image_bytes, part.get("text").and_then(Value::as_str)) {
                        (Some(b), _) => signatures::verify(secret, &model.id, s, &Signed::Image(b)),
                        (None, Some(t)) => {
                            signatures::verify(secret, &model.id, s, &Signed::Text(t))
                        }
                        // A signature on another kind of part (function call...) is not ours to judge.
                        (None, None) => Verdict::Valid,
                    };
                    match verdict {
                        Verdict::Valid => {}
                        // Google's wording when a history made on one model is sent to another:
                        // no position is given.
                        Verdict::Foreign => return Err(ApiError::invalid(FOREIGN_SIGNATURE)),
                        Verdict::Invalid => {
                            return Err(ApiError::invalid(format!(
                                "{kind} part has an invalid thought_signature in {here}."
                            )))
                        }
                    }
                }
            }
        }
    }
    if user_images > model.max_input_images {
        return Err(ApiError::invalid(format!(
            "Too many input images: {user_images}. {mname} accepts at most {} images in one request.",
            model.max_input_images
        )));
    }
    if let Some(si) = body.get("systemInstruction") {
        for p in si.get("parts").and_then(Value::as_array).unwrap_or(&empty) {
            text_chars += p
                .get("text")
                .and_then(Value::as_str)
                .map_or(0, |t| t.chars().count());
        }
    }

    let ratio = match (ratio_req, first_image_dims) {
        (Some(r), _) if model.has_ratio(r) => r.to_string(),
        (None, Some((w, h))) => model.nearest_ratio(w, h).to_string(),
        _ => "1:1".to_string(),
    };
    let (width, height) = model.dims(&ratio, size_index).unwrap_or((1024, 1024));

    let prompt = last_user_text(contents);
    let mut hasher = Sha256::new();
    hasher.update(prompt.as_bytes());
    if let Some(seed) = gc.get("seed").and_then(Value::as_i64) {
        hasher.update(seed.to_le_bytes());
    }
    let digest = hasher.finalize();
    let mut seed_bytes = [0u8; 8];
    seed_bytes.copy_from_slice(&digest[..8]);

    Ok(GenRequest {
        model,
        ratio,
        size_index,
        width,
        height,
        include_thoughts,
        want_text,
        want_image,
        web_search,
        image_search,
        prompt,
        prompt_text_tokens: (text_chars as u32).div_ceil(4).max(1),
        prompt_images: input_images,
        prompt_videos: input_videos,
        seed: u64::from_le_bytes(seed_bytes),
    })
}

fn is_thought(part: &Value) -> bool {
    part.get("thought")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The text of the last turn (always a user turn once validated): where prompt markers are read.
pub fn last_user_text(contents: &[Value]) -> String {
    contents
        .last()
        .and_then(|c| c.get("parts"))
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_ids() {
        assert_eq!(super::file_id("files/abc"), Some("abc"));
        assert_eq!(
            super::file_id("http://127.0.0.1:1/v1beta/files/abc"),
            Some("abc")
        );
        assert_eq!(super::file_id("nope"), None);
    }
}
