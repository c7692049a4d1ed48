//! The gallery: every generated image with its full provenance, searchable and sortable, with favourites,
//! trash/restore and delete. SQL lives in [`store`] (writes) and here (reads); the schema in [`migrations`].

pub mod migrations;
pub mod query;
pub mod rebuild;
pub mod save;
pub mod sidecar;
pub mod store;
pub mod thumbs;

use std::path::PathBuf;
use std::sync::Arc;

use rusqlite::{params, params_from_iter, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::cost::{CostTotals, Usage};
use crate::error::{Error, Result};
use crate::params::GenerateParams;
pub use query::{fts_query, GalleryQuery, SortOrder};
use store::Store;

pub use rebuild::{IndexHealth, RebuildReport};

/// One gallery row as lists show it (summary columns only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImageSummary {
    pub id: String,
    pub chat_id: String,
    pub turn_id: String,
    pub prompt: String,
    pub model: String,
    pub width: u32,
    pub height: u32,
    pub mime: String,
    pub favourite: bool,
    pub trashed: bool,
    pub has_grounding: bool,
    pub created_at: i64,
    /// Pass as `GalleryQuery::cursor` to get the page after this row.
    pub cursor: String,
}

/// Everything known about one image: enough to reopen it, reuse its parameters, or continue its chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImageDetail {
    #[serde(flatten)]
    pub summary: ImageSummary,
    /// Absolute path of the image file.
    pub path: String,
    pub sha256: String,
    pub bytes: i64,
    pub params: GenerateParams,
    pub aspect_ratio: Option<String>,
    pub image_size: Option<String>,
    pub reference_hashes: Vec<String>,
    /// The model's (non-thought) text of the turn.
    pub text: String,
    pub thoughts: String,
    /// `groundingMetadata` as returned (chunk URIs, queries, the search entry point).
    pub grounding: Option<serde_json::Value>,
    /// `usageMetadata` as returned.
    pub usage: Option<serde_json::Value>,
    /// Output tokens of this image per the capability table.
    pub image_tokens: i64,
    /// Billed tokens attributed to this image (its turn's total, shared by the turn's images).
    pub total_tokens: i64,
    pub cost: Option<f64>,
    pub finish_reason: Option<String>,
    pub trashed_at: Option<i64>,
}

/// Images per delete transaction: keeps each journal entry (two lines an image) well under the 64 KB the
/// start-up sweep reads.
pub const DELETE_BATCH: usize = 256;

/// The gallery handle (cheap to clone).
#[derive(Clone)]
pub struct Gallery {
    pub(crate) store: Arc<Store>,
}

fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<ImageSummary> {
    let id: String = r.get(0)?;
    let created_at: i64 = r.get(11)?;
    Ok(ImageSummary {
        cursor: query::make_cursor(created_at, r.get(12)?, &id),
        id,
        chat_id: r.get(1)?,
        turn_id: r.get(2)?,
        prompt: r.get(3)?,
        model: r.get(4)?,
        width: r.get(5)?,
        height: r.get(6)?,
        mime: r.get(7)?,
        favourite: r.get::<_, i64>(8)? != 0,
        trashed: r.get::<_, Option<i64>>(9)?.is_some(),
        has_grounding: r.get::<_, i64>(10)? != 0,
        created_at,
    })
}

fn json_opt(s: Option<String>) -> Option<serde_json::Value> {
    s.and_then(|s| serde_json::from_str(&s).ok())
        .filter(|v: &serde_json::Value| !v.is_null())
}

