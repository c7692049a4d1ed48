//! The Batch API: `models/{model}:batchGenerateContent` with inlined requests, and the long-running
//! operation `batches/{id}` that reports PENDING, then RUNNING, then SUCCEEDED with the inlined responses
//! (as the google-genai SDK reads them), plus list, cancel and delete.
//!
//! Responses are computed at creation; polling only reveals them, so tests stay fast and deterministic.
//! A bad request inside a batch fails that item only, with its error in place of a response. Batches
//! whose input is a JSONL file (`inputConfig.fileName`) are refused.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::server::{json_response, normalize, parse_json, parse_request, resolve};
use crate::{respond, schema, Shared};

/// A batch job: its responses are computed at creation, and revealed as the job is polled.
#[derive(Debug, Clone)]
pub struct Batch {
    id: String,
    model: String,
    display_name: String,
    create_time: String,
    responses: Vec<Value>,
    polls: u32,
    cancelled: bool,
}

impl Batch {
    /// PENDING when created, RUNNING at the first poll, SUCCEEDED from the second on (or CANCELLED).
    pub(crate) fn state(&self) -> &'static str {
        match (self.cancelled, self.polls) {
            (true, _) => "BATCH_STATE_CANCELLED",
            (false, 0) => "BATCH_STATE_PENDING",
            (false, 1) => "BATCH_STATE_RUNNING",
            _ => "BATCH_STATE_SUCCEEDED",
        }
    }
}

pub(crate) fn create(
    s: &Arc<Shared>,
    version: &str,
    model: &str,
    body: Bytes,
) -> ApiResult<Response> {
    let raw = parse_json(&body)?;
    let norm = normalize(&raw, &schema::BATCH_REQUEST)?;
    resolve(s, version, model, "batchGenerateContent")?;
    let batch = norm.get("batch").cloned().unwrap_or(Value::Null);
    if batch.pointer("/inputConfig/fileName").is_some() {
        return Err(ApiError::invalid(
            "This fake only supports inlined batch requests (inputConfig.requests).",
        ));
    }
    let items = batch
        .pointer("/inputConfig/requests/requests")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if items.is_empty() {
        return Err(ApiError::invalid(
            "* BatchGenerateContentRequest.batch.input_config: requests must not be empty.\n",
        ));
    }
    let mut responses = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let request = item.get("request").cloned().unwrap_or(json!({}));
        // A bad request inside a batch fails that request only, as Google reports it per item.
        let out = match parse_request(s, version, model, &request, "batchGenerateContent") {
            Ok((req, _)) => {
                let answer = respond::build(&req, None, &s.images, &s.secret);
                json!({ "response": answer.to_json() })
            }
            Err(e) => json!({ "error": e.body()["error"].clone() }),
        };
        let mut out = out;
        if let Some(m) = item.get("metadata") {
            out["metadata"] = m.clone();
        } else {
            out["metadata"] = json!({ "key": i.to_string() });
        }
        responses.push(out);
    }
    let id = format!("{:016x}", fastrand::u64(..));
    let b = Batch {
        id: id.clone(),
        model: format!("models/{model}"),
        display_name: batch
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        create_time: "2026-01-01T00:00:00Z".into(),
        responses,
        polls: 0,
        cancelled: false,
    };
    let op = operation(&b, "BATCH_STATE_PENDING");
    if let Ok(mut m) = s.batches.lock() {
        m.insert(id, b);
    }
    Ok(json_response(StatusCode::OK, &op))
}

pub(crate) fn operation(b: &Batch, state: &str) -> Value {
    let n = b.responses.len();
    let done = state == "BATCH_STATE_SUCCEEDED";
    let mut meta = json!({
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
        "model": b.model,
        "displayName": b.display_name,
        "name": format!("batches/{}", b.id),
        "createTime": b.create_time,
        "updateTime": b.create_time,
        "state": state,
        "batchStats": {
            "requestCount": n.to_string(),
            "pendingRequestCount": if done { "0".to_string() } else { n.to_string() },
            "successfulRequestCount": if done { b.responses.iter().filter(|r| r.get("response").is_some()).count().to_string() } else { "0".into() }
        }
    });
    let mut op = json!({ "name": format!("batches/{}", b.id) });
    if done {
        let output = json!({
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",
            "inlinedResponses": { "inlinedResponses": b.responses }
        });
        meta["output"] = output.clone();
        meta["endTime"] = json!(b.create_time);
        op["done"] = json!(true);
        op["response"] = output;
    }
    op["metadata"] = meta;
    op
}

/// `GET batches/{id}`: PENDING, then RUNNING, then SUCCEEDED with the inlined responses.
pub(crate) fn get(s: &Shared, id: &str) -> ApiResult<Response> {
    let mut batches = s
        .batches
        .lock()
        .map_err(|_| ApiError::new(500, "INTERNAL", "batch table poisoned"))?;
    let b = batches
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found(format!("Batch batches/{id} is not found.")))?;
    b.polls += 1;
    Ok(json_response(StatusCode::OK, &operation(b, b.state())))
}

/// `POST batches/{id}:cancel`: a job that has not succeeded yet ends CANCELLED.
pub(crate) fn cancel(s: &Shared, id: &str) -> ApiResult<Response> {
    let mut batches = s
        .batches
        .lock()
        .map_err(|_| ApiError::new(500, "INTERNAL", "batch table poisoned"))?;
    let b = batches
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found(format!("Batch batches/{id} is not found.")))?;
    if b.state() != "BATCH_STATE_SUCCEEDED" {
        b.cancelled = true;
    }
    Ok(json_response(StatusCode::OK, &json!({})))
}
