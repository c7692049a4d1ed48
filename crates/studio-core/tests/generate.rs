//! Generation against the fake: parameters, references, outcomes, retries, variations, thoughts.

mod common;

use std::time::{Duration, Instant};

use common::*;
use gemini_fake::Fault;
use studio_core::{
    capabilities, Error, GalleryQuery, GenerateParams, GenerationEvent, SearchParams,
};

#[tokio::test]
async fn every_model_accepts_its_valid_combinations() {
    // An older project that still has Nano Banana (2.5), so every model of the data file can be called.
    let e = env_granting(&["gemini-2.5-flash-image"]).await;
    for caps in capabilities() {
        // Every ratio at the smallest size, and every size at 1:1.
        let smallest = caps.image_sizes.first().cloned();
        let mut combos: Vec<(Option<String>, Option<String>)> = caps
            .aspect_ratios
            .iter()
            .map(|r| (Some(r.clone()), smallest.clone()))
            .collect();
        combos.extend(
            caps.image_sizes
                .iter()
                .skip(1)
                .filter(|s| *s != "4K")
                .map(|s| (Some("1:1".into()), Some(s.clone()))),
        );
        for (ratio, size) in combos {
            let p = GenerateParams {
                aspect_ratio: ratio.clone(),
                image_size: size.clone(),
                ..params(&caps.id)
            };
            e.studio.validate(&p, 0).unwrap();
            let r = e
                .studio
                .generate(req_with("a banana", p), |_| {})
                .await
                .unwrap_or_else(|err| panic!("{} {ratio:?} {size:?}: {err}", caps.id));
            assert_eq!(r.images.len(), 1);
            let out = caps.output(ratio.as_deref(), size.as_deref()).unwrap();
            assert_eq!(
                (r.images[0].width, r.images[0].height),
                (out.width, out.height),
                "{} {ratio:?} {size:?}",
                caps.id
            );
        }
    }
}

#[tokio::test]
async fn invalid_combinations_send_nothing() {
    let e = env().await;
    let pro = "gemini-3-pro-image";
    let flash25 = "gemini-2.5-flash-image";
    let cases: Vec<(GenerateParams, usize, &str)> = vec![
        (
            GenerateParams {
                aspect_ratio: Some("1:8".into()),
                ..params(pro)
            },
            0,
            "gemini-3-pro-image has no aspect ratio 1:8; it offers 1:1, 2:3",
        ),
        (
            GenerateParams {
                image_size: Some("512".into()),
                ..params(pro)
            },
            0,
            "no image size 512",
        ),
        (
            GenerateParams {
                image_size: Some("1k".into()),
                ..params(studio_core::DEFAULT_MODEL)
            },
            0,
            "upper-case K",
        ),
        (
            GenerateParams {
                image_size: Some("1K".into()),
                ..params(flash25)
            },
            0,
            "no image size choice",
        ),
        (
            GenerateParams {
                aspect_ratio: Some("4:1".into()),
                ..params(flash25)
            },
            0,
            "no aspect ratio 4:1",
        ),
        (
            GenerateParams {
                search: SearchParams {
                    web: false,
                    image: true,
                },
                ..params(pro)
            },
            0,
            "no image search",
        ),
        (
            GenerateParams {
                search: SearchParams {
                    web: true,
                    image: false,
                },
                ..params(flash25)
            },
            0,
            "no Google Search",
        ),
        (
            GenerateParams {
                thinking_level: Some("high".into()),
                ..params(flash25)
            },
            0,
            "no thinking level",
        ),
        (
            // Medium is Nano Banana 2.1's; the Lite model thinks only minimal or high.
            GenerateParams {
                thinking_level: Some("medium".into()),
                ..params("gemini-3.1-flash-lite-image")
            },
            0,
            "offers minimal, high",
        ),
        (
            GenerateParams {
                image_size: Some("2K".into()),
                ..params("gemini-3.1-flash-lite-image")
            },
            0,
            "gemini-3.1-flash-lite-image has no image size 2K; it offers 1K",
        ),
        (
            GenerateParams {
                include_thoughts: true,
                ..params(flash25)
            },
            0,
            "does not think",
        ),
        (
            GenerateParams {
                count: 0,
                ..params(pro)
            },
            0,
            "count",
        ),
        (params("gemini-9-ultra"), 0, "unknown model"),
        (params(flash25), 4, "at most 3 reference images"),
        (
            params(pro),
            15,
            "at most 14 reference images; 15 were given: remove 1",
        ),
    ];
    for (p, refs, needle) in cases {
        let err = e.studio.validate(&p, refs).unwrap_err();
        assert!(err.is_invalid_input());
        assert!(
            err.to_string().contains(needle),
            "{err} should contain {needle}"
        );
        let hashes = vec!["0".repeat(64); refs];
        let r = e
            .studio
            .generate(
                studio_core::GenerateRequest {
                    prompt: "x".into(),
                    params: p,
                    reference_hashes: hashes,
                    ..Default::default()
                },
                |_| {},
            )
            .await;
        assert!(r.unwrap_err().is_invalid_input());
    }
    assert!(
        e.fake.requests().is_empty(),
        "nothing may be sent for invalid input"
    );
    assert_eq!(
        e.studio.gallery().count(&GalleryQuery::default()).unwrap(),
        0
    );
}

