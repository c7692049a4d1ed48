//! The fake must never panic, whatever the body: garbage bytes, random JSON, mutated valid requests.

use serde_json::{json, Value};

use crate::common::*;

fn random_json(rng: &mut fastrand::Rng, depth: u32) -> Value {
    match rng.u8(..if depth > 3 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.bool()),
        2 => json!(rng.i64(..)),
        3 => json!(rng.f64() * 1e6 - 5e5),
        4 => json!(
            [
                "",
                "user",
                "model",
                "1K",
                "16:9",
                "HIGH",
                "image/png",
                "AAAA",
                "files/x",
                "[fake:503]"
            ][rng.usize(..10)]
        ),
        5 => Value::Array(
            (0..rng.usize(..4))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "contents",
                "parts",
                "text",
                "role",
                "inlineData",
                "inline_data",
                "data",
                "mimeType",
                "generationConfig",
                "imageConfig",
                "imageSize",
                "aspectRatio",
                "thinkingConfig",
                "thinkingLevel",
                "tools",
                "googleSearch",
                "searchTypes",
                "thought",
                "thoughtSignature",
                "fileData",
                "fileUri",
                "candidateCount",
                "responseModalities",
            ];
            let mut m = serde_json::Map::new();
            for _ in 0..rng.usize(..5) {
                m.insert(
                    keys[rng.usize(..keys.len())].to_string(),
                    random_json(rng, depth + 1),
                );
            }
            Value::Object(m)
        }
    }
}

#[tokio::test]
async fn garbage_never_panics() {
    let f = fake_with_nb1().await;
    let mut rng = fastrand::Rng::with_seed(7);
    let c = client();
    let paths = [
        format!("/v1beta/models/{FLASH}:generateContent"),
        format!("/v1beta/models/{NB1}:streamGenerateContent?alt=sse"),
        format!("/v1beta/models/{PRO}:batchGenerateContent"),
        "/upload/v1beta/files".to_string(),
        format!("/v1beta/models/{RETIRED_FLASH}:generateContent"),
        format!("/v1beta/models/{LITE}:countTokens"),
    ];
    for i in 0..300 {
        let body: Vec<u8> = match i % 3 {
            0 => (0..rng.usize(..200)).map(|_| rng.u8(..)).collect(),
            1 => serde_json::to_vec(&random_json(&mut rng, 0)).unwrap(),
            _ => {
                let mut v = json!({"contents": [{"role": "user", "parts": [{"text": "x"}]}],
                                   "generationConfig": {"responseModalities": ["IMAGE"], "imageConfig": {"imageSize": "512"}}});
                v["contents"][0]["parts"][0] = random_json(&mut rng, 1);
                if rng.bool() {
                    v["generationConfig"] = random_json(&mut rng, 1);
                }
                serde_json::to_vec(&v).unwrap()
            }
        };
        let path = &paths[i % paths.len()];
        let r = c
            .post(format!("{}{}", f.base_url(), path))
            .header("x-goog-api-key", KEY)
            .header("X-Goog-Upload-Protocol", "resumable")
            .header("X-Goog-Upload-Command", "start")
            .body(body)
            .send()
            .await
            .expect("the fake answered");
        let status = r.status().as_u16();
        assert!(
            status == 200 || (400..500).contains(&status),
            "{path}: {status}"
        );
        let _ = r.bytes().await;
    }
    assert_eq!(generate(&f, NB1, &prompt("still alive")).await.status, 200);
}
