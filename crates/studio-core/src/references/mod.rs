//! References: images (check, orient, downscale if needed) and videos (recognise, read the duration, keep
//! as they are), imported into `refs/` under their content hash (so the same file is stored once and a chat
//! can be resumed after the originals move), and loaded back for a request. An image is sniffed and its
//! size capped in [`sniff`], its memory planned from its header in [`plan`], and its pixel work done in
//! [`pipeline`]; the video containers are in [`video`] ([`isobmff`] for MP4/MOV, [`ebml`] for WebM).
//!
//! Hostile files are bounded before they cost anything: a path is opened only when it is a regular file
//! (and without blocking, should a FIFO take its place), its size is checked against its kind's cap from
//! `fstat`, its kind comes from the first bytes, videos are streamed and never read whole, and an image
//! is read and decoded only after its header's pixel size fits the one process-wide memory [`budget`]
//! shared by every import path (several files in parallel, pastes, gallery images, the CLI).

pub mod budget;
pub mod dimensions;
pub mod ebml;
pub mod isobmff;
mod jpeg;
pub mod pipeline;
pub mod plan;
pub mod png_stream;
pub mod sniff;
pub mod video;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use gemini::Part;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::gallery::store::Store;
use crate::paths::{atomic_write, ext_for_mime, sync_dir};

/// What a reference is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReferenceKind {
    /// A reference image: counts against the model's reference and character limits.
    #[default]
    Image,
    /// A video as context (a thumbnail, a poster, a summary from a clip): only on models with
    /// `video_input`, always sent through the Files API, and not counted against the image limits.
    Video,
}

impl ReferenceKind {
    /// The spelling stored in `reference_images.kind`.
    fn as_db(self) -> &'static str {
        match self {
            ReferenceKind::Image => "image",
            ReferenceKind::Video => "video",
        }
    }

    fn from_db(s: &str) -> Option<Self> {
        match s {
            "image" => Some(ReferenceKind::Image),
            "video" => Some(ReferenceKind::Video),
            _ => None,
        }
    }
}

/// A stored reference image or video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReferenceInfo {
    /// SHA-256 (hex) of the original file: the id to pass in `GenerateRequest::reference_hashes`.
    pub hash: String,
    /// The file name it was imported from.
    pub name: String,
    /// MIME type of the stored (request-ready) bytes.
    pub mime: String,
    /// Pixel size of the stored bytes (0 when unknown, e.g. a HEIF without `ispe`, or a video: videos are
    /// never decoded).
    pub width: u32,
    pub height: u32,
    /// Size of the stored bytes.
    pub bytes: i64,
    /// Image or video.
    pub kind: ReferenceKind,
    /// A video's length in milliseconds, when its container says it (`moov/mvhd` in MP4/MOV,
    /// `Segment/Info` in WebM); `None` for images.
    pub duration_ms: Option<u64>,
}

/// A stored reference as a request uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    /// An image's request-ready bytes, sent inline (or through the Files API when the request is too large).
    Image { mime: String, bytes: Vec<u8> },
    /// A video, which always goes through the Files API: read from `refs/` only when it has to be uploaded.
    Video { hash: String, mime: String },
}

/// The `fileUri` a video's part carries until its upload: the generation's request stage swaps it for the
/// Files API URI (see `generate::request`), and never sends a request that still holds one. History is
/// rebuilt without network access, so the upload cannot happen where the part is made.
pub(crate) const PENDING_VIDEO: &str = "studio-pending-video:";

impl Loaded {
    /// The user-turn part for this reference.
    pub fn part(&self) -> Part {
        match self {
            Loaded::Image { mime, bytes } => Part::inline_bytes(mime.clone(), bytes),
            Loaded::Video { hash, mime } => Part::file(mime.clone(), format!("{PENDING_VIDEO}{hash}")),
        }
    }
}

/// The reference hash of a video part still waiting for its upload.
pub(crate) fn pending_video(uri: &str) -> Option<&str> {
    uri.strip_prefix(PENDING_VIDEO)
}

