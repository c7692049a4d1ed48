//! Chats: history replayed byte-exact with thought signatures, branching, failed turns kept out.

mod common;

use common::*;
use serde_json::Value;
use studio_core::{GenerateParams, GenerateRequest};

fn contents(r: &gemini_fake::RecordedRequest) -> Vec<Value> {
    r.json.as_ref().unwrap()["contents"]
        .as_array()
        .unwrap()
        .clone()
}

/// The raw bytes of `contents[i]` as they were sent (not re-serialized by the test).
fn raw_content(r: &gemini_fake::RecordedRequest, i: usize) -> String {
    let v: serde_json::Map<String, Value> = serde_json::from_slice(&r.body).unwrap();
    let raw: Vec<Box<serde_json::value::RawValue>> =
        serde_json::from_str(&v["contents"].to_string()).unwrap();
    raw[i].get().to_string()
}

#[tokio::test]
async fn four_turn_chat_replays_every_model_turn_with_signatures_unchanged() {
    let e = env().await;
    let p = GenerateParams {
        include_thoughts: true,
        ..Default::default()
    };
    let first = e
        .studio
        .generate(req_with("a banana astronaut", p.clone()), |_| {})
        .await
        .unwrap();
    let chat_id = first.chat_id.clone();
    let mut turn_ids = vec![first.turn_id.clone()];
    for prompt in ["make it night", "add a moon", "now in watercolour"] {
        let r = e
            .studio
            .generate(
                GenerateRequest {
                    chat_id: Some(chat_id.clone()),
                    prompt: prompt.into(),
                    params: p.clone(),
                    ..Default::default()
                },
                |_| {},
            )
            .await
            .unwrap();
        assert_eq!(r.chat_id, chat_id);
        turn_ids.push(r.turn_id);
    }
    let sent = generate_requests(&e.fake);
    assert_eq!(sent.len(), 4);
    let last = contents(&sent[3]);
    assert_eq!(last.len(), 7, "u m u m u m u");
    let roles: Vec<&str> = last.iter().map(|c| c["role"].as_str().unwrap()).collect();
    assert_eq!(
        roles,
        ["user", "model", "user", "model", "user", "model", "user"]
    );
    // Each model turn is sent identically in every later request (byte-exact).
    for (k, req) in sent.iter().enumerate().skip(1) {
        for m in (1..2 * k).step_by(2) {
            assert_eq!(
                raw_content(req, m),
                raw_content(&sent[3], m),
                "request {k} content {m}"
            );
        }
    }
    // Signed parts carry their signatures; thought parts carry none; the images are there.
    for m in [1, 3, 5] {
        let parts = last[m]["parts"].as_array().unwrap();
        let images: Vec<&Value> = parts
            .iter()
            .filter(|p| p.get("inlineData").is_some() && p.get("thought").is_none())
            .collect();
        assert!(!images.is_empty());
        for img in images {
            assert!(
                img["thoughtSignature"]
                    .as_str()
                    .is_some_and(|s| !s.is_empty()),
                "{img}"
            );
        }
        for t in parts.iter().filter(|p| p["thought"] == true) {
            assert!(t.get("thoughtSignature").is_none());
        }
    }
    let chat = e.studio.chats().show(&chat_id).unwrap();
    assert_eq!(
        chat.turns.iter().map(|t| t.id.clone()).collect::<Vec<_>>(),
        turn_ids
    );
    for w in chat.turns.windows(2) {
        assert_eq!(w[1].parent_turn_id.as_deref(), Some(w[0].id.as_str()));
    }
    assert_eq!(
        chat.chat.head_turn_id.as_deref(),
        turn_ids.last().map(|s| s.as_str())
    );
}

