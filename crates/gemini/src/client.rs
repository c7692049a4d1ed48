//! The HTTP client: configuration, authentication, `generateContent` and `streamGenerateContent`.
//!
//! The API key travels only in the `x-goog-api-key` header, marked sensitive: never in a URL (URLs end
//! up in logs, error messages and proxies), never in `Debug` output, never logged. Redirects are not
//! followed, so the key cannot be forwarded to another host.
//!
//! Each attempt is bounded by `request_timeout` (cut short near the retry deadline), and the whole call by
//! `RetryPolicy::deadline`. Dropping a returned future drops the connection at once: nothing is spawned.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt as _;
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use serde::de::DeserializeOwned;

use crate::error::{Error, ReplyCap, Result};
use crate::limits::{read_capped, read_prefix, too_large, ReplyLimits};
use crate::retry::{Retrier, RetryNotice, RetryPolicy};
use crate::sse::SseParser;
use crate::stream::{StreamEvent, StreamFolder};
use crate::types::{GenerateContentRequest, GenerateContentResponse};

/// Google's endpoint.
pub const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com";
/// The only place the key goes.
pub(crate) const KEY_HEADER: &str = "x-goog-api-key";

/// How to reach Gemini. `Debug` shows the key redacted.
#[derive(Clone)]
pub struct ClientConfig {
    pub api_key: String,
    /// Scheme and host (and optional path prefix), without `/v1beta`; the fake's `base_url()` in tests.
    pub base_url: String,
    /// Bound on one attempt, including reading the whole answer.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
}

impl ClientConfig {
    /// Defaults with this key.
    pub fn new(api_key: impl Into<String>) -> Self {
        ClientConfig {
            api_key: api_key.into(),
            ..Default::default()
        }
    }
}

impl Default for ClientConfig {
    /// Google's base URL, 3 minutes per attempt (4K Pro renders with thinking are slow), default retries.
    fn default() -> Self {
        ClientConfig {
            api_key: String::new(),
            base_url: DEFAULT_BASE_URL.into(),
            request_timeout: Duration::from_secs(180),
            retry: RetryPolicy::default(),
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("api_key", &redacted(&self.api_key))
            .field("base_url", &self.base_url)
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .finish()
    }
}

fn redacted(key: &str) -> &'static str {
    if key.is_empty() {
        "<empty>"
    } else {
        "<redacted>"
    }
}

/// A Gemini API client. Cheap to clone (connections are pooled and shared).
#[derive(Clone)]
pub struct Client {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    key: HeaderValue,
    pub(crate) request_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) limits: ReplyLimits,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

