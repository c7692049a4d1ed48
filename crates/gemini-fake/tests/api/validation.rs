//! Every request Google refuses, the fake refuses, with Google's status and wording.

use base64::Engine as _;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

fn png_b64(w: u32, h: u32) -> String {
    base64::engine::general_purpose::STANDARD.encode(gemini_fake::images::render_png(w, h, 1))
}

fn with_images(model_text: &str, n: usize) -> Value {
    let img = png_b64(8, 8);
    let mut parts = vec![json!({"text": model_text})];
    for _ in 0..n {
        parts.push(json!({"inlineData": {"mimeType": "image/png", "data": img}}));
    }
    json!({"contents": [{"role": "user", "parts": parts}], "generationConfig": {"responseModalities": ["IMAGE"], "imageConfig": {"imageSize": "512"}}})
}

#[tokio::test]
async fn missing_key_is_permission_denied() {
    let f = fake().await;
    let r = client()
        .post(format!(
            "{}/v1beta/models/{FLASH}:generateContent",
            f.base_url()
        ))
        .json(&prompt("a cat"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["status"], "PERMISSION_DENIED");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Method doesn't allow unregistered callers"));
}

#[tokio::test]
async fn wrong_key_is_api_key_invalid() {
    let f = fake().await;
    let r = client()
        .post(format!(
            "{}/v1beta/models/{FLASH}:generateContent",
            f.base_url()
        ))
        .header("x-goog-api-key", "nope")
        .json(&prompt("a cat"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["status"], "INVALID_ARGUMENT");
    assert_eq!(
        v["error"]["message"],
        "API key not valid. Please pass a valid API key."
    );
    let info = v["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["@type"] == "type.googleapis.com/google.rpc.ErrorInfo")
        .unwrap();
    assert_eq!(info["reason"], "API_KEY_INVALID");
}

#[tokio::test]
async fn key_in_query_and_any_key_mode() {
    let f = fake().await;
    let r = client()
        .get(format!("{}/v1beta/models?key={KEY}", f.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let open = gemini_fake::FakeGemini::start(gemini_fake::FakeConfig::default())
        .await
        .unwrap();
    let r = client()
        .get(format!("{}/v1beta/models", open.base_url()))
        .header("x-goog-api-key", "anything")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client()
        .get(format!("{}/v1beta/models", open.base_url()))
        .header("x-goog-api-key", "")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn unknown_model_is_not_found() {
    let f = fake().await;
    let r = generate(&f, "gemini-9-ultra", &prompt("a cat")).await;
    let m = error(&r, 404, "NOT_FOUND");
    assert_eq!(m, "models/gemini-9-ultra is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.");
    let r = send(&f, Method::GET, "/v1beta/models/gemini-9-ultra", None).await;
    error(&r, 404, "NOT_FOUND");
}

#[tokio::test]
async fn unknown_fields_anywhere() {
    let f = fake().await;
    let cases = [
        (json!({"contents": [{"parts": [{"text": "x"}]}], "foo": 1}), "Invalid JSON payload received. Unknown name \"foo\": Cannot find field."),
        (with_config("x", json!({"foo": 1})), "Invalid JSON payload received. Unknown name \"foo\" at 'generation_config': Cannot find field."),
        (with_config("x", json!({"imageConfig": {"size": "1K"}})), "Invalid JSON payload received. Unknown name \"size\" at 'generation_config.image_config': Cannot find field."),
        (json!({"contents": [{"parts": [{"text": "x", "bold": true}]}]}), "Invalid JSON payload received. Unknown name \"bold\" at 'contents[0].parts[0]': Cannot find field."),
        (json!({"contents": [{"parts": [{"text": "x"}]}], "tools": [{"google_search": {"searchTypes": {"videoSearch": {}}}}]}),
         "Invalid JSON payload received. Unknown name \"videoSearch\" at 'tools[0].google_search.search_types': Cannot find field."),
    ];
    for (body, want) in cases {
        let r = generate(&f, FLASH, &body).await;
        assert_eq!(error(&r, 400, "INVALID_ARGUMENT"), want);
        assert_eq!(
            r.json["error"]["details"][0]["@type"],
            "type.googleapis.com/google.rpc.BadRequest"
        );
    }
}

#[tokio::test]
async fn snake_case_is_accepted_like_camel_case() {
    let f = fake().await;
    let body = json!({
        "contents": [{"role": "user", "parts": [{"text": "a fox"}, {"inline_data": {"mime_type": "image/png", "data": png_b64(8, 8)}}]}],
        "generation_config": {"response_modalities": ["IMAGE"], "image_config": {"aspect_ratio": "16:9", "image_size": "512"},
                              "thinking_config": {"thinking_level": "minimal", "include_thoughts": false}}
    });
    let r = generate(&f, FLASH, &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(png_size(&final_image(&r.json).unwrap()), (688, 384));
}

#[tokio::test]
async fn wrong_types_and_bad_json() {
    let f = fake().await;
    let r = generate(
        &f,
        FLASH,
        &with_config("x", json!({"candidateCount": "two"})),
    )
    .await;
    assert_eq!(
        error(&r, 400, "INVALID_ARGUMENT"),
        "Invalid value at 'generation_config.candidate_count' (TYPE_INT32), \"two\""
    );
    let r = generate(
        &f,
        FLASH,
        &with_config("x", json!({"thinkingConfig": {"thinkingLevel": "ULTRA"}})),
    )
    .await;
    let m = error(&r, 400, "INVALID_ARGUMENT");
    assert!(
        m.starts_with("Invalid value at 'generation_config.thinking_config.thinking_level'"),
        "{m}"
    );
    let r = client()
        .post(format!(
            "{}/v1beta/models/{FLASH}:generateContent",
            f.base_url()
        ))
        .header("x-goog-api-key", KEY)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn multiple_candidates_refused() {
    let f = fake().await;
    let r = generate(&f, PRO, &with_config("x", json!({"candidateCount": 2}))).await;
    assert_eq!(
        error(&r, 400, "INVALID_ARGUMENT"),
        format!("Multiple candidates is not enabled for models/{PRO}")
    );
    let r = generate(
        &f,
        PRO,
        &with_config(
            "x",
            json!({"candidateCount": 1, "responseModalities": ["IMAGE"]}),
        ),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn image_size_must_be_exact() {
    let f = fake_with_nb1().await;
    for (model, size) in [
        (NB21, "1k"),
        (NB21, "4k"),
        (FLASH, "1024"),
        (FLASH, "8K"),
        (PRO, "512"),
        (NB21, "512"),
        (LITE, "512"),
        (LITE, "2K"),
        (LITE, "4K"),
        (NB1, "1K"),
        (NB1, "512"),
    ] {
        let r = generate(
            &f,
            model,
            &with_config("x", json!({"imageConfig": {"imageSize": size}})),
        )
        .await;
        let m = error(&r, 400, "INVALID_ARGUMENT");
        assert!(
            m.contains("image") || m.contains("Image"),
            "{model} {size}: {m}"
        );
    }
    let r = generate(
        &f,
        FLASH,
        &with_config(
            "x",
            json!({"imageConfig": {"imageSize": "512"}, "responseModalities": ["IMAGE"]}),
        ),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn aspect_ratio_must_be_the_models() {
    let f = fake_with_nb1().await;
    for (model, ratio) in [
        (PRO, "8:1"),
        (PRO, "1:4"),
        (LITE, "1:4"),
        (LITE, "8:1"),
        (NB1, "1:8"),
        (FLASH, "5:1"),
        (FLASH, "16x9"),
        (FLASH, "1:1 "),
    ] {
        let r = generate(
            &f,
            model,
            &with_config("x", json!({"imageConfig": {"aspectRatio": ratio}})),
        )
        .await;
        let m = error(&r, 400, "INVALID_ARGUMENT");
        assert!(
            m.starts_with("Unsupported aspect ratio"),
            "{model} {ratio}: {m}"
        );
    }
}

#[tokio::test]
async fn input_image_limits() {
    let f = fake_with_nb1().await;
    assert_eq!(generate(&f, FLASH, &with_images("x", 14)).await.status, 200);
    let m = error(
        &generate(&f, FLASH, &with_images("x", 15)).await,
        400,
        "INVALID_ARGUMENT",
    );
    assert!(m.starts_with("Too many input images: 15"), "{m}");
    let mut three = with_images("x", 3);
    three["generationConfig"] = json!({"responseModalities": ["IMAGE"]});
    assert_eq!(generate(&f, NB1, &three).await.status, 200);
    let mut four = with_images("x", 4);
    four["generationConfig"] = json!({});
    let m = error(&generate(&f, NB1, &four).await, 400, "INVALID_ARGUMENT");
    assert!(m.starts_with("Too many input images: 4"), "{m}");
}

#[tokio::test]
async fn mime_base64_and_payload_size() {
    let f = fake().await;
    let part = |mime: &str, data: &str| json!({"contents": [{"parts": [{"text": "x"}, {"inlineData": {"mimeType": mime, "data": data}}]}]});
    let r = generate(&f, FLASH, &part("image/gif", "R0lGODlh")).await;
    assert_eq!(
        error(&r, 400, "INVALID_ARGUMENT"),
        "Unsupported MIME type: image/gif"
    );
    let r = generate(&f, FLASH, &part("image/png", "not base64!!")).await;
    let m = error(&r, 400, "INVALID_ARGUMENT");
    assert!(m.starts_with("Invalid value at 'contents[0].parts[1].inline_data.data' (TYPE_BYTES), Base64 decoding failed"), "{m}");
    for mime in ["image/jpeg", "image/webp", "image/heic", "image/heif"] {
        let mut b = part(mime, "AAAA");
        b["generationConfig"] =
            json!({"responseModalities": ["IMAGE"], "imageConfig": {"imageSize": "512"}});
        assert_eq!(generate(&f, FLASH, &b).await.status, 200, "{mime}");
    }
    // The limit was 20 MB until 2026-01-08, 100 MB since: 21 MiB now passes, 100 MiB and a bit does not.
    let over_old_limit = "A".repeat(21 * 1024 * 1024);
    let mut b = part("image/png", &over_old_limit);
    b["generationConfig"] =
        json!({"responseModalities": ["IMAGE"], "imageConfig": {"imageSize": "512"}});
    let r = generate(&f, FLASH, &b).await;
    assert_eq!(r.status, 200, "{}", &r.text[..r.text.len().min(300)]);
    drop((b, over_old_limit));
    let big = "A".repeat(100 * 1024 * 1024 + 4);
    let r = generate(&f, FLASH, &part("image/png", &big)).await;
    let m = error(&r, 400, "INVALID_ARGUMENT");
    assert!(
        m.starts_with("Request payload size exceeds the limit: 104857600 bytes."),
        "{m}"
    );
}

#[tokio::test]
async fn image_search_only_on_flash() {
    let f = fake_with_nb1().await;
    let body = |text: &str| {
        json!({"contents": [{"parts": [{"text": text}]}], "tools": [{"googleSearch": {"searchTypes": {"imageSearch": {}}}}],
               "generationConfig": {"responseModalities": ["IMAGE"]}})
    };
    let m = error(
        &generate(&f, PRO, &body("x")).await,
        400,
        "INVALID_ARGUMENT",
    );
    assert_eq!(
        m,
        format!("Image search is not supported for models/{PRO}.")
    );
    error(
        &generate(&f, NB1, &body("x")).await,
        400,
        "INVALID_ARGUMENT",
    );
    let web = json!({"contents": [{"parts": [{"text": "x"}]}], "tools": [{"google_search": {}}]});
    let m = error(&generate(&f, NB1, &web).await, 400, "INVALID_ARGUMENT");
    assert_eq!(
        m,
        format!("Search Grounding is not supported for models/{NB1}.")
    );
    assert_eq!(generate(&f, FLASH, &body("x")).await.status, 200);
    assert_eq!(generate(&f, NB21, &body("x")).await.status, 200);
    let r = generate(&f, FLASH, &json!({"contents": [{"parts": [{"text": "x"}]}], "tools": [{"googleSearchRetrieval": {}}]})).await;
    error(&r, 400, "INVALID_ARGUMENT");
    let r = generate(
        &f,
        FLASH,
        &json!({"contents": [{"parts": [{"text": "x"}]}], "tools": [{"functionDeclarations": []}]}),
    )
    .await;
    error(&r, 400, "INVALID_ARGUMENT");
}

#[tokio::test]
async fn thinking_levels_per_model() {
    let f = fake_with_nb1().await;
    let cfg = |level: &str| {
        with_config(
            "x",
            json!({"responseModalities": ["IMAGE"], "imageConfig": {"imageSize": "1K"}, "thinkingConfig": {"thinkingLevel": level}}),
        )
    };
    for (model, level, ok) in [
        (FLASH, "minimal", true),
        (FLASH, "MINIMAL", true),
        (FLASH, "High", true),
        (FLASH, "LOW", false),
        (FLASH, "medium", false),
        (NB21, "MINIMAL", true),
        (NB21, "medium", true),
        (NB21, "HIGH", true),
        (NB21, "LOW", false),
        (LITE, "MINIMAL", true),
        (LITE, "HIGH", true),
        (LITE, "MEDIUM", false),
        (PRO, "HIGH", true),
        (PRO, "high", true),
        (PRO, "minimal", false),
        (PRO, "LOW", false),
    ] {
        let r = generate(&f, model, &cfg(level)).await;
        if ok {
            assert_eq!(r.status, 200, "{model} {level}: {}", r.text);
        } else {
            let m = error(&r, 400, "INVALID_ARGUMENT");
            assert!(m.starts_with("Thinking level"), "{m}");
        }
    }
    let r = generate(
        &f,
        NB1,
        &with_config("x", json!({"thinkingConfig": {"thinkingLevel": "HIGH"}})),
    )
    .await;
    assert_eq!(
        error(&r, 400, "INVALID_ARGUMENT"),
        format!("Thinking level is not supported for models/{NB1}.")
    );
}

#[tokio::test]
async fn history_shape() {
    let f = fake().await;
    let r = generate(&f, FLASH, &json!({"contents": []})).await;
    assert!(error(&r, 400, "INVALID_ARGUMENT").contains("contents is not specified"));
    let r = generate(&f, FLASH, &json!({})).await;
    assert!(error(&r, 400, "INVALID_ARGUMENT").contains("contents is not specified"));
    let r = generate(
        &f,
        FLASH,
        &json!({"contents": [{"role": "user", "parts": []}]}),
    )
    .await;
    assert!(error(&r, 400, "INVALID_ARGUMENT").contains("contents.parts must not be empty"));
    let r = generate(
        &f,
        FLASH,
        &json!({"contents": [{"role": "user", "parts": [{}]}]}),
    )
    .await;
    assert!(error(&r, 400, "INVALID_ARGUMENT").contains("required oneof field 'data'"));
    let two_users = json!({"contents": [{"role": "user", "parts": [{"text": "a"}]}, {"role": "user", "parts": [{"text": "b"}]}]});
    let m = error(
        &generate(&f, FLASH, &two_users).await,
        400,
        "INVALID_ARGUMENT",
    );
    assert_eq!(
        m,
        "Please ensure that multiturn requests alternate between user and model."
    );
    let ends_model = json!({"contents": [{"role": "user", "parts": [{"text": "a"}]}, {"role": "model", "parts": [{"text": "b"}]}]});
    let m = error(
        &generate(&f, NB21, &ends_model).await,
        400,
        "INVALID_ARGUMENT",
    );
    assert!(
        m.starts_with("Please ensure that the last turn is a user turn"),
        "{m}"
    );
    let bad_role = json!({"contents": [{"role": "assistant", "parts": [{"text": "a"}]}]});
    assert_eq!(
        error(
            &generate(&f, FLASH, &bad_role).await,
            400,
            "INVALID_ARGUMENT"
        ),
        "Please use a valid role: user, model."
    );
    let two_data = json!({"contents": [{"parts": [{"text": "a", "inlineData": {"mimeType": "image/png", "data": "AAAA"}}]}]});
    error(
        &generate(&f, FLASH, &two_data).await,
        400,
        "INVALID_ARGUMENT",
    );
}

#[tokio::test]
async fn response_modalities() {
    let f = fake().await;
    let r = generate(
        &f,
        FLASH,
        &with_config("x", json!({"responseModalities": ["AUDIO"]})),
    )
    .await;
    error(&r, 400, "INVALID_ARGUMENT");
    let r = generate(
        &f,
        FLASH,
        &with_config("x", json!({"responseModalities": ["TEXT"]})),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(parts(&r.json).iter().all(|p| p.get("inlineData").is_none()));
}

#[tokio::test]
async fn both_spellings_of_one_field_are_a_duplicate() {
    let f = fake().await;
    let body = json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {}, "generation_config": {}});
    let m = error(&generate(&f, FLASH, &body).await, 400, "INVALID_ARGUMENT");
    assert!(m.contains("Duplicate field"), "{m}");
}

#[tokio::test]
async fn count_tokens() {
    let f = fake().await;
    let body = json!({"contents": [{"parts": [{"text": "12345678"}, {"inlineData": {"mimeType": "image/png", "data": "AAAA"}}]}]});
    let r = send(
        &f,
        Method::POST,
        &format!("/v1beta/models/{FLASH}:countTokens"),
        Some(&body),
    )
    .await;
    assert_eq!(r.json["totalTokens"], 2 + 258);
    let r = send(
        &f,
        Method::POST,
        &format!("/v1beta/models/{FLASH}:countTokens"),
        Some(&json!({"bogus": 1})),
    )
    .await;
    error(&r, 400, "INVALID_ARGUMENT");
}

#[tokio::test]
async fn safety_settings_are_enums() {
    let f = fake().await;
    let mut body = with_config(
        "x",
        json!({"responseModalities": ["IMAGE"], "imageConfig": {"imageSize": "512"}}),
    );
    body["safetySettings"] =
        json!([{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "threshold": "BLOCK_ONLY_HIGH"}]);
    assert_eq!(generate(&f, FLASH, &body).await.status, 200);
    body["safetySettings"] =
        json!([{"category": "HARM_CATEGORY_DANGER", "threshold": "BLOCK_ONLY_HIGH"}]);
    let m = error(&generate(&f, FLASH, &body).await, 400, "INVALID_ARGUMENT");
    assert!(
        m.starts_with("Invalid value at 'safety_settings[0].category'"),
        "{m}"
    );
}
