//! The last `models.list` answer, kept in the gallery database per API base URL and key, so the picker opens
//! with what the key could call last time and the list is asked again only once a day (or on demand).
//!
//! The raw listing is stored, not the merged catalogue: a newer app version merges it with its own data file.

use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::gallery::store::Store;

/// A listing older than this is asked again at start-up.
pub const MAX_AGE_MS: i64 = 24 * 60 * 60 * 1000;

/// The cache key: the base URL and a hash of the key (the key itself is never stored here).
pub fn scope(base_url: &str, api_key: Option<&str>) -> String {
    let key = api_key.unwrap_or("");
    let digest = Sha256::digest(key.as_bytes());
    format!("{}#{}", base_url.trim_end_matches('/'), &hex::encode(digest)[..16])
}

/// The cached listing and when it was read (ms since the epoch).
pub fn load(store: &Store, scope: &str) -> Result<Option<(Vec<gemini::ModelInfo>, i64)>> {
    let row: Option<(String, i64)> = store
        .conn()
        .query_row(
            "SELECT listing, fetched_at FROM model_listings WHERE scope = ?1",
            params![scope],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(Error::db("reading the cached model list"))?;
    Ok(match row {
        // An unreadable row is treated as no cache: the list is simply asked again.
        Some((text, at)) => serde_json::from_str(&text).ok().map(|l| (l, at)),
        None => None,
    })
}

pub fn save(store: &Store, scope: &str, listing: &[gemini::ModelInfo], at_ms: i64) -> Result<()> {
    let text = serde_json::to_string(listing)
        .map_err(|e| Error::Other(format!("could not encode the model list: {e}")))?;
    store
        .conn()
        .execute(
            "INSERT INTO model_listings (scope, fetched_at, listing) VALUES (?1, ?2, ?3)
             ON CONFLICT(scope) DO UPDATE SET fetched_at = excluded.fetched_at, listing = excluded.listing",
            params![scope, at_ms, text],
        )
        .map_err(Error::db("caching the model list"))?;
    Ok(())
}
