//! Issue #9: reply bodies are read with a bound. A server that sends far more than any answer (a broken
//! proxy, a wrong base URL) gets `Error::ReplyTooLarge` at the bound, and the client hangs up instead of
//! reading on. The hostile servers offer a finite amount (many times the bound) and count what they hand
//! to the connection, so each test also shows how far past the bound the client let them get: the bound,
//! plus what the two sockets and the HTTP stack buffer (a few MB on loopback).

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use common::*;
use gemini::{Error, ReplyCap, ReplyLimits, StreamEvent};
use gemini_fake::Fault;

const MIB: u64 = 1 << 20;
/// What the hostile side offers: far past every bound under test.
const OFFERED: u64 = 512 * MIB;
/// Socket and HTTP buffers between the server's writes and the client's reads, with room.
const BUFFERED: u64 = 32 * MIB;

fn small_limits() -> ReplyLimits {
    ReplyLimits {
        generate_body: MIB as usize,
        stream_total: MIB as usize,
        stream_event: 256 * 1024,
        stream_events: 1000,
        json_body: 256 * 1024,
        ..ReplyLimits::default()
    }
}

fn too_large(what: &str, limit: ReplyCap) -> impl Fn(&Error) -> bool + '_ {
    move |e| matches!(e, Error::ReplyTooLarge { what: w, limit: l } if *w == what && *l == limit)
}

#[tokio::test]
async fn an_oversized_answer_is_refused_at_the_bound() {
    let fake = fake().await;
    let client = client_for(&fake).with_reply_limits(small_limits());
    fake.push_fault(Fault::OversizedBody { bytes: OFFERED });
    let err = client
        .generate_content(FLASH, &image_request("a banana"), &no_retry_cb())
        .await
        .unwrap_err();
    assert!(
        too_large("a generated answer", ReplyCap::Bytes(MIB))(&err),
        "{err:?}"
    );
    assert!(err.to_string().contains("more than 1 MB"), "{err}");
    assert!(!err.is_retryable());
    let sent = fake.hostile_bytes_sent();
    assert!(
        (MIB..MIB + BUFFERED).contains(&sent),
        "read {sent} bytes of {OFFERED}"
    );
    assert_eq!(fake.requests().len(), 1, "not retried");
}

#[tokio::test]
async fn an_oversized_stream_is_refused_at_the_bound() {
    let fake = fake().await;
    let client = client_for(&fake).with_reply_limits(small_limits());
    fake.push_fault(Fault::OversizedBody { bytes: OFFERED });
    let mut thoughts = 0usize;
    let err = client
        .stream_generate_content(FLASH, &thinking_request("a banana"), &mut |e| {
            if let StreamEvent::ThoughtText(t) = e {
                thoughts += t.len();
            }
        })
        .await
        .unwrap_err();
    assert!(
        too_large("one answer's stream", ReplyCap::Bytes(MIB))(&err),
        "{err:?}"
    );
    assert!(thoughts > 0 && (thoughts as u64) <= MIB, "{thoughts}");
    let sent = fake.hostile_bytes_sent();
    assert!(
        (MIB..MIB + BUFFERED).contains(&sent),
        "read {sent} bytes of {OFFERED}"
    );
}

#[tokio::test]
async fn an_endless_trickle_of_events_stops_at_the_event_bound() {
    let fake = fake().await;
    let client = client_for(&fake).with_reply_limits(small_limits());
    // A million events of ~110 bytes: 110 MB offered, far past 1000 events.
    fake.push_fault(Fault::EndlessStream { events: 1_000_000 });
    let mut seen = 0usize;
    let err = client
        .stream_generate_content(FLASH, &thinking_request("a banana"), &mut |_| seen += 1)
        .await
        .unwrap_err();
    assert!(
        too_large("one answer's stream", ReplyCap::Events(1000))(&err),
        "{err:?}"
    );
    assert_eq!(seen, 1000, "every event up to the bound was shown");
    assert!(err.to_string().contains("more than 1000 events"), "{err}");
    let sent = fake.hostile_bytes_sent();
    assert!(sent < BUFFERED, "read {sent} bytes of ~110 MB");
}

#[tokio::test]
async fn an_oversized_error_body_keeps_its_start_and_stops_reading() {
    let fake = fake().await;
    // Default bounds: 64 KiB of an error body.
    let client = client_for(&fake);
    fake.push_fault(Fault::OversizedErrorBody { bytes: OFFERED });
    let err = client
        .generate_content(FLASH, &image_request("a banana"), &no_retry_cb())
        .await
        .unwrap_err();
    // Cut short it is no longer JSON, but its message and status came first and still say what failed.
    assert_eq!(
        err,
        Error::InvalidArgument {
            message: "Request contains an invalid argument.".into()
        }
    );
    let sent = fake.hostile_bytes_sent();
    assert!(sent < BUFFERED, "read {sent} bytes of {OFFERED}");
}