impl Client {
    /// Checks the configuration and builds the HTTP client (no network traffic).
    pub fn new(config: ClientConfig) -> Result<Client> {
        if config.api_key.trim().is_empty() {
            return Err(Error::Config(
                "no API key set: add your Gemini API key in Settings".into(),
            ));
        }
        let mut key = HeaderValue::from_str(config.api_key.trim()).map_err(|_| {
            Error::Config(
                "the API key contains characters that cannot be sent; paste it again".into(),
            )
        })?;
        key.set_sensitive(true);
        let base = config.base_url.trim_end_matches('/').to_string();
        let url = reqwest::Url::parse(&base)
            .map_err(|e| Error::Config(format!("base URL {base:?} is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.query().is_some() {
            return Err(Error::Config(format!(
                "base URL {base:?} must be http(s) without a query"
            )));
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                Error::Config(format!("cannot start the HTTP client: {}", describe(&e)))
            })?;
        Ok(Client {
            http,
            base,
            key,
            request_timeout: config.request_timeout,
            retry: config.retry,
            limits: ReplyLimits::default(),
        })
    }

    /// The same client with other bounds on what it reads of a reply (tests use small ones).
    pub fn with_reply_limits(mut self, limits: ReplyLimits) -> Client {
        self.limits = limits;
        self
    }

    /// The configured base URL (without trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `POST /v1beta/models/{model}:generateContent`, retried per the policy; `on_retry` hears of each
    /// retry before its wait. A refused prompt (`promptFeedback.blockReason`) is [`Error::Blocked`]; other
    /// answers without an image come back `Ok` and [`GenerateContentResponse::outcome`] explains them.
    pub async fn generate_content(
        &self,
        model: &str,
        req: &GenerateContentRequest,
        on_retry: &(dyn Fn(&RetryNotice) + Send + Sync),
    ) -> Result<GenerateContentResponse> {
        let url = format!(
            "{}/v1beta/models/{}:generateContent",
            self.base,
            model_id(model)?
        );
        let body = request_body(req)?;
        let resp = self
            .with_retry(&mut |n| on_retry(n), || async {
                let r = self.send(self.http.post(&url), Some(body.clone())).await?;
                let bytes = read_capped(r, self.limits.generate_body, "a generated answer").await?;
                crate::blobs::parse_response_owned(bytes)
            })
            .await?;
        not_blocked(resp)
    }

    /// `POST /v1beta/models/{model}:streamGenerateContent?alt=sse`. Thoughts, texts and images are passed
    /// to `on_event` as they arrive; the return value is the folded response, the same as
    /// [`Client::generate_content`] gives for the same answer. A failure is retried (announced as
    /// [`StreamEvent::Retry`]) only while nothing has been shown yet. Dropping the future closes the
    /// connection immediately.
    pub async fn stream_generate_content(
        &self,
        model: &str,
        req: &GenerateContentRequest,
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
    ) -> Result<GenerateContentResponse> {
        let url = format!(
            "{}/v1beta/models/{}:streamGenerateContent?alt=sse",
            self.base,
            model_id(model)?
        );
        let body = request_body(req)?;
        let mut retrier = Retrier::new(&self.retry);
        loop {
            let budget = retrier.attempt_budget(self.request_timeout);
            let mut folder = StreamFolder::new();
            let result = if budget.is_zero() {
                Err(Error::Timeout)
            } else {
                match tokio::time::timeout(
                    budget,
                    self.stream_once(&url, body.clone(), &mut folder, &mut *on_event),
                )
                .await
                {
                    Ok(r) => r,
                    Err(_) => Err(Error::Timeout),
                }
            };
            let err = match result {
                Ok(()) => return not_blocked(folder.finish()?),
                Err(e) if folder.emitted() => return Err(e),
                Err(e) => e,
            };
            let notice = retrier.next(err)?;
            tracing::debug!(attempt = notice.attempt, delay_ms = notice.delay.as_millis() as u64, reason = %notice.reason, "gemini stream retry");
            on_event(StreamEvent::Retry(notice.clone()));
            tokio::time::sleep(notice.delay).await;
        }
    }

    async fn stream_once(
        &self,
        url: &str,
        body: Bytes,
        folder: &mut StreamFolder,
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
    ) -> Result<()> {
        let resp = self.send(self.http.post(url), Some(body)).await?;
        let limits = self.limits;
        let mut chunks = resp.bytes_stream();
        let mut parser = SseParser::new();
        let mut events = Vec::new();
        let (mut total, mut count) = (0usize, 0usize);
        // Events are handed over by value so each payload is freed before its image is decoded.
        let mut hand_over = |events: &mut Vec<crate::sse::SseEvent>,
                             folder: &mut StreamFolder,
                             count: &mut usize|
         -> Result<()> {
            for ev in events.drain(..) {
                *count += 1;
                if *count > limits.stream_events {
                    return Err(Error::ReplyTooLarge {
                        what: "one answer's stream",
                        limit: ReplyCap::Events(limits.stream_events as u64),
                    });
                }
                folder.push_event_owned(ev.data, on_event)?;
            }
            Ok(())
        };
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk
                .map_err(|e| Error::Network(format!("the stream broke off: {}", describe(&e))))?;
            total += chunk.len();
            if total > limits.stream_total {
                return Err(too_large("one answer's stream", limits.stream_total));
            }
            parser.push(chunk, &mut events);
            if parser.pending_len() > limits.stream_event {
                return Err(too_large("one stream event", limits.stream_event));
            }
            hand_over(&mut events, folder, &mut count)?;
        }
        parser.finish(&mut events);
        hand_over(&mut events, folder, &mut count)
    }

