//! Video as context for image generation (issue 13, "Video to image"): import, the Files API path, the
//! refusal on models without video input, the image limits that videos do not count against, and replay.
//! Against the in-process fake on 127.0.0.1.
//! See: issue 13.

mod common;

use common::*;
use serde_json::Value;
use studio_core::{Error, GenerateParams, GenerateRequest, ReferenceKind};

/// The model that takes video (its data says `video_input`).
const FLASH: &str = "gemini-3.1-flash-image";

fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    b.extend_from_slice(kind);
    b.extend_from_slice(body);
    b
}

/// A tiny MP4: `ftyp` (isom), an `mdat`, then `moov/mvhd` (version 0) at the end, as cameras write it.
/// `seed` changes the media bytes, so each call can make a distinct file.
fn mp4(timescale: u32, duration: u32, seed: u8) -> Vec<u8> {
    let mut ftyp = b"isom".to_vec();
    ftyp.extend_from_slice(&0x200u32.to_be_bytes());
    ftyp.extend_from_slice(b"isomiso2avc1mp41");
    let mut mvhd = vec![0, 0, 0, 0];
    mvhd.extend_from_slice(&0u32.to_be_bytes());
    mvhd.extend_from_slice(&0u32.to_be_bytes());
    mvhd.extend_from_slice(&timescale.to_be_bytes());
    mvhd.extend_from_slice(&duration.to_be_bytes());
    mvhd.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    mvhd.extend_from_slice(&[0u8; 76]);
    [
        bx(b"ftyp", &ftyp),
        bx(b"free", &[]),
        bx(b"mdat", &[seed; 2048]),
        bx(b"moov", &bx(b"mvhd", &mvhd)),
    ]
    .concat()
}

/// A QuickTime movie: the same boxes under the `qt  ` brand.
fn mov() -> Vec<u8> {
    let mut m = mp4(600, 1800, 9);
    m[8..12].copy_from_slice(b"qt  ");
    m[16..32].copy_from_slice(b"qt  qt  qt  qt  ");
    m
}

fn el(id: &[u8], data: &[u8]) -> Vec<u8> {
    let mut b = id.to_vec();
    b.push(0x80 | data.len() as u8);
    b.extend_from_slice(data);
    b
}

/// A WebM header: EBML (DocType webm), a Segment of unknown size with Info (scale 1 ms, 2.5 s), a Cluster.
fn webm() -> Vec<u8> {
    ebml("webm")
}

fn ebml(doctype: &str) -> Vec<u8> {
    let header = el(
        &[0x1A, 0x45, 0xDF, 0xA3],
        &[
            el(&[0x42, 0x86], &[1]),
            el(&[0x42, 0x82], doctype.as_bytes()),
        ]
        .concat(),
    );
    let info = [
        el(&[0x2A, 0xD7, 0xB1], &[0x0F, 0x42, 0x40]),
        el(&[0x44, 0x89], &2500f64.to_be_bytes()),
    ]
    .concat();
    let mut segment = vec![
        0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ];
    segment.extend_from_slice(&el(&[0x15, 0x49, 0xA9, 0x66], &info));
    segment.extend_from_slice(&el(&[0x1F, 0x43, 0xB6, 0x75], &[0; 40]));
    [header, segment].concat()
}

fn flash() -> GenerateParams {
    GenerateParams {
        model: FLASH.into(),
        ..Default::default()
    }
}

fn user_parts(r: &gemini_fake::RecordedRequest, content: usize) -> Vec<Value> {
    r.json.as_ref().unwrap()["contents"][content]["parts"]
        .as_array()
        .unwrap()
        .clone()
}

fn upload_starts(e: &Env) -> Vec<gemini_fake::RecordedRequest> {
    e.fake
        .requests()
        .into_iter()
        .filter(|r| {
            r.path.starts_with("/upload/") && r.header("x-goog-upload-command") == Some("start")
        })
        .collect()
}

