//! The one error type commands return. It reaches the UI as `{kind, message}` so the UI can branch on `kind`
//! (for example `invalid_params`, `quota`, `blocked`, `cancelled`) and show `message` as it is.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CommandError {
    /// A stable machine-readable class of the failure (studio-core's `Error::kind`, or the shell's own).
    pub kind: String,
    /// What went wrong and what to do, in plain words.
    pub message: String,
}

impl CommandError {
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        CommandError { kind: kind.to_string(), message: message.into() }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}

impl From<studio_core::Error> for CommandError {
    fn from(e: studio_core::Error) -> Self {
        CommandError { kind: e.kind().to_string(), message: e.to_string() }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

/// Runs blocking engine work (SQLite, files) off the async workers and returns its result as a command's.
pub async fn blocking<T, F>(f: F) -> CommandResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> studio_core::Result<T> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => Ok(r?),
        Err(e) => Err(CommandError::new("other", e.to_string())),
    }
}
