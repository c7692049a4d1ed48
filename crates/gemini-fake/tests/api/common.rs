//! Shared harness: start a fake, send raw JSON, read PNG headers.

#![allow(dead_code)]

use base64::Engine as _;
use gemini_fake::{Catalogue, FakeConfig, FakeGemini, ModelSpec};
use serde_json::{json, Value};

/// Nano Banana 2.1, the default model today: 14 ratios, 1K/2K/4K, no 512.
pub const NB21: &str = "gemini-nano-banana-2.1";
/// Nano Banana 2 (deprecated, still served): the one with 512 px (fast to render, so most tests use it),
/// 1:8 / 8:1 ratios and video input.
pub const FLASH: &str = "gemini-3.1-flash-image";
pub const PRO: &str = "gemini-3-pro-image";
/// Nano Banana 2 Lite: 1K only, no Search grounding.
pub const LITE: &str = "gemini-3.1-flash-lite-image";
/// Nano Banana (2.5): restricted; tests that need the model without `imageSize` use [`fake_with_nb1`].
pub const NB1: &str = "gemini-2.5-flash-image";
/// Shut down 2026-06-25.
pub const RETIRED_FLASH: &str = "gemini-3.1-flash-image-preview";
pub const RETIRED_PRO: &str = "gemini-3-pro-image-preview";
pub const KEY: &str = "test-key";

pub async fn fake() -> FakeGemini {
    fake_with(Catalogue::google()).await
}

/// A fake serving `catalogue`.
pub async fn fake_with(catalogue: Catalogue) -> FakeGemini {
    FakeGemini::start(FakeConfig {
        key: Some(KEY.into()),
        catalogue,
        ..FakeConfig::default()
    })
    .await
    .expect("start fake")
}

/// Google's catalogue with access to the restricted `gemini-2.5-flash-image`, as a project that used it
/// before has.
pub async fn fake_with_nb1() -> FakeGemini {
    let mut c = Catalogue::google();
    c.grant(NB1).expect("2.5 is in the catalogue");
    fake_with(c).await
}

/// A model's spec in Google's catalogue.
pub fn spec(id: &str) -> ModelSpec {
    Catalogue::google()
        .get(id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} is in the catalogue"))
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

pub struct Reply {
    pub status: u16,
    pub json: Value,
    pub text: String,
    pub headers: reqwest::header::HeaderMap,
}

pub async fn send(
    fake: &FakeGemini,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> Reply {
    let mut rb = client()
        .request(method, format!("{}{}", fake.base_url(), path))
        .header("x-goog-api-key", KEY);
    if let Some(b) = body {
        rb = rb.json(b);
    }
    let resp = rb.send().await.expect("send");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        json,
        text,
        headers,
    }
}

pub async fn generate(fake: &FakeGemini, model: &str, body: &Value) -> Reply {
    send(
        fake,
        reqwest::Method::POST,
        &format!("/v1beta/models/{model}:generateContent"),
        Some(body),
    )
    .await
}

pub fn prompt(text: &str) -> Value {
    json!({"contents": [{"role": "user", "parts": [{"text": text}]}]})
}

pub fn with_config(text: &str, config: Value) -> Value {
    json!({"contents": [{"role": "user", "parts": [{"text": text}]}], "generationConfig": config})
}

/// Asserts a Google error and returns its message.
#[track_caller]
pub fn error(reply: &Reply, code: u16, status: &str) -> String {
    assert_eq!(
        reply.status,
        code,
        "body: {}",
        &reply.text[..reply.text.len().min(600)]
    );
    assert_eq!(reply.json["error"]["code"], code);
    assert_eq!(reply.json["error"]["status"], status);
    reply.json["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub fn parts(reply: &Value) -> Vec<Value> {
    reply["candidates"][0]["content"]["parts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

pub fn decode(b64: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64")
}

/// Width and height from a PNG's IHDR.
pub fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    (w, h)
}

/// The final (non-thought) image of a response.
pub fn final_image(reply: &Value) -> Option<Vec<u8>> {
    parts(reply)
        .iter()
        .rev()
        .find(|p| p.get("inlineData").is_some() && p.get("thought").is_none())
        .map(|p| decode(p["inlineData"]["data"].as_str().unwrap_or_default()))
}
