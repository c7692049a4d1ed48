//! The catalogue: retired ids are 404 and restricted ones 403 on every endpoint that names a model, each
//! model refuses what it lacks (Lite: 2K and Search; 2.1: 512), models.list pages like Google's, and a
//! catalogue edited at run time shows in the next list and generate.

use gemini_fake::{Catalogue, ModelState};
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

fn batch_body() -> Value {
    json!({"batch": {"inputConfig": {"requests": {"requests": [{"request": {"contents": [{"parts": [{"text": "x"}]}]}}]}}}})
}

/// generateContent, SSE stream, countTokens and batch, each answering `code` / `status` for `model`.
async fn every_call(f: &gemini_fake::FakeGemini, model: &str) -> Vec<(String, Reply)> {
    let mut out = Vec::new();
    for (action, body) in [
        ("generateContent", prompt("a cat")),
        ("streamGenerateContent?alt=sse", prompt("a cat")),
        ("countTokens", prompt("a cat")),
        ("batchGenerateContent", batch_body()),
    ] {
        let r = send(
            f,
            Method::POST,
            &format!("/v1beta/models/{model}:{action}"),
            Some(&body),
        )
        .await;
        out.push((action.to_string(), r));
    }
    out
}

#[tokio::test]
async fn retired_ids_are_not_found_everywhere() {
    let f = fake().await;
    for model in [RETIRED_FLASH, RETIRED_PRO] {
        for (action, r) in every_call(&f, model).await {
            let m = error(&r, 404, "NOT_FOUND");
            let method = action.split('?').next().unwrap();
            assert_eq!(
                m,
                format!(
                    "models/{model} is not found for API version v1beta, or is not supported for {method}. Call \
                     ListModels to see the list of available models and their supported methods."
                ),
                "{action}"
            );
            // Google's shape exactly: code, message, status, nothing else.
            assert_eq!(
                r.json,
                json!({"error": {"code": 404, "message": m, "status": "NOT_FOUND"}})
            );
        }
        let r = send(&f, Method::GET, &format!("/v1beta/models/{model}"), None).await;
        let m = error(&r, 404, "NOT_FOUND");
        assert!(
            m.starts_with(&format!(
                "models/{model} is not found for API version v1beta"
            )),
            "{m}"
        );
        // Also under /v1, the Python SDK's default.
        let r = send(
            &f,
            Method::POST,
            &format!("/v1/models/{model}:generateContent"),
            Some(&prompt("x")),
        )
        .await;
        assert!(error(&r, 404, "NOT_FOUND").contains("for API version v1,"));
    }
}

#[tokio::test]
async fn restricted_model_is_permission_denied_until_granted() {
    let f = fake().await;
    for (action, r) in every_call(&f, NB1).await {
        let m = error(&r, 403, "PERMISSION_DENIED");
        assert!(
            m.contains("only available to projects that used it before"),
            "{action}: {m}"
        );
    }
    let r = send(&f, Method::GET, &format!("/v1beta/models/{NB1}"), None).await;
    error(&r, 403, "PERMISSION_DENIED");
    f.update_catalogue(|c| c.grant(NB1).map(|_| ())).unwrap();
    assert_eq!(generate(&f, NB1, &prompt("a cat")).await.status, 200);
    let r = send(&f, Method::GET, "/v1beta/models", None).await;
    assert!(r.text.contains(&format!("\"models/{NB1}\"")));
}

#[tokio::test]
async fn lite_is_1k_only_without_search() {
    let f = fake().await;
    for size in ["2K", "4K"] {
        let r = generate(
            &f,
            LITE,
            &with_config("x", json!({"imageConfig": {"imageSize": size}})),
        )
        .await;
        assert_eq!(
            error(&r, 400, "INVALID_ARGUMENT"),
            format!(
                "Unsupported image size \"{size}\" for models/{LITE}. Supported values are: 1K."
            )
        );
    }
    for tools in [
        json!([{"google_search": {}}]),
        json!([{"googleSearch": {"searchTypes": {"webSearch": {}}}}]),
    ] {
        let body = json!({"contents": [{"parts": [{"text": "x"}]}], "tools": tools});
        let r = generate(&f, LITE, &body).await;
        assert_eq!(
            error(&r, 400, "INVALID_ARGUMENT"),
            format!("Search Grounding is not supported for models/{LITE}.")
        );
    }
    let r = generate(
        &f,
        LITE,
        &with_config(
            "a lite lighthouse",
            json!({"responseModalities": ["IMAGE"], "imageConfig": {"imageSize": "1K", "aspectRatio": "21:9"}}),
        ),
    )
    .await;
    assert_eq!(png_size(&final_image(&r.json).unwrap()), (1584, 672));
    assert_eq!(
        r.json["usageMetadata"]["candidatesTokensDetails"][0],
        json!({"modality": "IMAGE", "tokenCount": 1120})
    );
}