fn lookup(store: &Store, hash: &str) -> Result<Option<(ReferenceInfo, String)>> {
    let conn = store.conn();
    let row = conn
        .query_row(
            "SELECT hash, name, mime, width, height, bytes, file_name, kind, duration_ms \
             FROM reference_images WHERE hash = ?1",
            [hash],
            |r| {
                Ok((
                    ReferenceInfo {
                        hash: r.get(0)?,
                        name: r.get(1)?,
                        mime: r.get(2)?,
                        width: r.get(3)?,
                        height: r.get(4)?,
                        bytes: r.get(5)?,
                        kind: ReferenceKind::Image,
                        duration_ms: r.get::<_, Option<i64>>(8)?.and_then(|d| u64::try_from(d).ok()),
                    },
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                ))
            },
        )
        .optional()?;
    let Some((mut info, file, kind)) = row else {
        return Ok(None);
    };
    info.kind = ReferenceKind::from_db(&kind).ok_or_else(|| {
        Error::CorruptStore(format!("reference {hash} has an unknown kind \"{kind}\""))
    })?;
    Ok(Some((info, file)))
}

/// The stored reference with this hash, if its row and its file are both there.
fn existing(store: &Store, hash: &str) -> Result<Option<ReferenceInfo>> {
    Ok(lookup(store, hash)?
        .filter(|(_, file)| store.dirs.refs.join(file).exists())
        .map(|(info, _)| info))
}

fn insert(store: &Store, info: &ReferenceInfo, file: &str) -> Result<()> {
    let duration = info.duration_ms.and_then(|d| i64::try_from(d).ok());
    store
        .conn()
        .execute(
            "INSERT OR REPLACE INTO reference_images \
             (hash, name, mime, file_name, width, height, bytes, created_at, kind, duration_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                info.hash,
                info.name,
                info.mime,
                file,
                info.width,
                info.height,
                info.bytes,
                crate::time::now_ms(),
                info.kind.as_db(),
                duration
            ],
        )
        .map_err(Error::db("insert reference"))?;
    Ok(())
}

fn refused(name: &str, reason: impl Into<String>) -> Error {
    Error::InvalidReference {
        name: name.to_string(),
        reason: reason.into(),
    }
}

/// Imports one file's bytes (blocking: decode and encode run on the calling thread). Pasted and dropped
/// videos come this way too.
pub fn import_bytes_blocking(store: &Store, bytes: &[u8], name: &str) -> Result<ReferenceInfo> {
    video::check_size(bytes.len() as u64).map_err(|r| refused(name, r))?;
    if let Some(format) = video::sniff(&bytes[..bytes.len().min(video::HEAD_BYTES)]) {
        let format = format.map_err(|r| refused(name, r))?;
        let len = bytes.len() as u64;
        let duration = video::duration_ms(format, &mut std::io::Cursor::new(bytes), len)
            .map_err(|r| refused(name, r))?;
        let hash = pipeline::content_hash(bytes);
        if let Some(info) = existing(store, &hash)? {
            return Ok(info);
        }
        let info = video_info(hash, name, format, len, duration);
        let file = stored_name(&info);
        atomic_write(&store.dirs.refs.join(&file), bytes)?;
        insert(store, &info, &file)?;
        return Ok(info);
    }
    import_image(store, bytes, name, None)
}

/// Stores an image's bytes, prepared under `held` (taken from its file's plan) or under a permit of its
/// own.
fn import_image(
    store: &Store,
    bytes: &[u8],
    name: &str,
    held: Option<&budget::Permit<'_>>,
) -> Result<ReferenceInfo> {
    let hash = pipeline::content_hash(bytes);
    if let Some(info) = existing(store, &hash)? {
        return Ok(info);
    }
    let prepared = match held {
        Some(permit) => pipeline::prepare_held(bytes, permit),
        None => pipeline::prepare(bytes),
    }
    .map_err(|reason| refused(name, reason))?;
    let info = ReferenceInfo {
        hash: prepared.hash,
        name: name.to_string(),
        mime: prepared.mime.to_string(),
        width: prepared.width,
        height: prepared.height,
        bytes: prepared.bytes.len() as i64,
        kind: ReferenceKind::Image,
        duration_ms: None,
    };
    let file = stored_name(&info);
    atomic_write(&store.dirs.refs.join(&file), &prepared.bytes)?;
    insert(store, &info, &file)?;
    Ok(info)
}

/// The file name in `refs/`: the content hash and the extension of the stored type.
fn stored_name(info: &ReferenceInfo) -> String {
    format!("{}.{}", info.hash, ext_for_mime(&info.mime))
}

fn video_info(
    hash: String,
    name: &str,
    format: video::VideoFormat,
    len: u64,
    duration_ms: Option<u64>,
) -> ReferenceInfo {
    ReferenceInfo {
        hash,
        name: name.to_string(),
        mime: format.mime().to_string(),
        width: 0,
        height: 0,
        bytes: len as i64,
        kind: ReferenceKind::Video,
        duration_ms,
    }
}

