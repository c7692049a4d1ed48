//! Each injected fault: the right retries (count, reasons, waits, announced before sleeping) or the right
//! error, for both the plain and the streaming call.

mod common;

use std::time::{Duration, Instant};

use common::*;
use gemini::{BlockReason, Error, FinishReason, Outcome, RetryPolicy, RetryReason, StreamEvent};
use gemini_fake::Fault;

#[tokio::test]
async fn per_minute_quota_waits_the_retry_delay_then_succeeds() {
    let fake = fake().await;
    let client = client_for(&fake);
    fake.push_fault(Fault::QuotaPerMinute {
        retry_delay_secs: 1,
    });
    let notices = Notices::default();
    let t = Instant::now();
    let resp = client
        .generate_content(FLASH, &image_request("a banana"), &notices.callback())
        .await
        .unwrap();
    assert_eq!(resp.outcome(), Outcome::Image);
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "RetryInfo.retryDelay honoured"
    );
    let n = notices.list();
    assert_eq!(n.len(), 1);
    assert_eq!(
        (n[0].attempt, n[0].reason, n[0].delay),
        (2, RetryReason::Quota, Duration::from_secs(1))
    );
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn per_day_quota_is_never_retried() {
    let fake = fake().await;
    let client = client_for(&fake);
    fake.push_fault(Fault::QuotaPerDay);
    let notices = Notices::default();
    let err = client
        .generate_content(FLASH, &image_request("a banana"), &notices.callback())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Quota { per_day: true, .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert!(notices.list().is_empty());
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn overload_internal_and_deadline_back_off_then_succeed() {
    let fake = fake().await;
    let client = client_for(&fake);
    fake.push_fault(Fault::Overloaded);
    fake.push_fault(Fault::Internal);
    fake.push_fault(Fault::DeadlineExceeded);
    let notices = Notices::default();
    let resp = client
        .generate_content(FLASH, &image_request("a banana"), &notices.callback())
        .await
        .unwrap();
    assert_eq!(resp.outcome(), Outcome::Image);
    let n = notices.list();
    let reasons: Vec<_> = n.iter().map(|n| n.reason).collect();
    assert_eq!(
        reasons,
        vec![
            RetryReason::Overloaded,
            RetryReason::ServerError,
            RetryReason::Timeout
        ]
    );
    assert_eq!(
        n.iter().map(|n| n.attempt).collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
    // Capped exponential backoff with jitter: within [half, full] of 10, 20, 40 ms (cap 40).
    for (n, full) in n.iter().zip([10u64, 20, 40]) {
        assert!(
            n.delay >= Duration::from_millis(full / 2) && n.delay <= Duration::from_millis(full),
            "{n:?}"
        );
    }
    assert_eq!(fake.requests().len(), 4);
}

#[tokio::test]
async fn attempts_run_out_with_the_last_error() {
    let fake = fake().await;
    let client = client_for(&fake);
    for _ in 0..4 {
        fake.push_fault(Fault::Overloaded);
    }
    let notices = Notices::default();
    let err = client
        .generate_content(FLASH, &image_request("a banana"), &notices.callback())
        .await
        .unwrap_err();
    assert_eq!(err, Error::Overloaded);
    assert_eq!(notices.list().len(), 3);
    assert_eq!(fake.requests().len(), 4);
}

#[tokio::test]
async fn the_deadline_bounds_everything() {
    let fake = fake().await;
    let policy = RetryPolicy {
        deadline: Duration::from_millis(300),
        ..fast_retry()
    };
    let client = client_with(&fake, KEY, policy);
    fake.push_fault(Fault::QuotaPerMinute {
        retry_delay_secs: 5,
    });
    let t = Instant::now();
    let err = client
        .generate_content(FLASH, &image_request("a banana"), &no_retry_cb())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Quota { per_day: false, .. }),
        "a wait past the deadline is not started: {err:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(2));

    fake.push_fault(Fault::Slow(Duration::from_secs(5)));
    let t = Instant::now();
    let err = client
        .generate_content(FLASH, &image_request("a banana"), &no_retry_cb())
        .await
        .unwrap_err();
    assert_eq!(err, Error::Timeout);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
}

#[tokio::test]
async fn a_slow_answer_times_out_per_attempt_and_is_retried() {
    let fake = fake().await;
    let client = gemini::Client::new(gemini::ClientConfig {
        api_key: KEY.into(),
        base_url: fake.base_url(),
        // Long enough for the retried answer on a loaded 2-core CI machine; the slow one never fits.
        request_timeout: Duration::from_secs(3),
        retry: fast_retry(),
    })
    .unwrap();
    fake.push_fault(Fault::Slow(Duration::from_secs(30)));
    let notices = Notices::default();
    let resp = client
        .generate_content(FLASH, &image_request("a banana"), &notices.callback())
        .await;
    assert!(resp.is_ok(), "{resp:?}");
    assert_eq!(
        notices.list().iter().map(|n| n.reason).collect::<Vec<_>>(),
        vec![RetryReason::Timeout]
    );
}

#[tokio::test]
async fn blocked_prompt_is_blocked_with_the_reason() {
    let fake = fake().await;
    let client = client_for(&fake);
    fake.push_fault(Fault::BlockedPrompt("PROHIBITED_CONTENT".into()));
    let err = client
        .generate_content(FLASH, &image_request("a banana"), &no_retry_cb())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Blocked { reason, .. } if reason == "PROHIBITED_CONTENT"),
        "{err:?}"
    );
    assert!(err.to_string().contains("PROHIBITED_CONTENT"));
    fake.push_fault(Fault::BlockedPrompt("SAFETY".into()));
    let err = client
        .stream_generate_content(FLASH, &image_request("a banana"), &mut |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Blocked { reason, .. } if reason == BlockReason::Safety.as_str()),
        "{err:?}"
    );
}