#[tokio::test]
async fn import_gives_kind_video_and_the_duration() {
    let e = env().await;
    let src = e.dir.path().join("holiday clip.mp4");
    let bytes = mp4(600, 4500, 1);
    std::fs::write(&src, &bytes).unwrap();
    let v = e.studio.import_reference_file(&src).await.unwrap();
    assert_eq!(v.kind, ReferenceKind::Video);
    assert_eq!(v.duration_ms, Some(7500), "4500 / 600 s");
    assert_eq!((v.mime.as_str(), v.width, v.height), ("video/mp4", 0, 0));
    assert_eq!(
        (v.name.as_str(), v.bytes),
        ("holiday clip.mp4", bytes.len() as i64)
    );
    // Stored as it is, under its content hash, and found again after the original is gone.
    let stored = e.studio.ref_path(&v.hash).unwrap();
    assert_eq!(
        stored.file_name().unwrap().to_string_lossy(),
        format!("{}.mp4", v.hash)
    );
    assert_eq!(std::fs::read(&stored).unwrap(), bytes);
    std::fs::remove_file(&src).unwrap();
    assert_eq!(e.studio.reference(&v.hash).unwrap(), v);
    // The same content again, pasted under another name: one entry.
    let again = e
        .studio
        .import_reference_bytes(bytes.clone(), "copy.mp4")
        .await
        .unwrap();
    assert_eq!(again, v);
    assert_eq!(files_in(&e.dir.path().join("refs")).len(), 1);

    let w = e
        .studio
        .import_reference_bytes(webm(), "screen.webm")
        .await
        .unwrap();
    assert_eq!(
        (w.kind, w.mime.as_str(), w.duration_ms),
        (ReferenceKind::Video, "video/webm", Some(2500))
    );
    let q = e
        .studio
        .import_reference_bytes(mov(), "take.mov")
        .await
        .unwrap();
    assert_eq!(
        (q.kind, q.mime.as_str(), q.duration_ms),
        (ReferenceKind::Video, "video/quicktime", Some(3000))
    );
    assert!(e
        .studio
        .ref_path(&q.hash)
        .unwrap()
        .to_string_lossy()
        .ends_with(".mov"));
    // Images say so too.
    let i = e
        .studio
        .import_reference_bytes(png(8, 8, 1), "a.png")
        .await
        .unwrap();
    assert_eq!((i.kind, i.duration_ms), (ReferenceKind::Image, None));
}

