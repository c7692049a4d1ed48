//! The store: one SQLite connection (WAL) plus the files under the data dir, and the one write path for a
//! finished generation.
//!
//! Ordering rule: image files (each with its provenance sidecar, see [`crate::gallery::sidecar`]) are
//! written first (temp in the same dir, fsync, rename), then one transaction records chat, turns, images and
//! usage. A crash between the two leaves orphan files that the next start removes; it can never leave a row
//! without its file, nor a visible half file. The file I/O runs before the connection is taken, so a save
//! never makes the gallery wait.
//!
//! A person's images are never removed on a guess. Before a save writes its first file it lists every file
//! it will write in a journal entry (`journal/*.pending`, fsynced, and locked while the save runs); the entry
//! goes once the rows commit. The start-up sweep removes only files an unlocked entry lists and no row
//! references: what an interrupted save left. A file no journal lists is kept, whatever the database says,
//! so a gallery.sqlite that is missing, replaced, restored from an older backup or synced after the images
//! costs no image (and `gallery::rebuild` lists them again). Deleting works the same way round: the entry
//! names the files, the row's removal commits durably, then the files go.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};

use crate::cost::Usage;
use crate::error::{Error, Result};
use crate::gallery::migrations;
use crate::gallery::sidecar::{self, Sidecar};
use crate::gallery::thumbs::ThumbWorker;
use crate::paths::{atomic_write, ext_for_mime, DataDir};

/// A new chat to create with the generation.
#[derive(Debug, Clone)]
pub struct NewChat {
    pub id: String,
    pub title: String,
    pub model: String,
}

/// One generated image to save.
#[derive(Debug, Clone)]
pub struct NewImage {
    pub id: String,
    pub mime: String,
    pub bytes: Vec<u8>,
    /// Empty: computed while the file is written.
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    pub image_tokens: i64,
}

/// An inline blob of a model turn kept as a file in `blobs/` instead of inside the stored content.
#[derive(Debug, Clone)]
pub struct NewBlob {
    /// Index of the part in the model content.
    pub part: usize,
    /// File name in `blobs/`.
    pub file: String,
    /// The bytes to write; `None` when the file is the turn's gallery image of the same name (hard link).
    pub bytes: Option<Vec<u8>>,
}

/// One turn to save (a successful model answer).
#[derive(Debug, Clone)]
pub struct NewTurn {
    pub id: String,
    pub parent_turn_id: Option<String>,
    pub prompt: String,
    pub reference_hashes: Vec<String>,
    pub params_json: String,
    pub model: String,
    /// The model's Content JSON, with the data of externalized blobs emptied.
    pub model_content: String,
    pub blobs: Vec<NewBlob>,
    pub text: String,
    pub thoughts: String,
    pub grounding: Option<serde_json::Value>,
    pub usage_json: Option<serde_json::Value>,
    pub usage: Usage,
    pub finish_reason: Option<String>,
    pub created_at: i64,
    pub images: Vec<NewImage>,
    /// Set when this turn restarted the chat's context on another model (see `chat::history`).
    pub context_note: Option<String>,
}

/// One billed attempt (successful or not) for the usage ledger.
#[derive(Debug, Clone)]
pub struct UsageEvent {
    pub at: i64,
    pub model: String,
    pub chat_id: Option<String>,
    pub turn_id: Option<String>,
    pub outcome: String,
    pub images: i64,
    pub usage: Usage,
}

/// The store shared by the gallery, chats, references and generation.
pub struct Store {
    conn: Mutex<Connection>,
    pub(crate) dirs: DataDir,
    pub(crate) price_per_million: Option<f64>,
    thumbs: ThumbWorker,
    /// Test-only failpoint: fail after the image files are written and before the row commits, as a crash
    /// there would.
    pub(crate) fail_before_commit: AtomicBool,
    /// Files API uploads by content hash: (file URI, uploaded at ms), reused while the file lives.
    pub(crate) uploads: Mutex<std::collections::HashMap<String, (String, i64)>>,
    /// The orphan sweep started by `open`, on a connection of its own.
    cleanup: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Test hook: runs once, on the saving thread, after a save's files are written and before its commit.
    #[cfg(test)]
    pub(crate) files_written_hook: Mutex<Option<Box<dyn FnOnce() + Send>>>,
    /// Test failpoint: a delete stops after its rows are removed, before its files go, as a crash there would.
    #[cfg(test)]
    pub(crate) fail_after_delete_commit: AtomicBool,
}