#[tokio::test]
async fn branching_from_an_earlier_turn() {
    let e = env().await;
    let t1 = e.studio.generate(req("a red car"), |_| {}).await.unwrap();
    let chat = t1.chat_id.clone();
    let cont = |prompt: &str, parent: Option<&str>| GenerateRequest {
        chat_id: Some(chat.clone()),
        parent_turn_id: parent.map(str::to_string),
        prompt: prompt.into(),
        ..Default::default()
    };
    let t2 = e
        .studio
        .generate(cont("make it blue", None), |_| {})
        .await
        .unwrap();
    let t3 = e
        .studio
        .generate(cont("add rain", None), |_| {})
        .await
        .unwrap();
    let b = e
        .studio
        .generate(cont("make it green instead", Some(&t1.turn_id)), |_| {})
        .await
        .unwrap();
    let sent = generate_requests(&e.fake);
    let branch = contents(&sent[3]);
    assert_eq!(branch.len(), 3, "only turn 1 and the new prompt");
    assert_eq!(branch[2]["parts"][0]["text"], "make it green instead");
    assert_eq!(raw_content(&sent[3], 1), raw_content(&sent[1], 1));
    let show = e.studio.chats().show(&chat).unwrap();
    assert_eq!(show.turns.len(), 4);
    let bt = show.turns.iter().find(|t| t.id == b.turn_id).unwrap();
    assert_eq!(bt.parent_turn_id.as_deref(), Some(t1.turn_id.as_str()));
    let t3v = show.turns.iter().find(|t| t.id == t3.turn_id).unwrap();
    assert_eq!(t3v.parent_turn_id.as_deref(), Some(t2.turn_id.as_str()));
    // Continuing the branch follows it.
    e.studio
        .generate(cont("and a dog", Some(&b.turn_id)), |_| {})
        .await
        .unwrap();
    let sent = generate_requests(&e.fake);
    let c = contents(&sent[4]);
    assert_eq!(c.len(), 5);
    assert_eq!(c[2]["parts"][0]["text"], "make it green instead");
    // A turn of another chat is refused.
    let other = e.studio.generate(req("other"), |_| {}).await.unwrap();
    let err = e
        .studio
        .generate(cont("x", Some(&other.turn_id)), |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "not_found");
}

#[tokio::test]
async fn failed_turns_never_enter_history() {
    let e = env().await;
    let t1 = e.studio.generate(req("a cat"), |_| {}).await.unwrap();
    let cont = |prompt: &str| GenerateRequest {
        chat_id: Some(t1.chat_id.clone()),
        prompt: prompt.into(),
        ..Default::default()
    };
    assert!(e
        .studio
        .generate(cont("bad [fake:block]"), |_| {})
        .await
        .is_err());
    assert!(e
        .studio
        .generate(cont("x [fake:image_safety]"), |_| {})
        .await
        .is_err());
    e.studio.generate(cont("with a hat"), |_| {}).await.unwrap();
    let sent = generate_requests(&e.fake);
    let last = contents(sent.last().unwrap());
    assert_eq!(
        last.len(),
        3,
        "u m u: the failed attempts are not in the history"
    );
    assert_eq!(e.studio.chats().show(&t1.chat_id).unwrap().turns.len(), 2);
}

#[tokio::test]
async fn chat_resumes_with_references_after_the_original_moved_and_a_restart() {
    let e = env().await;
    let src = e.dir.path().join("me.png");
    std::fs::write(&src, png(80, 60, 7)).unwrap();
    let info = e.studio.import_reference_file(&src).await.unwrap();
    std::fs::remove_file(&src).unwrap();
    let first = e
        .studio
        .generate(
            GenerateRequest {
                prompt: "me as a banana".into(),
                reference_hashes: vec![info.hash.clone()],
                ..Default::default()
            },
            |_| {},
        )
        .await
        .unwrap();
    drop(e.studio);
    let studio = open(e.dir.path(), &e.fake.base_url());
    studio
        .generate(
            GenerateRequest {
                chat_id: Some(first.chat_id.clone()),
                prompt: "smile".into(),
                ..Default::default()
            },
            |_| {},
        )
        .await
        .unwrap();
    let sent = generate_requests(&e.fake);
    assert_eq!(
        raw_content(&sent[1], 0),
        raw_content(&sent[0], 0),
        "the user turn with its reference replays identically"
    );
}

#[tokio::test]
async fn a_4k_chat_continues_through_the_files_api() {
    // Google's limit is 100 MB; at the old 20 MB a 4K image (~22 MB of base64) takes the Files API path.
    let mut e = env().await;
    e.studio = open_limited(e.dir.path(), &e.fake.base_url(), Some(20_000_000));
    let p = GenerateParams {
        image_size: Some("4K".into()),
        aspect_ratio: Some("1:1".into()),
        ..Default::default()
    };
    let t1 = e
        .studio
        .generate(req_with("a huge banana", p), |_| {})
        .await
        .unwrap();
    assert_eq!((t1.images[0].width, t1.images[0].height), (4096, 4096));
    let cont = |prompt: &str| GenerateRequest {
        chat_id: Some(t1.chat_id.clone()),
        prompt: prompt.into(),
        ..Default::default()
    };
    e.studio
        .generate(cont("make it small"), |_| {})
        .await
        .unwrap();
    e.studio.generate(cont("and yellow"), |_| {}).await.unwrap();
    let sent = generate_requests(&e.fake);
    let c = contents(&sent[1]);
    let parts = c[1]["parts"].as_array().unwrap();
    let moved: Vec<&Value> = parts
        .iter()
        .filter(|p| p.get("fileData").is_some())
        .collect();
    assert_eq!(moved.len(), 1, "the 4K image went through the Files API");
    assert!(
        moved[0]["thoughtSignature"].is_string(),
        "its signature stays on the part"
    );
    assert!(parts
        .iter()
        .all(|p| p.get("inlineData").is_none() || p["thought"] == true));
    let uploads = e
        .fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/upload/"))
        .count();
    assert!(uploads >= 1);
    let starts = e
        .fake
        .requests()
        .iter()
        .filter(|r| {
            r.path.starts_with("/upload/") && r.header("x-goog-upload-command") == Some("start")
        })
        .count();
    assert_eq!(starts, 1, "the upload is reused on the next turn");
}

