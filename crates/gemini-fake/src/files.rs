//! The Files API: resumable uploads, file resources that turn ACTIVE on a later poll, list and delete.
//!
//! Protocol (as the google-genai SDKs speak it): `POST /upload/v1beta/files` with
//! `X-Goog-Upload-Protocol: resumable`, `X-Goog-Upload-Command: start` and the size and type in
//! `X-Goog-Upload-Header-Content-Length/-Type` answers an `X-Goog-Upload-URL`; the bytes go there with
//! `X-Goog-Upload-Command: upload, finalize` (or several `upload` chunks first) and `X-Goog-Upload-Offset`.
//! The finished upload answers `{"file": {..., "state": "PROCESSING"}}`; the first `GET /v1beta/files/{id}`
//! still says PROCESSING and later ones ACTIVE, so a client has to poll, as it must with Google for large
//! inputs. Using a file before it is ACTIVE is refused.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub id: String,
    pub display_name: Option<String>,
    pub mime_type: String,
    pub bytes: Bytes,
    pub active: bool,
    polls: u32,
    create_time: String,
}

#[derive(Debug)]
struct PendingUpload {
    display_name: Option<String>,
    mime_type: String,
    declared_len: Option<u64>,
    received: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct FileStore {
    files: Mutex<HashMap<String, StoredFile>>,
    uploads: Mutex<HashMap<String, PendingUpload>>,
}

fn now_rfc3339() -> String {
    // A fixed-format timestamp without a date library: good enough for a fake, and parseable.
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = secs / 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000000Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a (year, month, day) date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn random_id(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

impl StoredFile {
    pub fn resource(&self, base: &str) -> Value {
        let mut sha = Sha256::new();
        sha.update(&self.bytes);
        let hash = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            hex::encode(sha.finalize()),
        );
        let mut v = json!({
            "name": format!("files/{}", self.id),
            "mimeType": self.mime_type,
            "sizeBytes": self.bytes.len().to_string(),
            "createTime": self.create_time,
            "updateTime": self.create_time,
            "expirationTime": self.create_time,
            "sha256Hash": hash,
            "uri": format!("{base}/v1beta/files/{}", self.id),
            "state": if self.active { "ACTIVE" } else { "PROCESSING" },
            "source": "UPLOADED"
        });
        if let Some(d) = &self.display_name {
            v["displayName"] = json!(d);
        }
        v
    }
}

impl FileStore {
    pub fn get(&self, id: &str) -> Option<StoredFile> {
        self.files.lock().ok()?.get(id).cloned()
    }

    /// `GET files/{id}`: each poll brings the file closer to ACTIVE.
    pub fn poll(&self, id: &str) -> Option<StoredFile> {
        let mut files = self.files.lock().ok()?;
        let f = files.get_mut(id)?;
        f.polls += 1;
        if f.polls >= 2 {
            f.active = true;
        }
        Some(f.clone())
    }

    pub fn delete(&self, id: &str) -> bool {
        self.files
            .lock()
            .map(|mut f| f.remove(id).is_some())
            .unwrap_or(false)
    }

    pub fn list(&self) -> Vec<StoredFile> {
        let mut v: Vec<StoredFile> = self
            .files
            .lock()
            .map(|f| f.values().cloned().collect())
            .unwrap_or_default();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// `X-Goog-Upload-Command: start`: returns the upload id.
    pub fn start(
        &self,
        body: &Value,
        headers: &dyn Fn(&str) -> Option<String>,
    ) -> ApiResult<String> {
        let file = body.get("file").cloned().unwrap_or(Value::Null);
        if let Some(obj) = file.as_object() {
            for key in obj.keys() {
                if ![
                    "displayName",
                    "display_name",
                    "mimeType",
                    "mime_type",
                    "name",
                    "sizeBytes",
                    "size_bytes",
                ]
                .contains(&key.as_str())
                {
                    return Err(ApiError::bad_field(
                        "file",
                        format!("Invalid JSON payload received. Unknown name \"{key}\" at 'file': Cannot find field."),
                    ));
                }
            }
        }
        let display_name = file
            .get("displayName")
            .or_else(|| file.get("display_name"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let mime_type = headers("x-goog-upload-header-content-type")
            .or_else(|| {
                file.get("mimeType")
                    .or_else(|| file.get("mime_type"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_default();
        if mime_type.is_empty() {
            return Err(ApiError::invalid(
                "Unknown mime type: X-Goog-Upload-Header-Content-Type is not set.",
            ));
        }
        let declared_len =
            headers("x-goog-upload-header-content-length").and_then(|v| v.trim().parse().ok());
        let id = random_id(16);
        let pending = PendingUpload {
            display_name,
            mime_type,
            declared_len,
            received: Vec::new(),
        };
        self.uploads
            .lock()
            .map_err(|_| ApiError::new(500, "INTERNAL", "upload table poisoned"))?
            .insert(id.clone(), pending);
        Ok(id)
    }

    /// `upload` / `upload, finalize`: appends bytes at `offset`; on finalize, creates the file.
    pub fn upload(
        &self,
        upload_id: &str,
        offset: u64,
        chunk: &[u8],
        finalize: bool,
    ) -> ApiResult<Option<StoredFile>> {
        let mut uploads = self
            .uploads
            .lock()
            .map_err(|_| ApiError::new(500, "INTERNAL", "upload table poisoned"))?;
        let pending = uploads.get_mut(upload_id).ok_or_else(|| {
            ApiError::not_found(format!(
                "Upload {upload_id} is not found or was already finalized."
            ))
        })?;
        if offset != pending.received.len() as u64 {
            return Err(ApiError::invalid(format!(
                "Invalid X-Goog-Upload-Offset {offset}: {} bytes were received so far.",
                pending.received.len()
            )));
        }
        pending.received.extend_from_slice(chunk);
        if !finalize {
            return Ok(None);
        }
        let pending = uploads
            .remove(upload_id)
            .ok_or_else(|| ApiError::not_found("upload vanished"))?;
        if let Some(n) = pending.declared_len {
            if n != pending.received.len() as u64 {
                return Err(ApiError::invalid(format!(
                    "Upload size {} does not match the declared X-Goog-Upload-Header-Content-Length {n}.",
                    pending.received.len()
                )));
            }
        }
        let file = StoredFile {
            id: random_id(12),
            display_name: pending.display_name,
            mime_type: pending.mime_type,
            bytes: Bytes::from(pending.received),
            active: false,
            polls: 0,
            create_time: now_rfc3339(),
        };
        self.files
            .lock()
            .map_err(|_| ApiError::new(500, "INTERNAL", "file table poisoned"))?
            .insert(file.id.clone(), file.clone());
        Ok(Some(file))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20_454), (2026, 1, 1));
    }
}
