//! The live model catalogue against the fake serving today's Google line-up (issue 13): a fresh key
//! generates with the default on the first try, retired ids move to their successors, a model Google "just
//! shipped" is offered without a code change, a 404 names the successor, and a chat whose model is gone
//! continues on the successor from its last image.

mod common;

use common::*;
use studio_core::{Availability, CatalogueSource, GenerationEvent, ModelStatus};

#[tokio::test]
async fn a_fresh_key_generates_with_the_default_on_the_first_try() {
    let e = env().await;
    let c = e.studio.refresh_catalogue(false).await.unwrap();
    assert_eq!(c.source, CatalogueSource::Live);
    assert_eq!(c.models[0].id, "gemini-nano-banana-2.1");
    assert!(c.models[0].is_default);
    let b = c.models.iter().find(|m| m.id == "gemini-2.5-flash-image").unwrap();
    assert_eq!(b.availability, Availability::Unavailable, "restricted for new keys");
    let r = e.studio.generate(req("a nano banana"), |_| {}).await.unwrap();
    assert_eq!(r.images.len(), 1);
    let sent = generate_requests(&e.fake);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].path.contains("/models/gemini-nano-banana-2.1:"), "{}", sent[0].path);
    // The restricted model is refused before anything is sent, naming what to use.
    let err = e
        .studio
        .generate(req_with("x", params("gemini-2.5-flash-image")), |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "model_unavailable");
    assert_eq!(generate_requests(&e.fake).len(), 1);
}

#[tokio::test]
async fn the_list_is_cached_per_key_and_refreshed_on_demand() {
    let e = env().await;
    e.studio.refresh_catalogue(false).await.unwrap();
    let lists = |f: &gemini_fake::FakeGemini| {
        f.requests().iter().filter(|r| r.path.starts_with("/v1beta/models?")).count()
    };
    assert_eq!(lists(&e.fake), 1);
    e.studio.refresh_catalogue(false).await.unwrap();
    assert_eq!(lists(&e.fake), 1, "a list read within a day is reused");
    // A studio opened later on the same data dir starts from the cached list, with no request.
    let again = open(e.dir.path(), &e.fake.base_url());
    assert_eq!(again.catalogue().source, CatalogueSource::Live);
    assert_eq!(lists(&e.fake), 1);
    again.refresh_catalogue(true).await.unwrap();
    assert_eq!(lists(&e.fake), 2, "forced");
}

#[tokio::test]
async fn offline_the_bundled_file_serves_alone_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 9 (discard) on loopback: the list cannot be read.
    let s = open(dir.path(), "http://127.0.0.1:9");
    let c = s.refresh_catalogue(true).await.unwrap();
    assert_eq!(c.source, CatalogueSource::Bundled);
    assert!(c.note.contains("Could not read Google's model list"), "{}", c.note);
    assert!(c.note.contains(&c.data_as_of));
    assert!(c.models.iter().all(|m| m.availability == Availability::Unchecked));
}

#[tokio::test]
async fn retired_ids_in_old_drafts_move_to_their_successors_with_a_notice() {
    let e = env().await;
    e.studio.refresh_catalogue(false).await.unwrap();
    let mut p = params("gemini-3.1-flash-image-preview");
    p.image_size = Some("2K".into());
    let mut notices = Vec::new();
    let r = e
        .studio
        .generate(req_with("old draft", p), |ev| {
            if let GenerationEvent::Notice { message } = ev {
                notices.push(message);
            }
        })
        .await
        .unwrap();
    assert_eq!(r.images[0].width, 2048);
    assert_eq!(notices.len(), 1);
    assert!(notices[0].starts_with("Google retired gemini-3.1-flash-image-preview on 2026-06-25; Nano Banana 2.1"));
    assert!(r.notices.iter().any(|n| n == &notices[0]));
    let sent = generate_requests(&e.fake);
    assert!(sent[0].path.contains("/models/gemini-nano-banana-2.1:"));
    // The gallery keeps the model the image was really made with.
    let d = e.studio.gallery().get(&r.images[0].id).unwrap();
    assert_eq!(d.summary.model, "gemini-nano-banana-2.1");
}

