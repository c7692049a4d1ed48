//! Reference images: import (check, orient, downscale if needed, dedup by content hash) into `refs/` so a
//! chat can be resumed after the originals move, and loading them back for a request. The pixel work is
//! in [`pipeline`]; imports of several files run in parallel across cores (rayon).

pub mod pipeline;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::gallery::store::Store;
use crate::paths::{atomic_write, ext_for_mime};

/// A stored reference image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReferenceInfo {
    /// SHA-256 (hex) of the original file: the id to pass in `GenerateRequest::reference_hashes`.
    pub hash: String,
    /// The file name it was imported from.
    pub name: String,
    /// MIME type of the stored (request-ready) bytes.
    pub mime: String,
    /// Pixel size of the stored bytes (0 when unknown, e.g. a HEIF without `ispe`).
    pub width: u32,
    pub height: u32,
    /// Size of the stored bytes.
    pub bytes: i64,
}

fn lookup(store: &Store, hash: &str) -> Result<Option<(ReferenceInfo, String)>> {
    let conn = store.conn();
    let row = conn
        .query_row(
            "SELECT hash, name, mime, width, height, bytes, file_name FROM reference_images WHERE hash = ?1",
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
                    },
                    r.get::<_, String>(6)?,
                ))
            },
        )
        .optional()?;
    Ok(row)
}

/// Imports one file's bytes (blocking: decode and encode run on the calling thread).
pub fn import_bytes_blocking(store: &Store, bytes: &[u8], name: &str) -> Result<ReferenceInfo> {
    let hash = pipeline::content_hash(bytes);
    if let Some((info, file)) = lookup(store, &hash)? {
        if store.dirs.refs.join(&file).exists() {
            return Ok(info);
        }
    }
    let prepared = pipeline::prepare(bytes).map_err(|reason| Error::InvalidReference {
        name: name.to_string(),
        reason,
    })?;
    let file = format!("{}.{}", prepared.hash, ext_for_mime(prepared.mime));
    atomic_write(&store.dirs.refs.join(&file), &prepared.bytes)?;
    let info = ReferenceInfo {
        hash: prepared.hash,
        name: name.to_string(),
        mime: prepared.mime.to_string(),
        width: prepared.width,
        height: prepared.height,
        bytes: prepared.bytes.len() as i64,
    };
    store
        .conn()
        .execute(
            "INSERT OR REPLACE INTO reference_images (hash, name, mime, file_name, width, height, bytes, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![info.hash, info.name, info.mime, file, info.width, info.height, info.bytes, crate::time::now_ms()],
        )
        .map_err(Error::db("insert reference"))?;
    Ok(info)
}

/// The display name of a path (its file name).
pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Imports a file from disk (blocking). An unreadable file is an `InvalidReference` naming it.
pub fn import_file_blocking(store: &Store, path: &Path) -> Result<ReferenceInfo> {
    let name = display_name(path);
    let bytes = std::fs::read(path).map_err(|e| Error::InvalidReference {
        name: name.clone(),
        reason: format!("cannot read {} ({e})", path.display()),
    })?;
    import_bytes_blocking(store, &bytes, &name)
}

/// Imports many files in parallel (one per core); results in input order.
pub fn import_files_blocking(store: &Store, paths: &[PathBuf]) -> Vec<Result<ReferenceInfo>> {
    paths
        .par_iter()
        .map(|p| import_file_blocking(store, p))
        .collect()
}

/// Reads a stored reference for a request: (mime, bytes).
pub fn load(store: &Store, hash: &str) -> Result<(String, Vec<u8>)> {
    if !crate::paths::is_safe_id(hash) {
        return Err(Error::ReferenceNotFound(hash.to_string()));
    }
    let (info, file) =
        lookup(store, hash)?.ok_or_else(|| Error::ReferenceNotFound(hash.to_string()))?;
    let path = store.dirs.refs.join(file);
    let bytes = std::fs::read(&path).map_err(|_| Error::ReferenceNotFound(hash.to_string()))?;
    Ok((info.mime, bytes))
}

/// Info of a stored reference.
pub fn info(store: &Store, hash: &str) -> Result<ReferenceInfo> {
    Ok(lookup(store, hash)?
        .ok_or_else(|| Error::ReferenceNotFound(hash.to_string()))?
        .0)
}
