//! Client overhead of one 4K generation against the fake: `Studio::generate` (build, send, parse, save
//! atomically, commit) plus the thumbnail, against the time the fake takes to serve the same reply to a bare
//! HTTP client (reqwest: send the same body, read every byte) measured in the same run.
//!
//! Run: `cargo bench -p studio-core --bench generation`

use std::time::{Duration, Instant};

use gemini_fake::{FakeConfig, FakeGemini};
use studio_core::{GenerateParams, GenerateRequest, Studio, StudioConfig};

const RUNS: usize = 9;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let fake = FakeGemini::start(FakeConfig::default()).await.expect("fake");
        let dir = tempfile::tempdir().expect("tempdir");
        let studio = Studio::open(StudioConfig {
            data_dir: dir.path().to_path_buf(),
            api_key: Some("bench".into()),
            base_url: fake.base_url(),
            price_per_million_tokens: None,
        })
        .expect("studio");
        let params = GenerateParams { aspect_ratio: Some("1:1".into()), image_size: Some("4K".into()), ..Default::default() };
        let req = || GenerateRequest { prompt: "a 4K banana".into(), params: params.clone(), ..Default::default() };

        // Warm-up: the fake renders and caches the picture; connections are pooled.
        let r = studio.generate(req(), |_| {}).await.expect("warm-up");
        let png_mb = std::fs::metadata(&r.images[0].path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        let body = fake.requests().last().expect("recorded").body.clone();
        let url = format!("{}{}", fake.base_url(), fake.requests().last().expect("recorded").path);
        let http = reqwest::Client::new();
        let bare = || async {
            let t = Instant::now();
            let resp = http
                .post(&url)
                .header("x-goog-api-key", "bench")
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .expect("send");
            let bytes = resp.bytes().await.expect("body");
            std::hint::black_box(bytes.len());
            t.elapsed()
        };
        bare().await;

        let client = gemini::Client::new(gemini::ClientConfig {
            api_key: "bench".into(),
            base_url: fake.base_url(),
            ..Default::default()
        })
        .expect("client");
        let typed: gemini::GenerateContentRequest = serde_json::from_slice(&body).expect("request");
        let model = studio_core::DEFAULT_MODEL;
        let mut client_only = Vec::new();
        let mut base = Vec::new();
        let mut full = Vec::new();
        let mut gen_only = Vec::new();
        for _ in 0..RUNS {
            base.push(bare().await);
            let t = Instant::now();
            std::hint::black_box(client.generate_content(model, &typed, &|_| {}).await.expect("client"));
            client_only.push(t.elapsed());
            let t = Instant::now();
            let r = studio.generate(req(), |_| {}).await.expect("generate");
            let g = t.elapsed();
            // The thumbnail is made off the request path; wait for it (or make it) to count it in.
            let id = r.images[0].id.clone();
            let thumb = studio.thumb_path(&id).expect("thumb");
            assert!(thumb.exists());
            full.push(t.elapsed());
            gen_only.push(g);
        }
        let ratio = |xs: &[Duration]| {
            let mut r: Vec<f64> = xs.iter().zip(&base).map(|(x, b)| x.as_secs_f64() / b.as_secs_f64()).collect();
            r.sort_by(|a, b| a.total_cmp(b));
            r[r.len() / 2]
        };
        let (rg, rf, rc) = (ratio(&gen_only), ratio(&full), ratio(&client_only));
        let (b, f, g, c) = (median(base.clone()), median(full), median(gen_only), median(client_only));
        println!("4K PNG answer: {png_mb:.1} MB; medians of {RUNS}");
        println!("bare reqwest (fake serves the same reply): {:.1} ms", b.as_secs_f64() * 1e3);
        println!("gemini client alone (send, receive, parse): {:.1} ms; per-run ratio median {rc:.2}x", c.as_secs_f64() * 1e3);
        println!("Studio::generate (build, send, parse, save, commit): {:.1} ms; per-run ratio median {rg:.2}x (goal < 1.5x)", g.as_secs_f64() * 1e3);
        println!("  + thumbnail ready (made off the request path): {:.1} ms; per-run ratio median {rf:.2}x", f.as_secs_f64() * 1e3);
    });
}
