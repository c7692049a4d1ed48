//! Where the Gemini API key is kept, shared by the desktop app and the `banana` CLI.
//!
//! Lookup order: `GEMINI_API_KEY` when set, then the OS keychain (the freedesktop Secret Service on Linux:
//! GNOME Keyring, KWallet, KeePassXC), then a private file (mode 0600) in the data folder, the fallback
//! for machines where no keychain runs. A key is stored per data folder, so two data folders never share
//! a key by accident. Callers only ever learn whether a key is set and where it came from.

mod file;
mod keychain;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::{Error, Result};

/// Where the key in force came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// The `GEMINI_API_KEY` environment variable (wins over a stored key).
    Environment,
    /// The OS keychain (Secret Service).
    Keychain,
    /// The private 0600 file in the data folder (no keychain was running when it was saved).
    File,
    /// No key: the app runs its offline demo.
    None,
}

/// Where a key saved now would go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum KeyStorage {
    Keychain,
    File,
}

/// `GEMINI_API_KEY` as read by [`take_env_key`], when that ran.
static ENV_KEY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

fn read_env_key() -> Option<String> {
    std::env::var("GEMINI_API_KEY")
        .ok()
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
}

/// Reads `GEMINI_API_KEY` once and removes it from the environment, so that nothing the process starts
/// (the browser opened for a link, WebKit's helper processes and what they start) inherits the key. Call it
/// first thing in `main`, before any thread starts: changing the environment is only sound then.
pub fn take_env_key() {
    ENV_KEY.get_or_init(|| {
        let key = read_env_key();
        std::env::remove_var("GEMINI_API_KEY");
        key
    });
}

/// The `GEMINI_API_KEY` that [`take_env_key`] removed, for handing to a restart of this same app (after the
/// gallery index was rebuilt at start-up), which would otherwise come back without it.
pub fn taken_env_key() -> Option<String> {
    ENV_KEY.get().cloned().flatten()
}

/// The key from the environment: the one [`take_env_key`] kept, else (in processes that never took it, such
/// as the CLI and tests) the variable as it is now.
fn env_key() -> Option<String> {
    match ENV_KEY.get() {
        Some(k) => k.clone(),
        None => read_env_key(),
    }
}


/// The key store of one data folder.
pub struct KeyStore {
    file: PathBuf,
    /// The data folder's canonical path: the keychain item's scope.
    scope: String,
    use_keychain: bool,
}

impl KeyStore {
    /// A store that uses the keychain when one runs, unless `BANANA_KEYCHAIN=off`.
    pub fn new(data_dir: &Path) -> KeyStore {
        let off = std::env::var("BANANA_KEYCHAIN").is_ok_and(|v| v.eq_ignore_ascii_case("off"));
        KeyStore::with_keychain(data_dir, !off)
    }

    /// A store that never touches the keychain (tests, and `BANANA_KEYCHAIN=off`).
    pub fn with_keychain(data_dir: &Path, use_keychain: bool) -> KeyStore {
        let scope = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
        KeyStore {
            file: data_dir.join("api-key"),
            scope: scope.to_string_lossy().into_owned(),
            use_keychain,
        }
    }

    pub fn file_path(&self) -> &Path {
        &self.file
    }

    /// Where [`set`](Self::set) would store a key right now.
    pub fn storage(&self) -> KeyStorage {
        if self.use_keychain && keychain::available() {
            KeyStorage::Keychain
        } else {
            KeyStorage::File
        }
    }

    /// The key in force and where it came from. A keychain that fails is skipped (the file may still hold
    /// a key saved while no keychain ran); its error is logged, not fatal, so the app can still start.
    pub fn current(&self) -> (Option<String>, KeySource) {
        if let Some(k) = env_key() {
            return (Some(k), KeySource::Environment);
        }
        if self.use_keychain {
            if let Ok(Some(k)) = keychain::get(&self.scope) {
                return (Some(k), KeySource::Keychain);
            }
        }
        match file::read(&self.file) {
            Some(k) => (Some(k), KeySource::File),
            None => (None, KeySource::None),
        }
    }

    /// Stores `key`: in the keychain when one runs (and then removes any file copy), else in the file.
    pub fn set(&self, key: &str) -> Result<KeyStorage> {
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::InvalidParams("the API key is empty: paste a Gemini API key".into()));
        }
        if self.use_keychain && keychain::set(&self.scope, key).is_ok() {
            file::remove(&self.file)?;
            return Ok(KeyStorage::Keychain);
        }
        file::write(&self.file, key)?;
        Ok(KeyStorage::File)
    }

    /// Forgets the key in both places.
    pub fn clear(&self) -> Result<()> {
        if self.use_keychain {
            // A keychain that is not running holds nothing of ours to delete.
            let _ = keychain::delete(&self.scope);
        }
        file::remove(&self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9: `GEMINI_API_KEY` stayed in the environment, inherited by every process the app starts. (The
    /// test runner gives each test a process of its own, so changing the environment here touches no other.)
    #[test]
    fn the_env_key_is_taken_out_of_the_environment_and_still_used() {
        std::env::set_var("GEMINI_API_KEY", " AIzaSy-from-env ");
        take_env_key();
        assert!(std::env::var_os("GEMINI_API_KEY").is_none(), "children inherit no key");
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::with_keychain(dir.path(), false);
        assert_eq!(store.current(), (Some("AIzaSy-from-env".into()), KeySource::Environment));
    }

    #[test]
    fn file_store_is_private_and_clears() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::with_keychain(dir.path(), false);
        assert_eq!(store.storage(), KeyStorage::File);
        assert_eq!(store.set("  AIzaTest  ").unwrap(), KeyStorage::File);
        assert_eq!(std::fs::read_to_string(store.file_path()).unwrap(), "AIzaTest");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.file_path()).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // env_key(), not the variable: another test in this process may have taken a key out of it.
        if env_key().is_none() {
            assert_eq!(store.current(), (Some("AIzaTest".into()), KeySource::File));
            store.clear().unwrap();
            assert_eq!(store.current(), (None, KeySource::None));
        }
        store.clear().unwrap();
        assert!(matches!(store.set("   "), Err(Error::InvalidParams(_))));
    }
}
