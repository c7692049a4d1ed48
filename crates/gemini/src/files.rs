//! The Files API: resumable upload of inputs too big to send inline, and polling until usable.
//!
//! Inline request payloads are limited to 20 MB in total, so large reference images go up once and are
//! then referenced with `fileData` ([`crate::Part::file`]). Files are kept 48 hours.

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Map, Value};

use crate::client::{parse_json, Client};
use crate::error::{Error, Result};

/// An uploaded file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileInfo {
    /// `files/{id}`.
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// int64, which proto JSON writes as a string.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "u64_from_string_or_number"
    )]
    pub size_bytes: Option<u64>,
    /// What `fileData.fileUri` takes.
    #[serde(default)]
    pub uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<FileState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256_hash: Option<String>,
    /// A `google.rpc.Status` when processing failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Processing state of an uploaded file; only `Active` files can be referenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FileState {
    StateUnspecified,
    Processing,
    Active,
    Failed,
    #[serde(other)]
    Unknown,
}

fn u64_from_string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => s.parse().ok(),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    })
}

#[derive(Deserialize)]
struct FileEnvelope {
    file: FileInfo,
}

/// Polling starts at this interval (or the retry base delay, if shorter) and doubles up to the cap.
const POLL_START: Duration = Duration::from_millis(500);
const POLL_CAP: Duration = Duration::from_secs(5);

impl Client {
    /// Uploads `bytes` with the resumable protocol and waits until the file is `ACTIVE` (bounded by the
    /// retry deadline). The key is sent to the upload URL only when it is on the API's own host.
    pub async fn upload_file(
        &self,
        bytes: Vec<u8>,
        mime_type: &str,
        display_name: &str,
    ) -> Result<FileInfo> {
        let started = Instant::now();
        let data = Bytes::from(bytes);
        let start_body = Bytes::from(json!({"file": {"displayName": display_name}}).to_string());
        let file = self
            .with_retry(&mut |_| {}, || async {
                let start = self
                    .http
                    .post(format!("{}/upload/v1beta/files", self.base))
                    .header("X-Goog-Upload-Protocol", "resumable")
                    .header("X-Goog-Upload-Command", "start")
                    .header(
                        "X-Goog-Upload-Header-Content-Length",
                        data.len().to_string(),
                    )
                    .header("X-Goog-Upload-Header-Content-Type", mime_type);
                let resp = self.send(start, Some(start_body.clone())).await?;
                let upload_url = resp
                    .headers()
                    .get("x-goog-upload-url")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        Error::malformed(
                            "the upload start reply has no X-Goog-Upload-URL header",
                            b"",
                        )
                    })?;
                let url = reqwest::Url::parse(&upload_url).map_err(|e| {
                    Error::malformed(
                        format!("the upload URL is not a URL: {e}"),
                        upload_url.as_bytes(),
                    )
                })?;
                let upload = self
                    .http
                    .post(url.clone())
                    .header("X-Goog-Upload-Command", "upload, finalize")
                    .header("X-Goog-Upload-Offset", "0")
                    .header(reqwest::header::CONTENT_TYPE, mime_type)
                    .body(data.clone());
                let resp = if self.same_origin(&url) {
                    self.send(upload, None).await?
                } else {
                    self.send_without_key(upload).await?
                };
                let body =
                    crate::limits::read_capped(resp, self.limits.json_body, "a file upload reply")
                        .await?;
                Ok(parse_json::<FileEnvelope>(&body)?.file)
            })
            .await?;
        self.wait_active(file, started).await
    }

    /// `GET /v1beta/files/{id}`.
    pub async fn get_file(&self, name: &str) -> Result<FileInfo> {
        let id = name.strip_prefix("files/").unwrap_or(name);
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        {
            return Err(Error::InvalidArgument {
                message: format!("{name:?} is not a valid file name"),
            });
        }
        self.get_json(&format!("{}/v1beta/files/{id}", self.base))
            .await
    }

    async fn wait_active(&self, mut file: FileInfo, started: Instant) -> Result<FileInfo> {
        let mut delay = POLL_START.min(self.retry.base_delay.max(Duration::from_millis(1)));
        loop {
            match file.state {
                Some(FileState::Active) | None => return Ok(file),
                Some(FileState::Failed) => {
                    let message = file
                        .error
                        .as_ref()
                        .and_then(|e| e.get("message"))
                        .and_then(Value::as_str)
                        .unwrap_or("processing failed")
                        .to_string();
                    return Err(Error::FileFailed {
                        name: file.name,
                        message,
                    });
                }
                _ => {}
            }
            if started.elapsed() + delay >= self.retry.deadline {
                return Err(Error::Timeout);
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(POLL_CAP);
            file = self.get_file(&file.name).await?;
        }
    }

    fn same_origin(&self, url: &reqwest::Url) -> bool {
        reqwest::Url::parse(&self.base).is_ok_and(|b| b.origin() == url.origin())
    }

    async fn send_without_key(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response> {
        let resp = builder
            .send()
            .await
            .map_err(|e| Error::Network(crate::client::describe(&e)))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let body = crate::limits::read_prefix(resp, self.limits.error_body).await;
        Err(Error::from_http(status.as_u16(), &body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_info_reads_string_sizes_and_states() {
        let f: FileEnvelope = serde_json::from_value(
            json!({"file": {"name": "files/abc", "uri": "https://x/v1beta/files/abc",
            "mimeType": "image/png", "sizeBytes": "123", "state": "PROCESSING", "newField": 1}}),
        )
        .unwrap();
        assert_eq!(
            (f.file.size_bytes, f.file.state),
            (Some(123), Some(FileState::Processing))
        );
        assert_eq!(f.file.extra["newField"], 1);
        let g: FileInfo = serde_json::from_value(
            json!({"name": "files/a", "sizeBytes": 7, "state": "SOMETHING"}),
        )
        .unwrap();
        assert_eq!((g.size_bytes, g.state), (Some(7), Some(FileState::Unknown)));
    }
}