impl Store {
    /// Opens (creating) the store: directories, pragmas, migrations, then cleanup of what a crash can leave.
    ///
    /// The sweep for orphan files reads every file name in the gallery (100,000 at the largest), so it runs
    /// on a thread with its own connection instead of delaying start-up. It holds SQLite's write lock while it
    /// works, like any save: reads go on meanwhile, and a save waits for it, so it can never take a file
    /// being saved for an orphan. [`Store::finish_cleanup`] waits for it.
    pub fn open(dirs: DataDir, price_per_million: Option<f64>) -> Result<Store> {
        dirs.create()?;
        let corrupt = |e: Error| match e {
            Error::Database { source, .. } if crate::gallery::rebuild::is_corruption(&source) => {
                Error::CorruptDatabase {
                    path: dirs.db.clone(),
                    detail: source.to_string(),
                }
            }
            e => e,
        };
        let mut conn = connect(&dirs.db).map_err(corrupt)?;
        migrations::migrate(&mut conn).map_err(corrupt)?;
        // Interim files of generations that did not finish. Another process (the app, while the CLI opens the
        // same folder) may be using fresh ones, so only old ones go.
        remove_old(&dirs.tmp, |_| true);
        let mut sweep_conn = connect(&dirs.db)?;
        let sweep_dirs = dirs.clone();
        let cleanup = std::thread::Builder::new()
            .name("orphan-sweep".into())
            .spawn(move || {
                if let Err(e) = clean_orphans(&mut sweep_conn, &sweep_dirs) {
                    tracing::warn!("cleaning up after an earlier crash failed: {e}");
                }
            })
            .map_err(|e| Error::io("could not start the cleanup of", &dirs.root, e))?;
        Ok(Store {
            conn: Mutex::new(conn),
            dirs,
            price_per_million,
            thumbs: ThumbWorker::start(),
            fail_before_commit: AtomicBool::new(false),
            uploads: Mutex::new(Default::default()),
            cleanup: Mutex::new(Some(cleanup)),
            #[cfg(test)]
            files_written_hook: Mutex::new(None),
            #[cfg(test)]
            fail_after_delete_commit: AtomicBool::new(false),
        })
    }

    /// Waits until the orphan sweep started by `open` is done.
    pub fn finish_cleanup(&self) {
        let handle = self.cleanup.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }

    /// The connection. A panic while holding the lock cannot leave SQLite inconsistent (transactions roll
    /// back on drop), so a poisoned lock is safe to reuse.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn image_file(&self, file_name: &str) -> PathBuf {
        self.dirs.images.join(file_name)
    }

    /// Waits for a queued thumbnail (true when it exists).
    pub fn wait_thumb(&self, dst: &Path) -> bool {
        self.thumbs
            .wait_for(dst, std::time::Duration::from_secs(30))
    }

    pub fn thumb_file(&self, id: &str) -> PathBuf {
        self.dirs.thumbs.join(format!("{id}.jpg"))
    }

    /// Writes the images' files (each with its provenance sidecar), then commits everything in one
    /// transaction. All file I/O (writes, fsyncs, the journal entry) happens before the connection is taken:
    /// the gallery and every other reader go on while a save writes a 4K image. The connection, and
    /// SQLite's write lock, are held only for the transaction. Another process's start-up sweep cannot take
    /// the in-flight files for orphans meanwhile: this save's journal entry stays locked until it is done
    /// (see [`Journal`]). On a failure before the commit the new files are removed again.
    pub fn commit_generation(
        &self,
        chat: Option<&NewChat>,
        chat_id: &str,
        turns: &[NewTurn],
        events: &[UsageEvent],
    ) -> Result<()> {
        let mut written: Vec<PathBuf> = Vec::new();
        let journal = Journal::write(&self.dirs, turns)?;
        let cleanup = |written: &[PathBuf]| {
            for p in written {
                let _ = fs::remove_file(p);
            }
            journal.done();
        };
        let mut hashes: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
        for t in turns {
            for img in &t.images {
                let path = self.image_file(&format!("{}.{}", img.id, ext_for_mime(&img.mime)));
                // Hash on one core while the other writes and fsyncs: the fsync is the slow part.
                let (hash, res) = rayon::join(
                    || {
                        if img.sha256.is_empty() {
                            crate::references::pipeline::content_hash(&img.bytes)
                        } else {
                            img.sha256.clone()
                        }
                    },
                    || crate::paths::atomic_write_no_dir_sync(&path, &img.bytes),
                );
                if let Err(e) = res {
                    cleanup(&written);
                    return Err(e);
                }
                written.push(path.clone());
                let side = sidecar::path_for(&path);
                let meta = sidecar_of(chat_id, t, img, &hash, self.price_per_million);
                let res = serde_json::to_vec_pretty(&meta)
                    .map_err(|e| Error::Other(format!("provenance of image {}: {e}", img.id)))
                    .and_then(|json| crate::paths::atomic_write_no_dir_sync(&side, &json));
                if let Err(e) = res {
                    cleanup(&written);
                    return Err(e);
                }
                written.push(side);
                hashes.insert(img.id.as_str(), hash);
            }
        }
        for t in turns {
            for b in &t.blobs {
                let dst = self.dirs.blobs.join(&b.file);
                let res = match &b.bytes {
                    Some(bytes) => crate::paths::atomic_write_no_dir_sync(&dst, bytes),
                    None => link_or_copy(&self.image_file(&b.file), &dst),
                };
                if let Err(e) = res {
                    cleanup(&written);
                    return Err(e);
                }
                written.push(dst);
            }
        }
        // One fsync per directory, both at once, before the rows that point at the files commit.
        let any_images = turns.iter().any(|t| !t.images.is_empty());
        let any_blobs = turns.iter().any(|t| !t.blobs.is_empty());
        rayon::join(
            || any_images.then(|| crate::paths::sync_dir(&self.dirs.images)),
            || any_blobs.then(|| crate::paths::sync_dir(&self.dirs.blobs)),
        );
        if self.fail_before_commit.load(Ordering::SeqCst) {
            // Simulated crash: the files stay behind, exactly as after a power cut here.
            return Err(Error::Other(
                "failpoint: crashed between file write and row commit".into(),
            ));
        }
        #[cfg(test)]
        if let Some(hook) = self.files_written_hook.lock().unwrap_or_else(|p| p.into_inner()).take() {
            hook();
        }
        let res = {
            let mut conn = self.conn();
            conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(Error::db("begin save"))
                .and_then(|tx| {
                    insert_rows(&tx, self.price_per_million, chat, chat_id, turns, events, &hashes)?;
                    tx.commit().map_err(Error::db("commit generation"))
                })
        };
        if res.is_err() {
            cleanup(&written);
            return res;
        }
        journal.done();
        for t in turns {
            for img in &t.images {
                let path = self.image_file(&format!("{}.{}", img.id, ext_for_mime(&img.mime)));
                self.thumbs.queue(path, self.thumb_file(&img.id));
            }
        }
        Ok(())
    }

    /// Records billed attempts that produced nothing to save (blocked, no image).
    pub fn record_usage(&self, events: &[UsageEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        insert_events(&tx, events)?;
        tx.commit()?;
        Ok(())
    }

    /// The file name of an image row.
    pub fn image_file_name(&self, id: &str) -> Result<String> {
        self.conn()
            .query_row("SELECT file_name FROM images WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| Error::NotFound {
                what: "image",
                id: id.to_string(),
            })
            // A row is data, not a path: a name that could reach outside images/ (`../api-key`) is never
            // joined, whoever wrote the row.
            .and_then(|name: String| {
                if crate::paths::is_plain_file_name(&name) {
                    Ok(name)
                } else {
                    Err(Error::NotFound {
                        what: "image file",
                        id: id.to_string(),
                    })
                }
            })
    }
}

