//! What a valid request gets back: exact sizes, parts and signatures in place, usage, grounding.

use base64::Engine as _;
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::*;

/// Every model x ratio x size answers a PNG of exactly the documented pixel size, and bills the
/// documented output tokens. Cases are ordered ratio, size, model, with one prompt per ratio, so the
/// others reuse the pictures 3.1 Flash just rendered at the same pixel size (the render cache is
/// process-wide).
async fn sizes_for(ids: &[&str]) {
    let specs: Vec<gemini_fake::ModelSpec> = ids.iter().map(|id| spec(id)).collect();
    let models: Vec<&gemini_fake::ModelSpec> = specs.iter().collect();
    let f = fake_with_nb1().await;
    // The first model's ratios and sizes are a superset of the others'.
    let labels: Vec<Option<&str>> = if models[0].sizes.is_empty() {
        vec![None]
    } else {
        models[0].sizes.iter().map(|s| Some(s.as_str())).collect()
    };
    let mut cases = Vec::new();
    for (ratio, _) in &models[0].pixels {
        let ratio = ratio.as_str();
        for label in &labels {
            for model in &models {
                let idx = match label {
                    None => 0,
                    Some(l) => match model.size_index(l) {
                        Some(i) => i,
                        None => continue,
                    },
                };
                let Some(dims) = model.dims(ratio, idx) else {
                    continue;
                };
                cases.push((*model, ratio, *label, dims));
            }
        }
    }
    for model in &models {
        let n = model.pixels.len() * model.sizes.len().max(1);
        assert_eq!(
            cases.iter().filter(|c| c.0.id == model.id).count(),
            n,
            "{}",
            model.id
        );
    }
    // Two at a time: 4K renders are heavy on a 2-core machine.
    for chunk in cases.chunks(2) {
        let replies = join_all(chunk.iter().map(|(model, ratio, size, _)| {
            let mut ic = json!({"aspectRatio": ratio});
            if let Some(s) = size {
                ic["imageSize"] = json!(s);
            }
            let body = with_config(
                &format!("sizes {ratio}"),
                json!({"responseModalities": ["IMAGE"], "imageConfig": ic}),
            );
            let f = &f;
            async move { generate(f, &model.id, &body).await }
        }))
        .await;
        for ((model, ratio, size, dims), r) in chunk.iter().zip(replies) {
            assert_eq!(
                r.status,
                200,
                "{} {ratio} {size:?}: {}",
                model.id,
                &r.text[..r.text.len().min(300)]
            );
            let png = final_image(&r.json).expect("image");
            assert_eq!(png_size(&png), *dims, "{} {ratio} {size:?}", model.id);
            let img_tokens = model.tokens_for(size.and_then(|s| model.size_index(s)).unwrap_or(0));
            assert_eq!(
                r.json["usageMetadata"]["candidatesTokensDetails"][0],
                json!({"modality": "IMAGE", "tokenCount": img_tokens})
            );
            assert_eq!(r.json["usageMetadata"]["candidatesTokenCount"], img_tokens);
        }
    }
}

#[tokio::test]
async fn exact_sizes_gemini_3() {
    // 3.1 Flash first: its ratios and sizes are a superset of the others'. Nano Banana 2.1 is left out:
    // its table is 3.1 Flash's without 512 (pinned by the models unit tests), and its 42 cases would add
    // half a minute of 4K transfers for no new code path.
    sizes_for(&[FLASH, PRO, LITE]).await;
}

#[tokio::test]
async fn exact_sizes_flash_25() {
    sizes_for(&[NB1]).await;
}