#[tokio::test]
async fn deleting_a_gallery_image_keeps_its_chat_continuable() {
    let e = env().await;
    let t1 = e.studio.generate(req("a kite"), |_| {}).await.unwrap();
    e.studio.gallery().delete(&t1.images[0].id).unwrap();
    assert!(!std::path::Path::new(&t1.images[0].path).exists());
    let cont = GenerateRequest {
        chat_id: Some(t1.chat_id.clone()),
        prompt: "make it red".into(),
        ..Default::default()
    };
    e.studio.generate(cont, |_| {}).await.unwrap();
    let sent = generate_requests(&e.fake);
    assert_eq!(
        raw_content(&sent[1], 1),
        serde_json::to_string(&contents(&sent[1])[1]).unwrap()
    );
    let model = &contents(&sent[1])[1];
    assert!(model["parts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["inlineData"]["data"]
            .as_str()
            .is_some_and(|d| d.len() > 100)));
}

#[tokio::test]
async fn branching_from_the_start_sends_no_history_and_keeps_both_roots() {
    let e = env().await;
    let t1 = e.studio.generate(req("a red car"), |_| {}).await.unwrap();
    let chat = t1.chat_id.clone();
    let _t2 = e
        .studio
        .generate(GenerateRequest { chat_id: Some(chat.clone()), prompt: "make it blue".into(), ..Default::default() }, |_| {})
        .await
        .unwrap();
    // Editing the first turn's prompt: a second first turn in the same chat, sent alone.
    let root2 = e
        .studio
        .generate(
            GenerateRequest { chat_id: Some(chat.clone()), from_start: true, prompt: "a red bicycle".into(), ..Default::default() },
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(root2.chat_id, chat, "the branch stays in its chat");
    let sent = generate_requests(&e.fake);
    let c = contents(&sent[2]);
    assert_eq!(c.len(), 1, "no history before a new first turn");
    assert_eq!(c[0]["parts"][0]["text"], "a red bicycle");
    let show = e.studio.chats().show(&chat).unwrap();
    let roots: Vec<_> = show.turns.iter().filter(|t| t.parent_turn_id.is_none()).map(|t| t.id.clone()).collect();
    assert_eq!(roots, vec![t1.turn_id.clone(), root2.turn_id.clone()]);
    assert_eq!(show.chat.head_turn_id.as_deref(), Some(root2.turn_id.as_str()));
    // Continuing now follows the new branch, not the old one.
    e.studio
        .generate(GenerateRequest { chat_id: Some(chat.clone()), prompt: "with a basket".into(), ..Default::default() }, |_| {})
        .await
        .unwrap();
    let sent = generate_requests(&e.fake);
    let c = contents(&sent[3]);
    assert_eq!(c.len(), 3);
    assert_eq!(c[0]["parts"][0]["text"], "a red bicycle");
    assert_ne!(c[1], contents(&sent[1])[1], "the old branch's model turn is not replayed");
    // Refused before anything is sent: both kinds of branch at once, or a branch with no chat.
    let both = GenerateRequest {
        chat_id: Some(chat.clone()),
        parent_turn_id: Some(t1.turn_id.clone()),
        from_start: true,
        prompt: "x".into(),
        ..Default::default()
    };
    assert!(matches!(e.studio.generate(both, |_| {}).await, Err(studio_core::Error::InvalidParams(_))));
    let orphan = GenerateRequest { from_start: true, prompt: "x".into(), ..Default::default() };
    assert!(matches!(e.studio.generate(orphan, |_| {}).await, Err(studio_core::Error::InvalidParams(_))));
    assert_eq!(generate_requests(&e.fake).len(), 4, "refused requests never reach the API");
}
