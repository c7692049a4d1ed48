//! The crate's one error type, and the parser of Google's error body into it.
//!
//! Google answers every failure with `{"error": {"code", "message", "status", "details": [...]}}`. The
//! details decide what a user can do: `ErrorInfo` reason `API_KEY_INVALID` (fix the key), `QuotaFailure`
//! with a `...PerDay...` quota id (wait for the daily reset) versus `...PerMinute...` (retry after
//! `RetryInfo.retryDelay`). Each variant's Display says what failed and what to do next.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong talking to Gemini.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API key was refused (`API_KEY_INVALID`, or 401).
    #[error("API key rejected by Gemini: set a valid key in Settings (get one at https://aistudio.google.com/apikey)")]
    InvalidKey,
    /// The key is valid but lacks access (403).
    #[error(
        "permission denied (403): {message}. Check that this key's project has access to the model"
    )]
    PermissionDenied { message: String },
    /// Unknown model or file (404).
    #[error("not found (404): {message}. Check the model id or upload the file again (files expire after 48 hours)")]
    NotFound { message: String },
    /// The request was refused as invalid (400); `message` is the API's, verbatim.
    #[error("request refused by Gemini: {message}")]
    InvalidArgument { message: String },
    /// A quota ran out (429). Per-day quotas (and zero-limit free tiers) are not worth retrying.
    #[error("{}", quota_display(*per_day, retry_after, message))]
    Quota {
        per_day: bool,
        retry_after: Option<Duration>,
        message: String,
    },
    /// The model is overloaded (503).
    #[error("the model is overloaded (503): try again in a minute, or switch to another model")]
    Overloaded,
    /// Another server-side failure (500, 504, other 5xx, or an unexpected status).
    #[error("Gemini server error ({status}): {message}. Try again later")]
    Server { status: u16, message: String },
    /// The request or the whole retry deadline ran out.
    #[error("Gemini did not answer in time: try again, or use a smaller image size or fewer input images")]
    Timeout,
    /// The connection failed (DNS, refused, reset).
    #[error("network error talking to Gemini: {0}. Check the internet connection")]
    Network(String),
    /// The reply could not be understood: not JSON, cut short, or an unexpected shape.
    #[error("unreadable reply from Gemini: {detail} (reply started with: {body_snippet:?})")]
    Malformed {
        detail: String,
        body_snippet: String,
    },
    /// The prompt was refused (`promptFeedback.blockReason`).
    #[error("prompt blocked by Gemini ({reason}){}: rephrase the prompt or change the input images", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Blocked {
        reason: String,
        message: Option<String>,
    },
    /// The operation was cancelled by the caller.
    #[error("cancelled")]
    Cancelled,
    /// An uploaded file failed server-side processing.
    #[error("file {name} could not be processed by Gemini: {message}")]
    FileFailed { name: String, message: String },
    /// The client configuration is unusable (bad base URL, a key with characters a header cannot carry).
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// The server sent more than the client reads for this kind of reply (see [`crate::ReplyLimits`]):
    /// no Gemini answer is that large, so the base URL or a proxy in between is answering instead.
    #[error("the server sent more than {limit} for {what}, far more than any Gemini answer: check the API base URL (GEMINI_BASE_URL) and any proxy in between")]
    ReplyTooLarge { what: &'static str, limit: ReplyCap },
}

/// The bound a reply passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyCap {
    Bytes(u64),
    Events(u64),
}

impl std::fmt::Display for ReplyCap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            ReplyCap::Bytes(n) if n >= 1 << 20 => write!(f, "{} MB", n >> 20),
            ReplyCap::Bytes(n) => write!(f, "{} KB", n.div_ceil(1024)),
            ReplyCap::Events(n) => write!(f, "{n} events"),
        }
    }
}