impl Gallery {
    /// One page of images matching `q`.
    pub fn list(&self, q: &GalleryQuery) -> Result<Vec<ImageSummary>> {
        let Some((filter, mut params)) = query::build_filter(q, true) else {
            return Ok(vec![]);
        };
        let (from, order) = query::from_and_order(q);
        let limit = q.limit.clamp(1, query::MAX_LIMIT);
        let offset = if q.cursor.is_some() { 0 } else { q.offset };
        let sql = format!(
            "SELECT {}{from}{filter} ORDER BY {order} LIMIT ? OFFSET ?",
            query::SUMMARY_COLUMNS
        );
        params.push(rusqlite::types::Value::Integer(limit as i64));
        params.push(rusqlite::types::Value::Integer(offset as i64));
        let conn = self.store.conn();
        let mut st = conn.prepare_cached(&sql).map_err(Error::db(sql.clone()))?;
        let rows = st
            .query_map(params_from_iter(params), summary_from_row)
            .map_err(Error::db("gallery list"))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// How many images match `q` (ignoring limit, offset and cursor).
    pub fn count(&self, q: &GalleryQuery) -> Result<i64> {
        let Some((filter, params)) = query::build_filter(q, false) else {
            return Ok(0);
        };
        let (from, _) = query::from_and_order(q);
        let sql = format!("SELECT COUNT(*){from}{filter}");
        let conn = self.store.conn();
        let mut st = conn.prepare_cached(&sql).map_err(Error::db(sql.clone()))?;
        Ok(st.query_row(params_from_iter(params), |r| r.get(0))?)
    }

    /// Full provenance of one image.
    pub fn get(&self, id: &str) -> Result<ImageDetail> {
        let conn = self.store.conn();
        let sql = format!(
            "SELECT {}, i.file_name, i.sha256, i.bytes, i.params, i.reference_hashes, i.text, i.thoughts, i.grounding, \
             i.usage, i.image_tokens, i.total_tokens, i.cost, i.finish_reason FROM images i WHERE i.id = ?1",
            query::SUMMARY_COLUMNS
        );
        let row = conn
            .query_row(&sql, [id], |r| {
                Ok((
                    summary_from_row(r)?,
                    r.get::<_, String>(13)?,
                    r.get::<_, String>(14)?,
                    r.get::<_, i64>(15)?,
                    r.get::<_, String>(16)?,
                    r.get::<_, String>(17)?,
                    r.get::<_, String>(18)?,
                    r.get::<_, String>(19)?,
                    r.get::<_, Option<String>>(20)?,
                    r.get::<_, Option<String>>(21)?,
                    r.get::<_, i64>(22)?,
                    r.get::<_, i64>(23)?,
                    r.get::<_, Option<f64>>(24)?,
                    r.get::<_, Option<String>>(25)?,
                    r.get::<_, Option<i64>>(9)?,
                ))
            })
            .optional()?
            .ok_or_else(|| Error::NotFound {
                what: "image",
                id: id.to_string(),
            })?;
        let (
            summary,
            file,
            sha256,
            bytes,
            params_json,
            refs,
            text,
            thoughts,
            grounding,
            usage,
            image_tokens,
            total_tokens,
            cost,
            finish_reason,
            trashed_at,
        ) = row;
        let params: GenerateParams = serde_json::from_str(&params_json)
            .map_err(|e| Error::CorruptStore(format!("parameters of image {id}: {e}")))?;
        let reference_hashes: Vec<String> = serde_json::from_str(&refs).unwrap_or_default();
        Ok(ImageDetail {
            path: self.store.image_file(&file).to_string_lossy().into_owned(),
            sha256,
            bytes,
            aspect_ratio: params.aspect_ratio.clone(),
            image_size: params.image_size.clone(),
            params,
            reference_hashes,
            text,
            thoughts,
            grounding: json_opt(grounding),
            usage: json_opt(usage),
            image_tokens,
            total_tokens,
            cost,
            finish_reason,
            trashed_at,
            summary,
        })
    }

    fn update_one(&self, sql: &str, id: &str, v: Option<i64>) -> Result<()> {
        let n = self
            .store
            .conn()
            .execute(sql, params![id, v])
            .map_err(Error::db(sql.to_string()))?;
        if n == 0 {
            return Err(Error::NotFound {
                what: "image",
                id: id.to_string(),
            });
        }
        Ok(())
    }

    pub fn set_favourite(&self, id: &str, favourite: bool) -> Result<()> {
        self.update_one(
            "UPDATE images SET favourite = ?2 WHERE id = ?1",
            id,
            Some(favourite as i64),
        )
    }

    /// Moves an image to the trash (hidden from lists; restorable).
    pub fn trash(&self, id: &str) -> Result<()> {
        self.update_one(
            "UPDATE images SET trashed_at = ?2 WHERE id = ?1",
            id,
            Some(crate::time::now_ms()),
        )
    }

    pub fn restore(&self, id: &str) -> Result<()> {
        self.update_one("UPDATE images SET trashed_at = ?2 WHERE id = ?1", id, None)
    }

    /// Deletes an image for good: the row, then its file, sidecar and thumbnail. (The chat turn that produced
    /// it keeps its own copy inside the stored model content, so the chat can still be continued.)
    pub fn delete(&self, id: &str) -> Result<()> {
        let file = self.store.image_file_name(id)?;
        self.delete_rows(&[(id.to_string(), file)])
    }

    /// Deletes several images for good (see [`Gallery::delete`]) with one journal entry and one durable
    /// commit per [`DELETE_BATCH`] images instead of one each. An unknown id deletes nothing.
    pub fn delete_many(&self, ids: &[String]) -> Result<u32> {
        let rows = ids
            .iter()
            .map(|id| Ok((id.clone(), self.store.image_file_name(id)?)))
            .collect::<Result<Vec<_>>>()?;
        for chunk in rows.chunks(DELETE_BATCH) {
            self.delete_rows(chunk)?;
        }
        Ok(rows.len() as u32)
    }

    /// Deletes every trashed image; returns how many.
    pub fn empty_trash(&self) -> Result<u32> {
        let rows: Vec<(String, String)> = {
            let conn = self.store.conn();
            let mut st = conn.prepare("SELECT id, file_name FROM images WHERE trashed_at IS NOT NULL")?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for chunk in rows.chunks(DELETE_BATCH) {
            self.delete_rows(chunk)?;
        }
        Ok(rows.len() as u32)
    }

    /// Removes `(id, file name)` rows, then their files. The files are listed in a journal entry first and
    /// the removal commits with a full fsync (the store otherwise runs `synchronous=NORMAL`, whose last
    /// commits a power cut may undo): a row never outlives its file, and a crash after the commit leaves
    /// files the next start removes. Files and fsyncs happen outside the connection.
    fn delete_rows(&self, rows: &[(String, String)]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut listed = Vec::new();
        for (_, file) in rows.iter().filter(|(_, f)| crate::paths::is_plain_file_name(f)) {
            listed.push(format!("images/{file}"));
            listed.push(format!("images/{}", sidecar::name_for(file)));
        }
        let journal = store::Journal::write_lines(&self.store.dirs, &listed)?;
        {
            let mut conn = self.store.conn();
            conn.pragma_update(None, "synchronous", "FULL")
                .map_err(Error::db("PRAGMA synchronous"))?;
            let res = (|| -> Result<()> {
                let tx = conn.transaction().map_err(Error::db("begin delete"))?;
                {
                    let mut st = tx.prepare_cached("DELETE FROM images WHERE id = ?1")?;
                    for (id, _) in rows {
                        st.execute([id]).map_err(Error::db("delete image"))?;
                    }
                }
                tx.commit().map_err(Error::db("commit delete"))
            })();
            let _ = conn.pragma_update(None, "synchronous", "NORMAL");
            if let Err(e) = res {
                journal.done();
                return Err(e);
            }
        }
        #[cfg(test)]
        if self.store.fail_after_delete_commit.load(std::sync::atomic::Ordering::SeqCst) {
            // Simulated crash: the rows are gone, the files and the journal entry stay.
            return Err(Error::Other("failpoint: crashed between row removal and file removal".into()));
        }
        for (id, file) in rows {
            if crate::paths::is_plain_file_name(file) {
                let image = self.store.image_file(file);
                store::remove_if_exists(&image)?;
                store::remove_if_exists(&sidecar::path_for(&image))?;
            }
            store::remove_if_exists(&self.store.thumb_file(id))?;
        }
        journal.done();
        Ok(())
    }

    /// Absolute path of an image file. A row whose file is gone (deleted or moved outside the app, or a
    /// backup restored without it) gives [`Error::ImageFileMissing`], which says so and what to do, rather
    /// than an error about a file nobody asked for.
    pub fn image_path(&self, id: &str) -> Result<PathBuf> {
        let path = self.store.image_file(&self.store.image_file_name(id)?);
        match path.try_exists() {
            Ok(true) => Ok(path),
            Ok(false) => Err(Error::ImageFileMissing {
                id: id.to_string(),
                path,
            }),
            Err(e) => Err(Error::io("cannot read", path, e)),
        }
    }

    /// Absolute path of an image's thumbnail, made now if missing.
    pub fn thumb_path(&self, id: &str) -> Result<PathBuf> {
        let src = self.image_path(id)?;
        let dst = self.store.thumb_file(id);
        if !dst.exists() && !self.store.wait_thumb(&dst) {
            thumbs::make_thumb(&src, &dst)?;
        }
        Ok(dst)
    }

    /// Billed totals per UTC day (every attempt, including those with no image), newest day first.
    pub fn cost_by_day(&self, since: Option<i64>) -> Result<Vec<CostTotals>> {
        self.totals(
            "SELECT date(at / 1000, 'unixepoch') AS k, COUNT(*), SUM(images), SUM(prompt_tokens), SUM(output_tokens), \
             SUM(thought_tokens), SUM(total_tokens) FROM usage_events WHERE at >= ?1 GROUP BY k ORDER BY k DESC",
            params![since.unwrap_or(0)],
        )
    }

    /// Billed totals of one chat.
    pub fn cost_for_chat(&self, chat_id: &str) -> Result<CostTotals> {
        let mut v = self.totals(
            "SELECT chat_id, COUNT(*), SUM(images), SUM(prompt_tokens), SUM(output_tokens), SUM(thought_tokens), \
             SUM(total_tokens) FROM usage_events WHERE chat_id = ?1 GROUP BY chat_id",
            params![chat_id],
        )?;
        Ok(v.pop().unwrap_or(CostTotals {
            key: chat_id.to_string(),
            ..Default::default()
        }))
    }

    fn totals(&self, sql: &str, p: impl rusqlite::Params) -> Result<Vec<CostTotals>> {
        let per_million = self.store.price_per_million;
        let conn = self.store.conn();
        let mut st = conn.prepare_cached(sql)?;
        let rows = st.query_map(p, |r| {
            let usage = Usage {
                prompt_tokens: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                output_tokens: r.get::<_, Option<i64>>(4)?.unwrap_or(0),
                thought_tokens: r.get::<_, Option<i64>>(5)?.unwrap_or(0),
                total_tokens: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
            };
            Ok(CostTotals {
                key: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                attempts: r.get(1)?,
                images: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                price: crate::cost::price(usage.total_tokens, per_million),
                usage,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
