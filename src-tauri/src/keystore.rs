//! Where the API key is kept. `GEMINI_API_KEY` wins when set; otherwise the key the person pasted in Settings,
//! stored in a file only the user can read (mode 0600) in the data folder. The webview only ever learns
//! whether a key is set and where it came from, never the key.
//!
//! The OS keychain (Secret Service) is not used yet: it needs a running Secret Service, which headless CI
//! machines lack; the file is the documented fallback and the UI says which store is in use.

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// From the `GEMINI_API_KEY` environment variable (wins over a stored key).
    Environment,
    /// From the private key file in the data folder.
    File,
    /// No key: the app runs its offline demo.
    None,
}

pub struct KeyStore {
    file: PathBuf,
}

impl KeyStore {
    pub fn new(data_dir: &Path) -> KeyStore {
        KeyStore { file: data_dir.join("api-key") }
    }

    #[cfg(test)]
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// The key in force and where it came from.
    pub fn current(&self) -> (Option<String>, KeySource) {
        if let Some(k) = std::env::var("GEMINI_API_KEY").ok().map(|k| k.trim().to_string()).filter(|k| !k.is_empty())
        {
            return (Some(k), KeySource::Environment);
        }
        match std::fs::read_to_string(&self.file) {
            Ok(k) if !k.trim().is_empty() => (Some(k.trim().to_string()), KeySource::File),
            _ => (None, KeySource::None),
        }
    }

    /// Stores `key` atomically with owner-only permissions.
    pub fn set(&self, key: &str) -> std::io::Result<()> {
        let tmp = self.file.with_extension("tmp");
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(key.trim().as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &self.file)
    }

    pub fn clear(&self) -> std::io::Result<()> {
        match std::fs::remove_file(&self.file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_privately_and_clears() {
        let dir = std::env::temp_dir().join(format!("banana-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = KeyStore::new(&dir);
        store.set("  AIzaTest  ").unwrap();
        assert_eq!(std::fs::read_to_string(store.path()).unwrap(), "AIzaTest");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path()).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        if std::env::var_os("GEMINI_API_KEY").is_none() {
            assert_eq!(store.current(), (Some("AIzaTest".into()), KeySource::File));
            store.clear().unwrap();
            assert_eq!(store.current(), (None, KeySource::None));
        }
        store.clear().unwrap();
    }
}