fn quota_display(per_day: bool, retry_after: &Option<Duration>, message: &str) -> String {
    if per_day {
        format!(
            "daily quota exhausted (429): {message}. Wait for the daily reset or use a paid key"
        )
    } else {
        match retry_after {
            Some(d) => format!(
                "rate limit hit (429): {message}. Retry in {:.1} s",
                d.as_secs_f64()
            ),
            None => format!("rate limit hit (429): {message}. Retry in a minute"),
        }
    }
}

impl Error {
    /// Whether trying again later can succeed (transient), as opposed to needing a change first.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Quota { per_day, .. } => !per_day,
            Error::Overloaded | Error::Timeout | Error::Network(_) => true,
            Error::Server { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            _ => false,
        }
    }

    /// A [`Error::Malformed`] with the first bytes of the offending body (lossy UTF-8, bounded).
    pub(crate) fn malformed(detail: impl Into<String>, body: &[u8]) -> Self {
        Error::Malformed {
            detail: detail.into(),
            body_snippet: snippet(body),
        }
    }

    /// The error for an HTTP failure status with its body.
    pub fn from_http(status: u16, body: &[u8]) -> Self {
        match serde_json::from_slice::<ErrorEnvelope>(body) {
            Ok(env) => env.error.into_error(status),
            // Google's shape cut short (only the start of a huge error body is read): its message and
            // status usually come first and still say what failed.
            Err(_) if field_str(body, "message").is_some() => ApiError {
                message: field_str(body, "message").unwrap_or_default(),
                status: field_str(body, "status"),
                ..ApiError::default()
            }
            .into_error(status),
            Err(_) => {
                // Not Google's JSON (a proxy page, an empty body): classify by status alone.
                let text = snippet(body);
                match status {
                    401 => Error::InvalidKey,
                    403 => Error::PermissionDenied { message: text },
                    404 => Error::NotFound { message: text },
                    429 => Error::Quota {
                        per_day: false,
                        retry_after: None,
                        message: text,
                    },
                    503 => Error::Overloaded,
                    504 => Error::Timeout,
                    s if s >= 500 => Error::Server {
                        status: s,
                        message: text,
                    },
                    400 => Error::InvalidArgument { message: text },
                    s => Error::Malformed {
                        detail: format!("unexpected HTTP status {s}"),
                        body_snippet: text,
                    },
                }
            }
        }
    }
}

/// The string value of the first `"name": "..."` in a JSON text that may be cut short after it.
fn field_str(body: &[u8], name: &str) -> Option<String> {
    let key = format!("\"{name}\"");
    let at = body.windows(key.len()).position(|w| w == key.as_bytes())?;
    let rest = body[at + key.len()..]
        .trim_ascii_start()
        .strip_prefix(b":")?;
    // A streaming deserializer reads the one string and ignores whatever follows (or is missing).
    serde_json::Deserializer::from_slice(rest.trim_ascii_start())
        .into_iter::<String>()
        .next()?
        .ok()
}

/// At most 200 characters of a body, for messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let head = &body[..body.len().min(200)];
    String::from_utf8_lossy(head).into_owned()
}

/// `{"error": {...}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct ErrorEnvelope {
    pub(crate) error: ApiError,
}

/// Google's `google.rpc.Status` as JSON.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ApiError {
    #[serde(default)]
    pub(crate) code: Option<u16>,
    #[serde(default)]
    pub(crate) message: String,
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) details: Vec<Value>,
}

impl ApiError {
    fn details_of<'a>(&'a self, type_suffix: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.details.iter().filter(move |d| {
            d.get("@type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.ends_with(type_suffix))
        })
    }

    /// `RetryInfo.retryDelay`, e.g. `"26s"` or `"1.5s"`.
    pub(crate) fn retry_delay(&self) -> Option<Duration> {
        self.details_of("google.rpc.RetryInfo")
            .find_map(|d| d.get("retryDelay"))
            .and_then(parse_duration_value)
    }

    fn error_info_reason(&self) -> Option<&str> {
        self.details_of("google.rpc.ErrorInfo")
            .find_map(|d| d.get("reason").and_then(Value::as_str))
    }

