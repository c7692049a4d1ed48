//! Each fault, pushed and by prompt marker.

use std::time::{Duration, Instant};

use gemini_fake::Fault;
use serde_json::{json, Value};

use crate::common::*;

fn small(text: &str) -> Value {
    with_config(
        text,
        json!({"responseModalities": ["TEXT", "IMAGE"], "imageConfig": {"imageSize": "512"}}),
    )
}

fn detail<'a>(r: &'a Reply, ty: &str) -> Option<&'a Value> {
    r.json["error"]["details"]
        .as_array()?
        .iter()
        .find(|d| d["@type"] == format!("type.googleapis.com/google.rpc.{ty}"))
}

#[tokio::test]
async fn quota_per_minute_and_per_day() {
    let f = fake().await;
    f.push_fault(Fault::QuotaPerMinute {
        retry_delay_secs: 7,
    });
    f.push_fault(Fault::QuotaPerDay);
    let r = generate(&f, FLASH, &small("x")).await;
    error(&r, 429, "RESOURCE_EXHAUSTED");
    assert_eq!(detail(&r, "RetryInfo").unwrap()["retryDelay"], "7s");
    let q = &detail(&r, "QuotaFailure").unwrap()["violations"][0];
    assert!(q["quotaId"].as_str().unwrap().contains("PerMinute"));
    assert!(q["quotaMetric"].is_string());
    let r = generate(&f, FLASH, &small("x")).await;
    error(&r, 429, "RESOURCE_EXHAUSTED");
    assert!(
        detail(&r, "QuotaFailure").unwrap()["violations"][0]["quotaId"]
            .as_str()
            .unwrap()
            .contains("PerDay")
    );
    assert!(detail(&r, "RetryInfo").is_none());
    // The queue is empty again.
    assert_eq!(generate(&f, FLASH, &small("x")).await.status, 200);
}

#[tokio::test]
async fn server_errors_fifo() {
    let f = fake().await;
    f.push_fault(Fault::Overloaded);
    f.push_fault(Fault::Internal);
    f.push_fault(Fault::DeadlineExceeded);
    let r = generate(&f, FLASH, &small("x")).await;
    assert_eq!(
        error(&r, 503, "UNAVAILABLE"),
        "The model is overloaded. Please try again later."
    );
    error(&generate(&f, FLASH, &small("x")).await, 500, "INTERNAL");
    error(
        &generate(&f, FLASH, &small("x")).await,
        504,
        "DEADLINE_EXCEEDED",
    );
    assert_eq!(generate(&f, FLASH, &small("x")).await.status, 200);
}

#[tokio::test]
async fn validation_comes_before_faults() {
    let f = fake().await;
    f.push_fault(Fault::Overloaded);
    error(
        &generate(&f, FLASH, &with_config("x", json!({"bogus": 1}))).await,
        400,
        "INVALID_ARGUMENT",
    );
    // The fault was not consumed by the refused request.
    error(&generate(&f, FLASH, &small("x")).await, 503, "UNAVAILABLE");
}

