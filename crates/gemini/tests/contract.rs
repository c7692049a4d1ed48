//! The wire contract (`/work/shared/gemini-api.md`): its JSON examples, copied to `tests/fixtures/`, go
//! through the client's types (parse, re-serialize, value-equal) and through the fake (accepted), so
//! client, fake and document agree.

mod common;

use base64::Engine as _;
use common::*;
use gemini::{Error, GenerateContentRequest, Outcome};
use serde_json::Value;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// snake_case keys to camelCase: the REST API takes both, the client writes camelCase.
fn camel(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let mut out = String::new();
                    let mut up = false;
                    for c in k.chars() {
                        if c == '_' {
                            up = true;
                        } else if up {
                            out.extend(c.to_uppercase());
                            up = false;
                        } else {
                            out.push(c);
                        }
                    }
                    (out, camel(v))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(camel).collect()),
        other => other.clone(),
    }
}

fn through_types(raw: &str) -> GenerateContentRequest {
    let req: GenerateContentRequest = serde_json::from_str(raw).unwrap();
    let original: Value = serde_json::from_str(raw).unwrap();
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        camel(&original),
        "parse + re-serialize is value-equal"
    );
    req
}

#[tokio::test]
async fn request_fixtures_round_trip_and_are_accepted_by_the_fake() {
    let fake = fake_with_flash_25().await;
    let client = client_for(&fake);
    let jpeg_ish = base64::engine::general_purpose::STANDARD.encode(png(64, 36));
    let file = client
        .upload_file(png(96, 64), "image/png", "contract")
        .await
        .unwrap();

    let cases = [
        (
            FLASH,
            fixture("request_doc_example.json")
                .replace("<BASE64>", &jpeg_ish)
                .replace("image/jpeg", "image/png"),
        ),
        (FLASH, fixture("request_web_search.json")),
        (PRO, fixture("request_web_search.json")),
        (
            FLASH,
            fixture("request_file_data.json").replace("<FILE_URI>", &file.uri),
        ),
        (FLASH_25, fixture("request_flash25.json")),
    ];
    for (model, raw) in cases {
        let req = through_types(&raw);
        let resp = client
            .generate_content(model, &req, &no_retry_cb())
            .await
            .unwrap_or_else(|e| panic!("{model}: {e}"));
        assert_eq!(resp.outcome(), Outcome::Image, "{model}");
        // What went over the wire is the fixture, in camelCase.
        let sent = fake.requests().last().unwrap().json.clone().unwrap();
        assert_eq!(sent, camel(&serde_json::from_str(&raw).unwrap()));
    }
}

#[test]
fn doc_example_with_jpeg_mime_parses_typed() {
    let req = through_types(&fixture("request_doc_example.json"));
    let part = &req.contents[0].parts[1];
    assert_eq!(part.inline_data.as_ref().unwrap().mime_type, "image/jpeg");
    let search = req.tools.unwrap()[0]
        .google_search
        .clone()
        .unwrap()
        .search_types
        .unwrap();
    assert!(search.web_search.is_some() && search.image_search.is_some());
    let gc = req.generation_config.unwrap();
    assert_eq!(gc.image_config.unwrap().image_size.as_deref(), Some("2K"));
    assert_eq!(gc.thinking_config.unwrap().include_thoughts, Some(true));
}

#[test]
fn response_fixtures_parse_and_reserialize_value_equal() {
    for name in ["response_doc_example.json", "response_blocked.json"] {
        let raw = fixture(name);
        let resp = gemini::parse_response(raw.as_bytes()).unwrap();
        assert_eq!(
            serde_json::to_value(&resp).unwrap(),
            serde_json::from_str::<Value>(&raw).unwrap(),
            "{name}"
        );
    }
    let doc = gemini::parse_response(fixture("response_doc_example.json").as_bytes()).unwrap();
    assert_eq!(
        doc.content()
            .unwrap()
            .parts
            .iter()
            .filter(|p| p.thought_signature.is_some())
            .count(),
        2
    );
    let blocked = gemini::parse_response(fixture("response_blocked.json").as_bytes()).unwrap();
    assert!(matches!(blocked.outcome(), Outcome::Blocked { .. }));
}

#[test]
fn error_fixtures_map_to_actionable_errors() {
    let e = |name: &str, status: u16| Error::from_http(status, fixture(name).as_bytes());
    assert_eq!(e("error_bad_key.json", 400), Error::InvalidKey);
    assert!(matches!(e("error_quota_per_minute.json", 429),
        Error::Quota { per_day: false, retry_after: Some(d), .. } if d.as_secs() == 26));
    assert!(matches!(
        e("error_quota_per_day.json", 429),
        Error::Quota {
            per_day: true,
            retry_after: None,
            ..
        }
    ));
    assert_eq!(e("error_overloaded.json", 503), Error::Overloaded);
}

#[test]
fn stream_fixture_folds_into_one_response() {
    let raw = fixture("stream_doc_example.sse");
    let mut folder = gemini::stream::StreamFolder::new();
    for ev in gemini::sse::parse_all(raw.as_bytes()) {
        folder.push_event(&ev.data, &mut |_| {}).unwrap();
    }
    let resp = folder.finish().unwrap();
    let parts = &resp.content().unwrap().parts;
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].text.as_deref(), Some("Here is the image."));
    assert_eq!(parts[0].thought_signature.as_deref(), Some("c2ln"));
    assert_eq!(parts[1].thought_signature.as_deref(), Some("c2lnMg=="));
}