#[tokio::test]
async fn documented_oddities_and_defaults() {
    let f = fake_with_nb1().await;
    let r = generate(
        &f,
        FLASH,
        &with_config(
            "odd",
            json!({"imageConfig": {"aspectRatio": "21:9", "imageSize": "512"}}),
        ),
    )
    .await;
    assert_eq!(png_size(&final_image(&r.json).unwrap()), (792, 168));
    // No ratio, no input image: 1:1 at 1K.
    for model in [NB21, FLASH, PRO, LITE, NB1] {
        let r = generate(&f, model, &prompt("a default picture")).await;
        assert_eq!(
            png_size(&final_image(&r.json).unwrap()),
            (1024, 1024),
            "{model}"
        );
    }
    // No ratio: the first input image's ratio, snapped to the nearest supported one.
    let input = base64::engine::general_purpose::STANDARD
        .encode(gemini_fake::images::render_png(320, 180, 3));
    let body = json!({"contents": [{"parts": [{"text": "edit this"}, {"inlineData": {"mimeType": "image/png", "data": input}}]}]});
    assert_eq!(
        png_size(&final_image(&generate(&f, FLASH, &body).await.json).unwrap()),
        (1376, 768)
    );
    assert_eq!(
        png_size(&final_image(&generate(&f, NB1, &body).await.json).unwrap()),
        (1344, 768)
    );
    let tall = base64::engine::general_purpose::STANDARD
        .encode(gemini_fake::images::render_png(100, 790, 3));
    let body = json!({"contents": [{"parts": [{"text": "edit"}, {"inlineData": {"mimeType": "image/png", "data": tall}}]}]});
    assert_eq!(
        png_size(&final_image(&generate(&f, FLASH, &body).await.json).unwrap()),
        (384, 3072)
    );
    assert_eq!(
        png_size(&final_image(&generate(&f, NB21, &body).await.json).unwrap()),
        (384, 3072)
    );
    for model in [PRO, LITE] {
        assert_eq!(
            png_size(&final_image(&generate(&f, model, &body).await.json).unwrap()),
            (768, 1376),
            "{model}"
        );
    }
}

#[tokio::test]
async fn deterministic_per_prompt() {
    let f = fake().await;
    let cfg = json!({"responseModalities": ["IMAGE"], "imageConfig": {"imageSize": "512"}});
    let a = final_image(
        &generate(&f, FLASH, &with_config("a red fox", cfg.clone()))
            .await
            .json,
    )
    .unwrap();
    let b = final_image(
        &generate(&f, FLASH, &with_config("a red fox", cfg.clone()))
            .await
            .json,
    )
    .unwrap();
    let c = final_image(
        &generate(&f, FLASH, &with_config("a blue whale", cfg))
            .await
            .json,
    )
    .unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

fn has_sig(p: &Value) -> bool {
    p.get("thoughtSignature")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty())
}

