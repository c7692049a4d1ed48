//! Gallery list queries: filters, sort, keyset or offset pagination, and FTS5 query escaping.
//!
//! The list returns summary columns only (no provenance blobs), and every filter/sort combination is
//! served by an index from migration v2/v3, so the first page stays fast at 100k images.

use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};

/// Sort order of the gallery.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Newest,
    Oldest,
}

/// A gallery list request. Every field is optional; the default lists the newest 100 untrashed images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct GalleryQuery {
    /// Full-text search over prompts and model text (any user text; escaped safely).
    pub query: Option<String>,
    pub model: Option<String>,
    pub favourite: Option<bool>,
    pub chat_id: Option<String>,
    pub has_grounding: Option<bool>,
    /// Created at or after (ms since epoch).
    pub since: Option<i64>,
    /// Created before (ms since epoch).
    pub until: Option<i64>,
    pub sort: SortOrder,
    /// Include trashed images too.
    pub include_trashed: bool,
    /// Only trashed images (the trash view).
    pub trashed_only: bool,
    pub limit: u32,
    pub offset: u32,
    /// Keyset pagination: the `cursor` of the last item of the previous page (faster than offset).
    pub cursor: Option<String>,
}

impl Default for GalleryQuery {
    fn default() -> Self {
        GalleryQuery {
            query: None,
            model: None,
            favourite: None,
            chat_id: None,
            has_grounding: None,
            since: None,
            until: None,
            sort: SortOrder::Newest,
            include_trashed: false,
            trashed_only: false,
            limit: 100,
            offset: 0,
            cursor: None,
        }
    }
}

/// Most rows one page may return.
pub const MAX_LIMIT: u32 = 1000;

/// Turns user text into a safe FTS5 MATCH expression: every whitespace-separated word becomes a quoted
/// string (inner quotes doubled), so no FTS5 operator or syntax character in the input has any effect;
/// words are ANDed; the last one matches as a prefix (search as you type). Words without a letter or digit
/// are dropped (the tokenizer would drop them anyway). `None` when nothing searchable is left.
pub fn fts_query(user: &str) -> Option<String> {
    // NUL and other control characters are never part of a word and make SQLite refuse the text: they
    // separate words like spaces do.
    let user: String = user
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let words: Vec<String> = user
        .split_whitespace()
        .filter(|w| w.chars().any(|c| c.is_alphanumeric()))
        .take(32)
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if words.is_empty() {
        return None;
    }
    let mut q = words.join(" ");
    q.push('*');
    Some(q)
}

/// The summary columns, in [`crate::gallery::ImageSummary`]'s order.
pub(crate) const SUMMARY_COLUMNS: &str =
    "i.id, i.chat_id, i.turn_id, i.prompt, i.model, i.width, i.height, i.mime, \
     i.favourite, i.trashed_at, i.has_grounding, i.created_at, i.rowid";

/// The FROM clause and ORDER BY of a list. A text search drives the query from the FTS index in rowid
/// order, which FTS5 delivers already sorted, so the LIMIT stops the scan after one page even when a word
/// matches half the gallery (an `IN (SELECT ...)` would first collect every match). Rows are inserted in
/// creation order, so rowid order is creation order.
pub(crate) fn from_and_order(q: &GalleryQuery) -> (&'static str, &'static str) {
    let text = q.query.as_deref().is_some_and(|t| !t.trim().is_empty());
    match (text, q.sort) {
        (true, SortOrder::Newest) => (
            " FROM images_fts f JOIN images i ON i.rowid = f.rowid",
            "f.rowid DESC",
        ),
        (true, SortOrder::Oldest) => (
            " FROM images_fts f JOIN images i ON i.rowid = f.rowid",
            "f.rowid ASC",
        ),
        (false, SortOrder::Newest) => (" FROM images i", "i.created_at DESC, i.id DESC"),
        (false, SortOrder::Oldest) => (" FROM images i", "i.created_at ASC, i.id ASC"),
    }
}

/// Builds the WHERE clause and parameters shared by list and count. Returns `None` when the query can
/// match nothing (e.g. a search with no searchable word).
pub(crate) fn build_filter(q: &GalleryQuery, with_cursor: bool) -> Option<(String, Vec<SqlValue>)> {
    let mut clauses: Vec<String> = Vec::new();
    let mut params: Vec<SqlValue> = Vec::new();
    if let Some(text) = q.query.as_deref().filter(|t| !t.trim().is_empty()) {
        let m = fts_query(text)?;
        clauses.push("images_fts MATCH ?".into());
        params.push(SqlValue::Text(m));
    }
    if let Some(m) = &q.model {
        clauses.push("i.model = ?".into());
        params.push(SqlValue::Text(m.clone()));
    }
    if let Some(f) = q.favourite {
        clauses.push("i.favourite = ?".into());
        params.push(SqlValue::Integer(f as i64));
    }
    if let Some(c) = &q.chat_id {
        clauses.push("i.chat_id = ?".into());
        params.push(SqlValue::Text(c.clone()));
    }
    if let Some(g) = q.has_grounding {
        clauses.push(
            if g {
                "i.has_grounding = 1"
            } else {
                "i.has_grounding = 0"
            }
            .into(),
        );
    }
    if let Some(s) = q.since {
        clauses.push("i.created_at >= ?".into());
        params.push(SqlValue::Integer(s));
    }
    if let Some(u) = q.until {
        clauses.push("i.created_at < ?".into());
        params.push(SqlValue::Integer(u));
    }
    if q.trashed_only {
        clauses.push("i.trashed_at IS NOT NULL".into());
    } else if !q.include_trashed {
        clauses.push("i.trashed_at IS NULL".into());
    }
    if with_cursor {
        if let Some((at, rowid, id)) = q.cursor.as_deref().and_then(parse_cursor) {
            let op = if q.sort == SortOrder::Newest {
                "<"
            } else {
                ">"
            };
            if q.query.as_deref().is_some_and(|t| !t.trim().is_empty()) {
                clauses.push(format!("f.rowid {op} ?"));
                params.push(SqlValue::Integer(rowid));
            } else {
                clauses.push(format!("(i.created_at, i.id) {op} (?, ?)"));
                params.push(SqlValue::Integer(at));
                params.push(SqlValue::Text(id));
            }
        }
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    Some((sql, params))
}

/// `"{created_at}:{rowid}:{id}"`: keyset position for both orders (date, or rowid for searches).
pub fn make_cursor(created_at: i64, rowid: i64, id: &str) -> String {
    format!("{created_at}:{rowid}:{id}")
}

fn parse_cursor(c: &str) -> Option<(i64, i64, String)> {
    let mut it = c.splitn(3, ':');
    let at = it.next()?.parse().ok()?;
    let rowid = it.next()?.parse().ok()?;
    Some((at, rowid, it.next()?.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9: a search containing NUL was a database error.
    #[test]
    fn control_characters_separate_words() {
        assert_eq!(fts_query("moon\0cat").as_deref(), Some("\"moon\" \"cat\"*"));
        assert_eq!(fts_query("\0\u{7}\u{1b}"), None);
    }

    #[test]
    fn escapes_operators() {
        assert_eq!(
            fts_query("cat AND \"dog\"").unwrap(),
            "\"cat\" \"AND\" \"\"\"dog\"\"\"*"
        );
        assert_eq!(fts_query("  * ( ) "), None);
        assert_eq!(fts_query("banana").unwrap(), "\"banana\"*");
    }
}
