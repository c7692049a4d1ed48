//! Each endpoint against the fake: generate, stream (events, folding), models, files; and the key only in
//! the `x-goog-api-key` header.

mod common;

use common::*;
use gemini::{Content, Error, GenerateContentRequest, Outcome, Part, StreamEvent};

#[tokio::test]
async fn generate_returns_a_png_of_the_requested_size_and_key_stays_in_the_header() {
    let fake = fake().await;
    let client = client_for(&fake);
    let resp = client
        .generate_content(FLASH, &image_request("a banana"), &no_retry_cb())
        .await
        .unwrap();
    assert_eq!(resp.outcome(), Outcome::Image);
    let png = resp
        .images()
        .last()
        .unwrap()
        .decode_inline()
        .unwrap()
        .unwrap();
    assert_eq!(gemini_fake::images::dimensions(&png), Some((512, 512)));
    let sig = resp.images().last().unwrap().thought_signature.clone();
    assert!(sig.is_some(), "image parts carry a signature");
    assert!(resp
        .usage_metadata
        .as_ref()
        .and_then(|u| u.total_token_count)
        .is_some());

    let reqs = fake.requests();
    let r = reqs.last().unwrap();
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, format!("/v1beta/models/{FLASH}:generateContent"));
    assert_eq!(r.header("x-goog-api-key"), Some(KEY));
    for req in &reqs {
        assert!(
            !req.path.contains(KEY) && !req.path.contains("key="),
            "key leaked into {}",
            req.path
        );
    }
    assert_eq!(r.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn stream_reports_thoughts_then_text_and_image_and_folds_like_generate() {
    let fake = fake().await;
    let client = client_for(&fake);
    let req = thinking_request("an infographic of a banana");
    let mut events = Vec::new();
    let streamed = client
        .stream_generate_content(FLASH, &req, &mut |e| events.push(e))
        .await
        .unwrap();
    let whole = client
        .generate_content(FLASH, &req, &no_retry_cb())
        .await
        .unwrap();

    assert!(
        matches!(events.first(), Some(StreamEvent::ThoughtText(_))),
        "{:?}",
        events.first()
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, StreamEvent::ThoughtImage { .. })),
        "interim thought images are surfaced"
    );
    let Some(StreamEvent::Image { mime_type, data }) = events
        .iter()
        .rev()
        .find(|e| matches!(e, StreamEvent::Image { .. }))
    else {
        panic!("no final image event")
    };
    assert_eq!(mime_type, "image/png");
    assert_eq!(gemini_fake::images::dimensions(data), Some((512, 512)));
    let r = fake.requests();
    assert_eq!(
        r[0].path,
        format!("/v1beta/models/{FLASH}:streamGenerateContent?alt=sse")
    );

    // Same answer both ways: equal except for the per-request response id.
    let strip = |mut r: gemini::GenerateContentResponse| {
        r.response_id = None;
        serde_json::to_value(r).unwrap()
    };
    assert_eq!(strip(streamed), strip(whole));
}

#[tokio::test]
async fn streamed_model_turn_is_accepted_when_replayed() {
    let fake = fake().await;
    let client = client_for(&fake);
    let req = thinking_request("a red banana");
    let turn1 = client
        .stream_generate_content(FLASH, &req, &mut |_| {})
        .await
        .unwrap();
    let mut next = req.clone();
    next.contents.push(turn1.content().unwrap().clone());
    next.contents
        .push(Content::user([Part::text("make it blue")]));
    let turn2 = client
        .stream_generate_content(FLASH, &next, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(turn2.outcome(), Outcome::Image);
}

#[tokio::test]
async fn models_get_and_list() {
    let fake = fake_with_flash_25().await;
    let client = client_for(&fake);
    let m = client.get_model(FLASH).await.unwrap();
    assert_eq!(m.id(), FLASH);
    assert_eq!(m.name, format!("models/{FLASH}"));
    let all = client.list_models().await.unwrap();
    for id in [NB21, FLASH, PRO, FLASH_25] {
        assert!(all.iter().any(|m| m.id() == id), "{id} listed");
    }
    assert!(
        !all.iter().any(|m| m.id() == RETIRED),
        "retired ids are not listed"
    );
    assert!(matches!(
        client.get_model("gemini-9-imaginary").await,
        Err(Error::NotFound { .. })
    ));
    let reqs = fake.requests();
    assert!(reqs.iter().all(|r| r.method == "GET"
        && r.header("x-goog-api-key") == Some(KEY)
        && !r.path.contains(KEY)));
}

#[tokio::test]
async fn upload_then_reference_with_file_data() {
    let fake = fake().await;
    let client = client_for(&fake);
    let bytes = png(64, 48);
    let file = client
        .upload_file(bytes.clone(), "image/png", "cat photo")
        .await
        .unwrap();
    assert!(file.name.starts_with("files/"), "{file:?}");
    assert_eq!(file.state, Some(gemini::FileState::Active));
    assert_eq!(file.mime_type.as_deref(), Some("image/png"));
    let again = client.get_file(&file.name).await.unwrap();
    assert_eq!(again.uri, file.uri);

    let reqs = fake.requests();
    let start = reqs
        .iter()
        .find(|r| r.path.starts_with("/upload/v1beta/files"))
        .unwrap();
    assert_eq!(start.header("x-goog-upload-protocol"), Some("resumable"));
    assert_eq!(start.header("x-goog-upload-command"), Some("start"));
    assert_eq!(
        start.header("x-goog-upload-header-content-length"),
        Some(bytes.len().to_string().as_str())
    );
    assert_eq!(
        start.header("x-goog-upload-header-content-type"),
        Some("image/png")
    );
    assert!(reqs.iter().any(
        |r| r.header("x-goog-upload-command") == Some("upload, finalize")
            && r.body.len() == bytes.len()
    ));
    assert!(reqs.iter().all(|r| !r.path.contains(KEY)));

    let req = GenerateContentRequest::new([
        Part::text("restyle this as a watercolour"),
        Part::file("image/png", &file.uri),
    ]);
    let resp = client
        .generate_content(FLASH, &req, &no_retry_cb())
        .await
        .unwrap();
    assert_eq!(resp.outcome(), Outcome::Image);
}