    /// Sends with the key header; a non-2xx answer becomes the matching [`Error`].
    pub(crate) async fn send(
        &self,
        builder: reqwest::RequestBuilder,
        json: Option<Bytes>,
    ) -> Result<reqwest::Response> {
        let mut builder = builder.header(KEY_HEADER, self.key.clone());
        if let Some(body) = json {
            builder = builder.header(CONTENT_TYPE, "application/json").body(body);
        }
        let resp = builder.send().await.map_err(|e| transport_error(&e))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        // Error bodies are small: what fits the bound is kept, and one that cannot be read still yields a
        // status-based error.
        let body = read_prefix(resp, self.limits.error_body).await;
        Err(Error::from_http(status.as_u16(), &body))
    }

    /// GET a JSON resource, retried.
    pub(crate) async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T> {
        Ok(self.get_json_sized(url).await?.0)
    }

    /// [`Client::get_json`], also giving the reply's size in bytes.
    pub(crate) async fn get_json_sized<T: DeserializeOwned>(
        &self,
        url: &str,
    ) -> Result<(T, usize)> {
        self.with_retry(&mut |_| {}, || async {
            let r = self.send(self.http.get(url), None).await?;
            let bytes = read_capped(r, self.limits.json_body, "a JSON reply").await?;
            Ok((parse_json::<T>(&bytes)?, bytes.len()))
        })
        .await
    }

    /// Runs `attempt` until it succeeds, fails for good, or the deadline passes.
    pub(crate) async fn with_retry<T, F, Fut>(
        &self,
        on_retry: &mut (dyn FnMut(&RetryNotice) + Send),
        mut attempt: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut retrier = Retrier::new(&self.retry);
        loop {
            let budget = retrier.attempt_budget(self.request_timeout);
            let result = if budget.is_zero() {
                Err(Error::Timeout)
            } else {
                tokio::time::timeout(budget, attempt())
                    .await
                    .unwrap_or(Err(Error::Timeout))
            };
            match result {
                Ok(v) => return Ok(v),
                Err(e) => {
                    let notice = retrier.next(e)?;
                    tracing::debug!(attempt = notice.attempt, delay_ms = notice.delay.as_millis() as u64, reason = %notice.reason, "gemini retry");
                    on_retry(&notice);
                    tokio::time::sleep(notice.delay).await;
                }
            }
        }
    }
}

/// `models/x` or `x` → `x`; refuses ids that could change the URL's meaning.
pub(crate) fn model_id(model: &str) -> Result<&str> {
    let id = model.strip_prefix("models/").unwrap_or(model);
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    {
        return Err(Error::InvalidArgument {
            message: format!("{model:?} is not a valid model id"),
        });
    }
    Ok(id)
}

fn request_body(req: &GenerateContentRequest) -> Result<Bytes> {
    serde_json::to_vec(req)
        .map(Bytes::from)
        .map_err(|e| Error::InvalidArgument {
            message: format!("the request cannot be encoded: {e}"),
        })
}

/// Parses a successful reply body; anything unreadable is [`Error::Malformed`], never a panic.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| {
        let detail = if e.is_eof() {
            format!("the reply was cut short ({e})")
        } else {
            format!("the reply is not the expected JSON ({e})")
        };
        Error::malformed(detail, bytes)
    })
}

/// Parses a `generateContent` reply body (also used by the fuzz targets and the benchmark).
pub fn parse_response(bytes: &[u8]) -> Result<GenerateContentResponse> {
    parse_json(bytes)
}

