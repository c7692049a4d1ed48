//! Randomised requests (fixed seed): for every model and option mix, the signature rules of
//! gemini-api.md hold, and folding the stream gives back the non-streaming parts exactly.

use serde_json::{json, Value};

use crate::common::*;

fn sig(p: &Value) -> bool {
    p.get("thoughtSignature").is_some()
}

/// The placement rules: thoughts carry none; every final image does; the first text after the thoughts
/// does when it precedes every image (Gemini 3 always thinks); later text does not. 2.5 signs nothing.
fn check_rules(model: &str, parts: &[Value]) {
    let gemini3 = spec(model).thinks;
    let first_image = parts
        .iter()
        .position(|p| p.get("inlineData").is_some() && p.get("thought").is_none());
    let first_text = parts
        .iter()
        .position(|p| p.get("text").is_some() && p.get("thought").is_none());
    for (i, p) in parts.iter().enumerate() {
        let thought = p["thought"] == true;
        let want = gemini3
            && !thought
            && (p.get("inlineData").is_some()
                || (Some(i) == first_text && first_image.is_none_or(|fi| i < fi)));
        assert_eq!(sig(p), want, "{model} part {i}: {p:?}");
    }
}

async fn stream_events(f: &gemini_fake::FakeGemini, model: &str, body: &Value) -> Vec<Value> {
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
    let text = r.text().await.unwrap();
    text.split("\r\n\r\n")
        .filter(|e| !e.is_empty())
        .map(|e| serde_json::from_str(e.strip_prefix("data: ").unwrap()).unwrap())
        .collect()
}

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
                if last.get("text").is_some() && last.get("thought") == p.get("thought") && !sig(&p)
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
async fn signature_rules_and_folding_hold_for_random_requests() {
    let f = fake_with_nb1().await;
    let mut rng = fastrand::Rng::with_seed(2026);
    for i in 0..24 {
        let models = [FLASH, NB21, PRO, LITE, NB1];
        let model = models[rng.usize(..models.len())];
        let spec = spec(model);
        let ratio = spec.pixels[rng.usize(..spec.pixels.len())].0.as_str();
        let mut ic = json!({"aspectRatio": ratio});
        if model == FLASH {
            ic["imageSize"] = json!("512");
        }
        let modalities = [
            json!(["TEXT", "IMAGE"]),
            json!(["IMAGE"]),
            json!(["TEXT"]),
            Value::Null,
        ][rng.usize(..4)]
        .clone();
        let mut cfg = json!({"imageConfig": ic});
        if !modalities.is_null() {
            cfg["responseModalities"] = modalities;
        }
        if spec.thinks && rng.bool() {
            cfg["thinkingConfig"] = json!({"includeThoughts": true});
        }
        let mut body = with_config(&format!("random request {i} {}", rng.u32(..)), cfg);
        if spec.web_search && rng.bool() {
            body["tools"] = json!([{"googleSearch": {}}]);
        }
        let whole = generate(&f, model, &body).await;
        assert_eq!(whole.status, 200, "{}", whole.text);
        let p = parts(&whole.json);
        assert!(!p.is_empty());
        check_rules(model, &p);
        let events = stream_events(&f, model, &body).await;
        assert_eq!(fold(&events), p, "request {i}");
        let last = events.last().unwrap();
        assert_eq!(last["usageMetadata"], whole.json["usageMetadata"]);
        assert_eq!(
            last["candidates"][0].get("groundingMetadata"),
            whole.json["candidates"][0].get("groundingMetadata")
        );
    }
}