#[tokio::test]
async fn each_no_image_reason_is_told_apart() {
    let fake = fake().await;
    let client = client_for(&fake);
    for (reason, expected) in [
        ("IMAGE_SAFETY", FinishReason::ImageSafety),
        (
            "IMAGE_PROHIBITED_CONTENT",
            FinishReason::ImageProhibitedContent,
        ),
        ("IMAGE_RECITATION", FinishReason::ImageRecitation),
        ("IMAGE_OTHER", FinishReason::ImageOther),
        ("NO_IMAGE", FinishReason::NoImage),
    ] {
        fake.push_fault(Fault::NoImage {
            finish_reason: reason.into(),
        });
        let resp = client
            .generate_content(FLASH, &image_request("a banana"), &no_retry_cb())
            .await
            .unwrap();
        match resp.outcome() {
            Outcome::NoImage {
                finish_reason,
                message,
            } => {
                assert_eq!(finish_reason, Some(expected));
                assert!(
                    message.is_some_and(|m| !m.is_empty()),
                    "finishMessage kept for {reason}"
                );
            }
            other => panic!("{reason}: {other:?}"),
        }
        assert!(resp.usage_metadata.is_some(), "usage is still billed");
    }
}

#[tokio::test]
async fn text_only_answer() {
    let fake = fake().await;
    let client = client_for(&fake);
    fake.push_fault(Fault::TextOnly);
    let resp = client
        .generate_content(FLASH, &image_request("a banana"), &no_retry_cb())
        .await
        .unwrap();
    assert_eq!(resp.outcome(), Outcome::TextOnly);
    assert!(!resp.text().is_empty());
}

#[tokio::test]
async fn malformed_and_truncated_bodies_are_malformed_not_panics() {
    let fake = fake().await;
    let client = client_for(&fake);
    fake.push_fault(Fault::MalformedBody);
    let err = client
        .generate_content(FLASH, &image_request("a banana"), &no_retry_cb())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Malformed { body_snippet, .. } if body_snippet.contains("Bad Gateway")),
        "{err:?}"
    );
    fake.push_fault(Fault::TruncatedBody);
    let err = client
        .generate_content(FLASH, &image_request("a banana"), &no_retry_cb())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Malformed { detail, .. } if detail.contains("cut short")),
        "{err:?}"
    );
    fake.push_fault(Fault::MalformedBody);
    let err = client
        .stream_generate_content(FLASH, &image_request("a banana"), &mut |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }), "{err:?}");
    fake.push_fault(Fault::TruncatedBody);
    let err = client
        .stream_generate_content(FLASH, &thinking_request("a banana"), &mut |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Malformed { detail, .. } if detail.contains("cut short")),
        "{err:?}"
    );
}

