//! Deterministic PNG pictures of an exact pixel size.
//!
//! The picture is a function of a seed (a hash of the prompt): a diagonal three-colour gradient, soft
//! stripes and a glowing disc, so different prompts differ visibly and a demo gallery looks pleasant. The
//! smooth pattern is drawn on a grid up to 8x coarser and widened by row copies, which keeps a 4096x4096
//! render fast even in an unoptimised test build. Low-bit noise is then XORed in: without it a 4K PNG
//! compresses to a few hundred KB, while a real 4K answer is 10-20 MB, and the client's benchmark needs the
//! realistic size.

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};

/// One noise bit in 3 of every 8 bytes: invisible, yet a 4096x4096 PNG weighs ~16 MB (~21 MB as base64
/// JSON), like a real 4K answer.
const NOISE_MASK: u64 = 0x0000_0100_0101_0000;

fn hsv(h: f32, s: f32, v: f32) -> [f32; 3] {
    let h = (h.rem_euclid(1.0)) * 6.0;
    let i = h.floor();
    let f = h - i;
    let (p, q, t) = (v * (1.0 - s), v * (1.0 - s * f), v * (1.0 - s * (1.0 - f)));
    match i as u32 {
        0 => [v, t, p],
        1 => [q, v, p],
        2 => [p, v, t],
        3 => [p, q, v],
        4 => [t, p, v],
        _ => [v, p, q],
    }
}

fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

/// Raw RGB8 pixels of a `w`x`h` picture for `seed`.
pub fn render_rgb(w: u32, h: u32, seed: u64) -> Vec<u8> {
    let (w, h) = (w.max(1) as usize, h.max(1) as usize);
    let mut rng = fastrand::Rng::with_seed(seed);
    let hue = rng.f32();
    let c0 = hsv(hue, 0.55 + 0.3 * rng.f32(), 0.95);
    let c1 = hsv(hue + 0.25 + 0.2 * rng.f32(), 0.6, 0.75);
    let c2 = hsv(hue + 0.55 + 0.2 * rng.f32(), 0.7, 0.45);
    let sun = hsv(hue + 0.08, 0.35, 1.0);
    let a1 = rng.f32() * std::f32::consts::TAU;
    let a2 = rng.f32() * std::f32::consts::TAU;
    let stripes = 5.0 + 10.0 * rng.f32();
    let (sx, sy, sr) = (
        0.2 + 0.6 * rng.f32(),
        0.2 + 0.6 * rng.f32(),
        0.12 + 0.15 * rng.f32(),
    );

    let scale = if w * h >= 6_000_000 {
        8
    } else if w * h >= 1_500_000 {
        4
    } else if w * h >= 200_000 {
        2
    } else {
        1
    };
    let lw = w.div_ceil(scale);
    let lh = h.div_ceil(scale);
    let aspect = w as f32 / h as f32;
    let row_len = w * 3;
    let mut out = vec![0u8; row_len * h];
    let mut row = vec![0u8; row_len];
    for ly in 0..lh {
        let v = (ly as f32 + 0.5) / lh as f32;
        for lx in 0..lw {
            let u = (lx as f32 + 0.5) / lw as f32;
            let t = ((u - 0.5) * a1.cos() + (v - 0.5) * a1.sin()) * std::f32::consts::SQRT_2 + 0.5;
            let t = t.clamp(0.0, 1.0);
            let mut c = if t < 0.5 {
                mix(c0, c1, t * 2.0)
            } else {
                mix(c1, c2, t * 2.0 - 1.0)
            };
            let s = (u * a2.cos() + v * a2.sin()) * stripes * std::f32::consts::TAU;
            let shade = 0.88 + 0.12 * s.sin();
            c = [c[0] * shade, c[1] * shade, c[2] * shade];
            let (dx, dy) = ((u - sx) * aspect.sqrt(), (v - sy) / aspect.sqrt());
            let d = (dx * dx + dy * dy).sqrt() / sr;
            if d < 1.8 {
                // A soft-edged disc with a halo around it.
                let edge = ((d - 0.92) / 0.08).clamp(0.0, 1.0);
                let disc = 0.85 * (1.0 - edge * edge * (3.0 - 2.0 * edge));
                let halo = 0.35 * (1.0 - d / 1.8).powi(2);
                c = mix(c, sun, disc.max(halo));
            }
            let px = [
                (c[0] * 255.0) as u8,
                (c[1] * 255.0) as u8,
                (c[2] * 255.0) as u8,
            ];
            let x0 = lx * scale;
            for x in x0..(x0 + scale).min(w) {
                row[x * 3..x * 3 + 3].copy_from_slice(&px);
            }
        }
        let y0 = ly * scale;
        for y in y0..(y0 + scale).min(h) {
            out[y * row_len..(y + 1) * row_len].copy_from_slice(&row);
        }
    }

    // Noise: each row XORs a window of a shared random pool at a random offset, so rows never repeat
    // within the deflate window and the PNG keeps a realistic size.
    let words_per_row = row_len / 8;
    let pool: Vec<u64> = (0..(1 << 16) + words_per_row)
        .map(|_| rng.u64(..) & NOISE_MASK)
        .collect();
    for line in out.chunks_exact_mut(row_len) {
        let off = rng.usize(..(1 << 16));
        // SAFETY: u64 has no invalid bit patterns, and align_to_mut only hands out the aligned middle.
        let (head, words, tail) = unsafe { line.align_to_mut::<u64>() };
        let mut noise = pool[off..off + words_per_row].iter();
        for w in words.iter_mut() {
            match noise.next() {
                Some(n) => *w ^= n,
                None => break,
            }
        }
        for b in head.iter_mut().chain(tail.iter_mut()) {
            *b ^= (off as u8) & 1;
        }
    }
    out
}

/// A PNG of exactly `w`x`h` pixels for `seed`.
pub fn render_png(w: u32, h: u32, seed: u64) -> Vec<u8> {
    let rgb = render_rgb(w, h, seed);
    let mut png = Vec::with_capacity(rgb.len() / 3);
    let encoder =
        PngEncoder::new_with_quality(&mut png, CompressionType::Level(1), FilterType::Sub);
    // Encoding an in-memory buffer whose length matches w*h*3 cannot fail; an empty PNG would be caught
    // by every client test, so no panic here.
    let _ = encoder.write_image(&rgb, w.max(1), h.max(1), ExtendedColorType::Rgb8);
    png
}

/// Width and height of an input image, when its format is one we can read (PNG, JPEG, WebP).
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    reader.into_dimensions().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_size_and_deterministic() {
        let a = render_png(31, 17, 7);
        assert_eq!(dimensions(&a), Some((31, 17)));
        assert_eq!(a, render_png(31, 17, 7));
        assert_ne!(a, render_png(31, 17, 8));
    }
}