/// The display name of a path (its file name).
pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Imports a file from disk (blocking). An unreadable file, or anything but a regular file, is an
/// `InvalidReference` naming it. Nothing is read whole before its kind and size allow it: videos are
/// streamed (their duration comes from a few seeks, their bytes are hashed and copied in chunks), and an
/// image is read only once its header's pixel size fits the decode budget, under a permit from it.
pub fn import_file_blocking(store: &Store, path: &Path) -> Result<ReferenceInfo> {
    import_file_as_blocking(store, path, &display_name(path))
}

/// [`import_file_blocking`] under another name in messages (the chat's last image, say).
pub fn import_file_as_blocking(store: &Store, path: &Path, name: &str) -> Result<ReferenceInfo> {
    let cannot_read =
        |e: std::io::Error| refused(name, format!("cannot read {} ({e})", path.display()));
    let (mut file, len) = open_regular(path).map_err(|e| match e {
        OpenError::Io(e) => cannot_read(e),
        OpenError::NotRegular(r) => refused(name, r),
    })?;
    video::check_size(len).map_err(|r| refused(name, r))?;
    let mut head = Vec::with_capacity(video::HEAD_BYTES);
    (&mut file)
        .take(video::HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(cannot_read)?;
    let Some(format) = video::sniff(&head) else {
        let plan = pipeline::plan(&mut file, len).map_err(|r| refused(name, r))?;
        let permit = budget::global().acquire(plan.cost);
        let mut bytes = Vec::new();
        bytes
            .try_reserve_exact(len as usize)
            .map_err(|_| refused(name, "there is not enough memory to read it"))?;
        file.seek(SeekFrom::Start(0)).map_err(cannot_read)?;
        // No more than fstat said: a file growing meanwhile must not outgrow its permit.
        (&mut file)
            .take(len)
            .read_to_end(&mut bytes)
            .map_err(cannot_read)?;
        return import_image(store, &bytes, name, Some(&permit));
    };
    let format = format.map_err(|r| refused(name, r))?;
    let duration = video::duration_ms(format, &mut file, len).map_err(|r| refused(name, r))?;
    let hash = hash_stream(&mut file, &mut std::io::sink())
        .map_err(cannot_read)?
        .0;
    if let Some(info) = existing(store, &hash)? {
        return Ok(info);
    }
    let info = video_info(hash, name, format, len, duration);
    copy_into_store(store, &mut file, &info, name)?;
    Ok(info)
}

enum OpenError {
    Io(std::io::Error),
    NotRegular(String),
}

/// Opens a regular file for reading, with its length from `fstat`. Its type is checked before opening
/// (opening a FIFO for reading waits for a writer), and the open itself is non-blocking, so a FIFO swapped
/// in after the check cannot hang the import either; then the opened handle is checked again, so every
/// later check holds for the file actually read.
fn open_regular(path: &Path) -> std::result::Result<(File, u64), OpenError> {
    check_regular(&std::fs::metadata(path).map_err(OpenError::Io)?)
        .map_err(OpenError::NotRegular)?;
    let file = open_nonblocking(path).map_err(OpenError::Io)?;
    let meta = file.metadata().map_err(OpenError::Io)?;
    check_regular(&meta).map_err(OpenError::NotRegular)?;
    Ok((file, meta.len()))
}

fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // No effect on a regular file's reads; only the open of a FIFO or device is kept from waiting.
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// What a file on disk looks like from its first bytes, without importing it: a video when it sniffs as
/// one (even one that will be refused, a Matroska say), otherwise an image (whatever it is, its import says
/// why it cannot be used). Only regular files are opened, as [`import_file_blocking`] opens them.
pub fn sniff_file(path: &Path) -> ReferenceKind {
    let head = || -> std::result::Result<Vec<u8>, OpenError> {
        let (file, _) = open_regular(path)?;
        let mut head = Vec::with_capacity(video::HEAD_BYTES);
        file.take(video::HEAD_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(OpenError::Io)?;
        Ok(head)
    };
    match head() {
        Ok(h) if video::sniff(&h).is_some() => ReferenceKind::Video,
        _ => ReferenceKind::Image,
    }
}

fn check_regular(meta: &std::fs::Metadata) -> std::result::Result<(), String> {
    if meta.is_file() {
        Ok(())
    } else if meta.is_dir() {
        Err("it is a folder, not a file".into())
    } else {
        Err("it is not a regular file (a device, pipe or socket)".into())
    }
}

/// SHA-256 of everything from the start of `r`, written on to `out` as it is read: (hex hash, length).
fn hash_stream<R: Read + Seek>(r: &mut R, out: &mut dyn Write) -> std::io::Result<(String, u64)> {
    r.seek(SeekFrom::Start(0))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])?;
        total += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

/// Copies a video into `refs/` under its hash: a temp file (`.tmp`, swept at start if a crash leaves it),
/// hashed again as it is written so a file that changed since it was hashed is refused instead of stored
/// under the wrong name, then fsync, rename and the row.
fn copy_into_store(store: &Store, src: &mut File, info: &ReferenceInfo, name: &str) -> Result<()> {
    let file = stored_name(info);
    let dest = store.dirs.refs.join(&file);
    let tmp = store
        .dirs
        .refs
        .join(format!(".{file}.{:08x}.tmp", fastrand::u32(..)));
    let copied = (|| -> std::io::Result<(String, u64)> {
        let mut out = crate::paths::create_private(&tmp)?;
        let got = hash_stream(src, &mut out)?;
        out.sync_data()?;
        Ok(got)
    })();
    let (hash, len) = match copied {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::io("cannot copy the video into", &tmp, e));
        }
    };
    if hash != info.hash || len != info.bytes as u64 {
        let _ = std::fs::remove_file(&tmp);
        return Err(refused(
            name,
            "the file changed while it was being imported: try again",
        ));
    }
    if let Err(e) = std::fs::rename(&tmp, &dest) {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io("cannot rename into place", &dest, e));
    }
    sync_dir(&store.dirs.refs);
    insert(store, info, &file)
}

