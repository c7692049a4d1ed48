//! Multi-turn replay: signatures sent back untouched are accepted; removed, altered or moved ones are
//! refused with the position in Google's wording; ones minted by another model (or the old unbound
//! scheme) with Google's "Thought signature is not valid".

use base64::Engine as _;
use gemini_fake::{Catalogue, FakeConfig, FakeGemini};
use serde_json::{json, Value};

use crate::common::*;

fn user(text: &str) -> Value {
    json!({"role": "user", "parts": [{"text": text}]})
}

fn cfg(model: &str) -> Value {
    match model {
        NB1 => json!({"imageConfig": {"aspectRatio": "4:3"}}),
        PRO => {
            json!({"imageConfig": {"imageSize": "1K", "aspectRatio": "4:3"}, "thinkingConfig": {"includeThoughts": true}})
        }
        _ => {
            json!({"imageConfig": {"imageSize": "512", "aspectRatio": "4:3"}, "thinkingConfig": {"includeThoughts": true}})
        }
    }
}

/// Turn 1 and the model's content, as received.
async fn first_turn(f: &FakeGemini, model: &str) -> Value {
    let r = generate(
        f,
        model,
        &json!({"contents": [user("a castle")], "generationConfig": cfg(model)}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["candidates"][0]["content"].clone()
}

fn history_for(model: &str, model_turn: &Value) -> Value {
    json!({"contents": [user("a castle"), model_turn, user("now at night")], "generationConfig": cfg(model)})
}

fn history(model_turn: &Value) -> Value {
    json!({"contents": [user("a castle"), model_turn, user("now at night")], "generationConfig": cfg(FLASH)})
}

#[tokio::test]
async fn three_turns_replayed_verbatim_are_accepted() {
    let f = fake().await;
    let mut contents = vec![user("a castle")];
    for (i, next) in ["now at night", "add a dragon", "make it snow"]
        .iter()
        .enumerate()
    {
        let r = generate(
            &f,
            FLASH,
            &json!({"contents": contents, "generationConfig": cfg(FLASH)}),
        )
        .await;
        assert_eq!(r.status, 200, "turn {i}: {}", r.text);
        contents.push(r.json["candidates"][0]["content"].clone());
        contents.push(user(next));
    }
    let r = generate(
        &f,
        FLASH,
        &json!({"contents": contents, "generationConfig": cfg(FLASH)}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn sdk_style_reencoding_is_accepted() {
    // google-genai decodes bytes and sends them back URL-safe, in snake_case.
    let f = fake().await;
    let mut m = first_turn(&f, FLASH).await;
    for p in m["parts"].as_array_mut().unwrap() {
        if let Some(s) = p.get("thoughtSignature").and_then(Value::as_str) {
            let url = s.replace('+', "-").replace('/', "_");
            p.as_object_mut().unwrap().remove("thoughtSignature");
            p["thought_signature"] = json!(url);
        }
        if let Some(d) = p.pointer("/inlineData/data").and_then(Value::as_str) {
            let url = d.replace('+', "-").replace('/', "_");
            let mime = p["inlineData"]["mimeType"].clone();
            p.as_object_mut().unwrap().remove("inlineData");
            p["inline_data"] = json!({"mime_type": mime, "data": url});
        }
    }
    assert_eq!(generate(&f, FLASH, &history(&m)).await.status, 200);
}

#[tokio::test]
async fn removed_signature_is_refused_with_position() {
    let f = fake().await;
    let m = first_turn(&f, FLASH).await;
    // parts: thought, thought image, thought, thought image, text (5), image (6)
    let mut no_img = m.clone();
    no_img["parts"][5]
        .as_object_mut()
        .unwrap()
        .remove("thoughtSignature");
    let r = generate(&f, FLASH, &history(&no_img)).await;
    assert_eq!(
        error(&r, 400, "INVALID_ARGUMENT"),
        "Image part is missing a thought_signature in content position 2, part position 6."
    );
    let mut no_text = m.clone();
    no_text["parts"][4]
        .as_object_mut()
        .unwrap()
        .remove("thoughtSignature");
    let r = generate(&f, FLASH, &history(&no_text)).await;
    assert_eq!(
        error(&r, 400, "INVALID_ARGUMENT"),
        "Text part is missing a thought_signature in content position 2, part position 5."
    );
    // Dropping the thought parts (allowed) shifts the positions.
    let trimmed = json!({"role": "model", "parts": [m["parts"][4], {"inlineData": m["parts"][5]["inlineData"]}]});
    let r = generate(&f, FLASH, &history(&trimmed)).await;
    assert_eq!(
        error(&r, 400, "INVALID_ARGUMENT"),
        "Image part is missing a thought_signature in content position 2, part position 2."
    );
    let ok = json!({"role": "model", "parts": [m["parts"][4], m["parts"][5]]});
    assert_eq!(generate(&f, FLASH, &history(&ok)).await.status, 200);
}

#[tokio::test]
async fn altered_or_moved_signature_is_refused() {
    let f = fake().await;
    let m = first_turn(&f, PRO).await;
    let sig = m["parts"][5]["thoughtSignature"]
        .as_str()
        .unwrap()
        .to_string();
    let mut altered = m.clone();
    let mut chars: Vec<char> = sig.chars().collect();
    chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
    altered["parts"][5]["thoughtSignature"] = json!(chars.into_iter().collect::<String>());
    let r = generate(&f, PRO, &history_for(PRO, &altered)).await;
    assert_eq!(
        error(&r, 400, "INVALID_ARGUMENT"),
        "Image part has an invalid thought_signature in content position 2, part position 6."
    );
    let mut swapped = m.clone();
    let text_sig = m["parts"][4]["thoughtSignature"].clone();
    swapped["parts"][4]["thoughtSignature"] = json!(sig);
    swapped["parts"][5]["thoughtSignature"] = text_sig;
    let r = generate(&f, PRO, &history_for(PRO, &swapped)).await;
    assert_eq!(
        error(&r, 400, "INVALID_ARGUMENT"),
        "Text part has an invalid thought_signature in content position 2, part position 5."
    );
    let mut edited = m.clone();
    edited["parts"][4]["text"] = json!("I rewrote this answer.");
    let r = generate(&f, PRO, &history_for(PRO, &edited)).await;
    assert!(error(&r, 400, "INVALID_ARGUMENT")
        .starts_with("Text part has an invalid thought_signature"));
    let mut garbage = m.clone();
    garbage["parts"][5]["thoughtSignature"] = json!("!!!");
    error(
        &generate(&f, PRO, &history_for(PRO, &garbage)).await,
        400,
        "INVALID_ARGUMENT",
    );
}

#[tokio::test]
async fn documented_skip_signature_and_gemini_25() {
    let f = fake_with_nb1().await;
    let hand_made = json!({"role": "model", "parts": [{"text": "Here it is.", "thoughtSignature": "skip_thought_signature_validator"}]});
    assert_eq!(generate(&f, FLASH, &history(&hand_made)).await.status, 200);
    // 2.5 issues no signatures and checks none.
    let m = first_turn(&f, NB1).await;
    let body = json!({"contents": [user("a castle"), m, user("now at night")]});
    assert_eq!(generate(&f, NB1, &body).await.status, 200);
}

#[tokio::test]
async fn signatures_survive_a_restart_but_not_another_secret() {
    let f = fake().await;
    let m = first_turn(&f, FLASH).await;
    drop(f);
    let again = fake().await;
    assert_eq!(generate(&again, FLASH, &history(&m)).await.status, 200);
    let other = FakeGemini::start(FakeConfig {
        key: Some(KEY.into()),
        signing_secret: b"other".to_vec(),
        ..Default::default()
    })
    .await
    .unwrap();
    let r = generate(&other, FLASH, &history(&m)).await;
    assert!(error(&r, 400, "INVALID_ARGUMENT").contains("invalid thought_signature"));
}

const FOREIGN: &str = "Unable to submit request because Thought signature is not valid.";

#[tokio::test]
async fn signature_minted_by_another_model_is_refused() {
    let f = fake().await;
    // FLASH and its GA successor NB21 produce identical parts for the same prompt and size; only the
    // signature's model differs, so this isolates the binding.
    let m = first_turn(&f, FLASH).await;
    let body = |model: &str| {
        let mut cfg = cfg(FLASH);
        if model != FLASH {
            cfg["imageConfig"] = json!({"imageSize": "1K", "aspectRatio": "4:3"});
        }
        json!({"contents": [user("a castle"), m, user("now at night")], "generationConfig": cfg})
    };
    assert_eq!(generate(&f, FLASH, &body(FLASH)).await.status, 200);
    for other in [NB21, PRO, LITE] {
        let r = generate(&f, other, &body(other)).await;
        assert_eq!(error(&r, 400, "INVALID_ARGUMENT"), FOREIGN, "{other}");
    }
    // The skip values still pass on any model.
    let hand_made = json!({"role": "model", "parts": [{"text": "Here it is.", "thoughtSignature": "context_engineering_is_the_way_to_go"}]});
    let r = generate(
        &f,
        NB21,
        &json!({"contents": [user("a castle"), hand_made, user("now at night")]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn old_unbound_signatures_are_refused() {
    // BSS1 signatures (before they named the model) are as foreign as another model's.
    let f = fake().await;
    let mut m = first_turn(&f, FLASH).await;
    let mut old = b"BSS1".to_vec();
    old.extend_from_slice(&[42; 32]);
    m["parts"][5]["thoughtSignature"] =
        json!(base64::engine::general_purpose::STANDARD.encode(old));
    let r = generate(&f, FLASH, &history(&m)).await;
    assert_eq!(error(&r, 400, "INVALID_ARGUMENT"), FOREIGN);
}

/// The app's path when Google retires the model a chat was made on: the next turn on the retired id is
/// 404; moved to the successor, the history's signatures are refused; restarted from the last image as
/// a reference (a user turn), the successor answers.
#[tokio::test]
async fn chat_on_a_model_that_is_then_retired() {
    let f = fake_with(Catalogue::google()).await;
    let cfg = json!({"imageConfig": {"imageSize": "1K", "aspectRatio": "4:3"}});
    let r = generate(
        &f,
        NB21,
        &json!({"contents": [user("a castle")], "generationConfig": cfg}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let turn = r.json["candidates"][0]["content"].clone();
    f.update_catalogue(|c| {
        c.clone_model(NB21, "gemini-nano-banana-2.2")?.display_name = "Nano Banana 2.2".into();
        c.retire(NB21).map(|_| ())
    })
    .unwrap();
    let history = json!({"contents": [user("a castle"), turn, user("now at night")], "generationConfig": cfg});
    let r = generate(&f, NB21, &history).await;
    assert!(error(&r, 404, "NOT_FOUND").starts_with(&format!("models/{NB21} is not found")));
    let r = generate(&f, "gemini-nano-banana-2.2", &history).await;
    assert_eq!(error(&r, 400, "INVALID_ARGUMENT"), FOREIGN);
    let last_image = turn_image(&turn);
    let restart = json!({"contents": [{"role": "user", "parts": [
        {"text": "now at night"}, {"inlineData": {"mimeType": "image/png", "data": last_image}}]}],
        "generationConfig": cfg});
    let r = generate(&f, "gemini-nano-banana-2.2", &restart).await;
    assert_eq!(r.status, 200, "{}", &r.text[..r.text.len().min(300)]);
    assert_eq!(r.json["modelVersion"], "gemini-nano-banana-2.2");
}

fn turn_image(turn: &Value) -> String {
    turn["parts"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find_map(|p| p.pointer("/inlineData/data").and_then(Value::as_str))
        .unwrap()
        .to_string()
}
