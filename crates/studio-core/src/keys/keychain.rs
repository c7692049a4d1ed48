//! The OS keychain: the freedesktop Secret Service over D-Bus (Linux). Elsewhere it reports itself
//! unavailable and the file store is used.
//!
//! Items carry `application=banana-studio` and the data folder as `data-dir`, so each data folder has its
//! own key. The session is `Plain`: the secret crosses only the user's private session bus, and the service
//! encrypts it at rest. A locked keyring asks the user to unlock it, for at most [`PROMPT_SECONDS`].

/// The keychain is not running, refused, or failed; the caller falls back to the file.
#[derive(Debug)]
pub(super) struct Unavailable;

#[cfg(target_os = "linux")]
mod imp {
    use std::collections::HashMap;

    use dbus_secret_service::{EncryptionType, SecretService};

    use super::Unavailable;

    const PROMPT_SECONDS: u64 = 60;
    const LABEL: &str = "Banana Studio: Gemini API key";

    fn attributes(scope: &str) -> HashMap<&str, &str> {
        HashMap::from([("application", "banana-studio"), ("data-dir", scope)])
    }

    fn connect() -> Result<SecretService, Unavailable> {
        // Without a session bus there is nothing to ask; checking first avoids D-Bus autolaunch attempts.
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            return Err(Unavailable);
        }
        SecretService::connect_with_max_prompt_timeout(EncryptionType::Plain, PROMPT_SECONDS).map_err(log)
    }

    fn log(e: dbus_secret_service::Error) -> Unavailable {
        tracing::info!("system keychain unavailable: {e}");
        Unavailable
    }

    pub(in super::super) fn available() -> bool {
        connect().and_then(|ss| ss.get_default_collection().map(|_| ()).map_err(log)).is_ok()
    }

    pub(in super::super) fn get(scope: &str) -> Result<Option<String>, Unavailable> {
        let ss = connect()?;
        let found = ss.search_items(attributes(scope)).map_err(log)?;
        let item = match (found.unlocked.first(), found.locked.first()) {
            (Some(item), _) => item,
            (None, Some(item)) => {
                item.unlock().map_err(log)?;
                item
            }
            (None, None) => return Ok(None),
        };
        let secret = item.get_secret().map_err(log)?;
        let key = String::from_utf8(secret).map_err(|_| Unavailable)?;
        let key = key.trim();
        Ok((!key.is_empty()).then(|| key.to_string()))
    }

    pub(in super::super) fn set(scope: &str, key: &str) -> Result<(), Unavailable> {
        let ss = connect()?;
        let collection = ss.get_default_collection().map_err(log)?;
        collection.ensure_unlocked().map_err(log)?;
        collection
            .create_item(LABEL, attributes(scope), key.as_bytes(), true, "text/plain")
            .map_err(log)?;
        Ok(())
    }

    pub(in super::super) fn delete(scope: &str) -> Result<(), Unavailable> {
        let ss = connect()?;
        let found = ss.search_items(attributes(scope)).map_err(log)?;
        for item in found.unlocked.iter().chain(found.locked.iter()) {
            item.delete().map_err(log)?;
        }
        Ok(())
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::Unavailable;

    pub(in super::super) fn available() -> bool {
        false
    }
    pub(in super::super) fn get(_: &str) -> Result<Option<String>, Unavailable> {
        Err(Unavailable)
    }
    pub(in super::super) fn set(_: &str, _: &str) -> Result<(), Unavailable> {
        Err(Unavailable)
    }
    pub(in super::super) fn delete(_: &str) -> Result<(), Unavailable> {
        Err(Unavailable)
    }
}

pub(super) use imp::{available, delete, get, set};
