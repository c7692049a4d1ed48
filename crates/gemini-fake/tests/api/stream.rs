//! `:streamGenerateContent?alt=sse`: framing, chunking, folding, and stream faults.

use gemini_fake::Fault;
use serde_json::{json, Value};

use crate::common::*;

async fn stream_raw(
    f: &gemini_fake::FakeGemini,
    model: &str,
    body: &Value,
) -> (u16, String, Result<Vec<u8>, reqwest::Error>) {
    let r = client()
        .post(format!(
            "{}/v1beta/models/{model}:streamGenerateContent?alt=sse",
            f.base_url()
        ))
        .header("x-goog-api-key", KEY)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ct, r.bytes().await.map(|b| b.to_vec()))
}

fn events(raw: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(raw).unwrap();
    assert!(text.ends_with("\r\n\r\n"));
    text.split("\r\n\r\n")
        .filter(|e| !e.is_empty())
        .map(|e| {
            let data = e
                .strip_prefix("data: ")
                .unwrap_or_else(|| panic!("not an SSE data line: {}", &e[..e.len().min(50)]));
            serde_json::from_str(data).unwrap()
        })
        .collect()
}

/// Concatenates adjacent text pieces of the same kind, as a client folds a stream.
fn fold(events: &[Value]) -> Vec<Value> {
    let mut parts: Vec<Value> = Vec::new();
    for e in events {
        for p in e["candidates"][0]["content"]["parts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            if let (Some(last), Some(t)) = (parts.last_mut(), p.get("text").and_then(Value::as_str))
            {
                if last.get("text").is_some()
                    && last.get("thought") == p.get("thought")
                    && p.get("thoughtSignature").is_none()
                {
                    let joined = format!("{}{t}", last["text"].as_str().unwrap());
                    last["text"] = json!(joined);
                    continue;
                }
            }
            parts.push(p);
        }
    }
    parts
}

#[tokio::test]
async fn framing_chunking_and_folding() {
    let f = fake().await;
    let body = with_config(
        "a stream of thought",
        json!({"imageConfig": {"imageSize": "512"}, "thinkingConfig": {"includeThoughts": true}}),
    );
    let (status, ct, raw) = stream_raw(&f, FLASH, &body).await;
    assert_eq!(status, 200);
    assert_eq!(ct, "text/event-stream");
    let ev = events(&raw.unwrap());
    assert!(ev.len() > 6, "{}", ev.len());
    let (last, rest) = ev.split_last().unwrap();
    for e in rest {
        assert!(e["candidates"][0].get("finishReason").is_none());
        assert!(e.get("usageMetadata").is_none());
        assert_eq!(
            e["candidates"][0]["content"]["parts"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
    assert_eq!(last["candidates"][0]["finishReason"], "STOP");
    assert!(last["usageMetadata"]["totalTokenCount"].as_u64().unwrap() > 0);
    // Each image arrives whole inside one event.
    for e in &ev {
        if let Some(d) = e.pointer("/candidates/0/content/parts/0/inlineData/data") {
            let png = decode(d.as_str().unwrap());
            png_size(&png);
        }
    }
    // Folding gives the same parts as the non-streaming answer.
    let whole = generate(&f, FLASH, &body).await.json;
    assert_eq!(fold(&ev), parts(&whole));
    assert_eq!(last["usageMetadata"], whole["usageMetadata"]);
}

#[tokio::test]
async fn errors_before_the_stream_are_http_errors() {
    let f = fake().await;
    let (status, _, raw) = stream_raw(
        &f,
        FLASH,
        &with_config("x", json!({"imageConfig": {"imageSize": "1k"}})),
    )
    .await;
    assert_eq!(status, 400);
    let v: Value = serde_json::from_slice(&raw.unwrap()).unwrap();
    assert_eq!(v["error"]["status"], "INVALID_ARGUMENT");
    f.push_fault(Fault::QuotaPerMinute {
        retry_delay_secs: 1,
    });
    let (status, _, _) = stream_raw(&f, FLASH, &prompt("x")).await;
    assert_eq!(status, 429);
    let (status, _, _) = stream_raw(&f, "nope", &prompt("x")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn stream_cut_mid_image() {
    let f = fake().await;
    f.push_fault(Fault::StreamCutMidImage);
    let (status, _, raw) = stream_raw(
        &f,
        FLASH,
        &with_config("cut", json!({"imageConfig": {"imageSize": "1K"}})),
    )
    .await;
    assert_eq!(status, 200);
    assert!(raw.is_err(), "the body must end in an error, not cleanly");
    // By marker, every time.
    let (_, _, raw) = stream_raw(&f, FLASH, &prompt("cut [fake:cut_stream]")).await;
    assert!(raw.is_err());
}

#[tokio::test]
async fn stream_malformed_truncated_blocked() {
    let f = fake().await;
    f.push_fault(Fault::MalformedBody);
    let (_, _, raw) = stream_raw(&f, FLASH, &prompt("x")).await;
    let text = String::from_utf8(raw.unwrap()).unwrap();
    let bad = text
        .split("\r\n\r\n")
        .filter(|e| !e.is_empty())
        .any(|e| serde_json::from_str::<Value>(&e[6..]).is_err());
    assert!(bad);
    f.push_fault(Fault::TruncatedBody);
    let (_, _, raw) = stream_raw(&f, FLASH, &prompt("x")).await;
    let text = String::from_utf8_lossy(&raw.unwrap()).into_owned();
    let last = text
        .split("\r\n\r\n")
        .filter(|e| !e.is_empty())
        .last()
        .unwrap()
        .to_string();
    assert!(last.starts_with("data: {") && serde_json::from_str::<Value>(&last[6..]).is_err());
    f.push_fault(Fault::BlockedPrompt("SAFETY".into()));
    let (_, _, raw) = stream_raw(&f, FLASH, &prompt("x")).await;
    let ev = events(&raw.unwrap());
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["promptFeedback"]["blockReason"], "SAFETY");
}

#[tokio::test]
async fn without_alt_sse_the_stream_is_a_json_array() {
    let f = fake().await;
    let body = with_config(
        "array",
        json!({"responseModalities": ["IMAGE"], "imageConfig": {"imageSize": "512"}}),
    );
    let r = send(
        &f,
        reqwest::Method::POST,
        &format!("/v1beta/models/{FLASH}:streamGenerateContent"),
        Some(&body),
    )
    .await;
    assert_eq!(r.status, 200);
    let items = r.json.as_array().expect("a JSON array");
    assert_eq!(
        items.last().unwrap()["candidates"][0]["finishReason"],
        "STOP"
    );
}

#[tokio::test]
async fn error_event_after_the_stream_started() {
    let f = fake().await;
    f.push_fault(Fault::StreamErrorEvent);
    let (status, _, raw) = stream_raw(
        &f,
        FLASH,
        &with_config("x", json!({"imageConfig": {"imageSize": "512"}})),
    )
    .await;
    assert_eq!(status, 200);
    let ev = events(&raw.unwrap());
    assert!(ev.len() >= 2);
    assert!(ev[0].get("candidates").is_some());
    let last = ev.last().unwrap();
    assert_eq!(last["error"]["code"], 503);
    assert_eq!(last["error"]["status"], "UNAVAILABLE");
    assert!(ev.iter().all(|e| e
        .pointer("/candidates/0/content/parts/0/inlineData")
        .is_none()));
    // Not streaming: a plain 503.
    let r = generate(&f, FLASH, &prompt("x [fake:stream_error]")).await;
    error(&r, 503, "UNAVAILABLE");
}