#[tokio::test]
async fn stream_errors_retry_only_before_anything_was_shown() {
    let fake = fake().await;
    let client = client_for(&fake);
    // Failing before the first event: retried, and the retry is an event.
    fake.push_fault(Fault::Overloaded);
    let mut events = Vec::new();
    let resp = client
        .stream_generate_content(FLASH, &thinking_request("a banana"), &mut |e| {
            events.push(e)
        })
        .await
        .unwrap();
    assert_eq!(resp.outcome(), Outcome::Image);
    assert!(
        matches!(&events[0], StreamEvent::Retry(n) if n.reason == RetryReason::Overloaded && n.attempt == 2)
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, StreamEvent::Retry(_)))
            .count(),
        1
    );

    // Cut mid-image: hyper may reset the connection before flushing the earlier events. Either the cut
    // comes after thoughts were shown (an error, no retry: it would repeat output), or before anything
    // was shown (retried once, announced).
    fake.push_fault(Fault::StreamCutMidImage);
    let mut events = Vec::new();
    let before = fake.requests().len();
    let result = client
        .stream_generate_content(FLASH, &thinking_request("a banana"), &mut |e| {
            events.push(e)
        })
        .await;
    match result {
        Err(err) => {
            assert!(
                matches!(err, Error::Network(_) | Error::Malformed { .. }),
                "{err:?}"
            );
            assert!(events
                .iter()
                .any(|e| matches!(e, StreamEvent::ThoughtText(_))));
            assert!(!events
                .iter()
                .any(|e| matches!(e, StreamEvent::Image { .. } | StreamEvent::Retry(_))));
            assert_eq!(fake.requests().len(), before + 1);
        }
        Ok(resp) => {
            assert_eq!(resp.outcome(), Outcome::Image);
            assert!(
                matches!(&events[0], StreamEvent::Retry(n) if n.reason == RetryReason::Network),
                "{:?}",
                events.first()
            );
            assert_eq!(fake.requests().len(), before + 2);
        }
    }

    // Cut in the very first event (no thoughts requested): nothing shown yet, so it is retried.
    fake.push_fault(Fault::StreamCutMidImage);
    let mut events = Vec::new();
    let resp = client
        .stream_generate_content(FLASH, &image_request("a banana"), &mut |e| events.push(e))
        .await;
    if let Ok(resp) = resp {
        assert_eq!(resp.outcome(), Outcome::Image);
        assert!(
            matches!(&events[0], StreamEvent::Retry(n) if n.reason == RetryReason::Network),
            "{:?}",
            events.first()
        );
    }
}

/// A server that sends one thought event and then drops the connection mid-stream: output was shown, so
/// the client must report the break instead of retrying (a retry would show the thoughts twice).
#[tokio::test]
async fn a_stream_broken_after_output_is_not_retried() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = sock.read(&mut buf).await;
                let event = b"data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"thinking\",\"thought\":true}]},\"index\":0}]}\r\n\r\n";
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock
                    .write_all(format!("{:x}\r\n", event.len()).as_bytes())
                    .await;
                let _ = sock.write_all(event).await;
                let _ = sock.write_all(b"\r\n").await;
                let _ = sock.flush().await;
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                // Dropped here: the chunked body never terminates.
            });
        }
    });
    let client = gemini::Client::new(gemini::ClientConfig {
        api_key: KEY.into(),
        base_url: format!("http://{addr}"),
        request_timeout: Duration::from_secs(10),
        retry: fast_retry(),
    })
    .unwrap();
    let mut events = Vec::new();
    let err = client
        .stream_generate_content(FLASH, &thinking_request("x"), &mut |e| events.push(e))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Network(_)), "{err:?}");
    assert_eq!(events, vec![StreamEvent::ThoughtText("thinking".into())]);
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "not retried"
    );
}
