//! Fills a data dir with N gallery images (rows, image files and thumbnails) for the app benchmarks
//! (`scripts/bench-app`): a 100,000-image gallery without 100,000 generations.
//!
//! Run: `cargo run --release -p studio-core --example seed_gallery -- DATA_DIR [N]`

use std::io::Cursor;
use std::path::PathBuf;

use rusqlite::{params, Connection};
use studio_core::gallery::migrations::migrate;

const WORDS: &[&str] = &[
    "banana", "astronaut", "sunset", "castle", "watercolour", "neon", "city", "forest", "robot", "cat", "dragon",
    "portrait", "poster", "infographic", "ocean", "mountain", "vintage", "cyberpunk", "minimal", "sketch",
];
const MODELS: &[&str] = &["gemini-3.1-flash-image-preview", "gemini-3-pro-image-preview", "gemini-2.5-flash-image"];

fn encode(img: &image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: seed_gallery DATA_DIR [N]");
        std::process::exit(2);
    };
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    for sub in ["images", "thumbs"] {
        std::fs::create_dir_all(dir.join(sub)).expect("create dirs");
    }
    // A handful of distinct small images, reused: the grid needs real files, not distinct ones.
    let palette: Vec<(Vec<u8>, Vec<u8>)> = (0..16u8)
        .map(|k| {
            let img = image::RgbImage::from_fn(128, 128, |x, y| {
                image::Rgb([(x as u8).wrapping_mul(2).wrapping_add(k * 16), (y as u8).wrapping_mul(2), 200 - k * 8])
            });
            (encode(&img, image::ImageFormat::Png), encode(&img, image::ImageFormat::Jpeg))
        })
        .collect();
    let mut conn = Connection::open(dir.join("gallery.sqlite")).expect("open db");
    conn.pragma_update(None, "journal_mode", "WAL").expect("wal");
    migrate(&mut conn).expect("migrate");
    let tx = conn.transaction().expect("tx");
    {
        let mut st = tx
            .prepare(
                "INSERT INTO images (id, chat_id, turn_id, file_name, sha256, mime, width, height, bytes, prompt, model, \
                 params, reference_hashes, text, thoughts, grounding, usage, image_tokens, total_tokens, cost, \
                 finish_reason, favourite, created_at) VALUES (?1, ?2, ?3, ?4, 'seed', 'image/png', 128, 128, ?5, ?6, \
                 ?7, '{}', '[]', ?8, '', NULL, NULL, 1120, 1400, NULL, 'STOP', ?9, ?10)",
            )
            .expect("prepare");
        let mut rng = fastrand::Rng::with_seed(7);
        for i in 0..n {
            let prompt: Vec<&str> = (0..8).map(|_| WORDS[rng.usize(..WORDS.len())]).collect();
            let id = format!("seed{i:08}");
            let file = format!("{id}.png");
            let (png, jpg) = &palette[i % palette.len()];
            std::fs::write(dir.join("images").join(&file), png).expect("write image");
            std::fs::write(dir.join("thumbs").join(format!("{id}.jpg")), jpg).expect("write thumb");
            st.execute(params![
                id,
                format!("seedchat{}", i / 4),
                format!("seedturn{}", i / 2),
                file,
                png.len() as i64,
                prompt.join(" "),
                MODELS[i % 3],
                format!("Here is your {} image.", WORDS[i % WORDS.len()]),
                (i % 50 == 0) as i64,
                1_700_000_000_000i64 + i as i64 * 1000,
            ])
            .expect("insert");
        }
    }
    tx.commit().expect("commit");
    println!("seeded {n} images in {}", dir.display());
}
