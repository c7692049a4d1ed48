//! Test helpers: a real store in a temporary data folder, with image rows written straight into its
//! database (as a damaged or tampered database would hold them).

use studio_core::paths::DataDir;
use studio_core::{Studio, StudioConfig};

/// A studio in a fresh data folder holding a key file, with one image row per `(id, stored file name)`;
/// `good.png` exists in images/ as a small PNG.
pub fn studio_with_rows(rows: &[(&str, &str)]) -> (tempfile::TempDir, DataDir, Studio) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dirs = DataDir::new(tmp.path());
    let studio = Studio::open(StudioConfig {
        data_dir: tmp.path().to_path_buf(),
        api_key: None,
        base_url: "http://127.0.0.1:9".into(),
        price_per_million_tokens: None,
    })
    .expect("open studio");
    std::fs::write(tmp.path().join("api-key"), b"secret").expect("key file");
    let mut png = Vec::new();
    image::RgbImage::new(8, 8).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).expect("png");
    std::fs::write(dirs.images.join("good.png"), &png).expect("image file");
    let db = rusqlite::Connection::open(&dirs.db).expect("open db");
    for (id, name) in rows {
        db.execute(
            "INSERT INTO images (id, chat_id, turn_id, file_name, sha256, mime, width, height, bytes, prompt, model, params, \
             reference_hashes, text, thoughts, image_tokens, total_tokens, created_at) \
             VALUES (?1, 'c', 't', ?2, '', 'image/png', 8, 8, 1, 'p', 'm', '{}', '[]', '', '', 0, 0, 0)",
            rusqlite::params![id, name],
        )
        .expect("insert row");
    }
    (tmp, dirs, studio)
}

/// Rows whose stored names point outside images/: at the key file, the database, an absolute path.
pub const HOSTILE_ROWS: &[(&str, &str)] = &[("key", "../api-key"), ("db", "../gallery.sqlite"), ("abs", "/etc/passwd")];