#[tokio::test]
async fn fourteen_references_are_sent_and_a_fifteenth_refused() {
    let e = env().await;
    let mut hashes = Vec::new();
    for i in 0..15u8 {
        let info = e
            .studio
            .import_reference_bytes(png(64, 48, i), &format!("ref{i}.png"))
            .await
            .unwrap();
        assert_eq!(
            (info.width, info.height, info.mime.as_str()),
            (64, 48, "image/png")
        );
        hashes.push(info.hash);
    }
    let mut r = req("combine them");
    r.reference_hashes = hashes[..14].to_vec();
    let res = e.studio.generate(r.clone(), |_| {}).await.unwrap();
    assert_eq!(res.images.len(), 1);
    let sent = generate_requests(&e.fake);
    assert_eq!(sent.len(), 1);
    let parts = sent[0].json.as_ref().unwrap()["contents"][0]["parts"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(parts.len(), 15, "prompt + 14 images");
    assert_eq!(
        parts
            .iter()
            .filter(|p| p.get("inlineData").is_some())
            .count(),
        14
    );
    // Provenance keeps the references by hash.
    let d = e.studio.gallery().get(&res.images[0].id).unwrap();
    assert_eq!(d.reference_hashes, hashes[..14].to_vec());

    r.reference_hashes = hashes.clone();
    let err = e.studio.generate(r, |_| {}).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooManyReferences {
                max: 14,
                given: 15,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        generate_requests(&e.fake).len(),
        1,
        "the 15th request was not sent"
    );
}

#[tokio::test]
async fn corrupt_reference_is_named() {
    let e = env().await;
    let err = e
        .studio
        .import_reference_bytes(b"definitely not an image".to_vec(), "holiday.jpg")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidReference { .. }));
    assert!(err.to_string().contains("holiday.jpg"), "{err}");
    let good = jpeg_with_orientation(300, 200, 1);
    let err = e
        .studio
        .import_reference_bytes(good[..good.len() / 3].to_vec(), "cut.jpg")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cut.jpg"), "{err}");
    let path = e.dir.path().join("missing.png");
    let err = e.studio.import_reference_file(&path).await.unwrap_err();
    assert!(err.to_string().contains("missing.png"), "{err}");
}

#[tokio::test]
async fn references_are_oriented_deduplicated_and_survive_the_original_moving() {
    let e = env().await;
    let src = e.dir.path().join("portrait.jpg");
    std::fs::write(&src, jpeg_with_orientation(400, 300, 6)).unwrap();
    let a = e.studio.import_reference_file(&src).await.unwrap();
    assert_eq!(
        (a.width, a.height),
        (300, 400),
        "EXIF orientation 6 rotates 90 degrees"
    );
    let b = e.studio.import_reference_file(&src).await.unwrap();
    assert_eq!(a, b, "same content, same entry");
    std::fs::remove_file(&src).unwrap();
    let stored = e.studio.ref_path(&a.hash).unwrap();
    assert!(stored.starts_with(e.dir.path()));
    let img = image::open(&stored).unwrap();
    assert_eq!((img.width(), img.height()), (300, 400));
    let mut r = req("use it");
    r.reference_hashes = vec![a.hash.clone()];
    e.studio.generate(r, |_| {}).await.unwrap();
}

#[tokio::test]
async fn outcomes_text_only_blocked_no_image_malformed() {
    let e = env().await;
    let r = e
        .studio
        .generate(req("tell me [fake:text_only]"), |_| {})
        .await
        .unwrap();
    assert!(r.images.is_empty());
    assert!(!r.text.is_empty());

    let before = e.studio.gallery().count(&GalleryQuery::default()).unwrap();
    let images_before = files_in(&e.dir.path().join("images"));
    let err = e
        .studio
        .generate(req("something bad [fake:block]"), |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "blocked");
    assert!(err.to_string().contains("PROHIBITED_CONTENT"), "{err}");
    let err = e
        .studio
        .generate(req("a photo [fake:image_safety]"), |_| {})
        .await
        .unwrap_err();
    assert!(err.to_string().contains("IMAGE_SAFETY"), "{err}");
    let err = e
        .studio
        .generate(req("a photo [fake:no_image]"), |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "no_image");
    assert!(err.to_string().contains("NO_IMAGE"), "{err}");
    e.fake.push_fault(Fault::MalformedBody);
    let err = e.studio.generate(req("a cat"), |_| {}).await.unwrap_err();
    assert_eq!(err.kind(), "malformed", "{err}");
    e.fake.push_fault(Fault::TruncatedBody);
    assert!(e.studio.generate(req("a cat"), |_| {}).await.is_err());
    assert_eq!(
        e.studio.gallery().count(&GalleryQuery::default()).unwrap(),
        before
    );
    assert_eq!(files_in(&e.dir.path().join("images")), images_before);
    assert_eq!(
        e.studio.chats().list(100, 0).unwrap().len(),
        1,
        "only the text-only chat exists"
    );
}