#[tokio::test]
async fn a_file_named_mp4_that_is_text_is_refused_by_name() {
    let e = env().await;
    let src = e.dir.path().join("clip.mp4");
    std::fs::write(&src, "this is a shopping list, not a movie\n").unwrap();
    let err = e.studio.import_reference_file(&src).await.unwrap_err();
    assert!(matches!(err, Error::InvalidReference { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "\"clip.mp4\" cannot be used as a reference: it is not a PNG, JPEG, WebP, HEIC or HEIF image, nor an MP4, \
         MOV, 3GP or WebM video (its content was checked, not its name)"
    );
    // A movie cut short (its index was never written) is refused with the reason.
    let full = mp4(600, 4500, 2);
    std::fs::write(&src, &full[..full.len() - 20]).unwrap();
    let err = e.studio.import_reference_file(&src).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("\"clip.mp4\" cannot be used as a reference: the movie is cut short"),
        "{err}"
    );
    // A folder is not a file.
    let dir = e.dir.path().join("folder.mp4");
    std::fs::create_dir(&dir).unwrap();
    let err = e.studio.import_reference_file(&dir).await.unwrap_err();
    assert!(
        err.to_string().contains("\"folder.mp4\"")
            && err.to_string().contains("folder, not a file"),
        "{err}"
    );
    // Matroska is not WebM.
    let err = e
        .studio
        .import_reference_bytes(ebml("matroska"), "film.mkv")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Matroska"), "{err}");
    assert_eq!(err.kind(), "invalid_reference");
    assert!(
        files_in(&e.dir.path().join("refs")).is_empty(),
        "nothing stored"
    );
}

#[tokio::test]
async fn on_31_flash_a_video_goes_through_the_files_api_in_its_place() {
    let e = env().await;
    let a = e
        .studio
        .import_reference_bytes(png(32, 24, 1), "a.png")
        .await
        .unwrap();
    let v = e
        .studio
        .import_reference_bytes(mp4(1000, 3000, 3), "clip.mp4")
        .await
        .unwrap();
    let b = e
        .studio
        .import_reference_bytes(png(32, 24, 2), "b.png")
        .await
        .unwrap();
    let mut r = req_with("a poster for this clip", flash());
    r.reference_hashes = vec![a.hash.clone(), v.hash.clone(), b.hash.clone()];
    let res = e.studio.generate(r, |_| {}).await.unwrap();
    assert_eq!(res.images.len(), 1);

    let starts = upload_starts(&e);
    assert_eq!(starts.len(), 1, "only the video is uploaded");
    assert_eq!(
        starts[0].header("x-goog-upload-header-content-type"),
        Some("video/mp4")
    );
    let sent = generate_requests(&e.fake);
    assert_eq!(sent.len(), 1);
    let parts = user_parts(&sent[0], 0);
    assert_eq!(parts.len(), 4, "prompt, image, video, image");
    assert!(parts[1]["inlineData"].is_object() && parts[3]["inlineData"].is_object());
    let fd = &parts[2]["fileData"];
    assert_eq!(fd["mimeType"], "video/mp4");
    let uri = fd["fileUri"].as_str().unwrap();
    assert!(
        uri.starts_with(&e.fake.base_url()) && uri.contains("/files/"),
        "{uri}"
    );
    // The usage says the fake read a video.
    let d = e.studio.gallery().get(&res.images[0].id).unwrap();
    assert_eq!(d.reference_hashes, vec![a.hash, v.hash, b.hash]);
}

#[tokio::test]
async fn a_video_on_a_model_without_video_input_is_refused_before_anything_is_sent() {
    let e = env().await;
    let v = e
        .studio
        .import_reference_bytes(mp4(1000, 3000, 4), "clip.mp4")
        .await
        .unwrap();
    let mut r = req("a thumbnail for this");
    r.reference_hashes = vec![v.hash.clone()];
    let err = e.studio.generate(r, |_| {}).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Nano Banana 2.1 (gemini-nano-banana-2.1) does not take video; videos work with Nano Banana 2 (3.1 Flash) \
         (gemini-3.1-flash-image): remove \"clip.mp4\" or switch model"
    );
    assert_eq!(err.kind(), "invalid_params");
    assert!(err.is_invalid_input(), "the CLI exits 2");
    assert!(
        e.fake.requests().is_empty(),
        "no upload, no generate: {:?}",
        e.fake.requests()
    );

    // The CLI's check before import reads the files' first bytes.
    let p = e.dir.path().join("clip.mp4");
    std::fs::write(&p, mp4(1000, 3000, 4)).unwrap();
    let err = e
        .studio
        .validate_reference_files(&GenerateParams::default(), std::slice::from_ref(&p))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("remove \"clip.mp4\" or switch model"),
        "{err}"
    );
    e.studio.validate_reference_files(&flash(), &[p]).unwrap();
}

#[tokio::test]
async fn videos_do_not_count_against_the_image_limit() {
    let e = env().await;
    let mut images = Vec::new();
    for i in 0..15u8 {
        images.push(
            e.studio
                .import_reference_bytes(png(16, 16, i), &format!("ref{i}.png"))
                .await
                .unwrap()
                .hash,
        );
    }
    let v = e
        .studio
        .import_reference_bytes(mp4(25, 250, 5), "clip.mp4")
        .await
        .unwrap();

    let mut r = req_with("combine them", flash());
    r.reference_hashes = images.clone();
    r.reference_hashes.push(v.hash.clone());
    let err = e.studio.generate(r.clone(), |_| {}).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooManyReferences {
                max: 14,
                given: 15,
                excess: 1,
                ..
            }
        ),
        "refused for the images only: {err}"
    );
    assert!(e.fake.requests().is_empty());

    r.reference_hashes.remove(0);
    e.studio.generate(r, |_| {}).await.unwrap();
    let sent = generate_requests(&e.fake);
    let parts = user_parts(&sent[0], 0);
    assert_eq!(
        parts
            .iter()
            .filter(|p| p.get("inlineData").is_some())
            .count(),
        14
    );
    assert_eq!(
        parts.iter().filter(|p| p.get("fileData").is_some()).count(),
        1
    );

    // A video cannot be a character, and characters count images only.
    let mut p = flash();
    p.character_references = vec![14];
    let mut r = req_with("x", p);
    r.reference_hashes = images[..14].to_vec();
    r.reference_hashes.push(v.hash.clone());
    let err = e.studio.generate(r, |_| {}).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "reference 15 (\"clip.mp4\") is a video and cannot be marked as a character: only images can"
    );

    // The same counts from files, as the CLI checks them.
    let dir = e.dir.path().join("files");
    std::fs::create_dir(&dir).unwrap();
    let mut paths = Vec::new();
    for i in 0..14u8 {
        let p = dir.join(format!("{i}.png"));
        std::fs::write(&p, png(16, 16, i)).unwrap();
        paths.push(p);
    }
    let clip = dir.join("clip.mp4");
    std::fs::write(&clip, mp4(25, 250, 5)).unwrap();
    paths.push(clip);
    e.studio.validate_reference_files(&flash(), &paths).unwrap();
    let extra = dir.join("extra.png");
    std::fs::write(&extra, png(16, 16, 99)).unwrap();
    paths.push(extra);
    assert!(matches!(
        e.studio.validate_reference_files(&flash(), &paths),
        Err(Error::TooManyReferences { given: 15, .. })
    ));
}

