//! Shared harness: an in-process `gemini-fake` on 127.0.0.1 with a random port, and a client pointed at
//! it with millisecond retry delays.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gemini::{
    Client, ClientConfig, Content, GenerateContentRequest, GenerationConfig, ImageConfig, Part,
    RetryNotice, RetryPolicy, ThinkingConfig,
};
use gemini_fake::{Catalogue, FakeConfig, FakeGemini};

/// Nano Banana 2 (GA id; deprecated but served): the model with the 512 size most tests use, since a
/// 512 px PNG is fast to encode.
pub const FLASH: &str = "gemini-3.1-flash-image";
pub const PRO: &str = "gemini-3-pro-image";
/// Nano Banana 2.1, the default model today.
pub const NB21: &str = "gemini-nano-banana-2.1";
/// Restricted to projects that used it before: tests that need it start [`fake_with_flash_25`].
pub const FLASH_25: &str = "gemini-2.5-flash-image";
/// Shut down 2026-06-25: every call is 404.
pub const RETIRED: &str = "gemini-3.1-flash-image-preview";
pub const KEY: &str = "test-key-7d1f";

pub async fn fake() -> FakeGemini {
    fake_with(Catalogue::google()).await
}

pub async fn fake_with(catalogue: Catalogue) -> FakeGemini {
    FakeGemini::start(FakeConfig {
        port: 0,
        key: Some(KEY.into()),
        catalogue,
        ..Default::default()
    })
    .await
    .expect("fake starts")
}

/// Google's catalogue with access to `gemini-2.5-flash-image`, as a project that used it before has.
pub async fn fake_with_flash_25() -> FakeGemini {
    let mut c = Catalogue::google();
    c.grant(FLASH_25).expect("2.5 is in the catalogue");
    fake_with(c).await
}

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        deadline: Duration::from_secs(30),
        jitter: true,
    }
}

pub fn client_for(fake: &FakeGemini) -> Client {
    client_with(fake, KEY, fast_retry())
}

pub fn client_with(fake: &FakeGemini, key: &str, retry: RetryPolicy) -> Client {
    Client::new(ClientConfig {
        api_key: key.into(),
        base_url: fake.base_url(),
        request_timeout: Duration::from_secs(30),
        retry,
    })
    .expect("valid config")
}

/// A small text-to-image request (512 px keeps the fake's PNG encoding fast).
pub fn image_request(prompt: &str) -> GenerateContentRequest {
    GenerateContentRequest {
        contents: vec![Content::user([Part::text(prompt)])],
        generation_config: Some(GenerationConfig {
            image_config: Some(ImageConfig {
                aspect_ratio: Some("1:1".into()),
                image_size: Some("512".into()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The same with thoughts included.
pub fn thinking_request(prompt: &str) -> GenerateContentRequest {
    let mut req = image_request(prompt);
    if let Some(gc) = req.generation_config.as_mut() {
        gc.thinking_config = Some(ThinkingConfig {
            include_thoughts: Some(true),
            ..Default::default()
        });
    }
    req
}

/// Collects retry notices.
#[derive(Clone, Default)]
pub struct Notices(pub Arc<Mutex<Vec<RetryNotice>>>);

impl Notices {
    pub fn callback(&self) -> impl Fn(&RetryNotice) + Send + Sync + '_ {
        move |n: &RetryNotice| self.0.lock().unwrap().push(n.clone())
    }
    pub fn list(&self) -> Vec<RetryNotice> {
        self.0.lock().unwrap().clone()
    }
}

pub fn no_retry_cb() -> impl Fn(&RetryNotice) + Send + Sync {
    |_n: &RetryNotice| {}
}

pub fn png(w: u32, h: u32) -> Vec<u8> {
    gemini_fake::images::render_png(w, h, 1)
}
