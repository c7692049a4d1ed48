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
/// Commands doing store or file work are `async` and go through here: a sync command runs on the GTK main
/// thread, and the window froze while it did (a 50-image export).
pub async fn blocking<T, F>(f: F) -> CommandResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> studio_core::Result<T> + Send + 'static,
{
    blocking_cmd(move || Ok(f()?)).await
}

/// [`blocking`] for work that fails with the shell's own errors.
pub async fn blocking_cmd<T, F>(f: F) -> CommandResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> CommandResult<T> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => Err(CommandError::new("other", format!("the task failed: {e}"))),
    }
}