fn insert_rows(
    tx: &rusqlite::Transaction<'_>,
    price_per_million: Option<f64>,
    chat: Option<&NewChat>,
    chat_id: &str,
    turns: &[NewTurn],
    events: &[UsageEvent],
    hashes: &std::collections::HashMap<&str, String>,
) -> Result<()> {
    let now = crate::time::now_ms();
    if let Some(c) = chat {
        tx.execute(
                "INSERT INTO chats (id, title, model, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                params![c.id, c.title, c.model, now],
            )
            .map_err(Error::db("insert chat"))?;
    } else {
        let n = tx
            .execute(
                "UPDATE chats SET updated_at = ?2 WHERE id = ?1",
                params![chat_id, now],
            )
            .map_err(Error::db("update chat"))?;
        if n == 0 {
            return Err(Error::NotFound {
                what: "chat",
                id: chat_id.to_string(),
            });
        }
    }
    for t in turns {
        let refs = serde_json::to_string(&t.reference_hashes).unwrap_or_else(|_| "[]".into());
        let grounding = t.grounding.as_ref().map(|g| g.to_string());
        let usage = t.usage_json.as_ref().map(|u| u.to_string());
        tx.execute(
                "INSERT INTO turns (id, chat_id, parent_turn_id, prompt, reference_hashes, params, model_content, text, \
                 thoughts, grounding, usage, finish_reason, created_at, model_blobs, context_note) \
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
                params![
                    t.id, chat_id, t.parent_turn_id, t.prompt, refs, t.params_json, t.model_content, t.text,
                    t.thoughts, grounding, usage, t.finish_reason, t.created_at, blobs_json(&t.blobs),
                    t.context_note
                ],
            )
            .map_err(Error::db("insert turn"))?;
        let n_images = t.images.len().max(1) as i64;
        for img in &t.images {
            let (total, cost) = image_share(t, n_images, price_per_million);
            tx.execute(
                    "INSERT INTO images (id, chat_id, turn_id, file_name, sha256, mime, width, height, bytes, prompt, model, \
                     params, reference_hashes, text, thoughts, grounding, usage, image_tokens, total_tokens, cost, \
                     finish_reason, created_at, has_grounding) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23)",
                    params![
                        img.id,
                        chat_id,
                        t.id,
                        format!("{}.{}", img.id, ext_for_mime(&img.mime)),
                        hashes.get(img.id.as_str()).unwrap_or(&img.sha256),
                        img.mime,
                        img.width,
                        img.height,
                        img.bytes.len() as i64,
                        t.prompt,
                        t.model,
                        t.params_json,
                        refs,
                        t.text,
                        t.thoughts,
                        grounding,
                        usage,
                        img.image_tokens,
                        total,
                        cost,
                        t.finish_reason,
                        t.created_at,
                        t.grounding.as_ref().is_some_and(|g| !g.is_null()) as i64,
                    ],
                )
                .map_err(Error::db("insert image"))?;
        }
    }
    insert_events(tx, events)?;
    Ok(())
}

/// An image's share of its turn's billed tokens (shared evenly by the turn's images) and its price.
fn image_share(t: &NewTurn, n_images: i64, price_per_million: Option<f64>) -> (i64, Option<f64>) {
    let total = t.usage.total_tokens / n_images.max(1);
    (total, crate::cost::price(total, price_per_million))
}

/// The provenance sidecar of one image: what its row will hold.
fn sidecar_of(
    chat_id: &str,
    t: &NewTurn,
    img: &NewImage,
    sha256: &str,
    price_per_million: Option<f64>,
) -> Sidecar {
    let (total_tokens, cost) = image_share(t, t.images.len() as i64, price_per_million);
    Sidecar {
        format: sidecar::FORMAT,
        id: img.id.clone(),
        chat_id: chat_id.to_string(),
        turn_id: t.id.clone(),
        prompt: t.prompt.clone(),
        model: t.model.clone(),
        params: serde_json::from_str(&t.params_json).unwrap_or(serde_json::Value::Null),
        reference_hashes: t.reference_hashes.clone(),
        text: t.text.clone(),
        thoughts: t.thoughts.clone(),
        created_at: t.created_at,
        sha256: sha256.to_string(),
        mime: img.mime.clone(),
        width: img.width,
        height: img.height,
        bytes: img.bytes.len() as i64,
        grounding: t.grounding.clone().filter(|g| !g.is_null()),
        usage: t.usage_json.clone(),
        image_tokens: img.image_tokens,
        total_tokens,
        cost,
        finish_reason: t.finish_reason.clone(),
    }
}

/// `[{"part": 3, "file": "img_x.png"}]`, or NULL when nothing was externalized.
fn blobs_json(blobs: &[NewBlob]) -> Option<String> {
    if blobs.is_empty() {
        return None;
    }
    let v: Vec<serde_json::Value> = blobs
        .iter()
        .map(|b| serde_json::json!({"part": b.part, "file": b.file}))
        .collect();
    Some(serde_json::Value::Array(v).to_string())
}

/// Hard-links `src` to `dst` (no copy, no second fsync of the data); copies where links are unsupported.
fn link_or_copy(src: &Path, dst: &Path) -> Result<()> {
    let _ = fs::remove_file(dst);
    if fs::hard_link(src, dst).is_ok() {
        return Ok(());
    }
    let bytes = fs::read(src).map_err(|e| Error::io("cannot read", src, e))?;
    atomic_write(dst, &bytes)
}