#[tokio::test]
async fn blocked_attempts_are_billed_in_the_ledger() {
    let e = env().await;
    let ok = e.studio.generate(req("a cat"), |_| {}).await.unwrap();
    let _ = e
        .studio
        .generate(req("a photo [fake:image_safety]"), |_| {})
        .await
        .unwrap_err();
    let days = e.studio.gallery().cost_by_day(None).unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].attempts, 2);
    assert_eq!(days[0].images, 1);
    assert!(days[0].usage.total_tokens > ok.usage.total_tokens);
    assert!(days[0].price.unwrap() > 0.0);
    let chat = e.studio.gallery().cost_for_chat(&ok.chat_id).unwrap();
    assert_eq!(chat.usage.total_tokens, ok.usage.total_tokens);
    assert!(ok.usage.thought_tokens > 0, "Gemini 3 thinking is billed");
}

#[tokio::test]
async fn per_minute_quota_is_waited_out() {
    let e = env().await;
    e.fake.push_fault(Fault::QuotaPerMinute {
        retry_delay_secs: 1,
    });
    let mut retries = Vec::new();
    let t = Instant::now();
    let r = e
        .studio
        .generate(req("a cat"), |ev| {
            if let GenerationEvent::Retry {
                delay_ms, reason, ..
            } = ev
            {
                retries.push((delay_ms, reason));
            }
        })
        .await
        .unwrap();
    let took = t.elapsed();
    assert_eq!(r.images.len(), 1);
    assert_eq!(retries.len(), 1);
    assert_eq!(
        retries[0].0, 1000,
        "the server's retryDelay is honoured exactly"
    );
    assert!(
        took >= Duration::from_millis(1000) && took < Duration::from_secs(10),
        "{took:?}"
    );
    assert_eq!(generate_requests(&e.fake).len(), 2);
}

#[tokio::test]
async fn per_day_quota_says_when_it_resets() {
    let e = env().await;
    e.fake.push_fault(Fault::QuotaPerDay);
    let err = e.studio.generate(req("a cat"), |_| {}).await.unwrap_err();
    assert_eq!(err.kind(), "quota_per_day");
    assert!(err.to_string().contains("midnight Pacific"), "{err}");
    assert_eq!(generate_requests(&e.fake).len(), 1, "not retried");
}

#[tokio::test]
async fn safety_refusals_are_never_retried() {
    let e = env().await;
    let _ = e
        .studio
        .generate(req("x [fake:block]"), |_| {})
        .await
        .unwrap_err();
    let _ = e
        .studio
        .generate(req("x [fake:image_safety]"), |_| {})
        .await
        .unwrap_err();
    assert_eq!(generate_requests(&e.fake).len(), 2);
}

#[tokio::test]
async fn overload_is_retried_then_succeeds() {
    let e = env().await;
    e.fake.push_fault(Fault::Overloaded);
    let r = e.studio.generate(req("a cat"), |_| {}).await.unwrap();
    assert_eq!(r.images.len(), 1);
    assert_eq!(generate_requests(&e.fake).len(), 2);
}

#[tokio::test]
async fn variations_run_in_parallel_and_each_is_a_turn() {
    let e = env().await;
    let p = GenerateParams {
        count: 3,
        ..Default::default()
    };
    let r = e
        .studio
        .generate(req_with("three bananas", p), |_| {})
        .await
        .unwrap();
    assert_eq!(r.images.len(), 3);
    assert_eq!(r.turn_ids.len(), 3);
    let sent = generate_requests(&e.fake);
    assert_eq!(sent.len(), 3);
    for s in &sent {
        assert!(s.json.as_ref().unwrap()["generationConfig"]
            .get("candidateCount")
            .is_none());
    }
    let chat = e.studio.chats().show(&r.chat_id).unwrap();
    assert_eq!(chat.turns.len(), 3);
}

