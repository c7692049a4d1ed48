//! The API key: check it against the API, store it, forget it. The key goes in, only facts come out.

use serde::Serialize;
use tauri::State;

use studio_core::KeyStorage;

use crate::error::{CommandError, CommandResult};
use crate::state::{configured_base_url, AppState};

#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum KeyCheck {
    /// The API accepted the key.
    Valid,
    /// The API refused it (the message says why).
    Invalid,
    /// The API could not be reached; the key was not stored.
    Unreachable,
}

#[derive(Debug, Serialize, specta::Type)]
pub struct KeyCheckResult {
    pub status: KeyCheck,
    pub message: String,
}

/// Checks `key` with `models.list` (what the picker needs next anyway) and stores it when valid; the app then
/// leaves demo mode. The UI refreshes the catalogue for the new key right after.
#[tauri::command]
#[specta::specta]
pub async fn set_api_key(state: State<'_, AppState>, key: String) -> CommandResult<KeyCheckResult> {
    let key = key.trim().to_string();
    if key.is_empty() {
        return Err(CommandError::new("invalid_key", "Paste a Gemini API key first."));
    }
    let client = gemini::Client::new(gemini::ClientConfig {
        api_key: key.clone(),
        base_url: configured_base_url(),
        request_timeout: std::time::Duration::from_secs(15),
        retry: gemini::RetryPolicy { max_attempts: 1, ..Default::default() },
    })
    .map_err(|e| CommandError::new("invalid_key", e.to_string()))?;
    // Not models.get on one model: a key that cannot call the default model is still a valid key.
    let check = client.list_models().await;
    let result = match check {
        Ok(_) => KeyCheckResult { status: KeyCheck::Valid, message: "Key accepted by the Gemini API.".into() },
        Err(e @ (gemini::Error::Network(_) | gemini::Error::Timeout)) => {
            return Ok(KeyCheckResult {
                status: KeyCheck::Unreachable,
                message: format!("Could not reach the Gemini API to check the key: {e}"),
            })
        }
        Err(e) => return Ok(KeyCheckResult { status: KeyCheck::Invalid, message: e.to_string() }),
    };
    let store = std::sync::Arc::clone(&state.keys);
    let stored = tokio::task::spawn_blocking(move || store.set(&key))
        .await
        .map_err(|e| CommandError::new("io", format!("could not store the key: {e}")))??;
    let result = KeyCheckResult {
        message: match stored {
            KeyStorage::Keychain => format!("{} Saved in the system keychain.", result.message),
            KeyStorage::File => format!(
                "{} No system keychain took it (none is running, or it stayed locked), so it was saved in a private file (readable only by you) in the data folder.",
                result.message
            ),
        },
        ..result
    };
    state.reload().await.map_err(|e| CommandError::new("setup", e))?;
    Ok(result)
}

/// Forgets the stored key; without `GEMINI_API_KEY` the app returns to the offline demo.
#[tauri::command]
#[specta::specta]
pub async fn clear_api_key(state: State<'_, AppState>) -> CommandResult<()> {
    let store = std::sync::Arc::clone(&state.keys);
    tokio::task::spawn_blocking(move || store.clear())
        .await
        .map_err(|e| CommandError::new("io", format!("could not remove the key: {e}")))??;
    state.reload().await.map_err(|e| CommandError::new("setup", e))
}