fn insert_events(tx: &rusqlite::Transaction<'_>, events: &[UsageEvent]) -> Result<()> {
    for e in events {
        tx.execute(
            "INSERT INTO usage_events (at, model, chat_id, turn_id, outcome, images, prompt_tokens, output_tokens, \
             thought_tokens, total_tokens) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
            params![
                e.at,
                e.model,
                e.chat_id,
                e.turn_id,
                e.outcome,
                e.images,
                e.usage.prompt_tokens,
                e.usage.output_tokens,
                e.usage.thought_tokens,
                e.usage.total_tokens
            ],
        )
        .map_err(Error::db("insert usage event"))?;
    }
    Ok(())
}

/// Connection settings, outside migrations: `journal_mode` cannot change inside a transaction and
/// `foreign_keys` is a no-op there.
pub fn configure(conn: &Connection) -> Result<()> {
    // First, so every statement below waits for another opener instead of failing at once.
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(Error::db("busy_timeout"))?;
    set_wal(conn)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(Error::db("PRAGMA synchronous"))?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(Error::db("PRAGMA foreign_keys"))?;
    Ok(())
}

/// Switches a database to WAL. On a new file several openers race for it (the app and `banana` commands
/// started together), and SQLite answers the losers SQLITE_BUSY without calling the busy handler, so the
/// switch is retried for as long as the busy timeout.
fn set_wal(conn: &Connection) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5 + fastrand::u64(..20)));
            }
            r => return r.map_err(Error::db("PRAGMA journal_mode=WAL")),
        }
    }
}

/// Opens the database file with the store's pragmas.
pub(crate) fn connect(db: &Path) -> Result<Connection> {
    let conn = Connection::open(db).map_err(Error::db(format!("open {}", db.display())))?;
    // SQLite creates the file with the umask's mode (0644) and gives its -wal and -shm files the database's
    // mode, so making the database owner-only covers all three (older folders' files included).
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let path = PathBuf::from(name);
        crate::paths::make_private(&path).map_err(|e| Error::io("cannot make private", &path, e))?;
    }
    configure(&conn)?;
    Ok(conn)
}

/// Removes the files interrupted saves and deletes listed in the journal that no row references (image
/// files and their sidecars, model-turn blobs), and stray temp files. A save in progress in any process
/// (the app and the CLI share the data dir) holds its entry's lock from before its first file to after its
/// commit, so its files are never taken for orphans.
fn clean_orphans(conn: &mut Connection, dirs: &DataDir) -> Result<()> {
    // Under the write lock no save can commit meanwhile, so an entry whose lock is free is either committed
    // (its rows are visible to this transaction) or was interrupted (its files have none).
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(Error::db("begin cleanup"))?;
    let entries = Journal::entries(dirs);
    if !entries.is_empty() {
        let ids: HashSet<String> = {
            let mut st = tx.prepare("SELECT file_name FROM images")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let blobs: HashSet<String> = {
            let mut st = tx.prepare(
                "SELECT json_extract(b.value, '$.file') FROM turns t, json_each(t.model_blobs) b WHERE t.model_blobs IS NOT NULL",
            )?;
            let rows = st.query_map([], |r| r.get::<_, Option<String>>(0))?;
            rows.filter_map(|r| r.transpose())
                .collect::<rusqlite::Result<_>>()?
        };
        for (entry, files) in entries {
            for (dir, name) in files {
                let (folder, referenced) = match dir.as_str() {
                    // A sidecar goes with its image.
                    "images" => (
                        &dirs.images,
                        ids.contains(sidecar::image_name_of(&name).unwrap_or(&name)),
                    ),
                    "blobs" => (&dirs.blobs, blobs.contains(&name)),
                    _ => continue,
                };
                if !referenced && crate::paths::is_plain_file_name(&name) {
                    let _ = fs::remove_file(folder.join(&name));
                }
            }
            let _ = fs::remove_file(entry);
        }
    }
    // Temp files of atomic writes: a live process's are seconds old.
    for dir in [&dirs.images, &dirs.blobs, &dirs.refs] {
        remove_old(dir, |name| name.ends_with(".tmp"));
    }
    tx.commit()?;
    Ok(())
}

/// How old a temp file must be before a start-up may take it for a leftover of a dead process (no write or
/// generation runs for this long; requests time out after 3 minutes).
pub(crate) const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Removes the files of `dir` that `pick` names and that were last modified over [`LEFTOVER_AGE`] ago.
pub(crate) fn remove_old(dir: &Path, pick: impl Fn(&str) -> bool) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let now = std::time::SystemTime::now();
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > LEFTOVER_AGE);
        if old && pick(&name) && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Whether a journal entry's writer still runs.
