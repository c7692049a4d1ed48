//! Issue #9: the true outcome of a cancelled generation. Cancelling is cooperative: before the save begins
//! it stops everything and nothing is saved; once the save has begun it completes, and the result says so.
//! Also the bound on interim thought images a variation keeps.

mod common;

use std::time::Duration;

use common::*;
use gemini_fake::Fault;
use studio_core::{CancelToken, Error, GalleryQuery, GenerateParams, GenerationEvent};

#[tokio::test]
async fn a_cancel_during_the_save_still_saves_and_says_so() {
    let e = env().await;
    let cancel = CancelToken::new();
    let mut events = Vec::new();
    let result = e
        .studio
        .generate_cancellable(req("a cat on a boat"), &cancel, |ev| {
            // The save has begun: the user presses Cancel now.
            if ev == GenerationEvent::Saving {
                cancel.cancel();
            }
            events.push(ev);
        })
        .await
        .expect("saved despite the cancel");
    assert!(
        result.cancel_too_late,
        "the result says the cancel came too late"
    );
    assert_eq!(result.images.len(), 1);
    assert!(std::path::Path::new(&result.images[0].path).exists());
    assert_eq!(
        e.studio.gallery().count(&GalleryQuery::default()).unwrap(),
        1
    );
    assert_eq!(e.studio.chats().list(10, 0).unwrap().len(), 1);
    assert!(matches!(
        events.last(),
        Some(GenerationEvent::Done { images: 1, .. })
    ));
}

#[tokio::test]
async fn a_cancel_before_the_save_saves_nothing() {
    let e = env().await;
    // The answer takes 30 s to come; the cancel comes once the request is out.
    e.fake.push_fault(Fault::Slow(Duration::from_secs(30)));
    let cancel = CancelToken::new();
    let mut events = Vec::new();
    let generating = e
        .studio
        .generate_cancellable(req("a slow cat"), &cancel, |ev| events.push(ev));
    // Cancel once the fake has the request (bounded wait: 10 s at most).
    let cancelling = async {
        for _ in 0..1000 {
            if !generate_requests(&e.fake).is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        cancel.cancel();
    };
    let (outcome, ()) = tokio::join!(generating, cancelling);
    let err = outcome.unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert_eq!(err.kind(), "cancelled");
    assert!(err.to_string().contains("nothing was saved"), "{err}");
    assert!(!events.contains(&GenerationEvent::Saving));
    assert_eq!(generate_requests(&e.fake).len(), 1, "the request was sent");
    assert_eq!(
        e.studio.gallery().count(&GalleryQuery::default()).unwrap(),
        0
    );
    assert!(e.studio.chats().list(10, 0).unwrap().is_empty());
    assert!(files_in(&e.dir.path().join("images")).is_empty());
    assert!(files_in(&e.dir.path().join("blobs")).is_empty());
    // The studio is fine afterwards, and a fresh token is not cancelled.
    let r = e
        .studio
        .generate_cancellable(req("a quick cat"), &CancelToken::new(), |_| {})
        .await
        .unwrap();
    assert!(!r.cancel_too_late);
}

#[tokio::test]
async fn a_flood_of_thought_images_keeps_the_first_few_and_says_so_once() {
    let e = env().await;
    e.fake.push_fault(Fault::ThoughtImageFlood { images: 300 });
    let p = GenerateParams {
        include_thoughts: true,
        ..Default::default()
    };
    let mut shown = 0usize;
    let mut notices = Vec::new();
    let r = e
        .studio
        .generate(req_with("an infographic", p), |ev| match ev {
            GenerationEvent::ThoughtImage { .. } => shown += 1,
            GenerationEvent::Notice { message } => notices.push(message),
            _ => {}
        })
        .await
        .unwrap();
    let max = studio_core::generate::MAX_THOUGHT_IMAGES;
    assert_eq!(shown, max);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("dropped"), "{}", notices[0]);
    assert_eq!(r.notices, notices, "the result repeats the notice");
    let thought_files = |dir: &str| {
        files_in(&e.dir.path().join(dir))
            .into_iter()
            .filter(|f| f.starts_with("thought_"))
            .count()
    };
    assert_eq!(thought_files("tmp"), max, "dropped ones are not written");
    assert_eq!(
        thought_files("blobs"),
        max,
        "the saved turn keeps as many files"
    );
    assert_eq!(r.images.len(), 1);
    // The stored turn still replays: the chat continues.
    let mut next = req("now in blue");
    next.chat_id = Some(r.chat_id.clone());
    e.studio.generate(next, |_| {}).await.unwrap();
}