/// A plain HTTP/1.1 server that answers every request with `head` and then `body_chunk` repeated until
/// `total` bytes went out (or the client hung up), counting what it wrote.
async fn hostile_server(
    head: &'static str,
    body_chunk: &'static [u8],
    first: &'static [u8],
    total: u64,
) -> (String, Arc<AtomicU64>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let written = Arc::new(AtomicU64::new(0));
    let count = written.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = sock.read(&mut buf).await;
                if sock.write_all(head.as_bytes()).await.is_err()
                    || sock.write_all(first).await.is_err()
                {
                    return;
                }
                let mut sent = first.len() as u64;
                while sent < total {
                    if sock.write_all(body_chunk).await.is_err() {
                        return;
                    }
                    sent += body_chunk.len() as u64;
                    count.fetch_add(body_chunk.len() as u64, Ordering::Relaxed);
                }
            });
        }
    });
    (format!("http://{addr}"), written)
}

fn raw_client(base_url: String) -> gemini::Client {
    gemini::Client::new(gemini::ClientConfig {
        api_key: KEY.into(),
        base_url,
        request_timeout: std::time::Duration::from_secs(30),
        retry: fast_retry(),
    })
    .unwrap()
    .with_reply_limits(small_limits())
}

static FILL: [u8; 65536] = [b' '; 65536];

#[tokio::test]
async fn an_oversized_json_reply_is_refused_at_the_bound() {
    // No Content-Length: the body simply goes on (closed by the connection).
    let (base, written) = hostile_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n",
        &FILL,
        b"{\"models\": [",
        OFFERED,
    )
    .await;
    let err = raw_client(base).list_models().await.unwrap_err();
    assert!(
        too_large("a JSON reply", ReplyCap::Bytes(256 * 1024))(&err),
        "{err:?}"
    );
    let sent = written.load(Ordering::Relaxed);
    assert!(sent < BUFFERED, "read {sent} bytes of {OFFERED}");
}

#[tokio::test]
async fn a_content_length_past_the_bound_is_refused_before_reading() {
    let (base, written) = hostile_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 536870912\r\n\r\n",
        &FILL,
        b"{",
        OFFERED,
    )
    .await;
    let err = raw_client(base).get_model(FLASH).await.unwrap_err();
    assert!(
        too_large("a JSON reply", ReplyCap::Bytes(256 * 1024))(&err),
        "{err:?}"
    );
    let sent = written.load(Ordering::Relaxed);
    assert!(sent < BUFFERED, "read {sent} bytes of {OFFERED}");
}

#[tokio::test]
async fn one_stream_event_that_never_ends_is_refused_at_the_event_bound() {
    let (base, written) = hostile_server(
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n",
        &FILL,
        b"data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"",
        OFFERED,
    )
    .await;
    let client = raw_client(base);
    let err = client
        .stream_generate_content(FLASH, &thinking_request("x"), &mut |_| {})
        .await
        .unwrap_err();
    assert!(
        too_large("one stream event", ReplyCap::Bytes(256 * 1024))(&err),
        "{err:?}"
    );
    let sent = written.load(Ordering::Relaxed);
    assert!(sent < BUFFERED, "read {sent} bytes of {OFFERED}");
}

#[tokio::test]
async fn a_model_list_that_pages_on_and_on_is_refused_at_the_bound() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // Every page is small and well-formed, and promises another: 64 KiB of models plus a next page token.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let pages = Arc::new(AtomicU64::new(0));
    let served = pages.clone();
    tokio::spawn(async move {
        let model =
            r#"{"name": "models/m", "description": "padding padding padding padding padding"},"#;
        let mut body = String::from(r#"{"models": ["#);
        while body.len() < 65536 {
            body.push_str(model);
        }
        body.push_str(r#"{"name": "models/last"}], "nextPageToken": "more"}"#);
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        // At most 100 pages (the client's own page bound), then the server stops by itself.
        for _ in 0..100 {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            served.fetch_add(1, Ordering::Relaxed);
            let mut buf = vec![0u8; 65536];
            let _ = sock.read(&mut buf).await;
            let _ = sock.write_all(reply.as_bytes()).await;
        }
    });
    let err = raw_client(format!("http://{addr}"))
        .list_models()
        .await
        .unwrap_err();
    assert!(
        too_large("the model list", ReplyCap::Bytes(256 * 1024))(&err),
        "{err:?}"
    );
    // Each page is a little over 64 KiB, so the fourth passes 256 KiB: refused there, not after 100 pages.
    assert_eq!(pages.load(Ordering::Relaxed), 4);
}