#[derive(Debug, PartialEq, Eq)]
enum Owner {
    Running,
    Gone,
}

/// A journal entry: the files a save is about to write (or a delete is about to remove), so that what an
/// interrupted one left (and only that) can be cleaned up at the next start.
///
/// The entry's file stays open and locked (an advisory lock, released by the OS when the process dies)
/// until the save is done. A save writes its files without holding SQLite's write lock, so the lock is how
/// another process's start-up sweep tells a save in progress (skip it) from one a crash interrupted.
pub(crate) struct Journal {
    path: Option<PathBuf>,
    _lock: Option<fs::File>,
}

impl Journal {
    /// Writes and fsyncs the entry for `turns`' image, sidecar and blob files (none when they write no file).
    fn write(dirs: &DataDir, turns: &[NewTurn]) -> Result<Journal> {
        let mut files = Vec::new();
        for t in turns {
            for img in &t.images {
                let name = format!("{}.{}", img.id, ext_for_mime(&img.mime));
                files.push(format!("images/{}", sidecar::name_for(&name)));
                files.push(format!("images/{name}"));
            }
            for b in &t.blobs {
                files.push(format!("blobs/{}", b.file));
            }
        }
        Journal::write_lines(dirs, &files)
    }

    /// Writes, locks and fsyncs an entry listing `files` (`"images/x.png"`); none when the list is empty.
    pub(crate) fn write_lines(dirs: &DataDir, files: &[String]) -> Result<Journal> {
        use std::io::Write as _;
        if files.is_empty() {
            return Ok(Journal { path: None, _lock: None });
        }
        let mut text = files.join("\n");
        text.push('\n');
        let name = format!("{}-{:016x}.pending", std::process::id(), fastrand::u64(..));
        let path = dirs.journal.join(&name);
        // Locked before it has its name, so no sweep ever sees it unlocked while this save lives.
        let tmp = dirs.journal.join(format!(".{name}.tmp"));
        let write = || -> std::io::Result<fs::File> {
            let mut f = crate::paths::create_private(&tmp)?;
            // A file system without locks (some network shares) still saves; other starts then tell a live
            // entry by its age (see `Journal::owner`).
            if let Err(e) = f.lock() {
                tracing::warn!("cannot lock the save journal entry {}: {e}", tmp.display());
            }
            f.write_all(text.as_bytes())?;
            f.sync_data()?;
            fs::rename(&tmp, &path)?;
            Ok(f)
        };
        match write() {
            Ok(f) => {
                crate::paths::sync_dir(&dirs.journal);
                Ok(Journal { path: Some(path), _lock: Some(f) })
            }
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(Error::io("cannot write the save journal", &path, e))
            }
        }
    }

    /// The save committed (or cleaned up after itself): the entry goes (its lock with it, when dropped).
    pub(crate) fn done(&self) {
        if let Some(p) = &self.path {
            let _ = fs::remove_file(p);
        }
    }

    /// Whether the save (or delete) that wrote an entry still runs: it holds the entry's lock until done, and
    /// the OS drops the lock when the process dies. Where the file system has no locks, an entry younger
    /// than [`LEFTOVER_AGE`] is taken as running (no save takes that long).
    fn owner(f: &fs::File) -> Owner {
        match f.try_lock() {
            Ok(()) => Owner::Gone,
            Err(fs::TryLockError::WouldBlock) => Owner::Running,
            Err(fs::TryLockError::Error(_)) => {
                let age = f
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| std::time::SystemTime::now().duration_since(t).ok());
                if age.is_some_and(|a| a > LEFTOVER_AGE) {
                    Owner::Gone
                } else {
                    Owner::Running
                }
            }
        }
    }

    /// The `images/` file names of saves in progress (entries whose lock is held): not theirs to list yet.
    pub(crate) fn in_flight_images(dirs: &DataDir) -> HashSet<String> {
        let Ok(rd) = fs::read_dir(&dirs.journal) else { return HashSet::new() };
        let mut out = HashSet::new();
        for e in rd.flatten() {
            let path = e.path();
            if path.extension().is_none_or(|x| x != "pending") {
                continue;
            }
            let Ok(f) = fs::File::open(&path) else { continue };
            if Journal::owner(&f) == Owner::Gone {
                continue;
            }
            // A locked file can still be read on Unix (advisory lock); where it cannot, its save's files are
            // simply listed by the next rebuild.
            if let Ok(text) = fs::read_to_string(&path) {
                out.extend(text.lines().filter_map(|l| l.strip_prefix("images/")).map(str::to_string));
            }
        }
        out
    }

    /// Every entry left in the journal by a save that is no longer running, with the `(folder, file name)`
    /// pairs it lists. An entry whose lock is held belongs to a save in progress and is skipped.
    fn entries(dirs: &DataDir) -> Vec<(PathBuf, Vec<(String, String)>)> {
        use std::io::Read as _;
        let Ok(rd) = fs::read_dir(&dirs.journal) else { return Vec::new() };
        let mut out = Vec::new();
        for e in rd.flatten() {
            let path = e.path();
            if path.extension().is_none_or(|x| x != "pending") {
                continue;
            }
            // A journal entry is a few hundred bytes; anything larger is not ours and is left alone.
            if e.metadata().map(|m| m.len()).unwrap_or(u64::MAX) > 64 * 1024 {
                continue;
            }
            let Ok(mut f) = fs::File::open(&path) else { continue };
            if Journal::owner(&f) == Owner::Running {
                continue;
            }
            let mut text = String::new();
            if f.read_to_string(&mut text).is_err() {
                continue;
            }
            let files = text
                .lines()
                .filter_map(|l| l.split_once('/'))
                .map(|(d, n)| (d.to_string(), n.to_string()))
                .collect();
            out.push((path, files));
        }
        out
    }
}

