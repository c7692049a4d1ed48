//! The fallback store: one file, owner-only (0600), written atomically.
//!
//! The temp file has a random name and is created exclusively (`O_EXCL`, and never through a symlink), so a
//! leftover temp with looser permissions, a planted symlink or a concurrent save can neither widen the
//! key's permissions nor garble it; its mode is set on the open file, then file and folder are fsynced.

use std::io::Write;
use std::path::Path;

use crate::{Error, Result};

pub(super) fn read(path: &Path) -> Option<String> {
    tighten(path);
    let k = std::fs::read_to_string(path).ok()?;
    let k = k.trim();
    (!k.is_empty()).then(|| k.to_string())
}

pub(super) fn write(path: &Path, key: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("api-key");
    let tmp = dir.join(format!(".{name}.{:016x}.tmp", fastrand::u64(..)));
    let write = || -> std::io::Result<()> {
        // create_new with mode 0600: O_CREAT|O_EXCL fails on anything already at the name, a symlink
        // included (O_EXCL never follows one).
        let mut f = crate::paths::create_private(&tmp)?;
        #[cfg(unix)]
        {
            // The umask cannot widen it, and neither can a mode the file somehow had.
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        f.write_all(key.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        crate::paths::sync_dir(dir);
        Ok(())
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io("could not store the API key in", path, e)
    })
}

/// A key file readable by group or others (written by an older version, or copied) is made owner-only.
fn tighten(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::symlink_metadata(path) {
            if m.is_file() && m.permissions().mode() & 0o077 != 0 {
                tracing::warn!("the API key file {} was readable by others; made it owner-only", path.display());
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
            }
        }
    }
}

pub(super) fn remove(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::io("could not remove the API key file", path, e))
        }
        _ => Ok(()),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// Issue 9: a leftover 0644 `api-key.tmp` gave a 0644 key, and a symlink there was followed.
    #[test]
    fn a_leftover_temp_or_symlink_cannot_widen_or_redirect_the_key() {
        // A 0644 leftover at the temp name the old code used.
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("api-key");
        let old_tmp = dir.path().join("api-key.tmp");
        std::fs::write(&old_tmp, "old").unwrap();
        std::fs::set_permissions(&old_tmp, std::fs::Permissions::from_mode(0o644)).unwrap();
        write(&key, "AIzaSy-secret").unwrap();
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(read(&key).as_deref(), Some("AIzaSy-secret"));
        // A symlink planted there.
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("api-key");
        let elsewhere = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&elsewhere, dir.path().join("api-key.tmp")).unwrap();
        write(&key, "AIzaSy-secret").unwrap();
        assert!(!elsewhere.exists(), "no symlink followed");
        assert!(std::fs::symlink_metadata(&key).unwrap().is_file(), "the key is a plain file");
        // A key file that others can read is made owner-only when read.
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(read(&key).as_deref(), Some("AIzaSy-secret"));
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn concurrent_saves_leave_one_whole_key() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("api-key");
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let key = key.clone();
                std::thread::spawn(move || write(&key, &format!("AIzaSy-key-{i}-{}", "x".repeat(200))))
            })
            .collect();
        for h in handles {
            h.join().unwrap().unwrap();
        }
        let k = read(&key).unwrap();
        assert!(k.starts_with("AIzaSy-key-") && k.len() == "AIzaSy-key-0-".len() + 200, "{k}");
    }
}
