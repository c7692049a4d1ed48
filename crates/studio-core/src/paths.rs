//! The data directory: where it is, its layout, and atomic file writes.
//!
//! Layout: `gallery.sqlite` (WAL), `images/` (generated images, byte-for-byte as received), `thumbs/`,
//! `refs/` (request-ready reference images by content hash, so chats resume after the originals move),
//! `blobs/` (the image data of stored model turns, hard-linked to the gallery files) and `tmp/` (interim thought images and in-flight temp files; emptied at open).

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The environment variable that overrides the data dir (tests, the CLI, portable installs).
pub const DATA_DIR_ENV: &str = "BANANA_STUDIO_DATA_DIR";
/// The app identifier, also the data dir's name (as Tauri's `app_data_dir` names it).
pub const APP_ID: &str = "studio.banana.app";

/// `$HOME`, when set and not empty.
pub fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
}

/// `~` and `~/...` mean the home folder, as people type them; anything else is taken as it is.
pub fn expand_home(folder: &str) -> PathBuf {
    match (folder, home_dir()) {
        ("~", Some(h)) => h,
        (f, Some(h)) if f.starts_with("~/") => h.join(&f[2..]),
        (f, _) => PathBuf::from(f),
    }
}

/// `BANANA_STUDIO_DATA_DIR` when set, else the OS app-data dir: `$XDG_DATA_HOME/studio.banana.app` or
/// `~/.local/share/studio.banana.app` on Linux, `~/Library/Application Support/studio.banana.app` on macOS,
/// `%APPDATA%\studio.banana.app` on Windows. Same place the desktop app uses, so both share one gallery.
pub fn default_data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    if cfg!(windows) {
        if let Some(a) = std::env::var_os("APPDATA").filter(|d| !d.is_empty()) {
            return PathBuf::from(a).join(APP_ID);
        }
    }
    let home = home_dir();
    if cfg!(target_os = "macos") {
        if let Some(h) = home {
            return h.join("Library/Application Support").join(APP_ID);
        }
    }
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(x).join(APP_ID);
    }
    match home {
        Some(h) => h.join(".local/share").join(APP_ID),
        None => PathBuf::from(".").join(APP_ID),
    }
}

/// The resolved layout of one data dir.
#[derive(Debug, Clone)]
pub struct DataDir {
    pub root: PathBuf,
    pub db: PathBuf,
    pub images: PathBuf,
    pub thumbs: PathBuf,
    pub refs: PathBuf,
    /// Image data of stored model turns (hard links to the gallery files where possible).
    pub blobs: PathBuf,
    pub tmp: PathBuf,
    /// One file per save in progress, listing the files it writes: the only files the start-up sweep may
    /// remove (see `gallery::store`).
    pub journal: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        let root = root.into();
        DataDir {
            db: root.join("gallery.sqlite"),
            images: root.join("images"),
            thumbs: root.join("thumbs"),
            refs: root.join("refs"),
            blobs: root.join("blobs"),
            tmp: root.join("tmp"),
            journal: root.join("journal"),
            root,
        }
    }

    /// Creates every directory.
    pub fn create(&self) -> Result<()> {
        for d in [
            &self.root,
            &self.images,
            &self.thumbs,
            &self.refs,
            &self.blobs,
            &self.tmp,
            &self.journal,
        ] {
            fs::create_dir_all(d).map_err(|e| Error::io("cannot create directory", d, e))?;
        }
        // Prompts, photos, chats and the key file live here: no other local user may look inside. The root's
        // mode is enough (nothing below can be reached without it) and is set on every open, so a folder
        // created by an older version is closed too.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&self.root, fs::Permissions::from_mode(0o700))
                .map_err(|e| Error::io("cannot make private", &self.root, e))?;
        }
        Ok(())
    }
}

/// The file extension for an image (or reference video) MIME type.
pub fn ext_for_mime(mime: &str) -> &'static str {
    match mime.to_ascii_lowercase().as_str() {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/webp" => "webp",
        "image/heic" => "heic",
        "image/heif" => "heif",
        "image/gif" => "gif",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "video/3gpp" => "3gp",
        "video/webm" => "webm",
        _ => "bin",
    }
}

/// MIME type for a stored file's extension (the inverse of [`ext_for_mime`]).
pub fn mime_for_ext(ext: &str) -> &'static str {
    match ext {
        "png" => "image/png",
        "jpg" => "image/jpeg",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "gif" => "image/gif",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "3gp" => "video/3gpp",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// Writes `bytes` to `path` atomically: a temp file in the same directory, fsync, rename, fsync of the
/// directory. Readers see the old state or the whole new file, never a half file.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    atomic_write_no_dir_sync(path, bytes)?;
    if let Some(dir) = path.parent() {
        sync_dir(dir);
    }
    Ok(())
}

/// [`atomic_write`] without the directory fsync, for callers that write several files and then sync
/// their directories once (the rename is durable only after that sync).
pub fn atomic_write_no_dir_sync(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| Error::Other(format!("{} has no parent directory", path.display())))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.{:08x}.tmp", fastrand::u32(..)));
    let write = || -> std::io::Result<()> {
        let mut f = create_private(&tmp)?;
        f.write_all(bytes)?;
        // fdatasync: the data and what is needed to read it back (size), not timestamps.
        f.sync_data()?;
        Ok(())
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io("cannot write", &tmp, e));
    }
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io("cannot rename into place", path, e));
    }
    Ok(())
}

/// Creates a new file (never an existing one, never through a link) that only its owner can read: prompts,
/// photos and chats are private even where the data folder's own 0700 is undone (a copy, a sync client, a
/// chmod). Everything the app writes into the data folder goes through here, or [`atomic_write`].
pub fn create_private(path: &Path) -> std::io::Result<File> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Makes an existing file owner-only (files an older version or SQLite created with the umask's mode).
pub fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match fs::set_permissions(path, fs::Permissions::from_mode(0o600)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Gives a copy made for the person (Save as, export) the mode of any document of theirs: readable by
/// others as their umask allows, unlike the private files it was copied from.
pub fn make_shareable(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// fsync a directory so a rename survives power loss (a no-op where directories cannot be opened).
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// A sortable unique id: `prefix` + 12 hex digits of milliseconds + 8 random hex digits.
pub fn new_id(prefix: &str) -> String {
    format!(
        "{prefix}{:012x}{:08x}",
        crate::time::now_ms(),
        fastrand::u32(..)
    )
}

/// Ids come from outside (IPC, CLI); only these characters may reach a file name.
pub fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A file name read back from our own records (a journal entry, a stored row): a plain name inside its
/// folder, never a path (no separator, no `..`, no leading dot).
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file_and_leaves_no_temp() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.png");
        atomic_write(&p, b"one").unwrap();
        atomic_write(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn ids_are_safe() {
        assert!(is_safe_id(&new_id("img_")));
        assert!(!is_safe_id("../etc"));
        assert!(!is_safe_id(""));
    }
}
