//! Files API (resumable upload, polling, fileData in generate) and the batch API.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

pub async fn upload(f: &gemini_fake::FakeGemini, bytes: &[u8], mime: &str) -> Value {
    let c = client();
    let start = c
        .post(format!("{}/upload/v1beta/files", f.base_url()))
        .header("x-goog-api-key", KEY)
        .header("X-Goog-Upload-Protocol", "resumable")
        .header("X-Goog-Upload-Command", "start")
        .header(
            "X-Goog-Upload-Header-Content-Length",
            bytes.len().to_string(),
        )
        .header("X-Goog-Upload-Header-Content-Type", mime)
        .json(&json!({"file": {"display_name": "input"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 200);
    let url = start
        .headers()
        .get("x-goog-upload-url")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        url.starts_with(&format!("{}/upload/v1beta/files?", f.base_url())),
        "{url}"
    );
    let (a, b) = bytes.split_at(bytes.len() / 2);
    let r = c
        .post(&url)
        .header("X-Goog-Upload-Command", "upload")
        .header("X-Goog-Upload-Offset", "0")
        .body(a.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-goog-upload-status"], "active");
    let r = c
        .post(&url)
        .header("X-Goog-Upload-Command", "upload, finalize")
        .header("X-Goog-Upload-Offset", a.len().to_string())
        .body(b.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-goog-upload-status"], "final");
    let v: Value = r.json().await.unwrap();
    v["file"].clone()
}

#[tokio::test]
async fn upload_poll_and_use() {
    let f = fake().await;
    let png = gemini_fake::images::render_png(300, 200, 9);
    let file = upload(&f, &png, "image/png").await;
    assert_eq!(file["state"], "PROCESSING");
    assert_eq!(file["mimeType"], "image/png");
    assert_eq!(file["displayName"], "input");
    assert_eq!(file["sizeBytes"], png.len().to_string());
    let name = file["name"].as_str().unwrap().to_string();
    let uri = file["uri"].as_str().unwrap().to_string();
    let body = json!({"contents": [{"parts": [{"text": "edit"}, {"fileData": {"mimeType": "image/png", "fileUri": uri}}]}],
                      "generationConfig": {"responseModalities": ["IMAGE"]}});
    // Not ACTIVE yet: refused.
    let r = generate(&f, FLASH, &body).await;
    assert!(error(&r, 400, "FAILED_PRECONDITION").contains("not in an ACTIVE state"));
    let p1 = send(&f, Method::GET, &format!("/v1beta/{name}"), None).await;
    assert_eq!(p1.json["state"], "PROCESSING");
    let p2 = send(&f, Method::GET, &format!("/v1beta/{name}"), None).await;
    assert_eq!(p2.json["state"], "ACTIVE");
    let r = generate(&f, FLASH, &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Ratio follows the uploaded image (3:2).
    assert_eq!(png_size(&final_image(&r.json).unwrap()), (1264, 848));
    let list = send(&f, Method::GET, "/v1beta/files", None).await;
    assert_eq!(list.json["files"].as_array().unwrap().len(), 1);
    assert_eq!(
        send(&f, Method::DELETE, &format!("/v1beta/{name}"), None)
            .await
            .status,
        200
    );
    assert_eq!(
        send(&f, Method::GET, &format!("/v1beta/{name}"), None)
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn unknown_file_and_bad_uploads() {
    let f = fake().await;
    let body = json!({"contents": [{"parts": [{"text": "edit"}, {"fileData": {"mimeType": "image/png", "fileUri": "files/doesnotexist"}}]}]});
    error(&generate(&f, FLASH, &body).await, 404, "NOT_FOUND");
    // Not resumable.
    let r = client()
        .post(format!("{}/upload/v1beta/files", f.base_url()))
        .header("x-goog-api-key", KEY)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Key required to start.
    let r = client()
        .post(format!("{}/upload/v1beta/files", f.base_url()))
        .header("X-Goog-Upload-Protocol", "resumable")
        .header("X-Goog-Upload-Command", "start")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Wrong offset.
    let start = client()
        .post(format!("{}/upload/v1beta/files", f.base_url()))
        .header("x-goog-api-key", KEY)
        .header("X-Goog-Upload-Protocol", "resumable")
        .header("X-Goog-Upload-Command", "start")
        .header("X-Goog-Upload-Header-Content-Type", "image/png")
        .send()
        .await
        .unwrap();
    let url = start.headers()["x-goog-upload-url"]
        .to_str()
        .unwrap()
        .to_string();
    let r = client()
        .post(&url)
        .header("X-Goog-Upload-Command", "upload, finalize")
        .header("X-Goog-Upload-Offset", "5")
        .body("abc")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["x-goog-upload-status"], "final");
}

#[tokio::test]
async fn batch_create_and_poll() {
    let f = fake().await;
    let req = |t: &str| json!({"contents": [{"parts": [{"text": t}]}], "generationConfig": {"responseModalities": ["IMAGE"], "imageConfig": {"imageSize": "512"}}});
    let body = json!({"batch": {"displayName": "nightly", "inputConfig": {"requests": {"requests": [
        {"request": req("one"), "metadata": {"key": "a"}},
        {"request": req("two")},
        {"request": {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"imageConfig": {"imageSize": "1k"}}}}
    ]}}}});
    let r = send(
        &f,
        Method::POST,
        &format!("/v1beta/models/{FLASH}:batchGenerateContent"),
        Some(&body),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["metadata"]["state"], "BATCH_STATE_PENDING");
    let name = r.json["name"].as_str().unwrap().to_string();
    let p = send(&f, Method::GET, &format!("/v1beta/{name}"), None).await;
    assert_eq!(p.json["metadata"]["state"], "BATCH_STATE_RUNNING");
    let p = send(&f, Method::GET, &format!("/v1beta/{name}"), None).await;
    assert_eq!(p.json["metadata"]["state"], "BATCH_STATE_SUCCEEDED");
    assert_eq!(p.json["done"], true);
    let out = p.json["metadata"]["output"]["inlinedResponses"]["inlinedResponses"]
        .as_array()
        .unwrap();
    assert_eq!(out.len(), 3);
    assert_eq!(out[0]["metadata"]["key"], "a");
    assert_eq!(
        png_size(&final_image(&out[1]["response"]).unwrap()),
        (512, 512)
    );
    assert_eq!(out[2]["error"]["code"], 400);
    let bad = json!({"batch": {"inputConfig": {"requests": {"requests": [{"request": req("x"), "extra": 1}]}}}});
    let r = send(
        &f,
        Method::POST,
        &format!("/v1beta/models/{FLASH}:batchGenerateContent"),
        Some(&bad),
    )
    .await;
    error(&r, 400, "INVALID_ARGUMENT");
}

#[tokio::test]
async fn batch_list_cancel_delete() {
    let f = fake().await;
    let body = json!({"batch": {"inputConfig": {"requests": {"requests": [{"request": {"contents": [{"parts": [{"text": "x"}]}]}}]}}}});
    let r = send(
        &f,
        Method::POST,
        &format!("/v1beta/models/{NB21}:batchGenerateContent"),
        Some(&body),
    )
    .await;
    let name = r.json["name"].as_str().unwrap().to_string();
    let list = send(&f, Method::GET, "/v1beta/batches", None).await;
    assert_eq!(list.json["operations"].as_array().unwrap().len(), 1);
    assert_eq!(
        send(&f, Method::POST, &format!("/v1beta/{name}:cancel"), None)
            .await
            .status,
        200
    );
    let p = send(&f, Method::GET, &format!("/v1beta/{name}"), None).await;
    assert_eq!(p.json["metadata"]["state"], "BATCH_STATE_CANCELLED");
    assert_eq!(
        send(&f, Method::DELETE, &format!("/v1beta/{name}"), None)
            .await
            .status,
        200
    );
    assert_eq!(
        send(&f, Method::GET, &format!("/v1beta/{name}"), None)
            .await
            .status,
        404
    );
}
