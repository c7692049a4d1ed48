//! Rebuilding the gallery index from the files: when `gallery.sqlite` is missing, corrupt, or older than
//! the images (a backup restored, a sync that brought the images but not the database), the images are
//! still on disk, each with its provenance sidecar. [`rebuild_index`] lists every image file the database
//! does not know into it again: with full provenance when the sidecar is there, as a "recovered" image
//! (what the file tells: size, type, dimensions, time) when it is not (saves from before sidecars).
//!
//! Nothing is ever deleted. A corrupt database is moved aside (`gallery.sqlite.corrupt-<time>`) and a fresh
//! one made; a healthy one keeps every row (chats, favourites, trash, the usage ledger) and only gains the
//! missing images. Chats cannot be rebuilt from images: their turns (with the model's thought signatures)
//! lived only in the database; their image data in `blobs/` is left untouched.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::gallery::{migrations, sidecar, store};
use crate::params::GenerateParams;
use crate::paths::{is_safe_id, mime_for_ext, DataDir};

/// `finish_reason` of an image listed again without its sidecar: its prompt and settings are unknown.
pub const RECOVERED: &str = "RECOVERED";

/// The model text of a recovered image, shown in its details (and found by a search for "recovered").
pub const RECOVERED_TEXT: &str = "Recovered from its file when the gallery index was rebuilt: its prompt and settings were not saved with it.";

/// The state of `gallery.sqlite`, as far as opening it can tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum IndexHealth {
    /// No database file (a new data folder, or it was deleted): opening makes an empty one.
    Missing,
    /// Readable; it may still lack images saved after it (see [`RebuildReport::restored`]).
    Ok,
    /// SQLite cannot read it: the app cannot open until it is rebuilt (moved aside, never deleted).
    Corrupt { detail: String },
    /// Written by a newer Banana Studio: update the app; a rebuild would lose nothing but is refused.
    TooNew { found: i64 },
}

/// What a rebuild did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RebuildReport {
    /// Where the corrupt database was moved (kept, never deleted), when it was.
    pub moved_aside: Option<String>,
    /// Image files the database already listed.
    pub already_listed: u32,
    /// Images listed again with their full provenance (from their sidecars).
    pub restored: u32,
    /// Images listed again without provenance (no sidecar): marked recovered.
    pub recovered: u32,
    /// Files in `images/` left as they are because they are not images the gallery can list.
    pub skipped: Vec<String>,
}

impl RebuildReport {
    /// One sentence for the CLI and the app.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "Gallery index rebuilt: {} images listed again with their prompts and settings, {} recovered without them, {} already listed",
            self.restored, self.recovered, self.already_listed
        );
        if let Some(p) = &self.moved_aside {
            s.push_str(&format!("; the unreadable database was kept as {p}"));
        }
        if !self.skipped.is_empty() {
            s.push_str(&format!(
                "; {} other files in images/ were left as they are",
                self.skipped.len()
            ));
        }
        s.push_str(". Chats are not rebuilt from images.");
        s
    }
}

/// What SQLite calls a damaged or foreign file (as opposed to busy, locked or unreadable).
pub(crate) fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

/// Whether `gallery.sqlite` in `dirs` can be read. A database that is busy or cannot be opened for another
/// reason (permissions) is an error, not corruption: only what SQLite calls corrupt is ever moved aside.
pub fn health(dirs: &DataDir) -> Result<IndexHealth> {
    if !dirs.db.exists() {
        return Ok(IndexHealth::Missing);
    }
    let corrupt = |e: rusqlite::Error| -> Result<IndexHealth> {
        if is_corruption(&e) {
            Ok(IndexHealth::Corrupt {
                detail: e.to_string(),
            })
        } else {
            Err(Error::db(format!("open {}", dirs.db.display()))(e))
        }
    };
    let conn = match Connection::open_with_flags(
        &dirs.db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) {
        Ok(c) => c,
        Err(e) => return corrupt(e),
    };
    let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
    let version: i64 = match conn.query_row("PRAGMA user_version", [], |r| r.get(0)) {
        Ok(v) => v,
        Err(e) => return corrupt(e),
    };
    if version > migrations::latest_version() {
        return Ok(IndexHealth::TooNew { found: version });
    }
    let check: rusqlite::Result<Vec<String>> = conn
        .prepare("PRAGMA quick_check(3)")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect());
    match check {
        Ok(lines) if lines.iter().all(|l| l == "ok") => Ok(IndexHealth::Ok),
        Ok(lines) => Ok(IndexHealth::Corrupt {
            detail: lines.join("; "),
        }),
        Err(e) => corrupt(e),
    }
}

