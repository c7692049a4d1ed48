//! Video as context (video -> image: thumbnails, posters): accepted on models with video input (today
//! `gemini-3.1-flash-image`), inline or through the Files API; refused elsewhere with the model named.
//! Videos are not reference images: they do not count against the input image limit.

use base64::Engine as _;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

/// The first bytes of an MP4 (`ftyp` box); the fake does not decode video.
const MP4: &[u8] = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free";

fn with_video(mime: &str, images: usize) -> Value {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut parts = vec![
        json!({"text": "a poster for this clip"}),
        json!({"inlineData": {"mimeType": mime, "data": b64.encode(MP4)}}),
    ];
    let img = b64.encode(gemini_fake::images::render_png(8, 8, 1));
    for _ in 0..images {
        parts.push(json!({"inlineData": {"mimeType": "image/png", "data": img}}));
    }
    json!({"contents": [{"role": "user", "parts": parts}],
           "generationConfig": {"responseModalities": ["IMAGE"], "imageConfig": {"imageSize": "512", "aspectRatio": "16:9"}}})
}

#[tokio::test]
async fn inline_video_on_flash_only() {
    let f = fake().await;
    for mime in ["video/mp4", "video/webm", "video/quicktime", "video/mpeg"] {
        let r = generate(&f, FLASH, &with_video(mime, 0)).await;
        assert_eq!(
            r.status,
            200,
            "{mime}: {}",
            &r.text[..r.text.len().min(300)]
        );
        assert_eq!(png_size(&final_image(&r.json).unwrap()), (688, 384));
        let details = r.json["usageMetadata"]["promptTokensDetails"]
            .as_array()
            .unwrap();
        assert!(
            details.iter().any(|d| d["modality"] == "VIDEO"),
            "{details:?}"
        );
    }
    // 14 images plus a video: the video is not an image.
    assert_eq!(
        generate(&f, FLASH, &with_video("video/mp4", 14))
            .await
            .status,
        200
    );
    for model in [NB21, PRO, LITE] {
        let mut body = with_video("video/mp4", 0);
        body["generationConfig"]["imageConfig"] = json!({"imageSize": "1K"});
        let r = generate(&f, model, &body).await;
        let m = error(&r, 400, "INVALID_ARGUMENT");
        assert!(
            m.starts_with(&format!("Video input is not supported for models/{model}")),
            "{m}"
        );
    }
    // Not a video type the API knows.
    let r = generate(&f, FLASH, &with_video("video/x-matroska-3d", 0)).await;
    assert_eq!(
        error(&r, 400, "INVALID_ARGUMENT"),
        "Unsupported MIME type: video/x-matroska-3d"
    );
}

#[tokio::test]
async fn uploaded_video_on_flash_only() {
    let f = fake().await;
    let file = crate::files::upload(&f, MP4, "video/mp4").await;
    assert_eq!(file["mimeType"], "video/mp4");
    let name = file["name"].as_str().unwrap().to_string();
    let uri = file["uri"].as_str().unwrap().to_string();
    for _ in 0..2 {
        send(&f, Method::GET, &format!("/v1beta/{name}"), None).await;
    }
    let body = |size: &str| {
        json!({"contents": [{"parts": [{"text": "a thumbnail"}, {"fileData": {"mimeType": "video/mp4", "fileUri": uri}}]}],
               "generationConfig": {"responseModalities": ["IMAGE"], "imageConfig": {"imageSize": size}}})
    };
    let r = generate(&f, FLASH, &body("512")).await;
    assert_eq!(r.status, 200, "{}", &r.text[..r.text.len().min(300)]);
    let r = generate(&f, NB21, &body("1K")).await;
    assert!(error(&r, 400, "INVALID_ARGUMENT")
        .starts_with(&format!("Video input is not supported for models/{NB21}")));
}
