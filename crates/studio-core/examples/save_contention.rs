//! `cargo run --release -p studio-core --example save_contention`: how long a gallery read (the first page,
//! what the window asks for) takes while generations are being saved, against the same reads with nothing
//! saving, measured in the same run. Saves write and fsync a 4K image (and its sidecar) each; a save that
//! held the connection during that file I/O made every read wait for it (issue 9).
//!
//! Generations come from the in-process fake on 127.0.0.1, a bounded number of them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gemini_fake::{FakeConfig, FakeGemini};
use studio_core::{GalleryQuery, GenerateParams, GenerateRequest, Studio, StudioConfig};

const SAVES: usize = 12;

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// A thread that only sleeps 1 ms at a time, recording how late it wakes: stalls it sees too come from the
/// machine (scheduling, memory, disk), not from the gallery.
fn heartbeat(stop: &AtomicBool) -> Vec<Duration> {
    let mut out = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        std::thread::sleep(Duration::from_millis(1));
        out.push(t.elapsed());
    }
    out
}

/// Reads the first gallery page until `stop`, recording each read's time.
fn reads(studio: &Studio, stop: &AtomicBool) -> Vec<Duration> {
    let q = GalleryQuery {
        limit: 60,
        ..Default::default()
    };
    let mut out = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        let n = studio.gallery().list(&q).map(|p| p.len()).unwrap_or(0);
        std::hint::black_box(n);
        out.push(t.elapsed());
        std::thread::sleep(Duration::from_millis(1));
    }
    out
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let fake = rt
        .block_on(FakeGemini::start(FakeConfig {
            record_requests: false,
            ..Default::default()
        }))
        .expect("fake");
    // SAVE_CONTENTION_DIR: where the data folder goes (e.g. a tmpfs, to take the disk out of the picture).
    let dir = match std::env::var_os("SAVE_CONTENTION_DIR") {
        Some(d) => tempfile::tempdir_in(d),
        None => tempfile::tempdir(),
    }
    .expect("tempdir");
    let studio = Arc::new(
        Studio::open(StudioConfig {
            data_dir: dir.path().to_path_buf(),
            api_key: Some("bench".into()),
            base_url: fake.base_url(),
            price_per_million_tokens: None,
        })
        .expect("studio"),
    );
    studio.finish_cleanup();
    let req = || GenerateRequest {
        prompt: "a 4K banana".into(),
        params: GenerateParams {
            aspect_ratio: Some("1:1".into()),
            image_size: Some("4K".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    // Warm-up (the fake renders and caches its picture) and a few rows to list.
    for _ in 0..3 {
        rt.block_on(studio.generate(req(), |_| {})).expect("warm-up");
    }

    // Baseline: reads with nothing saving, for as long as the saves below take.
    let t = Instant::now();
    for _ in 0..SAVES {
        rt.block_on(studio.generate(req(), |_| {})).expect("generate");
    }
    let save_time = t.elapsed();
    let stop = AtomicBool::new(false);
    let mut idle = std::thread::scope(|s| {
        let h = s.spawn(|| reads(&studio, &stop));
        std::thread::sleep(save_time);
        stop.store(true, Ordering::Relaxed);
        h.join().expect("reader")
    });

    // The same reads while generations are saved.
    let stop = AtomicBool::new(false);
    let (mut busy, beats) = std::thread::scope(|s| {
        let h = s.spawn(|| reads(&studio, &stop));
        let b = s.spawn(|| heartbeat(&stop));
        for _ in 0..SAVES {
            rt.block_on(studio.generate(req(), |_| {})).expect("generate");
        }
        stop.store(true, Ordering::Relaxed);
        (h.join().expect("reader"), b.join().expect("heartbeat"))
    });

    let png_mb = studio
        .gallery()
        .list(&GalleryQuery::default())
        .ok()
        .and_then(|p| p.first().and_then(|i| studio.gallery().get(&i.id).ok()))
        .map(|d| d.bytes as f64 / 1e6)
        .unwrap_or(0.0);
    println!(
        "{SAVES} saves of a {png_mb:.1} MB 4K image in {:.0} ms; {} reads idle, {} during the saves",
        save_time.as_secs_f64() * 1e3,
        idle.len(),
        busy.len()
    );
    let slow = |v: &[Duration]| v.iter().filter(|d| **d >= Duration::from_millis(50)).count();
    println!(
        "reads of 50 ms or more: idle {}, during the saves {}",
        slow(&idle),
        slow(&busy)
    );
    println!(
        "machine stalls meanwhile (a 1 ms sleep waking 50 ms or more late): {}, longest {:.0} ms",
        slow(&beats),
        beats.iter().max().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    let size = |f: &str| std::fs::metadata(dir.path().join(f)).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    println!(
        "gallery.sqlite {:.1} MB, its WAL {:.1} MB",
        size("gallery.sqlite"),
        size("gallery.sqlite-wal")
    );
    for (name, p) in [("median", 0.5), ("p99", 0.99), ("max", 1.0)] {
        let (a, b) = (percentile(&mut idle, p), percentile(&mut busy, p));
        println!(
            "{name:>6}: idle {:>8.3} ms, during saves {:>8.3} ms, ratio {:.2}x",
            a.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3,
            b.as_secs_f64() / a.as_secs_f64().max(1e-9)
        );
    }
}