#[tokio::test]
async fn a_model_google_just_shipped_is_offered_and_works() {
    let e = env().await;
    e.fake.update_catalogue(|c| {
        let spec = c.get("gemini-nano-banana-2.1").unwrap().renamed("gemini-nano-banana-2.2");
        c.add(spec).unwrap();
    });
    let c = e.studio.refresh_catalogue(true).await.unwrap();
    let m = c.models.iter().find(|m| m.id == "gemini-nano-banana-2.2").unwrap();
    assert_eq!(m.status, ModelStatus::New);
    assert_eq!(m.availability, Availability::Available);
    let mut p = params("gemini-nano-banana-2.2");
    p.aspect_ratio = Some("16:9".into());
    let r = e.studio.generate(req_with("new model", p), |_| {}).await.unwrap();
    assert_eq!((r.images[0].width, r.images[0].height), (1376, 768));
}

#[tokio::test]
async fn a_404_says_google_retired_the_model_and_names_its_successor() {
    let e = env().await;
    e.studio.refresh_catalogue(false).await.unwrap();
    // Google retires 3.1 Flash after the list was read.
    e.fake.update_catalogue(|c| {
        c.retire("gemini-3.1-flash-image").unwrap();
    });
    let err = e
        .studio
        .generate(req_with("x", params("gemini-3.1-flash-image")), |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "model_retired");
    assert_eq!(
        err.to_string(),
        "Google has retired gemini-3.1-flash-image; Nano Banana 2.1 (gemini-nano-banana-2.1) replaces it: switch to it and try again"
    );
    // From now on the id resolves to the successor.
    let c = e.studio.catalogue();
    assert!(c.retired.iter().any(|r| r.id == "gemini-3.1-flash-image"));
    let r = e.studio.generate(req_with("y", params("gemini-3.1-flash-image")), |_| {}).await.unwrap();
    assert_eq!(r.images.len(), 1);
}

#[tokio::test]
async fn a_chat_on_a_retired_model_continues_on_its_successor_from_the_last_image() {
    let e = env().await;
    e.studio.refresh_catalogue(false).await.unwrap();
    let first = e
        .studio
        .generate(req_with("a red bicycle", params("gemini-3.1-flash-image")), |_| {})
        .await
        .unwrap();
    e.fake.update_catalogue(|c| {
        c.retire("gemini-3.1-flash-image").unwrap();
    });
    e.studio.refresh_catalogue(true).await.unwrap();
    let mut next = req_with("make it blue", params("gemini-3.1-flash-image"));
    next.chat_id = Some(first.chat_id.clone());
    let mut notices = Vec::new();
    let r = e
        .studio
        .generate(next, |ev| {
            if let GenerationEvent::Notice { message } = ev {
                notices.push(message);
            }
        })
        .await
        .unwrap();
    assert_eq!(r.chat_id, first.chat_id);
    // The successor refused the old model's thought signatures; the turn restarted from the last image.
    let sent = generate_requests(&e.fake);
    let last = sent.last().unwrap().json.clone().unwrap();
    assert!(sent.last().unwrap().path.contains("gemini-nano-banana-2.1"));
    let contents = last["contents"].as_array().unwrap();
    assert_eq!(contents.len(), 1, "no old history: {last}");
    let parts = contents[0]["parts"].as_array().unwrap();
    assert_eq!(parts[0]["text"], "make it blue");
    assert!(parts[1].get("inlineData").is_some(), "the previous image goes as a reference");
    assert!(notices.iter().any(|n| n.contains("from the last image")), "{notices:?}");
    let chat = e.studio.chats().show(&first.chat_id).unwrap();
    let turn = chat.turns.iter().find(|t| t.id == r.turn_id).unwrap();
    assert_eq!(turn.parent_turn_id.as_deref(), Some(first.turn_id.as_str()));
    assert!(turn.context_note.as_deref().unwrap().contains("Nano Banana 2.1"));
    // And the chat goes on normally from there: history starts at the restarted turn.
    let mut third = req_with("add a bell", params("gemini-nano-banana-2.1"));
    third.chat_id = Some(first.chat_id.clone());
    e.studio.generate(third, |_| {}).await.unwrap();
    let sent = generate_requests(&e.fake);
    let body = sent.last().unwrap().json.clone().unwrap();
    assert_eq!(body["contents"].as_array().unwrap().len(), 3, "restarted turn + new user turn");
}
