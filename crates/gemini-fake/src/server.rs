//! HTTP: recording, the key check, routing by path, and the generate / stream / count / upload / files /
//! models handlers (batches are in [`crate::batch`]).
//!
//! Routing is done by hand on the path rather than with axum's router: Gemini paths put the method after
//! a colon inside a segment (`models/x:generateContent`), and unknown paths must still be recorded.
//! Order of checks follows Google's front end: key, then JSON shape, then model, then semantics.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::Bytes;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::faults::{self, Fault};
use crate::models::{ModelSpec, ModelState};
use crate::respond::{self, Answer};
use crate::{schema, sse, validate, RecordedRequest, Shared};

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

async fn handle(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    // A caller without a valid key is answered before its body is read: nothing it sends is held.
    // (An upload URL with its upload_id is its own credential, as with Google's resumable uploads.)
    let query = parts.uri.query().unwrap_or("");
    if parts.method == Method::POST
        && is_api_path(parts.uri.path())
        && query_param(query, "upload_id").is_none()
    {
        if let Err(e) = check_key(&s, &parts.headers, query) {
            // Tests still see that it arrived; the body it carried was never read.
            record(&s, &parts, &Bytes::new());
            return e.into_response();
        }
    }
    let limit = s.body_limit;
    let body = match to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::invalid(format!(
                "Request payload size exceeds the limit: {limit} bytes."
            ))
            .into_response()
        }
    };
    record(&s, &parts, &body);
    match route(
        &s,
        &parts.method,
        parts.uri.path(),
        parts.uri.query().unwrap_or(""),
        &parts.headers,
        body,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

/// Keeps the request for [`crate::FakeGemini::requests`] when the server was asked to.
fn record(s: &Shared, parts: &axum::http::request::Parts, body: &Bytes) {
    if !s.record_requests {
        return;
    }
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let json = serde_json::from_slice::<Value>(body).ok();
    if let Ok(mut r) = s.requests.lock() {
        r.push(RecordedRequest {
            method: parts.method.to_string(),
            path,
            headers,
            body: body.clone(),
            json,
        });
    }
}

/// Paths the real API serves (and checks the key on): everything else is a 404 whatever the key.
fn is_api_path(path: &str) -> bool {
    ["/v1beta/", "/v1/", "/upload/v1beta/", "/upload/v1/"]
        .iter()
        .any(|p| path.starts_with(p))
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn check_key(s: &Shared, headers: &HeaderMap, query: &str) -> ApiResult<()> {
    let key = header_str(headers, "x-goog-api-key")
        .or_else(|| query_param(query, "key").map(str::to_string))
        .filter(|k| !k.trim().is_empty());
    let Some(key) = key else {
        return Err(ApiError::new(
            403,
            "PERMISSION_DENIED",
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key \
             or other form of API consumer identity to call this API.",
        ));
    };
    match &s.key {
        Some(expected) if *expected != key => Err(ApiError::invalid(
            "API key not valid. Please pass a valid API key.",
        )
        .with_detail(json!({
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "API_KEY_INVALID",
            "domain": "googleapis.com",
            "metadata": {"service": "generativelanguage.googleapis.com"}
        }))
        .with_detail(json!({
            "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
            "locale": "en-US",
            "message": "API key not valid. Please pass a valid API key."
        }))),
        _ => Ok(()),
    }
}

pub(crate) fn json_response(status: StatusCode, v: &Value) -> Response {
    let body = crate::json_bytes(v);
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    r
}

fn unknown_path(path: &str) -> ApiError {
    ApiError::not_found(format!(
        "The requested URL {path} was not found on this server."
    ))
}

async fn route(
    s: &Arc<Shared>,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    // Uploads: /upload/{version}/files
    if let Some(rest) = path.strip_prefix("/upload/") {
        let (version, rest) = rest.split_once('/').unwrap_or((rest, ""));
        if !matches!(version, "v1beta" | "v1") || rest != "files" || method != Method::POST {
            return Err(unknown_path(path));
        }
        return upload(s, query, headers, body);
    }
    let Some((version, rest)) = path.strip_prefix('/').and_then(|p| p.split_once('/')) else {
        return Err(unknown_path(path));
    };
    if !matches!(version, "v1beta" | "v1") {
        return Err(unknown_path(path));
    }
    check_key(s, headers, query)?;

    if rest == "models" && method == Method::GET {
        return list_models(s, query);
    }
    if let Some(name) = rest.strip_prefix("models/") {
        if let Some((model, action)) = name.split_once(':') {
            if method != Method::POST {
                return Err(unknown_path(path));
            }
            return match action {
                "generateContent" => generate(s, version, model, body, None).await,
                "streamGenerateContent" => {
                    let sse = query_param(query, "alt") == Some("sse");
                    generate(s, version, model, body, Some(sse)).await
                }
                "countTokens" => count_tokens(s, version, model, body),
                "batchGenerateContent" => crate::batch::create(s, version, model, body),
                _ => Err(unknown_path(path)),
            };
        }
        if method == Method::GET {
            return get_model(s, version, name);
        }
        return Err(unknown_path(path));
    }
    if rest == "files" && method == Method::GET {
        let files: Vec<Value> = s
            .files
            .list()
            .iter()
            .map(|f| f.resource(&s.base_url))
            .collect();
        let body = if files.is_empty() {
            json!({})
        } else {
            json!({ "files": files })
        };
        return Ok(json_response(StatusCode::OK, &body));
    }
    if let Some(id) = rest.strip_prefix("files/") {
        let missing = || {
            ApiError::new(
                403,
                "PERMISSION_DENIED",
                format!("You do not have permission to access the File {id} or it may not exist."),
            )
        };
        return match *method {
            Method::GET => {
                let f = s.files.poll(id).ok_or_else(missing)?;
                Ok(json_response(StatusCode::OK, &f.resource(&s.base_url)))
            }
            Method::DELETE => {
                if s.files.delete(id) {
                    Ok(json_response(StatusCode::OK, &json!({})))
                } else {
                    Err(missing())
                }
            }
            _ => Err(unknown_path(path)),
        };
    }
    if rest == "batches" && method == Method::GET {
        let ops: Vec<Value> = s
            .batches
            .lock()
            .map(|m| {
                m.values()
                    .map(|b| crate::batch::operation(b, b.state()))
                    .collect()
            })
            .unwrap_or_default();
        return Ok(json_response(StatusCode::OK, &json!({ "operations": ops })));
    }
    if let Some(id) = rest.strip_prefix("batches/") {
        if let Some(id) = id.strip_suffix(":cancel") {
            if method == Method::POST {
                return crate::batch::cancel(s, id);
            }
        } else if method == Method::GET {
            return crate::batch::get(s, id);
        } else if method == Method::DELETE {
            let removed = s
                .batches
                .lock()
                .map(|mut m| m.remove(id).is_some())
                .unwrap_or(false);
            return if removed {
                Ok(json_response(StatusCode::OK, &json!({})))
            } else {
                Err(ApiError::not_found(format!(
                    "Batch batches/{id} is not found."
                )))
            };
        }
    }
    Err(unknown_path(path))
}

/// Google's 404 for an id it does not serve for `action`: unknown, retired, or a model without that method.
fn model_not_found(version: &str, model: &str, action: &str) -> ApiError {
    ApiError::not_found(format!(
        "models/{model} is not found for API version {version}, or is not supported for {action}. Call \
         ListModels to see the list of available models and their supported methods."
    ))
}

/// The 403 of a restricted model: it exists, but only for projects that used it before.
fn model_restricted(model: &str) -> ApiError {
    ApiError::new(
        403,
        "PERMISSION_DENIED",
        format!(
            "models/{model} is only available to projects that used it before. This project has no access to \
             it: use a model that ListModels returns."
        ),
    )
}

/// The spec of the model a call of `action` names, as the catalogue says right now; or the 404 / 403
/// Google answers for a retired, unknown, restricted or wrong-method model.
pub(crate) fn resolve(
    s: &Shared,
    version: &str,
    model: &str,
    action: &str,
) -> ApiResult<ModelSpec> {
    let catalogue = s.catalogue();
    let spec = catalogue
        .get(model)
        .ok_or_else(|| model_not_found(version, model, action))?;
    match spec.state {
        ModelState::Retired => Err(model_not_found(version, model, action)),
        ModelState::Restricted => Err(model_restricted(model)),
        ModelState::Active | ModelState::Deprecated if !spec.supports(action) => {
            Err(model_not_found(version, model, action))
        }
        ModelState::Active | ModelState::Deprecated => Ok(spec.clone()),
    }
}

/// `GET models/{id}`: retired and unknown ids are 404, restricted ones 403, as their calls are.
fn get_model(s: &Shared, version: &str, name: &str) -> ApiResult<Response> {
    let catalogue = s.catalogue();
    let not_found = || {
        ApiError::not_found(format!(
            "models/{name} is not found for API version {version}, or is not supported for GetModel."
        ))
    };
    let spec = catalogue.get(name).ok_or_else(not_found)?;
    match spec.state {
        ModelState::Retired => Err(not_found()),
        ModelState::Restricted => Err(model_restricted(name)),
        ModelState::Active | ModelState::Deprecated => {
            Ok(json_response(StatusCode::OK, &spec.resource()))
        }
    }
}

/// `models.list`'s page size when none is asked for, and the most one page holds (larger asks are
/// clamped), as Google documents for ListModels.
const DEFAULT_PAGE_SIZE: usize = 50;
const MAX_PAGE_SIZE: usize = 1000;

/// What a page token encodes: an offset into the listed models. Opaque to clients (URL-safe base64 of
/// a prefixed offset), so one that was not handed out is recognised as bad.
const PAGE_TOKEN_PREFIX: &str = "gemini-fake/models/";

fn page_token(offset: usize) -> String {
    base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        format!("{PAGE_TOKEN_PREFIX}{offset}"),
    )
}

fn page_offset(token: &str) -> Option<usize> {
    let raw = crate::b64::decode(token)?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix(PAGE_TOKEN_PREFIX)?
        .parse()
        .ok()
}

/// `%XX` and `+` decoded, for query values (clients may escape a page token's characters).
fn percent_decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (escaped, bytes[i]) {
            (Some(b), _) => {
                out.push(b);
                i += 3;
                continue;
            }
            (None, b'+') => out.push(b' '),
            (None, b) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A query parameter by its camelCase or snake_case name (the REST API takes both), decoded.
fn query_value(query: &str, camel: &str) -> Option<String> {
    let snake = schema::snake(camel);
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == camel || *k == snake)
        .map(|(_, v)| percent_decode(v))
}

/// `GET models`: the listed models (active and deprecated), in catalogue order, a page at a time.
fn list_models(s: &Shared, query: &str) -> ApiResult<Response> {
    let page_size = match query_value(query, "pageSize").filter(|v| !v.is_empty()) {
        None => DEFAULT_PAGE_SIZE,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n < 0 => {
                return Err(ApiError::bad_field(
                    "page_size",
                    format!("page_size must not be negative, got {n}."),
                ))
            }
            // Proto3: 0 is "not set".
            Ok(0) => DEFAULT_PAGE_SIZE,
            Ok(n) => usize::try_from(n)
                .unwrap_or(MAX_PAGE_SIZE)
                .min(MAX_PAGE_SIZE),
            Err(_) => {
                return Err(ApiError::bad_field(
                    "page_size",
                    format!("Invalid value at 'page_size' (TYPE_INT32), \"{v}\""),
                ))
            }
        },
    };
    let offset = match query_value(query, "pageToken").filter(|v| !v.is_empty()) {
        None => 0,
        Some(t) => page_offset(&t).ok_or_else(|| {
            ApiError::bad_field(
                "page_token",
                format!(
                    "Invalid page_token \"{t}\": pass the nextPageToken of the previous page unchanged, or \
                     omit it for the first page."
                ),
            )
        })?,
    };
    let catalogue = s.catalogue();
    let listed: Vec<&ModelSpec> = catalogue.listed().collect();
    let end = offset.saturating_add(page_size).min(listed.len());
    let page: Vec<Value> = listed
        .get(offset..end)
        .unwrap_or_default()
        .iter()
        .map(|m| m.resource())
        .collect();
    // Proto3 JSON leaves out empty fields: an empty page is `{}`, the last page has no token.
    let mut body = json!({});
    if !page.is_empty() {
        body["models"] = Value::Array(page);
    }
    if end < listed.len() {
        body["nextPageToken"] = json!(page_token(end));
    }
    Ok(json_response(StatusCode::OK, &body))
}