/// Imports many files in parallel (one per core, within the decode budget); results in input order.
pub fn import_files_blocking(store: &Store, paths: &[PathBuf]) -> Vec<Result<ReferenceInfo>> {
    budget::par_map(paths, |p| import_file_blocking(store, p))
}

/// Loads a stored reference for a request: an image's bytes, or a video's hash and type (its bytes are read
/// only if it has to be uploaded).
pub fn load(store: &Store, hash: &str) -> Result<Loaded> {
    if !crate::paths::is_safe_id(hash) {
        return Err(Error::ReferenceNotFound(hash.to_string()));
    }
    let (info, file) =
        lookup(store, hash)?.ok_or_else(|| Error::ReferenceNotFound(hash.to_string()))?;
    let path = store.dirs.refs.join(file);
    match info.kind {
        ReferenceKind::Image => {
            let bytes =
                std::fs::read(&path).map_err(|_| Error::ReferenceNotFound(hash.to_string()))?;
            Ok(Loaded::Image {
                mime: info.mime,
                bytes,
            })
        }
        ReferenceKind::Video if path.is_file() => Ok(Loaded::Video {
            hash: info.hash,
            mime: info.mime,
        }),
        ReferenceKind::Video => Err(Error::ReferenceNotFound(hash.to_string())),
    }
}

/// A stored video's bytes, for its upload.
pub(crate) fn read_video(store: &Store, hash: &str) -> Result<Vec<u8>> {
    if !crate::paths::is_safe_id(hash) {
        return Err(Error::ReferenceNotFound(hash.to_string()));
    }
    let (_, file) =
        lookup(store, hash)?.ok_or_else(|| Error::ReferenceNotFound(hash.to_string()))?;
    let path = store.dirs.refs.join(file);
    std::fs::read(&path).map_err(|e| Error::io("cannot read the stored video", &path, e))
}

/// Info of a stored reference.
pub fn info(store: &Store, hash: &str) -> Result<ReferenceInfo> {
    Ok(lookup(store, hash)?
        .ok_or_else(|| Error::ReferenceNotFound(hash.to_string()))?
        .0)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// Issue 9: a FIFO put in place of the file between the type check and the open (the path is checked,
    /// then opened) must not hang the import. The open itself does not wait for a writer, and the opened
    /// handle's type is what is checked. Under a deadline, so a regression fails instead of hanging.
    #[test]
    fn a_fifo_swapped_in_after_the_check_does_not_block_the_open() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("swapped.png");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let (tx, rx) = std::sync::mpsc::channel();
        let path = fifo.clone();
        std::thread::spawn(move || {
            let got = open_nonblocking(&path)
                .and_then(|f| f.metadata())
                .map(|m| check_regular(&m));
            let _ = tx.send(got);
        });
        let got = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("opening a FIFO blocked");
        let refused = got.unwrap().unwrap_err();
        assert!(refused.contains("not a regular file"), "{refused}");
    }
}
