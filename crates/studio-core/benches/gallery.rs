//! Gallery at 100k images: first-page list time (default, model filter, favourites, grounded) and FTS
//! search p50/p95, against a full-scan baseline of the same first page without indexes measured in the
//! same run.
//!
//! Run: `cargo bench -p studio-core --bench gallery`

use std::time::{Duration, Instant};

use rusqlite::{params, Connection};
use studio_core::gallery::migrations::migrate;
use studio_core::{GalleryQuery, Studio, StudioConfig};

const ROWS: usize = 100_000;
const WORDS: &[&str] = &[
    "banana",
    "astronaut",
    "sunset",
    "castle",
    "watercolour",
    "neon",
    "city",
    "forest",
    "robot",
    "cat",
    "dragon",
    "portrait",
    "poster",
    "infographic",
    "ocean",
    "mountain",
    "vintage",
    "cyberpunk",
    "minimal",
    "sketch",
];
const MODELS: &[&str] = &[
    "gemini-3.1-flash-image-preview",
    "gemini-3-pro-image-preview",
    "gemini-2.5-flash-image",
];

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Instant::now();
    {
        let mut conn = Connection::open(dir.path().join("gallery.sqlite")).expect("db");
        conn.pragma_update(None, "journal_mode", "WAL")
            .expect("wal");
        migrate(&mut conn).expect("migrate");
        let tx = conn.transaction().expect("tx");
        {
            let mut st = tx
                .prepare(
                    "INSERT INTO images (id, chat_id, turn_id, file_name, sha256, mime, width, height, bytes, prompt, model, params, \
                     reference_hashes, text, thoughts, grounding, usage, image_tokens, total_tokens, cost, finish_reason, favourite, \
                     created_at, has_grounding) VALUES (?1, ?2, ?3, ?4, 'h', 'image/png', 1024, 1024, 1000000, ?5, ?6, '{}', '[]', ?7, '', NULL, NULL, 1120, 1400, NULL, 'STOP', ?8, ?9, ?10)",
                )
                .expect("prepare");
            let mut rng = fastrand::Rng::with_seed(7);
            for i in 0..ROWS {
                let prompt: Vec<&str> = (0..8).map(|_| WORDS[rng.usize(..WORDS.len())]).collect();
                let id = format!("img_{i:012}");
                st.execute(params![
                    id,
                    format!("chat_{}", i / 4),
                    format!("turn_{}", i / 2),
                    format!("{id}.png"),
                    prompt.join(" "),
                    MODELS[i % 3],
                    format!("Here is your {} image.", WORDS[i % WORDS.len()]),
                    (i % 50 == 0) as i64,
                    1_700_000_000_000i64 + i as i64 * 1000,
                    (i % 10 == 0) as i64,
                ])
                .expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    println!("setup: {ROWS} rows in {:.1} s", t.elapsed().as_secs_f64());
    // Files are not needed for listing; `open` would delete orphan files, not rows.
    let studio = Studio::open(StudioConfig {
        data_dir: dir.path().to_path_buf(),
        api_key: None,
        base_url: "http://127.0.0.1:9".into(),
        price_per_million_tokens: None,
    })
    .expect("studio");
    let g = studio.gallery();
    let time = |q: &GalleryQuery, n: usize| -> Vec<Duration> {
        (0..n)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(g.list(q).expect("list"));
                t.elapsed()
            })
            .collect()
    };
    let first = GalleryQuery {
        limit: 100,
        ..Default::default()
    };
    let cases = [
        ("first page (newest 100)", first.clone()),
        (
            "first page, model filter",
            GalleryQuery {
                model: Some(MODELS[1].into()),
                ..first.clone()
            },
        ),
        (
            "first page, favourites",
            GalleryQuery {
                favourite: Some(true),
                ..first.clone()
            },
        ),
        (
            "first page, grounded",
            GalleryQuery {
                has_grounding: Some(true),
                ..first.clone()
            },
        ),
    ];
    for (name, q) in &cases {
        let mut v = time(q, 50);
        println!(
            "{name}: p50 {:.2} ms, p95 {:.2} ms",
            pct(&mut v, 0.5),
            pct(&mut v, 0.95)
        );
    }
    // A page deep in the gallery: keyset vs offset.
    let page = g
        .list(&GalleryQuery {
            limit: 100,
            offset: 50_000,
            ..Default::default()
        })
        .expect("offset page");
    let cursor = page.last().map(|s| s.cursor.clone());
    let mut off = time(
        &GalleryQuery {
            limit: 100,
            offset: 50_100,
            ..Default::default()
        },
        20,
    );
    let mut key = time(
        &GalleryQuery {
            limit: 100,
            cursor,
            ..Default::default()
        },
        20,
    );
    println!(
        "page at 50k: offset p50 {:.2} ms, keyset cursor p50 {:.2} ms",
        pct(&mut off, 0.5),
        pct(&mut key, 0.5)
    );

    let mut fts = Vec::new();
    let mut rng = fastrand::Rng::with_seed(9);
    for i in 0..200 {
        let q = if i % 2 == 0 {
            WORDS[rng.usize(..WORDS.len())].to_string()
        } else {
            format!(
                "{} {}",
                WORDS[rng.usize(..WORDS.len())],
                &WORDS[rng.usize(..WORDS.len())][..3]
            )
        };
        let t = Instant::now();
        std::hint::black_box(
            g.list(&GalleryQuery {
                query: Some(q),
                limit: 100,
                ..Default::default()
            })
            .expect("search"),
        );
        fts.push(t.elapsed());
    }
    println!(
        "FTS search, first page of 100 (200 queries): p50 {:.2} ms, p95 {:.2} ms",
        pct(&mut fts, 0.5),
        pct(&mut fts, 0.95)
    );

    // Baseline: the same first page with the indexes unused (full scan + sort).
    let conn = Connection::open(dir.path().join("gallery.sqlite")).expect("db");
    let mut scan = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let mut st = conn
            .prepare_cached(
                "SELECT id, prompt FROM images NOT INDEXED WHERE trashed_at IS NULL ORDER BY created_at + 0 DESC, id DESC LIMIT 100",
            )
            .expect("prepare");
        let n = st
            .query_map([], |r| r.get::<_, String>(0))
            .expect("q")
            .count();
        std::hint::black_box(n);
        scan.push(t.elapsed());
    }
    let mut first_page = time(&first, 50);
    let (p, s) = (pct(&mut first_page, 0.5), pct(&mut scan, 0.5));
    println!(
        "baseline full scan first page: p50 {s:.2} ms; indexed is {:.0}x faster",
        s / p
    );
}