/// Moves `gallery.sqlite` and its WAL files to `gallery.sqlite.corrupt-<time>[-wal|-shm]` (names SQLite
/// still opens as one database); returns the new path.
fn move_aside(dirs: &DataDir) -> Result<PathBuf> {
    let stamp = crate::time::iso_utc(crate::time::now_ms()).replace([':', '-'], "");
    let mut aside = dirs.root.join(format!("gallery.sqlite.corrupt-{stamp}"));
    if aside.exists() {
        aside = dirs.root.join(format!(
            "gallery.sqlite.corrupt-{stamp}-{:04x}",
            fastrand::u16(..)
        ));
    }
    for suffix in ["-wal", "-shm", ""] {
        let from = PathBuf::from(format!("{}{suffix}", dirs.db.display()));
        let to = PathBuf::from(format!("{}{suffix}", aside.display()));
        if from.exists() {
            fs::rename(&from, &to).map_err(|e| Error::io("cannot move aside", &from, e))?;
        }
    }
    crate::paths::sync_dir(&dirs.root);
    Ok(aside)
}

/// The extensions the gallery saves images with.
const IMAGE_EXTS: &[&str] = &["png", "jpg", "jpeg", "webp", "heic", "heif", "gif"];

/// One image row to insert.
struct Found {
    id: String,
    file: String,
    meta: sidecar::Sidecar,
    recovered: bool,
}

/// Lists every image file of `data_dir` that its gallery database does not know into it, moving a corrupt
/// database aside first. Never deletes a file. Safe while the app has the folder open when the database is
/// readable (rows are only added, each once); a corrupt one cannot be open anywhere.
pub fn rebuild_index(data_dir: &Path) -> Result<RebuildReport> {
    let dirs = DataDir::new(data_dir);
    dirs.create()?;
    let mut report = RebuildReport::default();
    match health(&dirs)? {
        IndexHealth::TooNew { found } => {
            return Err(Error::SchemaTooNew {
                found,
                supported: migrations::latest_version(),
            })
        }
        IndexHealth::Corrupt { .. } => {
            report.moved_aside = Some(move_aside(&dirs)?.display().to_string())
        }
        IndexHealth::Missing | IndexHealth::Ok => {}
    }
    let mut conn = store::connect(&dirs.db)?;
    migrations::migrate(&mut conn)?;
    let (known_files, mut known_ids) = known_rows(&conn)?;

    // Read the folder and the sidecars before taking the write lock: the app's saves go on meanwhile.
    let scan = scan(&dirs, &known_files)?;
    report.already_listed = scan.already_listed;
    report.skipped = scan.skipped;
    let mut found = Vec::new();
    for (name, ext) in scan.unlisted {
        let path = dirs.images.join(&name);
        match describe(&path, &name, &ext) {
            Some(mut f) => {
                f.id = unique_id(&f.id, &name, &known_ids);
                known_ids.insert(f.id.clone());
                found.push(f);
            }
            None => report.skipped.push(name),
        }
    }

    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(Error::db("begin rebuild"))?;
    // Under the write lock no save commits meanwhile. A save in progress (the app is open) has written its
    // files but not its rows: its files are its own to list, and it may yet remove them again.
    let in_flight = store::Journal::in_flight_images(&dirs);
    for f in &found {
        if in_flight.contains(&f.file) || !dirs.images.join(&f.file).exists() {
            continue;
        }
        let n = insert(&tx, f)?;
        match (n, f.recovered) {
            (0, _) => report.already_listed += 1,
            (_, true) => report.recovered += 1,
            (_, false) => report.restored += 1,
        }
    }
    tx.commit().map_err(Error::db("commit rebuild"))?;
    Ok(report)
}