#[tokio::test]
async fn nano_banana_21_refuses_512_and_thinks_at_medium() {
    let f = fake().await;
    let r = generate(
        &f,
        NB21,
        &with_config("x", json!({"imageConfig": {"imageSize": "512"}})),
    )
    .await;
    assert_eq!(
        error(&r, 400, "INVALID_ARGUMENT"),
        format!(
            "Unsupported image size \"512\" for models/{NB21}. Supported values are: 1K, 2K, 4K."
        )
    );
    let r = generate(
        &f,
        NB21,
        &with_config(
            "a medium thought",
            json!({"imageConfig": {"aspectRatio": "16:9"}, "thinkingConfig": {"thinkingLevel": "MEDIUM"}}),
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", &r.text[..r.text.len().min(300)]);
    assert_eq!(png_size(&final_image(&r.json).unwrap()), (1376, 768));
    assert_eq!(r.json["modelVersion"], NB21);
}

#[tokio::test]
async fn non_image_models_are_listed_but_make_no_images() {
    let f = fake().await;
    let r = generate(
        &f,
        "gemini-2.5-flash",
        &with_config("x", json!({"responseModalities": ["TEXT", "IMAGE"]})),
    )
    .await;
    let m = error(&r, 400, "INVALID_ARGUMENT");
    assert!(
        m.starts_with(
            "The requested combination of response modalities (TEXT, IMAGE) is not supported"
        ),
        "{m}"
    );
    let r = generate(
        &f,
        "gemini-2.5-pro",
        &with_config("x", json!({"imageConfig": {"aspectRatio": "1:1"}})),
    )
    .await;
    error(&r, 400, "INVALID_ARGUMENT");
    // Text in, text out.
    let r = generate(&f, "gemini-2.5-flash", &prompt("hello")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(parts(&r.json).iter().all(|p| p.get("inlineData").is_none()));
    // Models without generateContent answer Google's 404 for the method.
    for model in ["gemini-embedding-001", "imagen-4.0-generate-001"] {
        let m = error(&generate(&f, model, &prompt("x")).await, 404, "NOT_FOUND");
        assert!(m.contains("or is not supported for generateContent"), "{m}");
    }
}

#[tokio::test]
async fn models_list_pages() {
    let f = fake().await;
    let all: Vec<String> = Catalogue::google()
        .listed()
        .map(|m| format!("models/{}", m.id))
        .collect();
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &token {
            None => "/v1beta/models?pageSize=2".to_string(),
            Some(t) => format!("/v1beta/models?pageSize=2&pageToken={t}"),
        };
        let r = send(&f, Method::GET, &path, None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let models = r.json["models"].as_array().unwrap();
        assert!(models.len() <= 2);
        seen.extend(
            models
                .iter()
                .map(|m| m["name"].as_str().unwrap().to_string()),
        );
        pages += 1;
        match r.json.get("nextPageToken").and_then(Value::as_str) {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, all);
    assert_eq!(pages, all.len().div_ceil(2));
    // snake_case query names work too; a huge page size is clamped, not refused.
    let r = send(&f, Method::GET, "/v1beta/models?page_size=5000", None).await;
    assert_eq!(r.json["models"].as_array().unwrap().len(), all.len());
    assert!(r.json.get("nextPageToken").is_none());
    for bad in [
        "pageToken=nonsense",
        "pageToken=%21%21",
        "pageSize=two",
        "pageSize=-1",
    ] {
        let r = send(&f, Method::GET, &format!("/v1beta/models?{bad}"), None).await;
        error(&r, 400, "INVALID_ARGUMENT");
    }
}

#[tokio::test]
async fn a_catalogue_edited_at_run_time_is_served() {
    let f = fake().await;
    let names = |r: &Reply| -> Vec<String> {
        r.json["models"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_string())
            .collect()
    };
    let new = "gemini-nano-banana-2.2";
    assert_eq!(generate(&f, new, &prompt("x")).await.status, 404);
    f.update_catalogue(|c| {
        let m = c.clone_model(NB21, new)?;
        m.display_name = "Nano Banana 2.2".into();
        c.retire(NB21)?;
        c.set_state(FLASH, ModelState::Retired).map(|_| ())
    })
    .unwrap();
    let r = send(&f, Method::GET, "/v1beta/models", None).await;
    let listed = names(&r);
    assert!(listed.contains(&format!("models/{new}")), "{listed:?}");
    assert!(!listed.contains(&format!("models/{NB21}")));
    assert!(!listed.contains(&format!("models/{FLASH}")));
    let r = generate(&f, new, &prompt("a fresh banana")).await;
    assert_eq!(r.status, 200, "{}", &r.text[..r.text.len().min(300)]);
    assert_eq!(r.json["modelVersion"], new);
    error(&generate(&f, NB21, &prompt("x")).await, 404, "NOT_FOUND");
    let r = send(&f, Method::GET, &format!("/v1beta/models/{new}"), None).await;
    assert_eq!(r.json["displayName"], "Nano Banana 2.2");
    assert_eq!(f.catalogue().get(NB21).unwrap().state, ModelState::Retired);
}

#[tokio::test]
async fn a_catalogue_can_bring_a_preview_back() {
    // The retired specs stay in the file, so a catalogue can flip them active (e.g. to replay an old bug).
    let mut c = Catalogue::google();
    c.set_state(RETIRED_FLASH, ModelState::Active).unwrap();
    let f = fake_with(c).await;
    let r = generate(
        &f,
        RETIRED_FLASH,
        &with_config("x", json!({"imageConfig": {"imageSize": "512"}})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", &r.text[..r.text.len().min(300)]);
}
