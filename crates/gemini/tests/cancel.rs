//! Dropping a call's future cancels it at once: nothing keeps running or waiting in the background.

mod common;

use std::time::{Duration, Instant};

use common::*;
use gemini_fake::Fault;

#[tokio::test]
async fn dropping_a_stream_while_the_server_is_slow_returns_at_once() {
    let fake = fake().await;
    let client = client_for(&fake);
    fake.push_fault(Fault::Slow(Duration::from_secs(10)));
    let req = thinking_request("a slow banana");
    let t = Instant::now();
    let mut events = 0;
    let result = tokio::time::timeout(
        Duration::from_millis(200),
        client.stream_generate_content(FLASH, &req, &mut |_| events += 1),
    )
    .await;
    assert!(result.is_err(), "still waiting when dropped");
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    assert_eq!(events, 0);
    assert_eq!(
        fake.requests().len(),
        1,
        "the request reached the server before the drop"
    );

    // The client stays usable afterwards (the dropped connection is not reused half-read).
    let t = Instant::now();
    let resp = client
        .stream_generate_content(FLASH, &image_request("a quick banana"), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(resp.outcome(), gemini::Outcome::Image);
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn dropping_during_a_retry_wait_returns_at_once() {
    let fake = fake().await;
    let client = client_for(&fake);
    fake.push_fault(Fault::QuotaPerMinute {
        retry_delay_secs: 10,
    });
    let t = Instant::now();
    let notices = Notices::default();
    let cb = notices.callback();
    let result = tokio::time::timeout(
        Duration::from_millis(300),
        client.generate_content(FLASH, &image_request("x"), &cb),
    )
    .await;
    assert!(result.is_err());
    assert!(t.elapsed() < Duration::from_secs(1));
    assert_eq!(
        notices.list().len(),
        1,
        "the retry was announced before the wait"
    );
    assert_eq!(fake.requests().len(), 1);
}
