//! Versioned, append-only schema migrations, tracked in `PRAGMA user_version`.
//!
//! Each entry runs in its own transaction together with the version bump, so a crash leaves the database
//! at the previous version, never half-migrated. Never edit a shipped migration: append a new one. Pragmas
//! (WAL, foreign keys) are set at open, outside migrations: `journal_mode` cannot change inside a
//! transaction and `foreign_keys` is a no-op there.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// The migrations, in order; index + 1 is the schema version each one produces.
pub const MIGRATIONS: &[&str] = &[
    // v1: core tables.
    r#"
CREATE TABLE chats (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    model       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE TABLE turns (
    id               TEXT PRIMARY KEY,
    chat_id          TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    parent_turn_id   TEXT REFERENCES turns(id),
    prompt           TEXT NOT NULL,
    reference_hashes TEXT NOT NULL,          -- JSON array, in request order
    params           TEXT NOT NULL,          -- JSON GenerateParams
    model_content    TEXT NOT NULL,          -- the model's Content JSON as received (signatures, images)
    text             TEXT NOT NULL,
    thoughts         TEXT NOT NULL,
    grounding        TEXT,                   -- groundingMetadata JSON as returned
    usage            TEXT,                   -- usageMetadata JSON as returned
    finish_reason    TEXT,
    created_at       INTEGER NOT NULL
);
CREATE TABLE images (
    id               TEXT PRIMARY KEY,
    chat_id          TEXT NOT NULL,
    turn_id          TEXT NOT NULL,
    file_name        TEXT NOT NULL,
    sha256           TEXT NOT NULL,
    mime             TEXT NOT NULL,
    width            INTEGER NOT NULL,
    height           INTEGER NOT NULL,
    bytes            INTEGER NOT NULL,
    prompt           TEXT NOT NULL,
    model            TEXT NOT NULL,
    params           TEXT NOT NULL,
    reference_hashes TEXT NOT NULL,
    text             TEXT NOT NULL,
    thoughts         TEXT NOT NULL,
    grounding        TEXT,
    usage            TEXT,
    image_tokens     INTEGER NOT NULL,
    total_tokens     INTEGER NOT NULL,
    cost             REAL,
    finish_reason    TEXT,
    favourite        INTEGER NOT NULL DEFAULT 0,
    trashed_at       INTEGER,
    created_at       INTEGER NOT NULL
);
CREATE TABLE reference_images (
    hash        TEXT PRIMARY KEY,            -- sha256 of the original file
    name        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE usage_events (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    model           TEXT NOT NULL,
    chat_id         TEXT,
    turn_id         TEXT,
    outcome         TEXT NOT NULL,           -- image | text | blocked | no_image | ...
    images          INTEGER NOT NULL,
    prompt_tokens   INTEGER NOT NULL,
    output_tokens   INTEGER NOT NULL,
    thought_tokens  INTEGER NOT NULL,
    total_tokens    INTEGER NOT NULL
);
CREATE INDEX turns_chat ON turns(chat_id, created_at);
CREATE INDEX images_turn ON images(turn_id);
"#,
    // v2: the gallery at scale: FTS5 over prompt + model text, and indexes for every list filter/sort.
    r#"
CREATE VIRTUAL TABLE images_fts USING fts5(
    prompt, text, content='images', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO images_fts(rowid, prompt, text) SELECT rowid, prompt, text FROM images;
CREATE TRIGGER images_fts_ai AFTER INSERT ON images BEGIN
    INSERT INTO images_fts(rowid, prompt, text) VALUES (new.rowid, new.prompt, new.text);
END;
CREATE TRIGGER images_fts_ad AFTER DELETE ON images BEGIN
    INSERT INTO images_fts(images_fts, rowid, prompt, text) VALUES ('delete', old.rowid, old.prompt, old.text);
END;
CREATE TRIGGER images_fts_au AFTER UPDATE OF prompt, text ON images BEGIN
    INSERT INTO images_fts(images_fts, rowid, prompt, text) VALUES ('delete', old.rowid, old.prompt, old.text);
    INSERT INTO images_fts(rowid, prompt, text) VALUES (new.rowid, new.prompt, new.text);
END;
CREATE INDEX images_created ON images(created_at DESC, id DESC);
CREATE INDEX images_model_created ON images(model, created_at DESC, id DESC);
CREATE INDEX images_fav_created ON images(favourite, created_at DESC, id DESC);
CREATE INDEX images_chat_created ON images(chat_id, created_at DESC, id DESC);
CREATE INDEX usage_events_at ON usage_events(at);
CREATE INDEX usage_events_chat ON usage_events(chat_id);
"#,
    // v3: grounded images are a filter of their own; a partial index keeps it cheap.
    r#"
ALTER TABLE images ADD COLUMN has_grounding INTEGER NOT NULL DEFAULT 0;
UPDATE images SET has_grounding = 1 WHERE grounding IS NOT NULL AND grounding <> 'null';
CREATE INDEX images_grounded_created ON images(created_at DESC, id DESC) WHERE has_grounding = 1;
CREATE INDEX images_trashed ON images(trashed_at) WHERE trashed_at IS NOT NULL;
"#,
    // v4: model-turn image data moves out of the row into blobs/ files (a 4K turn is ~24 MB of base64);
    // model_blobs lists which parts were emptied and where their bytes are. Older rows keep their data inline.
    r#"
ALTER TABLE turns ADD COLUMN model_blobs TEXT;
"#,
    // v5: the last models.list answer per API base and key (the picker opens with it, refreshed daily), and
    // a turn's context note: set when a chat moved to another model and restarted from its last image, so
    // history replay stops there (the old turns' thought signatures belong to the old model).
    r#"
CREATE TABLE model_listings (
    scope TEXT PRIMARY KEY,
    fetched_at INTEGER NOT NULL,
    listing TEXT NOT NULL
);
ALTER TABLE turns ADD COLUMN context_note TEXT;
"#,
    // v6: references can be videos (issue 13): what each one is, and a video's length when its container
    // says it. Rows stored before are images.
    r#"
ALTER TABLE reference_images ADD COLUMN kind TEXT NOT NULL DEFAULT 'image';
ALTER TABLE reference_images ADD COLUMN duration_ms INTEGER;
"#,
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The database's current schema version.
pub fn current_version(conn: &Connection) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(Error::db("PRAGMA user_version"))
}

/// Applies every migration past the current version, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<i64> {
    migrate_to(conn, latest_version())
}

/// Applies migrations up to `target` (tests build every earlier schema with this).
///
/// Several processes may open a fresh or outdated database at once (the app and a `banana` command, or six
/// CLI runs): each step takes the write lock first (`BEGIN IMMEDIATE`) and re-reads the version inside the
/// transaction, so a step another process applied meanwhile is skipped instead of failing with "table
/// already exists".
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<i64> {
    let current = current_version(conn)?;
    if current > latest_version() {
        return Err(Error::SchemaTooNew {
            found: current,
            supported: latest_version(),
        });
    }
    for version in (current + 1)..=target.min(latest_version()) {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(Error::db(format!("begin migration to v{version}")))?;
        let now: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(Error::db("PRAGMA user_version"))?;
        if now >= version {
            continue;
        }
        tx.execute_batch(MIGRATIONS[(version - 1) as usize])
            .map_err(Error::db(format!("migration to v{version}")))?;
        tx.pragma_update(None, "user_version", version)
            .map_err(Error::db("PRAGMA user_version"))?;
        tx.commit()?;
    }
    current_version(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_from_empty() {
        let mut c = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut c).unwrap(), latest_version());
        // Idempotent.
        assert_eq!(migrate(&mut c).unwrap(), latest_version());
    }

    #[test]
    fn refuses_a_newer_schema() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            migrate(&mut c),
            Err(Error::SchemaTooNew { found: 99, .. })
        ));
    }
}