#[tokio::test]
async fn parts_and_signature_placement_with_thoughts() {
    let f = fake().await;
    let r = generate(&f, NB21, &with_config("an infographic", json!({"imageConfig": {"imageSize": "1K"}, "thinkingConfig": {"includeThoughts": true, "thinkingLevel": "HIGH"}}))).await;
    assert_eq!(r.status, 200);
    let p = parts(&r.json);
    let kinds: Vec<(&str, bool, bool)> = p
        .iter()
        .map(|p| {
            (
                if p.get("text").is_some() {
                    "text"
                } else {
                    "image"
                },
                p["thought"] == true,
                has_sig(p),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("text", true, false),
            ("image", true, false),
            ("text", true, false),
            ("image", true, false),
            ("text", false, true),
            ("image", false, true),
        ]
    );
    // Interim thought images are smaller drafts of the same ratio.
    let draft = decode(p[1]["inlineData"]["data"].as_str().unwrap());
    assert_eq!(png_size(&draft), (256, 256));
    assert_eq!(p[5]["inlineData"]["mimeType"], "image/png");
    let c = &r.json["candidates"][0];
    assert_eq!(c["finishReason"], "STOP");
    assert_eq!(c["index"], 0);
    assert_eq!(c["content"]["role"], "model");
    assert_eq!(r.json["modelVersion"], NB21);
    assert!(r.json["responseId"].as_str().is_some_and(|s| !s.is_empty()));
    let u = &r.json["usageMetadata"];
    let total = u["promptTokenCount"].as_u64().unwrap()
        + u["candidatesTokenCount"].as_u64().unwrap()
        + u["thoughtsTokenCount"].as_u64().unwrap();
    assert_eq!(u["totalTokenCount"].as_u64().unwrap(), total);
    assert_eq!(u["promptTokensDetails"][0]["modality"], "TEXT");
    let details = u["candidatesTokensDetails"].as_array().unwrap();
    assert!(details.contains(&json!({"modality": "IMAGE", "tokenCount": 1120})));
    assert_eq!(details[0]["modality"], "TEXT");
}

#[tokio::test]
async fn parts_without_thoughts_and_per_model() {
    let f = fake_with_nb1().await;
    // Gemini 3 without includeThoughts: signed text then signed image; thought tokens still billed.
    for model in [NB21, FLASH, PRO, LITE] {
        let r = generate(&f, model, &prompt("a lighthouse")).await;
        let p = parts(&r.json);
        assert_eq!(p.len(), 2, "{model}");
        assert!(p[0].get("text").is_some() && has_sig(&p[0]) && p[0].get("thought").is_none());
        assert!(p[1].get("inlineData").is_some() && has_sig(&p[1]));
        assert!(
            r.json["usageMetadata"]["thoughtsTokenCount"]
                .as_u64()
                .unwrap()
                > 0
        );
    }
    // IMAGE only: no text part at all.
    let r = generate(
        &f,
        PRO,
        &with_config(
            "a lighthouse",
            json!({"responseModalities": ["IMAGE"], "thinkingConfig": {"includeThoughts": true}}),
        ),
    )
    .await;
    let p = parts(&r.json);
    assert!(p
        .iter()
        .filter(|p| p.get("text").is_some())
        .all(|p| p["thought"] == true));
    assert!(p.last().unwrap().get("inlineData").is_some() && has_sig(p.last().unwrap()));
    // 2.5: no thoughts, no signatures, no thought tokens.
    let r = generate(
        &f,
        NB1,
        &with_config(
            "a lighthouse",
            json!({"thinkingConfig": {"includeThoughts": true}}),
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let p = parts(&r.json);
    assert_eq!(p.len(), 2);
    assert!(p.iter().all(|p| !has_sig(p) && p.get("thought").is_none()));
    assert!(r.json["usageMetadata"].get("thoughtsTokenCount").is_none());
    assert_eq!(
        r.json["usageMetadata"]["candidatesTokensDetails"][1],
        json!({"modality": "IMAGE", "tokenCount": 1290})
    );
}

#[tokio::test]
async fn prompt_tokens_count_images() {
    let f = fake_with_nb1().await;
    let input = base64::engine::general_purpose::STANDARD
        .encode(gemini_fake::images::render_png(16, 16, 3));
    let body = json!({"contents": [{"parts": [{"text": "12345678"}, {"inlineData": {"mimeType": "image/png", "data": input}}]}],
                      "generationConfig": {"responseModalities": ["IMAGE"]}});
    let r = generate(&f, NB1, &body).await;
    let u = &r.json["usageMetadata"];
    assert_eq!(u["promptTokenCount"], 2 + 258);
    assert_eq!(
        u["promptTokensDetails"],
        json!([{"modality": "TEXT", "tokenCount": 2}, {"modality": "IMAGE", "tokenCount": 258}])
    );
}

#[tokio::test]
async fn grounding_metadata() {
    let f = fake().await;
    let body = json!({"contents": [{"parts": [{"text": "weather in Paris as an infographic"}]}], "tools": [{"google_search": {}}]});
    let r = generate(&f, PRO, &body).await;
    let g = &r.json["candidates"][0]["groundingMetadata"];
    assert!(g["searchEntryPoint"]["renderedContent"]
        .as_str()
        .unwrap()
        .contains("<style>"));
    assert!(g["groundingChunks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["web"]["uri"].as_str().unwrap().starts_with("https://")));
    assert!(!g["webSearchQueries"].as_array().unwrap().is_empty());
    let s = &g["groundingSupports"][0];
    let text = parts(&r.json)[0]["text"].as_str().unwrap().to_string();
    let end = s["segment"]["endIndex"].as_u64().unwrap() as usize;
    assert_eq!(s["segment"]["text"].as_str().unwrap(), &text[..end]);
    assert!(g.get("imageSearchQueries").is_none());

    let body = json!({"contents": [{"parts": [{"text": "a quetzal"}]}],
                      "tools": [{"google_search": {"searchTypes": {"webSearch": {}, "imageSearch": {}}}}]});
    let r = generate(&f, NB21, &body).await;
    let g = &r.json["candidates"][0]["groundingMetadata"];
    let img = g["groundingChunks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c.get("image").is_some())
        .unwrap();
    for k in ["sourceUri", "imageUri", "title", "domain"] {
        assert!(img["image"][k].is_string(), "{k}");
    }
    assert!(!g["imageSearchQueries"].as_array().unwrap().is_empty());
    // Without the tool there is no grounding.
    let r = generate(&f, NB21, &prompt("a quetzal")).await;
    assert!(r.json["candidates"][0].get("groundingMetadata").is_none());
}

#[tokio::test]
async fn models_list_and_get() {
    let f = fake().await;
    let r = send(&f, reqwest::Method::GET, "/v1beta/models", None).await;
    let names: Vec<&str> = r.json["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    // Google's list today: image models among text, embedding and Imagen ones a client must filter
    // out; no preview id (retired) and no 2.5 Flash Image (restricted).
    assert_eq!(
        names,
        [
            "gemini-2.5-flash",
            "gemini-2.5-pro",
            NB21,
            PRO,
            LITE,
            FLASH,
            "gemini-embedding-001",
            "imagen-4.0-generate-001"
        ]
        .map(|id| format!("models/{id}"))
    );
    assert!(r.json.get("nextPageToken").is_none());
    let r = send(
        &f,
        reqwest::Method::GET,
        &format!("/v1beta/models/{PRO}"),
        None,
    )
    .await;
    assert_eq!(r.json["name"], format!("models/{PRO}"));
    assert_eq!(
        r.json["supportedGenerationMethods"],
        json!(["generateContent", "countTokens", "batchGenerateContent"])
    );
    assert_eq!(r.json["displayName"], "Nano Banana Pro");
    for k in [
        "version",
        "description",
        "inputTokenLimit",
        "outputTokenLimit",
        "temperature",
        "topP",
        "topK",
        "maxTemperature",
        "thinking",
    ] {
        assert!(r.json.get(k).is_some(), "{k}");
    }
    let r = send(
        &f,
        reqwest::Method::GET,
        "/v1beta/models/gemini-embedding-001",
        None,
    )
    .await;
    assert_eq!(r.json["supportedGenerationMethods"][0], "embedContent");
}

#[tokio::test]
async fn four_k_is_realistically_heavy() {
    let f = fake().await;
    let r = generate(
        &f,
        NB21,
        &with_config(
            "benchmark",
            json!({"responseModalities": ["IMAGE"], "imageConfig": {"imageSize": "4K"}}),
        ),
    )
    .await;
    let png = final_image(&r.json).unwrap();
    assert_eq!(png_size(&png), (4096, 4096));
    eprintln!(
        "4K PNG: {} bytes, JSON body: {} bytes",
        png.len(),
        r.text.len()
    );
    assert!(
        (10_000_000..25_000_000).contains(&png.len()),
        "{}",
        png.len()
    );
}

#[tokio::test]
async fn fields_come_in_googles_order() {
    let f = fake().await;
    let r = generate(
        &f,
        FLASH,
        &with_config("order", json!({"imageConfig": {"imageSize": "512"}})),
    )
    .await;
    let t = &r.text;
    assert!(
        t.starts_with("{\"candidates\":[{\"content\":{\"parts\":["),
        "{}",
        &t[..60]
    );
    assert!(t.contains("\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\""));
    let pos = |k: &str| t.find(k).unwrap_or_else(|| panic!("{k}"));
    assert!(pos("\"finishReason\"") < pos("\"index\""));
    assert!(
        pos("\"usageMetadata\"") < pos("\"modelVersion\"")
            && pos("\"modelVersion\"") < pos("\"responseId\"")
    );
    let e = generate(
        &f,
        FLASH,
        &with_config("x", json!({"imageConfig": {"imageSize": "1k"}})),
    )
    .await;
    assert!(
        e.text
            .starts_with("{\n  \"error\": {\n    \"code\": 400,\n    \"message\": "),
        "{}",
        e.text
    );
}
