//! The one error type of studio-core.
//!
//! Every variant's Display text is a sentence a person can act on; `kind()` gives the UI (and the CLI's exit
//! status) a stable machine-readable class, so nothing downstream has to parse messages. [`ErrorPayload`] is
//! the `{kind, message}` form the desktop shell sends over IPC.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// studio-core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The parameters do not fit the model's capabilities (refused before anything is sent).
    #[error("{0}")]
    InvalidParams(String),

    /// The prompt was empty.
    #[error("the prompt is empty: describe the image you want")]
    EmptyPrompt,

    /// More reference images than the model accepts (refused before anything is sent).
    #[error("{model} accepts at most {max} reference images; {given} were given: remove {excess}")]
    TooManyReferences {
        model: String,
        max: u32,
        given: u32,
        excess: u32,
    },

    /// More references marked as characters than the model keeps consistent (refused before anything is sent).
    #[error("{model} keeps at most {max} characters consistent; {given} references are marked as characters: mark {} as an object or remove it", given - max)]
    TooManyCharacters { model: String, max: u32, given: u32 },

    /// A reference file is not an image or video we can send (corrupt, unsupported, too large or unreadable).
    #[error("\"{name}\" cannot be used as a reference: {reason}")]
    InvalidReference { name: String, reason: String },

    /// A reference hash given to `generate` is not in the data dir's reference store.
    #[error("reference {0} is not in the reference store: import the file again")]
    ReferenceNotFound(String),

    /// The request (history + references) is larger than the API's inline limit.
    #[error("the request would be {size_mb:.1} MB, over the API's {limit_mb} MB inline limit: use fewer or smaller reference images, or start a new chat")]
    RequestTooLarge { size_mb: f64, limit_mb: u32 },

    /// No API key and the base URL is Google's.
    #[error("no Gemini API key: set GEMINI_API_KEY (or add the key in Settings)")]
    MissingKey,

    /// The API rejected the key.
    #[error("the API key was rejected: {0}; check the key in Settings or GEMINI_API_KEY")]
    InvalidKey(String),

    /// Google answered that the model is gone (404): the successor is named so the UI can offer a switch.
    #[error("Google has retired {model}; {successor_name} ({successor}) replaces it: switch to it and try again")]
    ModelRetired {
        model: String,
        successor: String,
        successor_name: String,
    },

    /// The catalogue says this key cannot call the model (refused before anything is sent).
    #[error("{model} is not available for this API key ({why}){}", .instead.as_deref().map(|i| format!("; use {i} instead")).unwrap_or_default())]
    ModelUnavailable {
        model: String,
        why: String,
        instead: Option<String>,
    },

    /// The key lacks access to the model or API.
    #[error("the API key has no access to this model: {0}")]
    PermissionDenied(String),

    /// Unknown chat, turn, image or model.
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },

    /// The API said the request was invalid (400).
    #[error("the API refused the request: {0}")]
    ApiInvalidArgument(String),

    /// The per-day quota is spent; it resets at midnight Pacific time.
    #[error("daily quota exhausted ({message}); it resets at midnight Pacific time, {resets_in} from now ({resets_at_utc})")]
    QuotaPerDay {
        message: String,
        resets_at_utc: String,
        resets_in: String,
    },

    /// A quota error that retries could not outlast.
    #[error("quota exceeded after retries: {0}; wait a minute and try again")]
    Quota(String),

    /// 503 after every retry.
    #[error("the model is overloaded (503) and stayed so after retries: try again later")]
    Overloaded,

    /// 5xx after every retry.
    #[error("the API failed with a server error after retries: {0}")]
    Server(String),

    /// The request took too long.
    #[error("the request timed out: {0}")]
    Timeout(String),

    /// Connection failure.
    #[error("network error: {0}; check the connection")]
    Network(String),

    /// The reply could not be understood.
    #[error("malformed reply from the API: {0}")]
    Malformed(String),

    /// The server at the API base URL sent far more than any Gemini answer; the read stopped at the
    /// bound. Retrying cannot help: something other than Gemini is answering.
    #[error("{0}")]
    ReplyTooLarge(String),

    /// The prompt (or result) was blocked; never retried automatically.
    #[error("blocked by the API ({reason}): {explanation}")]
    Blocked { reason: String, explanation: String },

    /// The model answered but produced no image, for the reason given.
    #[error("no image was produced ({finish_reason}): {explanation}")]
    NoImage {
        finish_reason: String,
        explanation: String,
    },

    /// The generation was cancelled before its save began: nothing was saved.
    #[error("generation cancelled: nothing was saved")]
    Cancelled,

    /// A database failure, with the failing statement when there is one.
    #[error("database error{}: {source}", .context.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Database {
        context: Option<String>,
        #[source]
        source: rusqlite::Error,
    },

    /// SQLite cannot read the gallery database (damaged, or not a database): the app cannot open until the
    /// index is rebuilt from the image files, which keeps this file aside.
    #[error("the gallery database {} is damaged ({detail}): rebuild the gallery index from the image files (`banana gallery rebuild`); the damaged file is kept aside and no image is lost", .path.display())]
    CorruptDatabase { path: PathBuf, detail: String },

    /// A stored row could not be read back (corrupt or from a newer version).
    #[error("stored data is unreadable: {0}")]
    CorruptStore(String),

    /// A schema newer than this build knows.
    #[error("the gallery database is version {found}, newer than this app supports ({supported}): update Banana Studio")]
    SchemaTooNew { found: i64, supported: i64 },

    /// A file system failure, with the path.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A gallery row whose image file is gone (deleted or moved outside the app, or a backup restored
    /// without it). Lists and provenance still work; only what needs the pixels stops here.
    #[error("the file of image {id} is missing ({}): it was deleted or moved outside Banana Studio; put it back from a backup, or delete the image from the gallery", .path.display())]
    ImageFileMissing { id: String, path: PathBuf },

    /// A model turn's stored image is gone, so the chat cannot be replayed up to it.
    #[error("the image of a chat turn is missing ({}): this chat cannot continue from here; start a new chat from one of its images", .path.display())]
    ChatImageMissing { path: PathBuf },

    /// Image encode/decode failure on our own data (thumbnails, stored files).
    #[error("image processing failed: {0}")]
    Image(String),

    /// Any other client error.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// A stable, machine-readable class for the UI and the CLI.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidParams(_) => "invalid_params",
            Error::EmptyPrompt => "empty_prompt",
            Error::TooManyReferences { .. } | Error::TooManyCharacters { .. } => "too_many_references",
            Error::InvalidReference { .. } => "invalid_reference",
            Error::ReferenceNotFound(_) => "reference_not_found",
            Error::RequestTooLarge { .. } => "request_too_large",
            Error::MissingKey => "missing_key",
            Error::InvalidKey(_) => "invalid_key",
            Error::PermissionDenied(_) => "permission_denied",
            Error::ModelRetired { .. } => "model_retired",
            Error::ModelUnavailable { .. } => "model_unavailable",
            Error::NotFound { .. } => "not_found",
            Error::ApiInvalidArgument(_) => "api_invalid_argument",
            Error::QuotaPerDay { .. } => "quota_per_day",
            Error::Quota(_) => "quota",
            Error::Overloaded => "overloaded",
            Error::Server(_) => "server",
            Error::Timeout(_) => "timeout",
            Error::Network(_) => "network",
            Error::Malformed(_) => "malformed",
            Error::ReplyTooLarge(_) => "reply_too_large",
            Error::Blocked { .. } => "blocked",
            Error::NoImage { .. } => "no_image",
            Error::Cancelled => "cancelled",
            Error::Database { .. } => "database",
            Error::CorruptStore(_) => "corrupt_store",
            Error::CorruptDatabase { .. } => "corrupt_database",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::Io { .. } => "io",
            Error::ImageFileMissing { .. } | Error::ChatImageMissing { .. } => "file_missing",
            Error::Image(_) => "image",
            Error::Other(_) => "other",
        }
    }

    /// True when the input was refused before any request was sent (the CLI exits 2 for these): bad
    /// parameters or references, no key, or a chat/turn/image id that does not exist locally.
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            Error::InvalidParams(_)
                | Error::EmptyPrompt
                | Error::TooManyReferences { .. }
                | Error::TooManyCharacters { .. }
                | Error::InvalidReference { .. }
                | Error::ReferenceNotFound(_)
                | Error::RequestTooLarge { .. }
                | Error::MissingKey
                | Error::ModelUnavailable { .. }
        ) || matches!(self, Error::NotFound { what, .. } if matches!(*what, "chat" | "turn" | "image"))
    }

    /// The `{kind, message}` form for IPC.
    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            kind: self.kind().to_string(),
            message: self.to_string(),
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Error {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn db(context: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> Error {
        let context = context.into();
        move |source| Error::Database {
            context: Some(context),
            source,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(source: rusqlite::Error) -> Self {
        Error::Database {
            context: None,
            source,
        }
    }
}

/// An error as the UI receives it: branch on `kind`, show `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ErrorPayload {
    pub kind: String,
    pub message: String,
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.payload().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_many_references_says_what_to_do() {
        let e = Error::TooManyReferences {
            model: "m".into(),
            max: 14,
            given: 15,
            excess: 1,
        };
        assert_eq!(
            e.to_string(),
            "m accepts at most 14 reference images; 15 were given: remove 1"
        );
        assert_eq!(e.kind(), "too_many_references");
        assert!(e.is_invalid_input());
    }

    #[test]
    fn serializes_as_kind_and_message() {
        let v = serde_json::to_value(Error::Overloaded).unwrap();
        assert_eq!(v["kind"], "overloaded");
        assert!(v["message"].as_str().unwrap().contains("overloaded"));
    }
}
