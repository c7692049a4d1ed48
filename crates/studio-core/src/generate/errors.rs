//! The client's errors in our terms: for opening the client, the uploads and the variations' answers.

use super::explain_block;
use crate::error::Error;

/// Maps the client's error to ours; a per-day quota gets its reset time.
pub fn map_client_error(e: gemini::Error) -> Error {
    use gemini::Error as G;
    match e {
        G::InvalidKey => Error::InvalidKey("Gemini refused it (API_KEY_INVALID)".into()),
        G::PermissionDenied { message } => Error::PermissionDenied(message),
        G::NotFound { message } => Error::NotFound {
            what: "API resource",
            id: message,
        },
        G::InvalidArgument { message } => Error::ApiInvalidArgument(message),
        G::Quota {
            per_day: true,
            message,
            ..
        } => {
            let now = crate::time::now_ms();
            let reset = crate::time::next_pacific_midnight(now);
            Error::QuotaPerDay {
                message,
                resets_at_utc: crate::time::iso_utc(reset),
                resets_in: crate::time::human_duration(reset - now),
            }
        }
        G::Quota { message, .. } => Error::Quota(message),
        G::Overloaded => Error::Overloaded,
        G::Server { status, message } => Error::Server(format!("{status}: {message}")),
        G::Timeout => Error::Timeout(
            "Gemini did not answer in time; try a smaller size or fewer references".into(),
        ),
        G::Network(m) => Error::Network(m),
        e @ G::Malformed { .. } => Error::Malformed(e.to_string()),
        e @ G::ReplyTooLarge { .. } => Error::ReplyTooLarge(e.to_string()),
        G::Blocked { reason, message } => Error::Blocked {
            explanation: message.unwrap_or_else(|| explain_block(&reason).to_string()),
            reason,
        },
        G::Cancelled => Error::Cancelled,
        other => Error::Other(other.to_string()),
    }
}

/// Whether an error is the API's 404 for the model itself (retired, or never existed), not for a file.
pub fn is_model_gone(e: &Error) -> bool {
    matches!(e, Error::NotFound { what: "API resource", id } if id.contains("models/"))
}

/// Whether the API refused the replayed history's thought signatures as not its own (a chat made on another
/// model), as opposed to a missing signature, which is a bug on our side and never papered over.
pub fn is_foreign_context(e: &Error) -> bool {
    matches!(e, Error::ApiInvalidArgument(m) if m.to_ascii_lowercase().contains("thought signature is not valid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue #9: a reply past the client's bound is its own kind, and says where to look.
    #[test]
    fn an_oversized_reply_points_at_the_base_url() {
        let e = map_client_error(gemini::Error::ReplyTooLarge {
            what: "a generated answer",
            limit: gemini::ReplyCap::Bytes(256 << 20),
        });
        assert_eq!(e.kind(), "reply_too_large");
        let text = e.to_string();
        assert!(
            text.contains("more than 256 MB") && text.contains("GEMINI_BASE_URL"),
            "{text}"
        );
    }
}