/// Removes a file, ignoring "not found".
pub(crate) fn remove_if_exists(p: &Path) -> Result<()> {
    match fs::remove_file(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("cannot delete", p, e)),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::gallery::{Gallery, GalleryQuery};
    use std::sync::{mpsc, Arc};

    pub(crate) fn png(seed: u8) -> Vec<u8> {
        let img = image::RgbImage::from_fn(8, 6, |x, y| image::Rgb([seed, x as u8, y as u8]));
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .expect("encode a test PNG");
        out
    }

    /// A turn with one 8x6 PNG, as a generation saves it.
    pub(crate) fn turn(id: &str, image_id: &str) -> NewTurn {
        NewTurn {
            id: id.into(),
            parent_turn_id: None,
            prompt: format!("prompt of {image_id}"),
            reference_hashes: vec![],
            params_json: r#"{"model":"gemini-2.5-flash-image"}"#.into(),
            model: "gemini-2.5-flash-image".into(),
            model_content: r#"{"role":"model","parts":[]}"#.into(),
            blobs: vec![],
            text: String::new(),
            thoughts: String::new(),
            grounding: None,
            usage_json: None,
            usage: Usage::default(),
            finish_reason: Some("STOP".into()),
            created_at: crate::time::now_ms(),
            images: vec![NewImage {
                id: image_id.into(),
                mime: "image/png".into(),
                bytes: png(image_id.len() as u8),
                sha256: String::new(),
                width: 8,
                height: 6,
                image_tokens: 1290,
            }],
            context_note: None,
        }
    }

    pub(crate) fn open(dir: &Path) -> (Arc<Store>, Gallery) {
        let store = Arc::new(Store::open(DataDir::new(dir), None).expect("open the store"));
        store.finish_cleanup();
        let gallery = Gallery { store: Arc::clone(&store) };
        (store, gallery)
    }

    pub(crate) fn save(store: &Store, chat: &str, turn_id: &str, image_id: &str) {
        let new_chat = NewChat { id: chat.into(), title: "t".into(), model: "m".into() };
        let exists = store
            .conn()
            .query_row("SELECT COUNT(*) FROM chats WHERE id = ?1", [chat], |r| r.get::<_, i64>(0))
            .expect("count chats")
            > 0;
        store
            .commit_generation((!exists).then_some(&new_chat), chat, &[turn(turn_id, image_id)], &[])
            .expect("save");
    }

    /// Issue 9: a save held the one connection while it wrote and fsynced its files, so the gallery and every
    /// other reader (the window) waited for each save.
    #[test]
    fn the_gallery_reads_while_a_save_writes_its_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, gallery) = open(dir.path());
        save(&store, "c1", "t1", "img_a");
        let (tx, rx) = mpsc::channel();
        let reader = gallery.clone();
        *store.files_written_hook.lock().expect("hook lock") = Some(Box::new(move || {
            // Checked without blocking: were the save holding the connection, a reader would wait for it forever.
            let free = reader.store.conn.try_lock().is_ok();
            let listed = free
                .then(|| std::thread::spawn(move || reader.list(&GalleryQuery::default())).join())
                .and_then(|r| r.ok())
                .and_then(|r| r.ok())
                .map(|items| items.iter().map(|i| i.id.clone()).collect::<Vec<_>>());
            let _ = tx.send((free, listed));
        }));
        save(&store, "c1", "t2", "img_b");
        let (free, listed) = rx.try_recv().expect("the hook ran inside the save");
        assert!(free, "the connection is free while the save writes its files");
        assert_eq!(listed, Some(vec!["img_a".to_string()]), "a reader lists the gallery meanwhile");
        assert_eq!(gallery.count(&GalleryQuery::default()).expect("count"), 2);
    }

    /// The save no longer holds SQLite's write lock during its file I/O, so another process's start-up sweep
    /// can run meanwhile: it must leave the save's files alone (its journal entry is locked), and the save's
    /// rows still find their files.
    #[test]
    fn a_sweep_during_a_save_leaves_its_files_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, gallery) = open(dir.path());
        let root = dir.path().to_path_buf();
        *store.files_written_hook.lock().expect("hook lock") = Some(Box::new(move || {
            // Another process starts on the same folder while this save is between its files and its commit.
            let (other, _) = open(&root);
            drop(other);
        }));
        save(&store, "c1", "t1", "img_a");
        let image = dir.path().join("images/img_a.png");
        assert!(image.exists(), "the image survived the other start's sweep");
        assert!(sidecar::path_for(&image).exists(), "and its sidecar");
        assert!(gallery.image_path("img_a").is_ok());
        assert!(files(&dir.path().join("journal")).is_empty(), "the entry went with the commit");
    }

    fn files(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }

    /// Issue 9: deleting commits the row's removal first (durably), then removes the files; a crash in between
    /// leaves files no row names, which are harmless meanwhile and which the next start removes (the delete
    /// listed them in the journal).
    #[test]
    fn a_crash_between_a_deletes_commit_and_its_file_removal_leaves_harmless_files_the_next_start_removes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, gallery) = open(dir.path());
        save(&store, "c1", "t1", "img_a");
        save(&store, "c1", "t2", "img_bb");
        store.fail_after_delete_commit.store(true, Ordering::SeqCst);
        let err = gallery.delete("img_a").expect_err("the failpoint stops the delete");
        assert!(err.to_string().contains("failpoint"), "{err}");
        let images = dir.path().join("images");
        assert!(images.join("img_a.png").exists(), "the file is still there, as after a crash");
        let listed = gallery.list(&GalleryQuery::default()).expect("list");
        assert_eq!(listed.len(), 1, "the row is gone; the list is whole");
        assert_eq!(gallery.get("img_a").expect_err("gone").kind(), "not_found");
        drop((gallery, store));
        let (_store, gallery) = open(dir.path());
        assert_eq!(files(&images), ["img_bb.png", "img_bb.png.json"], "the next start removed the orphans");
        assert!(files(&dir.path().join("journal")).is_empty());
        assert!(gallery.image_path("img_bb").is_ok());
        // Without the crash: rows and files go together, sidecars included.
        gallery.trash("img_bb").expect("trash");
        assert_eq!(gallery.empty_trash().expect("empty trash"), 1);
        assert!(files(&images).is_empty());
    }

    #[test]
    fn delete_many_removes_rows_and_files_and_an_unknown_id_deletes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, gallery) = open(dir.path());
        for (t, id) in [("t1", "img_a"), ("t2", "img_bb"), ("t3", "img_ccc")] {
            save(&store, "c1", t, id);
        }
        let err = gallery
            .delete_many(&["img_a".into(), "img_nope".into()])
            .expect_err("unknown id");
        assert_eq!(err.kind(), "not_found");
        assert_eq!(gallery.count(&GalleryQuery::default()).expect("count"), 3, "nothing deleted");
        assert_eq!(gallery.delete_many(&["img_a".into(), "img_ccc".into()]).expect("delete"), 2);
        assert_eq!(files(&dir.path().join("images")), ["img_bb.png", "img_bb.png.json"]);
        assert!(files(&dir.path().join("journal")).is_empty());
    }
}
