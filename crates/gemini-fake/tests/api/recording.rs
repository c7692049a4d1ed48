//! Every request is recorded as it went over the wire.

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn requests_are_recorded_in_order() {
    let f = fake().await;
    let body = prompt("record me");
    generate(&f, NB21, &body).await;
    client()
        .get(format!("{}/v1beta/models?pageSize=5", f.base_url()))
        .send()
        .await
        .unwrap();
    client()
        .post(format!("{}/nowhere", f.base_url()))
        .body("raw bytes")
        .send()
        .await
        .unwrap();
    let rec = f.requests();
    assert_eq!(rec.len(), 3);
    assert_eq!(rec[0].method, "POST");
    assert_eq!(
        rec[0].path,
        format!("/v1beta/models/{NB21}:generateContent")
    );
    assert_eq!(rec[0].header("X-Goog-Api-Key"), Some(KEY));
    assert_eq!(rec[0].json.as_ref().unwrap(), &body);
    assert_eq!(rec[1].path, "/v1beta/models?pageSize=5");
    assert_eq!(rec[1].method, "GET");
    assert_eq!(&rec[2].body[..], b"raw bytes");
    assert!(rec[2].json.is_none());
    f.clear_requests();
    assert!(f.requests().is_empty());
    let _ = json!(null);
}

#[tokio::test]
async fn v1_paths_are_served_too() {
    // google-genai 3.x defaults to api_version v1 for the Gemini API.
    let f = fake().await;
    let r = send(
        &f,
        reqwest::Method::POST,
        &format!("/v1/models/{NB21}:generateContent"),
        Some(&prompt("x")),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = send(
        &f,
        reqwest::Method::POST,
        &format!("/v2/models/{NB21}:generateContent"),
        Some(&prompt("x")),
    )
    .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn shutdown_closes_the_port() {
    let f = fake().await;
    let base = f.base_url();
    f.shutdown();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(client()
        .get(format!("{base}/v1beta/models"))
        .send()
        .await
        .is_err());
}

/// Issue 9: the app's demo fake kept every request body forever (five 100 MB posts: 600 MB never freed).
/// With recording off it still answers, and keeps nothing.
#[tokio::test]
async fn with_recording_off_nothing_is_kept() {
    let f = gemini_fake::FakeGemini::start(gemini_fake::FakeConfig {
        record_requests: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let r = client()
        .post(format!("{}/v1beta/models/{NB21}:generateContent", f.base_url()))
        .header("x-goog-api-key", KEY)
        .json(&prompt("keep nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    client()
        .post(format!("{}/v1beta/models/{NB21}:generateContent", f.base_url()))
        .header("x-goog-api-key", KEY)
        .body(vec![b'x'; 4 << 20])
        .send()
        .await
        .unwrap();
    assert!(f.requests().is_empty());
}

/// Issue 9: the demo fake reads no body over its (small) limit, and a caller with a wrong key is answered
/// before its body is read, so neither costs the app memory.
#[tokio::test]
async fn a_small_body_limit_refuses_unread_and_a_wrong_key_is_answered_first() {
    let f = gemini_fake::FakeGemini::start(gemini_fake::FakeConfig {
        key: Some(KEY.into()),
        record_requests: false,
        body_limit: 1 << 20,
        ..Default::default()
    })
    .await
    .unwrap();
    let url = format!("{}/v1beta/models/{NB21}:generateContent", f.base_url());
    let big = vec![b' '; 2 << 20];
    let r = client().post(&url).header("x-goog-api-key", KEY).body(big.clone()).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap();
    assert!(text.contains("Request payload size exceeds the limit: 1048576 bytes."), "{text}");

    let r = client().post(&url).header("x-goog-api-key", "not-the-key").body(big).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap();
    assert!(text.contains("API_KEY_INVALID"), "the key is checked before the body: {text}");

    // Within the limit, with the key, it still answers.
    let r = client().post(&url).header("x-goog-api-key", KEY).json(&prompt("small")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}
