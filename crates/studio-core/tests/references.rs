//! Hostile reference files (issue 9): a FIFO, a file too large for its kind, a PNG bomb, a fake HEIC and
//! an animated WebP, through the import paths the app and the CLI use.
//! See: issue 9.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use common::*;
use studio_core::Error;

fn refusal(e: Error) -> (String, String) {
    match e {
        Error::InvalidReference { name, reason } => (name, reason),
        other => panic!("expected an invalid reference, got {other:?}"),
    }
}

/// Opening a FIFO for reading waits for a writer: the import must refuse it instead. The import runs on
/// its own thread with a deadline, so a regression fails here instead of hanging the suite.
#[tokio::test]
async fn a_fifo_is_refused_without_hanging() {
    let e = env().await;
    let fifo = e.dir.path().join("photo.jpg");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let dir = e.dir.path().to_path_buf();
    let (tx, rx) = mpsc::channel();
    let base = e.fake.base_url();
    std::thread::spawn(move || {
        let studio = open(&dir, &base);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let got = rt.block_on(studio.import_reference_file(&fifo));
        let kind = studio_core::references::sniff_file(&fifo);
        let _ = tx.send((got, kind));
    });
    let (got, kind) = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the import of a FIFO hung");
    let (name, reason) = refusal(got.unwrap_err());
    assert_eq!(name, "photo.jpg");
    assert!(reason.contains("not a regular file"), "{reason}");
    assert_eq!(kind, studio_core::ReferenceKind::Image);
}

/// A 250 MB file that starts like a PNG is refused from its length, before it is read (it was read whole,
/// then failed to decode with a message that did not say why).
#[tokio::test]
async fn an_oversized_image_file_is_refused_from_its_length() {
    let e = env().await;
    let path = e.dir.path().join("scan.png");
    std::fs::write(&path, png(4, 4, 1)).unwrap();
    // Sparse: no disk space and nothing to read, only a length.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(250_000_000)
        .unwrap();
    let (name, reason) = refusal(e.studio.import_reference_file(&path).await.unwrap_err());
    assert_eq!(name, "scan.png");
    assert!(reason.contains("250.0 MB, over the 200 MB"), "{reason}");
}

/// PNG bombs that would have to be decoded whole are refused from their header, by their size in pixels,
/// naming the file, by path and pasted alike: an interlaced one (7.5 MB on disk, 20000 x 20000 pixels, 1.2
/// GB decoded), and one past what is streamed (a header claiming 40000 x 40000).
#[tokio::test]
async fn a_png_bomb_is_refused_by_its_pixel_count() {
    let e = env().await;
    let bomb = png_bomb_interlaced(20_000, 20_000, 1);
    assert!(bomb.len() < 8_000_000);
    let path = e.dir.path().join("bomb.png");
    std::fs::write(&path, &bomb).unwrap();
    let (name, reason) = refusal(e.studio.import_reference_file(&path).await.unwrap_err());
    assert_eq!(name, "bomb.png");
    assert!(reason.contains("20000 x 20000 pixels (400 MP)"), "{reason}");
    let (name, reason) = refusal(
        e.studio
            .import_reference_bytes(bomb, "pasted.png")
            .await
            .unwrap_err(),
    );
    assert_eq!(name, "pasted.png");
    assert!(reason.contains("20000 x 20000 pixels"), "{reason}");
    let mut huge = png_bomb(16, 16, 2);
    huge[16..20].copy_from_slice(&40_000u32.to_be_bytes());
    huge[20..24].copy_from_slice(&40_000u32.to_be_bytes());
    let path = e.dir.path().join("huge.png");
    std::fs::write(&path, &huge).unwrap();
    let (name, reason) = refusal(e.studio.import_reference_file(&path).await.unwrap_err());
    assert_eq!(name, "huge.png");
    assert!(reason.contains("40000 x 40000 pixels (1600 MP)"), "{reason}");
}