/// What `images/` holds against the rows.
struct Scan {
    /// Image files no row names: `(file name, lower-case extension)`, in name order.
    unlisted: Vec<(String, String)>,
    already_listed: u32,
    /// Files that are not images the gallery lists (sidecars, temp and hidden files aside).
    skipped: Vec<String>,
}

fn scan(dirs: &DataDir, known_files: &HashSet<String>) -> Result<Scan> {
    let mut names: Vec<String> = match fs::read_dir(&dirs.images) {
        Ok(rd) => rd
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(e) => return Err(Error::io("cannot list", &dirs.images, e)),
    };
    names.sort();
    let mut out = Scan {
        unlisted: Vec::new(),
        already_listed: 0,
        skipped: Vec::new(),
    };
    for name in names {
        if name.starts_with('.') || name.ends_with(".tmp") || sidecar::is_sidecar(&name) {
            continue;
        }
        if known_files.contains(&name) {
            out.already_listed += 1;
            continue;
        }
        let ext = Path::new(&name)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if !IMAGE_EXTS.contains(&ext.as_str()) || !crate::paths::is_plain_file_name(&name) {
            out.skipped.push(name);
        } else {
            out.unlisted.push((name, ext));
        }
    }
    Ok(out)
}

/// How many image files in `data_dir` the gallery does not list (what a rebuild would add), not counting
/// the files of saves in progress. All of them when the database is missing or unreadable.
pub fn unlisted_images(data_dir: &Path) -> Result<u32> {
    let dirs = DataDir::new(data_dir);
    let known = match health(&dirs)? {
        IndexHealth::Ok => {
            let conn = Connection::open_with_flags(
                &dirs.db,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(Error::db(format!("open {}", dirs.db.display())))?;
            let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
            known_rows(&conn)?.0
        }
        _ => HashSet::new(),
    };
    if !dirs.images.exists() {
        return Ok(0);
    }
    let in_flight = store::Journal::in_flight_images(&dirs);
    let scan = scan(&dirs, &known)?;
    Ok(scan
        .unlisted
        .iter()
        .filter(|(n, _)| !in_flight.contains(n))
        .count() as u32)
}

/// The file names and ids of the rows there are.
fn known_rows(conn: &Connection) -> Result<(HashSet<String>, HashSet<String>)> {
    let mut st = conn.prepare("SELECT file_name, id FROM images")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut files = HashSet::new();
    let mut ids = HashSet::new();
    for r in rows {
        let (f, i) = r?;
        files.insert(f);
        ids.insert(i);
    }
    Ok((files, ids))
}

/// The row's id: the sidecar's, else the file's stem (saves name files `<id>.<ext>`), else a new one when
/// either is unsafe or taken.
fn unique_id(wanted: &str, file: &str, taken: &HashSet<String>) -> String {
    let stem = file.rsplit_once('.').map(|(s, _)| s).unwrap_or(file);
    [wanted, stem]
        .into_iter()
        .find(|c| is_safe_id(c) && !taken.contains(*c))
        .map(str::to_string)
        .unwrap_or_else(|| crate::paths::new_id("img_"))
}

/// What an image file and its sidecar tell; `None` when the file cannot be read at all.
fn describe(path: &Path, name: &str, ext: &str) -> Option<Found> {
    let meta = fs::metadata(path).ok()?;
    let mtime_ms = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as i64)
        .unwrap_or_else(crate::time::now_ms);
    let mime = mime_for_ext(if ext == "jpeg" { "jpg" } else { ext }).to_string();
    if let Some(mut s) = sidecar::read(&sidecar::path_for(path)) {
        s.bytes = meta.len() as i64;
        if s.mime.is_empty() {
            s.mime = mime;
        }
        if s.created_at <= 0 {
            s.created_at = mtime_ms;
        }
        if s.width == 0 || s.height == 0 {
            (s.width, s.height) = image::image_dimensions(path).unwrap_or((0, 0));
        }
        if s.sha256.is_empty() {
            s.sha256 = crate::references::pipeline::content_hash(&fs::read(path).ok()?);
        }
        return Some(Found {
            id: s.id.clone(),
            file: name.to_string(),
            meta: s,
            recovered: false,
        });
    }
    let bytes = fs::read(path).ok()?;
    let (width, height) = image::image_dimensions(path).unwrap_or((0, 0));
    Some(Found {
        id: String::new(),
        file: name.to_string(),
        meta: sidecar::Sidecar {
            model: "unknown".into(),
            text: RECOVERED_TEXT.into(),
            finish_reason: Some(RECOVERED.into()),
            created_at: mtime_ms,
            sha256: crate::references::pipeline::content_hash(&bytes),
            mime,
            width,
            height,
            bytes: bytes.len() as i64,
            ..Default::default()
        },
        recovered: true,
    })
}

