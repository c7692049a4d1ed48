//! Errors: [`ApiError`], Google's error shape `{"error": {"code", "message", "status", "details"}}` that the
//! fake answers, and [`Error`], the crate's own error for what fails outside a request (loading or editing
//! a model catalogue).
//!
//! Every refusal the fake makes goes through [`ApiError`], so clients parse the same body they would get
//! from Google (google.rpc.Status as JSON, with typed `details` entries carrying an `@type`).

use std::path::PathBuf;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// One API error, answered as `{"error": {...}}` with the matching HTTP status.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: u16,
    pub status: &'static str,
    pub message: String,
    pub details: Vec<Value>,
}

impl ApiError {
    pub fn new(code: u16, status: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            status,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// 400 INVALID_ARGUMENT, the answer to nearly every bad request.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, "INVALID_ARGUMENT", message)
    }

    /// 400 INVALID_ARGUMENT with a `google.rpc.BadRequest` field violation, as Google attaches to JSON
    /// payload errors (unknown names, wrong types).
    pub fn bad_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut e = Self::invalid(message.clone());
        e.details.push(json!({
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": field, "description": message}]
        }));
        e
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "NOT_FOUND", message)
    }

    pub fn with_detail(mut self, detail: Value) -> Self {
        self.details.push(detail);
        self
    }

    pub fn body(&self) -> Value {
        let mut error = json!({"code": self.code, "message": self.message, "status": self.status});
        if !self.details.is_empty() {
            error["details"] = Value::Array(self.details.clone());
        }
        json!({ "error": error })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = crate::json::to_pretty(&self.body());
        body.push(b'\n');
        let mut resp = (status, body).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        );
        resp
    }
}

pub type ApiResult<T> = std::result::Result<T, ApiError>;

/// What fails outside a request: a catalogue that does not load, or an edit naming a model it lacks.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("the model catalogue is not valid JSON in gemini-fake's format: {0}")]
    CatalogueJson(#[from] serde_json::Error),
    #[error("cannot read the model catalogue {path}: {source}")]
    CatalogueRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("model catalogue version {found} is not supported: this gemini-fake reads version {supported}")]
    CatalogueVersion { found: u32, supported: u32 },
    #[error("catalogue model {id}: {reason}")]
    InvalidModel { id: String, reason: String },
    #[error("model {0} is in the catalogue twice: ids must be unique")]
    DuplicateModel(String),
    #[error("model {0} is not in the catalogue: add it first (Catalogue::add) or check the id")]
    UnknownModel(String),
    #[error("model {0} is retired, not restricted: granting cannot bring it back; use set_state(id, ModelState::Active)")]
    GrantRetired(String),
}

pub type Result<T> = std::result::Result<T, Error>;
