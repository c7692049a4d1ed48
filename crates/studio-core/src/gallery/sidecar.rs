//! The sidecar saved next to every image (`images/<file>.json`): the image row's provenance as a small JSON
//! file, so the gallery index can be rebuilt from the files when `gallery.sqlite` is lost, corrupt or older
//! than the images (see [`crate::gallery::rebuild`]). A sidecar rather than a PNG text chunk: the image file
//! stays byte-for-byte what Google sent.
//!
//! Favourite and trash state change after the save and are not in the sidecar.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The sidecar format written by this build (readers accept any, with unknown fields ignored).
pub const FORMAT: u32 = 1;

/// Everything an `images` row holds that the file itself does not say.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sidecar {
    pub format: u32,
    pub id: String,
    pub chat_id: String,
    pub turn_id: String,
    pub prompt: String,
    pub model: String,
    /// `GenerateParams` as JSON.
    pub params: serde_json::Value,
    pub reference_hashes: Vec<String>,
    pub text: String,
    pub thoughts: String,
    pub created_at: i64,
    pub sha256: String,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub bytes: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grounding: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<serde_json::Value>,
    pub image_tokens: i64,
    pub total_tokens: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<String>,
}

/// The sidecar's file name for an image file name.
pub fn name_for(image_file: &str) -> String {
    format!("{image_file}.json")
}

/// The sidecar's path for an image path.
pub fn path_for(image: &Path) -> PathBuf {
    let mut p = image.as_os_str().to_owned();
    p.push(".json");
    PathBuf::from(p)
}

/// True for a sidecar's file name (so a listing of `images/` can skip it).
pub fn is_sidecar(name: &str) -> bool {
    name.ends_with(".json")
}

/// The image file name a sidecar belongs to.
pub fn image_name_of(sidecar_name: &str) -> Option<&str> {
    sidecar_name.strip_suffix(".json")
}

/// Reads a sidecar; `None` when it is missing or not ours (a damaged sidecar costs the provenance, never the
/// image: the image is then listed as recovered). Sidecars are a few KB; anything over 16 MB is not one.
pub fn read(path: &Path) -> Option<Sidecar> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > 16 * 1024 * 1024 {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice::<Sidecar>(&bytes)
        .ok()
        .filter(|s| !s.id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_unknown_and_missing_fields() {
        let s: Sidecar =
            serde_json::from_str(r#"{"format":9,"id":"img_1","prompt":"p","future":{"x":1}}"#)
                .unwrap();
        assert_eq!(
            (s.format, s.id.as_str(), s.prompt.as_str()),
            (9, "img_1", "p")
        );
        assert_eq!(s.cost, None);
        assert_eq!(
            path_for(Path::new("/d/images/img_1.png")),
            Path::new("/d/images/img_1.png.json")
        );
        assert_eq!(image_name_of(&name_for("img_1.png")), Some("img_1.png"));
    }

    #[test]
    fn a_damaged_sidecar_reads_as_none() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.png.json");
        std::fs::write(&p, b"{\"id\": ").unwrap();
        assert_eq!(read(&p), None);
        std::fs::write(&p, b"{\"prompt\": \"no id\"}").unwrap();
        assert_eq!(read(&p), None);
        assert_eq!(read(&d.path().join("missing.json")), None);
    }
}