#[tokio::test]
async fn blocked_prompt() {
    let f = fake().await;
    f.push_fault(Fault::BlockedPrompt("PROHIBITED_CONTENT".into()));
    let r = generate(&f, FLASH, &small("x")).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json["promptFeedback"]["blockReason"],
        "PROHIBITED_CONTENT"
    );
    assert!(r.json.get("candidates").is_none());
    assert!(
        r.json["usageMetadata"]["promptTokenCount"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[tokio::test]
async fn no_image_reasons() {
    let f = fake().await;
    for reason in [
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
        "IMAGE_OTHER",
        "NO_IMAGE",
    ] {
        f.push_fault(Fault::NoImage {
            finish_reason: reason.into(),
        });
        let r = generate(&f, FLASH, &small("x")).await;
        assert_eq!(r.status, 200);
        let c = &r.json["candidates"][0];
        assert_eq!(c["finishReason"], reason);
        assert!(c["finishMessage"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(parts(&r.json).is_empty());
        assert!(r.json["usageMetadata"]["totalTokenCount"].as_u64().unwrap() > 0);
        assert!(
            r.json["usageMetadata"]["thoughtsTokenCount"]
                .as_u64()
                .unwrap()
                > 0
        );
    }
}

#[tokio::test]
async fn text_only() {
    let f = fake().await;
    f.push_fault(Fault::TextOnly);
    let r = generate(&f, FLASH, &small("x")).await;
    let p = parts(&r.json);
    assert_eq!(p.len(), 1);
    assert!(p[0]["text"].is_string() && p[0]["thoughtSignature"].is_string());
    assert_eq!(r.json["candidates"][0]["finishReason"], "STOP");
}

#[tokio::test]
async fn malformed_and_truncated_bodies() {
    let f = fake().await;
    f.push_fault(Fault::MalformedBody);
    f.push_fault(Fault::TruncatedBody);
    let r = generate(&f, FLASH, &small("x")).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<Value>(&r.text).is_err());
    let r = generate(&f, FLASH, &small("x")).await;
    assert_eq!(r.status, 200);
    assert!(r.text.starts_with("{\"candidates\""), "{}", &r.text[..40]);
    assert!(serde_json::from_str::<Value>(&r.text).is_err());
}

#[tokio::test]
async fn slow_and_latency() {
    let f = fake().await;
    f.push_fault(Fault::Slow(Duration::from_millis(400)));
    let t = Instant::now();
    assert_eq!(generate(&f, FLASH, &small("x")).await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(400));
    let lagged = gemini_fake::FakeGemini::start(gemini_fake::FakeConfig {
        latency: Duration::from_millis(300),
        ..Default::default()
    })
    .await
    .unwrap();
    let t = Instant::now();
    let r = client()
        .post(format!(
            "{}/v1beta/models/{FLASH}:generateContent",
            lagged.base_url()
        ))
        .header("x-goog-api-key", "k")
        .json(&small("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn transient_markers_fire_on_the_first_attempt_only() {
    let f = fake().await;
    for (marker, code) in [
        ("[fake:429]", 429),
        ("[fake:503]", 503),
        ("[fake:500]", 500),
        ("[fake:504]", 504),
    ] {
        let body = small(&format!("a cat {marker}"));
        assert_eq!(generate(&f, FLASH, &body).await.status, code, "{marker}");
        assert_eq!(
            generate(&f, FLASH, &body).await.status,
            200,
            "{marker} retry"
        );
    }
    let r = generate(&f, FLASH, &small("a cat [fake:429] again")).await;
    assert_eq!(detail(&r, "RetryInfo").unwrap()["retryDelay"], "2s");
}

#[tokio::test]
async fn persistent_markers() {
    let f = fake().await;
    for _ in 0..2 {
        error(
            &generate(&f, FLASH, &small("x [fake:429day]")).await,
            429,
            "RESOURCE_EXHAUSTED",
        );
        let r = generate(&f, FLASH, &small("x [fake:block]")).await;
        assert_eq!(
            r.json["promptFeedback"]["blockReason"],
            "PROHIBITED_CONTENT"
        );
    }
    for (m, reason) in [
        ("image_safety", "IMAGE_SAFETY"),
        ("image_prohibited", "IMAGE_PROHIBITED_CONTENT"),
        ("image_recitation", "IMAGE_RECITATION"),
        ("image_other", "IMAGE_OTHER"),
        ("no_image", "NO_IMAGE"),
    ] {
        let r = generate(&f, FLASH, &small(&format!("x [fake:{m}]"))).await;
        assert_eq!(r.json["candidates"][0]["finishReason"], reason);
    }
    let r = generate(&f, FLASH, &small("x [fake:text_only]")).await;
    assert!(parts(&r.json).iter().all(|p| p.get("inlineData").is_none()));
    assert!(serde_json::from_str::<Value>(
        &generate(&f, FLASH, &small("x [fake:malformed]")).await.text
    )
    .is_err());
    assert!(serde_json::from_str::<Value>(
        &generate(&f, FLASH, &small("x [fake:truncated]")).await.text
    )
    .is_err());
    let t = Instant::now();
    assert_eq!(
        generate(&f, FLASH, &small("x [fake:slow=300ms]"))
            .await
            .status,
        200
    );
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn markers_in_history_are_ignored() {
    // 2.5 signs nothing, so a hand-written model turn needs no signature.
    let f = fake_with_nb1().await;
    let first = generate(
        &f,
        NB1,
        &json!({"contents": [{"role": "user", "parts": [{"text": "x [fake:429day]"}]}]}),
    )
    .await;
    assert_eq!(first.status, 429);
    let body = json!({"contents": [
        {"role": "user", "parts": [{"text": "x [fake:429day]"}]},
        {"role": "model", "parts": [{"text": "ok"}]},
        {"role": "user", "parts": [{"text": "and now?"}]}
    ]});
    assert_eq!(generate(&f, NB1, &body).await.status, 200);
}

#[tokio::test]
async fn cut_on_a_plain_generate_is_a_connection_reset() {
    let f = fake().await;
    f.push_fault(Fault::StreamCutMidImage);
    let r = client()
        .post(format!(
            "{}/v1beta/models/{FLASH}:generateContent",
            f.base_url()
        ))
        .header("x-goog-api-key", KEY)
        .json(&small("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.is_err());
}

/// The hostile faults are finite: read to the end (as a client without bounds would), each body is as long
/// as the test asked and then ends, and every byte of it is counted.
#[tokio::test]
async fn hostile_bodies_end_by_themselves_and_are_counted() {
    let f = fake().await;
    let size = 3 * 1024 * 1024 + 17;
    f.push_fault(Fault::OversizedBody { bytes: size });
    let r = generate(&f, FLASH, &small("x")).await;
    assert_eq!((r.status, r.text.len() as u64), (200, size));
    assert!(r.text.starts_with(r#"{"candidates": [{"content""#));
    f.push_fault(Fault::OversizedErrorBody { bytes: size });
    let r = generate(&f, FLASH, &small("x")).await;
    assert_eq!((r.status, r.text.len() as u64), (400, size));
    assert!(r.text.starts_with(r#"{"error": {"code": 400"#));
    assert_eq!(f.hostile_bytes_sent(), 2 * size);

    f.push_fault(Fault::EndlessStream { events: 5000 });
    let r = stream(&f).await;
    assert_eq!(r.text.matches("data: ").count(), 5000);
    assert!(!r.text.contains("finishReason"));
    f.push_fault(Fault::OversizedBody { bytes: size });
    let r = stream(&f).await;
    let events: Vec<&str> = r.text.split_terminator("\r\n\r\n").collect();
    // Whole events of 64 KiB of text each, until `size` is reached.
    let total = r.text.len() as u64;
    assert!(total >= size && total < size + 66_000, "{total}");
    for e in &events {
        let v: Value = serde_json::from_str(e.strip_prefix("data: ").unwrap()).unwrap();
        assert_eq!(v["candidates"][0]["content"]["parts"][0]["thought"], true);
    }
    f.push_fault(Fault::ThoughtImageFlood { images: 50 });
    let r = stream(&f).await;
    let thought_images = r
        .text
        .split_terminator("\r\n\r\n")
        .filter_map(|e| serde_json::from_str::<Value>(e.strip_prefix("data: ")?).ok())
        .filter(|v| {
            let p = &v["candidates"][0]["content"]["parts"][0];
            p["inlineData"].is_object() && p["thought"] == true
        })
        .count();
    assert!(thought_images >= 50, "{thought_images}");
    assert!(
        r.text.contains("finishReason"),
        "the answer follows the flood"
    );
}

async fn stream(f: &gemini_fake::FakeGemini) -> Reply {
    let path = format!("/v1beta/models/{FLASH}:streamGenerateContent?alt=sse");
    send(f, reqwest::Method::POST, &path, Some(&small("x"))).await
}