#[tokio::test]
async fn a_chat_turn_with_a_video_replays_it() {
    let e = env().await;
    let v = e
        .studio
        .import_reference_bytes(webm(), "screen.webm")
        .await
        .unwrap();
    let mut r = req_with("a summary infographic of this recording", flash());
    r.reference_hashes = vec![v.hash.clone()];
    let t1 = e.studio.generate(r, |_| {}).await.unwrap();
    let t2 = GenerateRequest {
        chat_id: Some(t1.chat_id.clone()),
        prompt: "now in blue".into(),
        params: flash(),
        ..Default::default()
    };
    e.studio.generate(t2, |_| {}).await.unwrap();
    let sent = generate_requests(&e.fake);
    assert_eq!(sent.len(), 2);
    let first = user_parts(&sent[0], 0);
    let replayed = user_parts(&sent[1], 0);
    assert_eq!(
        replayed, first,
        "the first user turn, video part included, replays identically"
    );
    assert_eq!(replayed[1]["fileData"]["mimeType"], "video/webm");
    assert_eq!(upload_starts(&e).len(), 1, "the live upload is reused");
    // A later studio (the upload cache is per process) uploads again and the chat still continues.
    let later = open(e.dir.path(), &e.fake.base_url());
    let t3 = GenerateRequest {
        chat_id: Some(t1.chat_id.clone()),
        prompt: "and smaller".into(),
        params: flash(),
        ..Default::default()
    };
    later.generate(t3, |_| {}).await.unwrap();
    assert_eq!(upload_starts(&e).len(), 2);
    let sent = generate_requests(&e.fake);
    assert!(user_parts(&sent[2], 0)[1]["fileData"]["fileUri"].is_string());
}

#[tokio::test]
async fn reference_rows_from_before_videos_read_back_as_images() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut conn = rusqlite::Connection::open(dir.path().join("gallery.sqlite")).unwrap();
        studio_core::gallery::migrations::migrate_to(&mut conn, 5).unwrap();
        conn.execute(
            "INSERT INTO reference_images (hash, name, mime, file_name, width, height, bytes, created_at) \
             VALUES ('abc123', 'old.png', 'image/png', 'abc123.png', 8, 8, 70, 1)",
            [],
        )
        .unwrap();
    }
    let studio = open(dir.path(), "http://127.0.0.1:9");
    let r = studio.reference("abc123").unwrap();
    assert_eq!(
        (r.kind, r.duration_ms, r.width),
        (ReferenceKind::Image, None, 8)
    );
}

#[tokio::test]
async fn a_chat_holding_a_video_does_not_go_on_with_a_model_without_video_input() {
    let e = env().await;
    let v = e
        .studio
        .import_reference_bytes(mp4(1000, 3000, 6), "clip.mp4")
        .await
        .unwrap();
    let mut r = req_with("a poster", flash());
    r.reference_hashes = vec![v.hash];
    let t1 = e.studio.generate(r, |_| {}).await.unwrap();
    let before = e.fake.requests().len();
    let cont = GenerateRequest {
        chat_id: Some(t1.chat_id.clone()),
        prompt: "again".into(),
        ..Default::default()
    };
    let err = e.studio.generate(cont, |_| {}).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Nano Banana 2.1 (gemini-nano-banana-2.1) does not take video, and this chat's earlier turns hold \"clip.mp4\": \
         continue it on a model that takes video, or branch from the start"
    );
    assert!(err.is_invalid_input());
    assert_eq!(e.fake.requests().len(), before, "nothing sent");
}