/// Parses an owned reply body, with the fast path for large inline images: the same result as
/// [`parse_response`], in about half the time and without a second copy of the image's base64.
pub fn parse_response_bytes(bytes: Bytes) -> Result<GenerateContentResponse> {
    crate::blobs::parse_response_owned(bytes)
}

fn not_blocked(resp: GenerateContentResponse) -> Result<GenerateContentResponse> {
    match resp.block_reason() {
        Some(reason) => Err(Error::Blocked {
            reason: reason.as_str().to_string(),
            message: resp
                .prompt_feedback
                .as_ref()
                .and_then(|f| f.block_reason_message.clone()),
        }),
        None => Ok(resp),
    }
}

/// A failure to connect or send. Messages never include the URL (reqwest's would), only the cause chain.
fn transport_error(e: &reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout
    } else {
        Error::Network(describe(e))
    }
}

/// A body that broke off mid-read: the reply is incomplete.
pub(crate) fn body_cut(e: &reqwest::Error) -> Error {
    if e.is_timeout() {
        return Error::Timeout;
    }
    Error::Malformed {
        detail: format!("the reply was cut short: {}", describe(e)),
        body_snippet: String::new(),
    }
}

/// The error and its sources, joined, without the URL.
pub(crate) fn describe(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut msg = if e.is_connect() {
        "cannot connect".to_string()
    } else if e.is_body() || e.is_decode() {
        "the reply broke off".to_string()
    } else {
        "request failed".to_string()
    };
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        src = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_key() {
        let cfg = ClientConfig::new("AIzaSECRET123");
        assert!(!format!("{cfg:?}").contains("SECRET"));
        let client = Client::new(cfg).unwrap();
        assert!(!format!("{client:?}").contains("SECRET"));
        assert!(
            !format!("{:?}", client.key).contains("SECRET"),
            "header value is marked sensitive"
        );
    }

    #[test]
    fn config_is_checked() {
        assert!(matches!(
            Client::new(ClientConfig::new("")),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            Client::new(ClientConfig::new("a\nb")),
            Err(Error::Config(_))
        ));
        let bad_url = ClientConfig {
            base_url: "ftp://x".into(),
            ..ClientConfig::new("k")
        };
        assert!(matches!(Client::new(bad_url), Err(Error::Config(_))));
        let c = Client::new(ClientConfig {
            base_url: "http://127.0.0.1:9/".into(),
            ..ClientConfig::new("k")
        })
        .unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:9");
    }

    /// studio-core spawns these futures on tokio's multi-threaded runtime.
    #[test]
    fn client_and_futures_are_send() {
        fn send<T: Send>(_: &T) {}
        fn send_sync_clone<T: Send + Sync + Clone>() {}
        send_sync_clone::<Client>();
        let client = Client::new(ClientConfig::new("k")).unwrap();
        let req = GenerateContentRequest::default();
        let cb = |_: &RetryNotice| {};
        send(&client.generate_content("m", &req, &cb));
        let mut on_event = |_: StreamEvent| {};
        send(&client.stream_generate_content("m", &req, &mut on_event));
        send(&client.upload_file(Vec::new(), "image/png", "x"));
        send(&client.list_models());
    }

    #[test]
    fn model_ids() {
        assert_eq!(
            model_id("models/gemini-3-pro-image-preview").unwrap(),
            "gemini-3-pro-image-preview"
        );
        assert_eq!(
            model_id("gemini-2.5-flash-image").unwrap(),
            "gemini-2.5-flash-image"
        );
        for bad in ["", "a/b", "x?key=1", "a b", "models/"] {
            assert!(model_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cut_and_non_json_replies_are_malformed() {
        assert!(
            matches!(parse_response(b"{\"candidates\": [{\"content\""), Err(Error::Malformed { ref detail, .. }) if detail.contains("cut short"))
        );
        assert!(matches!(
            parse_response(b"<html>"),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            parse_response(b"{\"candidates\": 3}"),
            Err(Error::Malformed { .. })
        ));
    }
}