    /// Whether a quota failure cannot be cured by waiting minutes: a per-day quota, or a limit of 0 (a
    /// free key on a model without free tier).
    fn quota_is_daily(&self) -> bool {
        let violations = self
            .details_of("google.rpc.QuotaFailure")
            .filter_map(|d| d.get("violations")?.as_array())
            .flatten();
        let mut daily = false;
        for v in violations {
            let id = v.get("quotaId").and_then(Value::as_str).unwrap_or_default();
            let metric = v
                .get("quotaMetric")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if id.contains("PerDay") || metric.contains("per_day") {
                daily = true;
            }
            if v.get("quotaValue").is_some_and(|q| q == "0" || q == 0) {
                daily = true;
            }
        }
        daily || self.message.contains("limit: 0")
    }

    /// Maps to the variant a user can act on. `http_status` wins over `code` when they disagree.
    pub(crate) fn into_error(self, http_status: u16) -> Error {
        let status = if (200..300).contains(&http_status) {
            self.code.unwrap_or(500)
        } else {
            http_status
        };
        let rpc = self.status.as_deref().unwrap_or_default();
        if self.error_info_reason() == Some("API_KEY_INVALID")
            || status == 401
            || rpc == "UNAUTHENTICATED"
        {
            return Error::InvalidKey;
        }
        match (status, rpc) {
            (429, _) | (_, "RESOURCE_EXHAUSTED") => {
                let per_day = self.quota_is_daily();
                Error::Quota {
                    per_day,
                    retry_after: if per_day { None } else { self.retry_delay() },
                    message: self.message,
                }
            }
            (403, _) | (_, "PERMISSION_DENIED") => Error::PermissionDenied {
                message: self.message,
            },
            (404, _) | (_, "NOT_FOUND") => Error::NotFound {
                message: self.message,
            },
            (503, _) | (_, "UNAVAILABLE") => Error::Overloaded,
            (504, _) | (_, "DEADLINE_EXCEEDED") => Error::Timeout,
            (400, _) | (_, "INVALID_ARGUMENT") | (_, "FAILED_PRECONDITION") => {
                Error::InvalidArgument {
                    message: self.message,
                }
            }
            (s, _) if s >= 500 => Error::Server {
                status: s,
                message: self.message,
            },
            (s, _) => Error::Server {
                status: s,
                message: format!("{rpc}: {}", self.message),
            },
        }
    }
}

