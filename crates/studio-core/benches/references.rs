//! Reference pipeline benchmark: 14 synthetic 12 MP JPEGs with EXIF orientation 6, prepared for a request
//! by `references::pipeline::prepare_all` (parallel, fast downscale before rotation), against a naive
//! single-threaded baseline measured in the same run: decode, rotate, resize with image's Lanczos3 filter
//! to the same 2048 px bound, encode JPEG q90.
//!
//! Run: `cargo bench -p studio-core --bench references`

use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, RgbImage};
use rayon::prelude::*;
use studio_core::references::pipeline::{self, MAX_LONG_EDGE};

const W: u32 = 4000;
const H: u32 = 3000;
const N: usize = 14;

/// A photo-like picture: smooth gradients plus mid-frequency texture (a flat image would be unrealistically
/// cheap to decode; pure noise unrealistically expensive).
fn photo(seed: u32) -> RgbImage {
    RgbImage::from_fn(W, H, |x, y| {
        let fx = x as f32 / W as f32;
        let fy = y as f32 / H as f32;
        let t = ((x / 7 + y / 5 + seed * 13) % 64) as f32 / 64.0;
        let r = (255.0 * (0.5 + 0.5 * fx) * (0.8 + 0.2 * t)) as u8;
        let g = (255.0 * (0.3 + 0.6 * fy) * (0.7 + 0.3 * (1.0 - t))) as u8;
        let b = ((x ^ y).wrapping_add(seed * 31) % 97 + 80) as u8;
        image::Rgb([r, g, b])
    })
}

fn insert_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn naive(bytes: &[u8]) -> Vec<u8> {
    let mut img = image::load_from_memory(bytes).expect("decode");
    img = img.rotate90(); // orientation 6
    let img = img.resize(MAX_LONG_EDGE, MAX_LONG_EDGE, FilterType::Lanczos3);
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&DynamicImage::ImageRgb8(img.to_rgb8()))
        .expect("encode");
    out
}

fn main() {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let t = Instant::now();
    let inputs: Vec<Vec<u8>> = (0..N as u32)
        .into_par_iter()
        .map(|i| {
            let mut jpeg = Vec::new();
            JpegEncoder::new_with_quality(&mut jpeg, 92)
                .encode_image(&photo(i))
                .expect("encode input");
            insert_exif_orientation(&jpeg, 6)
        })
        .collect();
    let mb: f64 = inputs.iter().map(|b| b.len() as f64).sum::<f64>() / 1e6;
    println!("setup: {N} JPEGs {W}x{H} with EXIF orientation 6, {mb:.1} MB total, made in {:.1} s; {cores} cores", t.elapsed().as_secs_f64());

    // Stage breakdown of one image, single-threaded.
    {
        let b = &inputs[0];
        let t = Instant::now();
        let img = image::load_from_memory(b).expect("decode");
        let d = t.elapsed();
        let t = Instant::now();
        let small = img.resize(2000, 2000, image::imageops::FilterType::Nearest);
        let th = t.elapsed();
        let t = Instant::now();
        let small = small.rotate90();
        let ro = t.elapsed();
        let t = Instant::now();
        let mut out = Vec::new();
        let rgb = small.to_rgb8();
        let mut enc = jpeg_encoder::Encoder::new(&mut out, 90);
        enc.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
        enc.encode(
            rgb.as_raw(),
            rgb.width() as u16,
            rgb.height() as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("encode");
        let en = t.elapsed();
        let t = Instant::now();
        std::hint::black_box(pipeline::prepare(b).expect("prepare"));
        let all = t.elapsed();
        println!(
            "one image: decode {:.0} ms, downscale (nearest, reference) {:.0} ms, rotate {:.0} ms, encode {:.0} ms; prepare() {:.0} ms",
            d.as_secs_f64() * 1e3,
            th.as_secs_f64() * 1e3,
            ro.as_secs_f64() * 1e3,
            en.as_secs_f64() * 1e3,
            all.as_secs_f64() * 1e3
        );
    }

    // Ours: best and median of 5.
    let mut ours: Vec<Duration> = Vec::new();
    let mut out_bytes = 0usize;
    for _ in 0..5 {
        let t = Instant::now();
        let res = pipeline::prepare_all(&inputs);
        ours.push(t.elapsed());
        out_bytes = 0;
        for r in res {
            let p = r.expect("prepared");
            assert!(
                p.height > p.width && p.height <= MAX_LONG_EDGE,
                "rotated and bounded"
            );
            out_bytes += p.bytes.len();
        }
    }
    ours.sort();
    let ours_med = ours[ours.len() / 2];

    // Baseline: single-threaded, twice (it is slow), best kept.
    let mut base: Vec<Duration> = Vec::new();
    for _ in 0..2 {
        let t = Instant::now();
        for b in &inputs {
            std::hint::black_box(naive(b));
        }
        base.push(t.elapsed());
    }
    base.sort();
    let base_best = base[0];
    println!(
        "pipeline (prepare_all, one image per core): median {:.3} s, best {:.3} s; request payload {:.1} MB",
        ours_med.as_secs_f64(),
        ours[0].as_secs_f64(),
        out_bytes as f64 / 1e6
    );
    println!(
        "naive baseline (1 thread, Lanczos3): best {:.3} s",
        base_best.as_secs_f64()
    );
    println!(
        "speed-up: {:.1}x (median vs baseline best); goal >= 3x and < 1.5 s",
        base_best.as_secs_f64() / ours_med.as_secs_f64()
    );
}