/// Inserts one row (none when its id or file is listed meanwhile); returns how many were inserted.
fn insert(tx: &rusqlite::Transaction<'_>, f: &Found) -> Result<usize> {
    let s = &f.meta;
    // Parameters that no longer parse (or none, for a recovered image) become the defaults with the model
    // named, so the image's details and "reuse" still open.
    let params: GenerateParams = serde_json::from_value(s.params.clone())
        .ok()
        .filter(|_| !s.params.is_null())
        .unwrap_or_else(|| GenerateParams {
            model: if f.recovered {
                GenerateParams::default().model
            } else {
                s.model.clone()
            },
            ..Default::default()
        });
    let params_json = serde_json::to_string(&params).map_err(|e| Error::Other(e.to_string()))?;
    let refs = serde_json::to_string(&s.reference_hashes).unwrap_or_else(|_| "[]".into());
    let grounding = s.grounding.as_ref().filter(|g| !g.is_null());
    let exists: bool = tx
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM images WHERE id = ?1 OR file_name = ?2)",
            params![f.id, f.file],
            |r| r.get(0),
        )
        .map_err(Error::db("rebuild: look up image"))?;
    if exists {
        return Ok(0);
    }
    tx.execute(
        "INSERT INTO images (id, chat_id, turn_id, file_name, sha256, mime, width, height, bytes, prompt, model, \
         params, reference_hashes, text, thoughts, grounding, usage, image_tokens, total_tokens, cost, \
         finish_reason, created_at, has_grounding) \
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23)",
        params![
            f.id,
            s.chat_id,
            s.turn_id,
            f.file,
            s.sha256,
            s.mime,
            s.width,
            s.height,
            s.bytes,
            s.prompt,
            s.model,
            params_json,
            refs,
            s.text,
            s.thoughts,
            grounding.map(|g| g.to_string()),
            s.usage.as_ref().map(|u| u.to_string()),
            s.image_tokens,
            s.total_tokens,
            s.cost,
            s.finish_reason,
            s.created_at,
            grounding.is_some() as i64,
        ],
    )
    .map_err(Error::db("rebuild: insert image"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::store::tests::{open, save};
    use crate::gallery::GalleryQuery;

    /// A rebuild while the app saves: the save's files are on disk before its rows. The rebuild leaves
    /// them to the save (which then commits as usual), instead of listing them first and making the save's
    /// commit fail on the taken id.
    #[test]
    fn a_rebuild_during_a_save_leaves_its_files_to_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, gallery) = open(dir.path());
        save(&store, "c1", "t1", "img_a");
        let root = dir.path().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel();
        *store.files_written_hook.lock().expect("hook lock") = Some(Box::new(move || {
            let _ =
                tx.send(rebuild_index(&root).map(|r| (r.restored, r.recovered, r.already_listed)));
        }));
        save(&store, "c1", "t2", "img_bb");
        let during = rx
            .try_recv()
            .expect("the hook ran")
            .expect("the rebuild ran");
        assert_eq!(
            during,
            (0, 0, 1),
            "the in-flight image is not listed by the rebuild"
        );
        let ids: Vec<String> = gallery
            .list(&GalleryQuery::default())
            .expect("list")
            .into_iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(ids.len(), 2, "{ids:?}");
        assert_eq!(
            gallery.get("img_bb").expect("saved").summary.prompt,
            "prompt of img_bb"
        );
    }
}