/// A protobuf JSON `Duration`: `"26s"`, `"1.5s"`, `"0.000001s"`.
pub(crate) fn parse_duration_value(v: &Value) -> Option<Duration> {
    let s = v.as_str()?.trim();
    let secs: f64 = s.strip_suffix('s')?.parse().ok()?;
    (secs.is_finite() && (0.0..1e9).contains(&secs)).then(|| Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(status: u16, body: Value) -> Error {
        Error::from_http(status, body.to_string().as_bytes())
    }

    #[test]
    fn bad_key() {
        let e = err(
            400,
            json!({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]}}),
        );
        assert_eq!(e, Error::InvalidKey);
        assert!(!e.is_retryable());
        assert!(e.to_string().contains("Settings"));
    }

    #[test]
    fn per_minute_quota_carries_retry_delay() {
        let e = err(
            429,
            json!({"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED", "details": [
            {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests", "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
            {"@type": "type.googleapis.com/google.rpc.Help", "links": []},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}]}}),
        );
        assert_eq!(
            e,
            Error::Quota {
                per_day: false,
                retry_after: Some(Duration::from_millis(1500)),
                message: "Quota exceeded".into()
            }
        );
        assert!(e.is_retryable());
        assert!(e.to_string().contains("Retry in 1.5 s"), "{e}");
    }

    #[test]
    fn per_day_and_zero_limit_quota_are_not_retryable() {
        let day = err(
            429,
            json!({"error": {"code": 429, "message": "daily", "status": "RESOURCE_EXHAUSTED", "details": [
            {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaId": "GenerateRequestsPerDayPerProjectPerModel"}]},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "26s"}]}}),
        );
        assert!(matches!(
            day,
            Error::Quota {
                per_day: true,
                retry_after: None,
                ..
            }
        ));
        assert!(!day.is_retryable());
        let zero = err(
            429,
            json!({"error": {"code": 429, "message": "Quota exceeded for metric x, limit: 0", "status": "RESOURCE_EXHAUSTED"}}),
        );
        assert!(matches!(zero, Error::Quota { per_day: true, .. }));
    }

    #[test]
    fn statuses_map_to_actionable_variants() {
        let body = |code: u16, status: &str, msg: &str| json!({"error": {"code": code, "message": msg, "status": status}});
        assert_eq!(
            err(400, body(400, "INVALID_ARGUMENT", "bad size")),
            Error::InvalidArgument {
                message: "bad size".into()
            }
        );
        assert_eq!(
            err(403, body(403, "PERMISSION_DENIED", "no")),
            Error::PermissionDenied {
                message: "no".into()
            }
        );
        assert_eq!(
            err(404, body(404, "NOT_FOUND", "models/x is not found")),
            Error::NotFound {
                message: "models/x is not found".into()
            }
        );
        assert_eq!(
            err(503, body(503, "UNAVAILABLE", "The model is overloaded.")),
            Error::Overloaded
        );
        assert_eq!(
            err(504, body(504, "DEADLINE_EXCEEDED", "slow")),
            Error::Timeout
        );
        assert_eq!(
            err(500, body(500, "INTERNAL", "oops")),
            Error::Server {
                status: 500,
                message: "oops".into()
            }
        );
        for e in [
            Error::Overloaded,
            Error::Timeout,
            Error::Server {
                status: 500,
                message: String::new(),
            },
        ] {
            assert!(e.is_retryable());
        }
        for e in [
            err(400, body(400, "INVALID_ARGUMENT", "")),
            err(401, json!({})),
            err(404, body(404, "NOT_FOUND", "")),
        ] {
            assert!(!e.is_retryable(), "{e:?}");
        }
    }

    #[test]
    fn non_json_bodies_never_panic() {
        assert!(matches!(
            Error::from_http(502, b"<html>Bad gateway</html>"),
            Error::Server { status: 502, .. }
        ));
        assert!(matches!(
            Error::from_http(418, b"\xff\xfe"),
            Error::Malformed { .. }
        ));
        assert!(matches!(
            Error::from_http(400, b"{\"error\": {\"code\": 4"),
            Error::InvalidArgument { .. }
        ));
    }

    /// Issue #9: only the start of a huge error body is read; its message still reaches the user.
    #[test]
    fn a_cut_error_body_keeps_its_message_and_status() {
        let cut = br#"{"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE", "details": [{"detail": "aaaa"#;
        assert_eq!(Error::from_http(503, cut), Error::Overloaded);
        let cut = br#"{"error": {"code": 400, "message": "Bad \"size\".", "status": "INVALID_ARGUMENT", "details": [{"x": "#;
        assert_eq!(
            Error::from_http(400, cut),
            Error::InvalidArgument {
                message: "Bad \"size\".".into()
            }
        );
        // Cut inside the message itself: the status decides, as for any other unreadable body.
        assert!(matches!(
            Error::from_http(500, br#"{"error": {"message": "An internal"#),
            Error::Server { status: 500, .. }
        ));
    }

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration_value(&json!("26s")),
            Some(Duration::from_secs(26))
        );
        assert_eq!(
            parse_duration_value(&json!("0.25s")),
            Some(Duration::from_millis(250))
        );
        assert_eq!(parse_duration_value(&json!("-1s")), None);
        assert_eq!(parse_duration_value(&json!("12")), None);
        assert_eq!(parse_duration_value(&json!(3)), None);
    }
}
