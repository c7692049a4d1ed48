//! Typed client for the Gemini REST API (v1beta) as the image models ("Nano Banana") use it.
//!
//! # Public surface
//! - [`Client`] built from [`ClientConfig`] (`api_key`, `base_url`, `request_timeout`, [`RetryPolicy`]):
//!   - [`Client::generate_content`] and [`Client::stream_generate_content`] (SSE; [`StreamEvent`]s for
//!     thought text, thought images, text, images and retries; returns the folded response, the same as
//!     the non-streaming call gives);
//!   - [`Client::get_model`], [`Client::list_models`] ([`ModelInfo`]);
//!   - [`Client::upload_file`] (resumable upload, then polling until `ACTIVE`), [`Client::get_file`]
//!     ([`FileInfo`]).
//! - Wire types in [`types`] (re-exported here): [`GenerateContentRequest`] and its config structs,
//!   [`GenerateContentResponse`] with [`GenerateContentResponse::outcome`] ([`Outcome`]), and the shared
//!   [`Content`]/[`Part`]. Model turns are lossless: store [`Content::to_json`], reload with
//!   [`Content::from_json`], resend as received (thought signatures and unknown fields included).
//!   Inline images stay base64 until [`Part::decode_inline`].
//! - Every reply body is read with a bound ([`ReplyLimits`], [`Client::with_reply_limits`]); past it the
//!   call fails with [`Error::ReplyTooLarge`].
//! - One error type, [`Error`] (`is_retryable()`), and [`RetryNotice`]/[`RetryReason`] for the UI.
//! - Building blocks used by tests, fuzzing and the benchmark: [`sse::SseParser`],
//!   [`stream::StreamFolder`], [`parse_response`].
//!
//! The key only ever travels in the `x-goog-api-key` header and is redacted from `Debug` output.
//!
//! ```no_run
//! # async fn demo() -> gemini::Result<()> {
//! use gemini::{Client, ClientConfig, Content, GenerateContentRequest, Part, StreamEvent};
//!
//! let client = Client::new(ClientConfig::new("AIza..."))?;
//! let mut req = GenerateContentRequest::new([Part::text("a nano banana on a plate")]);
//! let first = client
//!     .stream_generate_content("gemini-3.1-flash-image-preview", &req, &mut |ev| {
//!         if let StreamEvent::Retry(n) = ev { eprintln!("{n}") }
//!     })
//!     .await?;
//! let png = first.images().last().and_then(|p| p.decode_inline()).transpose()?;
//! // Keep the model turn exactly as received (thought signatures included) and continue the chat.
//! let stored = first.content().map(Content::to_json).unwrap_or_default();
//! req.contents.push(Content::from_json(&stored)?);
//! req.contents.push(Content::user([Part::text("make it blue")]));
//! let second = client.generate_content("gemini-3.1-flash-image-preview", &req, &|n| eprintln!("{n}")).await?;
//! # let _ = (png, second);
//! # Ok(())
//! # }
//! ```

mod blobs;
mod client;
pub mod error;
mod files;
mod limits;
mod models;
pub mod retry;
pub mod sse;
pub mod stream;
pub mod types;

pub use client::{parse_response, parse_response_bytes, Client, ClientConfig, DEFAULT_BASE_URL};
pub use error::{Error, ReplyCap, Result};
pub use files::{FileInfo, FileState};
pub use limits::ReplyLimits;
pub use models::ModelInfo;
pub use retry::{RetryNotice, RetryPolicy, RetryReason};
pub use stream::StreamEvent;
pub use types::*;