/// Bombs within bounds are images like any other (the generator makes real PNGs): a plain one is reduced
/// as its rows stream (by 2, to 2500 x 1250) and an interlaced one decoded whole; both end at 2048 px.
#[tokio::test]
async fn a_bomb_within_the_bounds_is_imported() {
    let e = env().await;
    let info = e
        .studio
        .import_reference_bytes(png_bomb(5000, 2500, 2), "black.png")
        .await
        .unwrap();
    assert_eq!((info.width, info.height, info.mime.as_str()), (2048, 1024, "image/jpeg"));
    let info = e
        .studio
        .import_reference_bytes(png_bomb_interlaced(3000, 1500, 3), "black-interlaced.png")
        .await
        .unwrap();
    assert_eq!((info.width, info.height, info.mime.as_str()), (2048, 1024, "image/jpeg"));
}

/// An `ftyp` box with HEIF brands followed by a web page was stored and sent as `image/heic`.
#[tokio::test]
async fn a_fake_heic_is_refused_by_name() {
    let e = env().await;
    let mut fake = 24u32.to_be_bytes().to_vec();
    fake.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    fake.extend_from_slice(b"<!doctype html><title>Sign in</title><body>Your session expired</body>");
    let (name, reason) = refusal(
        e.studio
            .import_reference_bytes(fake.clone(), "IMG_0001.HEIC")
            .await
            .unwrap_err(),
    );
    assert_eq!(name, "IMG_0001.HEIC");
    assert!(reason.contains("HEIF image"), "{reason}");
    let path = e.dir.path().join("IMG_0002.heic");
    std::fs::write(&path, &fake).unwrap();
    let (name, _) = refusal(e.studio.import_reference_file(&path).await.unwrap_err());
    assert_eq!(name, "IMG_0002.heic");
}

fn riff_chunk(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut c = kind.to_vec();
    c.extend_from_slice(&(body.len() as u32).to_le_bytes());
    c.extend_from_slice(body);
    if body.len() % 2 == 1 {
        c.push(0);
    }
    c
}

/// Two 16 x 8 frames (green, then red) in an animated WebP, built from lossless stills.
fn animated_webp() -> Vec<u8> {
    let frame = |rgba: [u8; 4]| {
        let img = image::RgbaImage::from_pixel(16, 8, image::Rgba(rgba));
        let mut still = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut still), image::ImageFormat::WebP)
            .unwrap();
        assert_eq!(&still[12..16], b"VP8L");
        let size = u32::from_le_bytes([still[16], still[17], still[18], still[19]]) as usize;
        let mut anmf = vec![0, 0, 0, 0, 0, 0, 15, 0, 0, 7, 0, 0, 100, 0, 0, 0];
        anmf.extend_from_slice(&riff_chunk(b"VP8L", &still[20..20 + size]));
        riff_chunk(b"ANMF", &anmf)
    };
    let body = [
        b"WEBP".to_vec(),
        riff_chunk(b"VP8X", &[0x12, 0, 0, 0, 15, 0, 0, 7, 0, 0]),
        riff_chunk(b"ANIM", &[0; 6]),
        frame([0, 255, 0, 255]),
        frame([255, 0, 0, 255]),
    ]
    .concat();
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// An animated WebP passed through unchanged; the model gets its first frame as a still.
#[tokio::test]
async fn an_animated_webp_is_imported_as_its_first_frame() {
    let e = env().await;
    let info = e
        .studio
        .import_reference_bytes(animated_webp(), "party.webp")
        .await
        .unwrap();
    assert_ne!(info.mime, "image/webp");
    assert_eq!((info.width, info.height), (16, 8));
    let stored = e
        .dir
        .path()
        .join("refs")
        .join(format!("{}.{}", info.hash, studio_core::paths::ext_for_mime(&info.mime)));
    let bytes = std::fs::read(stored).unwrap();
    let px = image::load_from_memory(&bytes).unwrap().to_rgb8().get_pixel(8, 4).0;
    assert!(px[1] > 200 && px[0] < 60, "the first (green) frame, got {px:?}");
}