#[tokio::test]
async fn thoughts_stream_with_interim_images_in_tmp() {
    let e = env().await;
    let p = GenerateParams {
        include_thoughts: true,
        thinking_level: Some("high".into()),
        ..Default::default()
    };
    let mut thought_images = Vec::new();
    let mut thought_texts = 0;
    let r = e
        .studio
        .generate(req_with("an infographic", p), |ev| match ev {
            GenerationEvent::ThoughtImage { path, .. } => thought_images.push(path),
            GenerationEvent::ThoughtText { .. } => thought_texts += 1,
            _ => {}
        })
        .await
        .unwrap();
    assert!(thought_texts > 0);
    assert!(!thought_images.is_empty());
    for p in &thought_images {
        assert!(std::path::Path::new(p).starts_with(e.dir.path().join("tmp")));
        assert!(std::path::Path::new(p).exists());
    }
    assert!(!r.thoughts.is_empty());
    assert_eq!(
        r.images.len(),
        1,
        "interim thought images are not gallery images"
    );
    let sent = generate_requests(&e.fake);
    assert!(sent[0].path.contains("streamGenerateContent"));
    let tc = &sent[0].json.as_ref().unwrap()["generationConfig"]["thinkingConfig"];
    assert_eq!(tc["includeThoughts"], true);
}

#[tokio::test]
async fn grounding_is_stored_and_shown() {
    let e = env().await;
    let p = GenerateParams {
        search: SearchParams {
            web: true,
            image: true,
        },
        ..Default::default()
    };
    let r = e
        .studio
        .generate(req_with("the tallest building in 2026", p), |_| {})
        .await
        .unwrap();
    let g = r.grounding.clone().expect("grounding returned");
    assert!(
        g["groundingChunks"]
            .as_array()
            .map(|a| !a.is_empty())
            .unwrap_or(false),
        "{g}"
    );
    let d = e.studio.gallery().get(&r.images[0].id).unwrap();
    assert_eq!(d.grounding.as_ref(), Some(&g));
    assert!(d.summary.has_grounding);
    let sent = generate_requests(&e.fake);
    let tools = &sent[0].json.as_ref().unwrap()["tools"];
    assert!(
        tools[0]["googleSearch"]["searchTypes"]["imageSearch"].is_object(),
        "{tools}"
    );
    let grounded = e
        .studio
        .gallery()
        .list(&GalleryQuery {
            has_grounding: Some(true),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(grounded.len(), 1);
    e.studio.generate(req("plain"), |_| {}).await.unwrap();
    assert_eq!(
        e.studio
            .gallery()
            .list(&GalleryQuery {
                has_grounding: Some(false),
                ..Default::default()
            })
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn no_key_refuses_for_google() {
    let dir = tempfile::tempdir().unwrap();
    let studio = studio_core::Studio::open(studio_core::StudioConfig {
        data_dir: dir.path().to_path_buf(),
        api_key: None,
        base_url: studio_core::DEFAULT_BASE_URL.into(),
        price_per_million_tokens: None,
    })
    .unwrap();
    let err = studio.generate(req("a cat"), |_| {}).await.unwrap_err();
    assert_eq!(err.kind(), "missing_key");
    assert!(err.to_string().contains("GEMINI_API_KEY"));
}

#[tokio::test]
async fn request_shape_matches_the_contract() {
    let e = env().await;
    let p = GenerateParams {
        aspect_ratio: Some("16:9".into()),
        image_size: Some("2K".into()),
        thinking_level: Some("minimal".into()),
        images_only: true,
        ..Default::default()
    };
    e.studio
        .generate(req_with("a cat", p), |_| {})
        .await
        .unwrap();
    let sent = generate_requests(&e.fake);
    let j = sent[0].json.as_ref().unwrap();
    assert_eq!(sent[0].header("x-goog-api-key"), Some("test"));
    assert_eq!(
        j["generationConfig"]["responseModalities"],
        serde_json::json!(["IMAGE"])
    );
    assert_eq!(
        j["generationConfig"]["imageConfig"],
        serde_json::json!({"aspectRatio": "16:9", "imageSize": "2K"})
    );
    assert_eq!(j["contents"][0]["role"], "user");
}

#[tokio::test]
async fn cancelling_by_dropping_the_future_leaves_nothing() {
    let e = env().await;
    e.fake.push_fault(Fault::Slow(Duration::from_secs(3)));
    let fut = e.studio.generate(req("a slow cat"), |_| {});
    assert!(tokio::time::timeout(Duration::from_millis(300), fut).await.is_err(), "still running when dropped");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(e.studio.gallery().count(&GalleryQuery::default()).unwrap(), 0);
    assert!(e.studio.chats().list(10, 0).unwrap().is_empty());
    assert!(files_in(&e.dir.path().join("images")).is_empty());
    // The studio is fine afterwards.
    e.studio.generate(req("a quick cat"), |_| {}).await.unwrap();
}
