//! Byte-exact replay of model turns: signatures, image data and unknown fields go back exactly as they
//! came, across three turns with the fake checking every signature; a tampered or removed signature is
//! refused with the API's message naming its place.

mod common;

use common::*;
use gemini::{Content, Error, GenerateContentRequest, Outcome, Part};
use serde_json::{json, Value};

#[test]
fn captured_response_with_unknown_fields_replays_value_for_value_and_byte_for_byte() {
    // A captured answer with fields this crate does not model, at every level of the content.
    let captured = json!({
        "candidates": [{
            "content": {
                "role": "model",
                "parts": [
                    {"text": "**Planning**", "thought": true, "partMetadata": {"x": 1}},
                    {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo=", "displayName": "draft"}, "thought": true},
                    {"text": "Here you go.", "thoughtSignature": "CiQBcsjafR+/sig==", "videoMetadata": {"fps": 2.5}},
                    {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgoAAAANSUhEUg=="}, "thoughtSignature": "Cr8CAcsjaf//+zz="}
                ],
                "newContentField": [1, "two", {"three": null}]
            },
            "finishReason": "STOP",
            "avgLogprobs": -0.4287654321,
            "index": 0
        }],
        "usageMetadata": {"totalTokenCount": 10},
        "modelVersion": "gemini-3.1-flash-image",
        "responseId": "abc",
        "sdkHttpResponse": {"headers": {}}
    });
    let body = serde_json::to_vec(&captured).unwrap();
    let resp = gemini::parse_response(&body).unwrap();
    let content = resp.content().unwrap().clone();

    // Stored (as studio-core does) and reloaded.
    let stored = content.to_json();
    let reloaded = Content::from_json(&stored).unwrap();
    assert_eq!(reloaded, content);

    let mut req = GenerateContentRequest::new([Part::text("a banana")]);
    req.contents.push(reloaded);
    req.contents
        .push(Content::user([Part::text("now make it blue")]));
    let wire = serde_json::to_string(&req).unwrap();
    let sent: Value = serde_json::from_str(&wire).unwrap();
    assert_eq!(
        sent["contents"][1], captured["candidates"][0]["content"],
        "value for value"
    );
    assert!(
        wire.contains(&stored),
        "the stored bytes are exactly the bytes sent"
    );
    assert_eq!(
        Content::from_json(&stored).unwrap().to_json(),
        stored,
        "stable across store/reload cycles"
    );
}

#[tokio::test]
async fn three_turns_with_signatures_are_accepted_and_sent_back_untouched() {
    let fake = fake().await;
    let client = client_for(&fake);
    let mut history = vec![Content::user([Part::text("a banana on a plate")])];
    let mut stored_turns = Vec::new();
    for (turn, follow_up) in ["make it blue", "add a second banana", "final touch"]
        .iter()
        .enumerate()
    {
        let req = GenerateContentRequest {
            contents: history.clone(),
            ..thinking_request("")
        };
        let resp = if turn % 2 == 0 {
            client
                .generate_content(FLASH, &req, &no_retry_cb())
                .await
                .unwrap()
        } else {
            client
                .stream_generate_content(FLASH, &req, &mut |_| {})
                .await
                .unwrap()
        };
        assert_eq!(resp.outcome(), Outcome::Image, "turn {turn}");
        let content = resp.content().unwrap();
        assert!(content.parts.iter().any(|p| p.thought_signature.is_some()));
        // Round trip through storage, as the app does between turns.
        let stored = content.to_json();
        history.push(Content::from_json(&stored).unwrap());
        stored_turns.push(serde_json::to_value(content).unwrap());
        history.push(Content::user([Part::text(*follow_up)]));
    }
    // The last request carried all three earlier model turns value for value.
    let last = fake.requests().last().unwrap().json.clone().unwrap();
    let contents = last["contents"].as_array().unwrap();
    assert_eq!(contents.len(), 5);
    assert_eq!(contents[1], stored_turns[0]);
    assert_eq!(contents[3], stored_turns[1]);
    // And the third turn's answer is replayable too.
    let req = GenerateContentRequest {
        contents: history,
        ..thinking_request("")
    };
    assert_eq!(
        client
            .generate_content(FLASH, &req, &no_retry_cb())
            .await
            .unwrap()
            .outcome(),
        Outcome::Image
    );
}

#[tokio::test]
async fn tampered_or_missing_signatures_are_refused_with_the_place() {
    let fake = fake().await;
    let client = client_for(&fake);
    let first = client
        .generate_content(FLASH, &thinking_request("a banana"), &no_retry_cb())
        .await
        .unwrap();
    let model_turn = first.content().unwrap().clone();
    let (idx, _) = model_turn
        .parts
        .iter()
        .enumerate()
        .rev()
        .find(|(_, p)| p.is_image() && !p.is_thought())
        .unwrap();

    let replay = |turn: Content| GenerateContentRequest {
        contents: vec![
            Content::user([Part::text("a banana")]),
            turn,
            Content::user([Part::text("again")]),
        ],
        ..thinking_request("")
    };

    let mut tampered = model_turn.clone();
    let sig = tampered.parts[idx].thought_signature.as_mut().unwrap();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    sig.replace_range(0..1, flipped);
    let err = client
        .generate_content(FLASH, &replay(tampered), &no_retry_cb())
        .await
        .unwrap_err();
    let Error::InvalidArgument { message } = err else {
        panic!("{err:?}")
    };
    assert!(
        message.contains("thought_signature") && message.contains("content position 2"),
        "{message}"
    );

    let mut stripped = model_turn.clone();
    stripped.parts[idx].thought_signature = None;
    let err = client
        .generate_content(FLASH, &replay(stripped), &no_retry_cb())
        .await
        .unwrap_err();
    let Error::InvalidArgument { message } = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        message,
        format!(
            "Image part is missing a thought_signature in content position 2, part position {}.",
            idx + 1
        )
    );

    // Untouched, it is accepted.
    assert!(client
        .generate_content(FLASH, &replay(model_turn), &no_retry_cb())
        .await
        .is_ok());
}