/// Parses and checks a generate body for `model`; shared by generate, stream and batch.
pub(crate) fn parse_request(
    s: &Shared,
    version: &str,
    model: &str,
    raw: &Value,
    action: &str,
) -> ApiResult<(validate::GenRequest, Value)> {
    let body = normalize(raw, &schema::REQUEST)?;
    let spec = resolve(s, version, model, action)?;
    let req = validate::validate(&body, spec, &s.secret, &s.files)?;
    Ok((req, body))
}

pub(crate) fn normalize(raw: &Value, msg: &'static schema::Msg) -> ApiResult<Value> {
    schema::normalize(raw, msg).map_err(|errors| {
        let message = errors.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("\n");
        let violations: Vec<Value> =
            errors.iter().map(|(f, m)| json!({"field": f, "description": m})).collect();
        ApiError::invalid(message)
            .with_detail(json!({"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": violations}))
    })
}

pub(crate) fn parse_json(body: &[u8]) -> ApiResult<Value> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::invalid(format!(
            "Invalid JSON payload received. Unexpected token.\n(line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

/// The fault for this request: a pushed one first, else a marker in the last user turn. Also returns the
/// extra delay of `Slow` faults.
fn pick_fault(s: &Shared, req: &validate::GenRequest, body: &[u8]) -> (Option<Fault>, Duration) {
    if let Some(f) = s.faults.lock().ok().and_then(|mut q| q.pop_front()) {
        return match f {
            Fault::Slow(d) => (None, d),
            f => (Some(f), Duration::ZERO),
        };
    }
    let mut delay = Duration::ZERO;
    let mut chosen = None;
    let hash: [u8; 32] = Sha256::digest(body).into();
    for (fault, first_only) in faults::from_prompt(&req.prompt) {
        if let Fault::Slow(d) = fault {
            delay += d;
            continue;
        }
        if chosen.is_some() {
            continue;
        }
        if first_only {
            let fresh = s
                .marker_seen
                .lock()
                .map(|mut seen| seen.insert(hash))
                .unwrap_or(false);
            if !fresh {
                continue;
            }
        }
        chosen = Some(fault);
    }
    (chosen, delay)
}

/// `stream`: None for generateContent, Some(true) for SSE, Some(false) for a streamed JSON array.
async fn generate(
    s: &Arc<Shared>,
    version: &str,
    model: &str,
    body: Bytes,
    stream: Option<bool>,
) -> ApiResult<Response> {
    let raw = parse_json(&body)?;
    let action = if stream.is_some() {
        "streamGenerateContent"
    } else {
        "generateContent"
    };
    let (req, _) = parse_request(s, version, model, &raw, action)?;
    let (fault, delay) = pick_fault(s, &req, &body);
    let wait = s.latency + delay;
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    if let Some(resp) = fault
        .as_ref()
        .and_then(|f| crate::hostile::response(&s.hostile_bytes, f, stream))
    {
        return Ok(resp);
    }
    let http_error = match (&fault, stream) {
        // An SSE stream reports it inside the stream; anything else gets it as the HTTP answer.
        (Some(Fault::StreamErrorEvent), Some(true)) => None,
        (Some(Fault::StreamErrorEvent), _) => faults::error_for(&Fault::Overloaded, &req.model.id),
        (Some(f), _) => faults::error_for(f, &req.model.id),
        (None, _) => None,
    };
    if let Some(err) = http_error {
        return Err(err);
    }
    // Rendering a 4K PNG is CPU work: keep it off the async workers.
    let shared = s.clone();
    let f2 = fault.clone();
    let answer: Answer = tokio::task::spawn_blocking(move || {
        respond::build(&req, f2.as_ref(), &shared.images, &shared.secret)
    })
    .await
    .map_err(|_| ApiError::new(500, "INTERNAL", "fake: rendering failed"))?;
    match stream {
        Some(true) => return Ok(sse::response(&answer.to_events(), fault.as_ref())),
        Some(false) => return Ok(sse::json_array_response(&answer.to_events())),
        None => {}
    }
    let body = match fault {
        Some(Fault::MalformedBody) => Bytes::from_static(
            b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>",
        ),
        Some(Fault::TruncatedBody) => {
            let full = crate::json_bytes(&answer.to_json());
            Bytes::from(full[..full.len() / 2].to_vec())
        }
        Some(Fault::StreamCutMidImage) => {
            // Not a stream, but the same failure: the connection drops halfway through the body.
            let full = Bytes::from(crate::json_bytes(&answer.to_json()));
            let half = full.slice(..full.len() / 2);
            let body = crate::sse::then_reset(vec![half]);
            let mut r = Response::new(body);
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=UTF-8"));
            return Ok(r);
        }
        _ => Bytes::from(crate::json_bytes(&answer.to_json())),
    };
    let mut r = Response::new(Body::from(body));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    Ok(r)
}

/// `countTokens`: text at ~4 characters a token, 258 per image, as generate bills the prompt.
fn count_tokens(s: &Shared, version: &str, model: &str, body: Bytes) -> ApiResult<Response> {
    let raw = parse_json(&body)?;
    let norm = normalize(&raw, &schema::COUNT_TOKENS_REQUEST)?;
    resolve(s, version, model, "countTokens")?;
    let contents = norm
        .get("contents")
        .or_else(|| norm.pointer("/generateContentRequest/contents"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (mut chars, mut images) = (0u32, 0u32);
    for p in contents
        .iter()
        .filter_map(|c| c.get("parts").and_then(Value::as_array))
        .flatten()
    {
        chars += p
            .get("text")
            .and_then(Value::as_str)
            .map_or(0, |t| t.chars().count() as u32);
        images += u32::from(p.get("inlineData").is_some() || p.get("fileData").is_some());
    }
    let text = chars.div_ceil(4);
    let mut details = vec![json!({"modality": "TEXT", "tokenCount": text})];
    if images > 0 {
        details.push(json!({"modality": "IMAGE", "tokenCount": images * 258}));
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({"totalTokens": text + images * 258, "promptTokensDetails": details}),
    ))
}

fn upload(s: &Shared, query: &str, headers: &HeaderMap, body: Bytes) -> ApiResult<Response> {
    let command = header_str(headers, "x-goog-upload-command")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if let Some(upload_id) = query_param(query, "upload_id") {
        // The upload URL itself is the credential, as with Google's resumable uploads.
        let finalize = command.contains("finalize");
        if !command.contains("upload") && !finalize {
            return Err(ApiError::invalid(format!(
                "Unsupported X-Goog-Upload-Command \"{command}\"."
            )));
        }
        let offset = header_str(headers, "x-goog-upload-offset")
            .and_then(|o| o.trim().parse::<u64>().ok())
            .unwrap_or(0);
        let result = s.files.upload(upload_id, offset, &body, finalize);
        let status_header = |r: &mut Response, v: &'static str| {
            r.headers_mut()
                .insert("x-goog-upload-status", HeaderValue::from_static(v));
        };
        return match result {
            Ok(Some(file)) => {
                let mut r = json_response(
                    StatusCode::OK,
                    &json!({ "file": file.resource(&s.base_url) }),
                );
                status_header(&mut r, "final");
                Ok(r)
            }
            Ok(None) => {
                let mut r = StatusCode::OK.into_response();
                status_header(&mut r, "active");
                Ok(r)
            }
            Err(e) => {
                // Without an upload status the google-genai SDK retries blindly; Google marks it final.
                let mut r = e.into_response();
                status_header(&mut r, "final");
                Ok(r)
            }
        };
    }
    check_key(s, headers, query)?;
    let protocol = header_str(headers, "x-goog-upload-protocol").unwrap_or_default();
    if protocol != "resumable" || command != "start" {
        return Err(ApiError::invalid(
            "Only resumable uploads are supported: send X-Goog-Upload-Protocol: resumable and \
             X-Goog-Upload-Command: start.",
        ));
    }
    let meta = if body.is_empty() {
        json!({})
    } else {
        parse_json(&body)?
    };
    let id = s.files.start(&meta, &|name| header_str(headers, name))?;
    let url = format!(
        "{}/upload/v1beta/files?upload_id={id}&upload_protocol=resumable",
        s.base_url
    );
    let mut r = StatusCode::OK.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&url) {
        h.insert("x-goog-upload-url", v.clone());
        h.insert("x-goog-upload-control-url", v);
    }
    h.insert("x-goog-upload-status", HeaderValue::from_static("active"));
    h.insert(
        "x-goog-upload-chunk-granularity",
        HeaderValue::from_static("8388608"),
    );
    Ok(r)
}
