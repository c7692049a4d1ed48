//! Shared harness: a fake Gemini in-process, a studio on a temp data dir, and image fixtures.
#![allow(dead_code)]

use std::time::Duration;

mod bomb;
#[allow(unused_imports)] // Only some test binaries make bombs.
pub use bomb::{png_bomb, png_bomb_interlaced};

use gemini_fake::{FakeConfig, FakeGemini};
use studio_core::{GenerateParams, GenerateRequest, Studio, StudioConfig, StudioOptions};

pub struct Env {
    pub fake: FakeGemini,
    pub studio: Studio,
    pub dir: tempfile::TempDir,
}

pub fn fast_retry() -> gemini::RetryPolicy {
    gemini::RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        deadline: Duration::from_secs(30),
        jitter: false,
    }
}

pub fn open(dir: &std::path::Path, base_url: &str) -> Studio {
    open_limited(dir, base_url, None)
}

/// [`open`] with the inline request limit overridden (the Files API path without 100 MB requests).
pub fn open_limited(dir: &std::path::Path, base_url: &str, inline_limit: Option<usize>) -> Studio {
    Studio::open_with(
        StudioConfig {
            data_dir: dir.to_path_buf(),
            api_key: Some("test".into()),
            base_url: base_url.to_string(),
            price_per_million_tokens: Some(30.0),
        },
        StudioOptions {
            retry: fast_retry(),
            request_timeout: Duration::from_secs(30),
            inline_limit_bytes: inline_limit,
        },
    )
    .expect("open studio")
}

pub async fn env() -> Env {
    let fake = FakeGemini::start(FakeConfig::default())
        .await
        .expect("start fake");
    let dir = tempfile::tempdir().expect("tempdir");
    let studio = open(dir.path(), &fake.base_url());
    Env { fake, studio, dir }
}

/// [`env`] with restricted models granted to the key, as Google does for projects that used them before.
pub async fn env_granting(models: &[&str]) -> Env {
    let mut catalogue = gemini_fake::Catalogue::google();
    for m in models {
        catalogue.grant(m).expect("a model of the fake's catalogue");
    }
    let fake = FakeGemini::start(FakeConfig {
        catalogue,
        ..FakeConfig::default()
    })
    .await
    .expect("start fake");
    let dir = tempfile::tempdir().expect("tempdir");
    let studio = open(dir.path(), &fake.base_url());
    Env { fake, studio, dir }
}

/// The default parameters on `model`.
pub fn params(model: &str) -> GenerateParams {
    GenerateParams {
        model: model.into(),
        ..Default::default()
    }
}

pub fn req(prompt: &str) -> GenerateRequest {
    GenerateRequest {
        prompt: prompt.into(),
        ..Default::default()
    }
}

pub fn req_with(prompt: &str, params: GenerateParams) -> GenerateRequest {
    GenerateRequest {
        prompt: prompt.into(),
        params,
        ..Default::default()
    }
}

/// Generate requests the fake received.
pub fn generate_requests(fake: &FakeGemini) -> Vec<gemini_fake::RecordedRequest> {
    fake.requests()
        .into_iter()
        .filter(|r| r.path.contains("enerateContent"))
        .collect()
}

/// A small distinct PNG.
pub fn png(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([seed, (x % 256) as u8, (y % 256) as u8])
    });
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A JPEG with an EXIF APP1 segment carrying `orientation`.
pub fn jpeg_with_orientation(w: u32, h: u32, orientation: u16) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&img)
        .unwrap();
    insert_exif_orientation(&jpeg, orientation)
}

/// Inserts `FFE1 len "Exif\0\0" TIFF(MM) IFD0{Orientation}` right after SOI.
pub fn insert_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

pub fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The image files of `images/`, without their provenance sidecars (`<file>.json`).
pub fn image_files_in(dir: &std::path::Path) -> Vec<String> {
    files_in(dir)
        .into_iter()
        .filter(|f| !f.ends_with(".json"))
        .collect()
}
