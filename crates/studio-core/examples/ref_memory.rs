//! `cargo run --release -p studio-core --example ref_memory`: peak memory of the reference pipeline on
//! large and hostile inputs (issue 9). Each scenario runs in a child process of this binary, which imports
//! through the same `Studio` calls the app makes and reports its peak RSS (`VmHWM` in /proc/self/status);
//! the baseline is a child that opens the studio and imports nothing, measured in the same run. Inputs
//! are generated into a temp dir first: 14 large JPEG photos, a 1 MB PNG bomb (8000 x 6000 black pixels),
//! four of them, and a 20000 x 20000 one, each plain (shrunk as its rows stream) and interlaced (decoded
//! whole). Linux only (`/proc`).

#[path = "../tests/common/bomb.rs"]
mod bomb;

use std::path::{Path, PathBuf};
use std::process::Command;

use studio_core::{Studio, StudioConfig};

/// Photo sizes for the 14 references: eight 24 MP, four 50 MP, two 100 MP (a Fuji GFX 100's frame).
const PHOTOS: [(u32, u32); 14] = [
    (6000, 4000),
    (6000, 4000),
    (6000, 4000),
    (6000, 4000),
    (6000, 4000),
    (6000, 4000),
    (6000, 4000),
    (6000, 4000),
    (8660, 5773),
    (8660, 5773),
    (8660, 5773),
    (8660, 5773),
    (11648, 8736),
    (11648, 8736),
];

const SCENARIOS: [(&str, &str); 8] = [
    ("baseline", "the studio opened, nothing imported"),
    ("photos14", "14 photos (8x24 MP, 4x50 MP, 2x100 MP JPEG) by path, in parallel"),
    ("bomb", "one 1 MB PNG bomb (8000x6000) by path"),
    ("bombs4_path", "four 1 MB PNG bombs by path, in parallel"),
    ("bombs4_paste", "four 1 MB PNG bombs pasted at once (bytes)"),
    ("ibombs4_paste", "four 1 MB interlaced PNG bombs pasted at once (decoded whole)"),
    ("png20000", "a 20000x20000 PNG (7.5 MB bomb) by path"),
    ("ipng20000", "a 20000x20000 interlaced PNG (7.5 MB bomb) by path"),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 4 && args[1] == "--child" {
        child(&args[2], Path::new(&args[3]));
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let t = std::time::Instant::now();
    generate(dir.path());
    eprintln!("inputs generated in {:.1} s", t.elapsed().as_secs_f64());
    let exe = std::env::current_exe().expect("own path");
    let mut baseline = None;
    println!("| scenario | peak RSS | x baseline | above baseline | wall time | imported / refused |");
    println!("|---|---|---|---|---|---|");
    for (name, what) in SCENARIOS {
        let started = std::time::Instant::now();
        let out = Command::new(&exe)
            .args(["--child", name])
            .arg(dir.path())
            .output()
            .expect("run child");
        let wall = started.elapsed().as_secs_f64();
        let text = String::from_utf8_lossy(&out.stdout);
        let Some((kb, ok, refused, note)) = parse(&text) else {
            eprintln!(
                "{name}: child failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        };
        let base = *baseline.get_or_insert(kb);
        println!(
            "| {what} | {:.0} MB | {:.2}x | {:.0} MB | {wall:.1} s | {ok} / {refused}{} |",
            kb as f64 / 1024.0,
            kb as f64 / base as f64,
            (kb - base.min(kb)) as f64 / 1024.0,
            if note.is_empty() { String::new() } else { format!(" ({note})") }
        );
    }
}

fn parse(s: &str) -> Option<(u64, usize, usize, String)> {
    let line = s.lines().find(|l| l.starts_with("RESULT "))?;
    let mut f = line.splitn(5, ' ').skip(1);
    Some((
        f.next()?.parse().ok()?,
        f.next()?.parse().ok()?,
        f.next()?.parse().ok()?,
        f.next().unwrap_or("").to_string(),
    ))
}

fn photo_path(dir: &Path, i: usize) -> PathBuf {
    dir.join(format!("photo{i:02}.jpg"))
}

fn bomb_path(dir: &Path, i: u32) -> PathBuf {
    dir.join(format!("bomb{i}.png"))
}

fn ibomb_path(dir: &Path, i: u32) -> PathBuf {
    dir.join(format!("ibomb{i}.png"))
}

/// Photo-like content: smooth gradients with a little grain, so the JPEGs are camera-sized
/// (a few bytes per 10 pixels), each distinct.
fn generate(dir: &Path) {
    for (i, &(w, h)) in PHOTOS.iter().enumerate() {
        let mut rgb = vec![0u8; w as usize * h as usize * 3];
        let mut seed = 0x9E37_79B9u32 ^ i as u32;
        for (p, px) in rgb.chunks_exact_mut(3).enumerate() {
            let (x, y) = ((p % w as usize) as u32, (p / w as usize) as u32);
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let grain = (seed & 15) as u8;
            px[0] = ((x * 255 / w) as u8).wrapping_add(grain);
            px[1] = ((y * 255 / h) as u8).wrapping_add(grain);
            px[2] = (((x + y) / 16 % 256) as u8).wrapping_add(i as u8 * 9);
        }
        let mut out = Vec::new();
        jpeg_encoder::Encoder::new(&mut out, 90)
            .encode(&rgb, w as u16, h as u16, jpeg_encoder::ColorType::Rgb)
            .expect("encode");
        std::fs::write(photo_path(dir, i), out).expect("write photo");
    }
    for i in 0..4 {
        std::fs::write(bomb_path(dir, i), bomb::png_bomb(8000, 6000, i)).expect("write bomb");
        std::fs::write(ibomb_path(dir, i), bomb::png_bomb_interlaced(8000, 6000, i))
            .expect("write bomb");
    }
    std::fs::write(dir.join("huge.png"), bomb::png_bomb(20_000, 20_000, 99)).expect("write huge");
    std::fs::write(dir.join("ihuge.png"), bomb::png_bomb_interlaced(20_000, 20_000, 99))
        .expect("write huge");
}

fn child(scenario: &str, dir: &Path) {
    let data = dir.join(format!("data-{scenario}"));
    let studio = Studio::open(StudioConfig {
        data_dir: data,
        api_key: None,
        base_url: "http://127.0.0.1:9".into(),
        price_per_million_tokens: None,
    })
    .expect("open studio");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let results: Vec<studio_core::Result<studio_core::ReferenceInfo>> = rt.block_on(async {
        match scenario {
            "baseline" => Vec::new(),
            "photos14" => {
                let paths = (0..PHOTOS.len()).map(|i| photo_path(dir, i)).collect();
                studio.import_reference_files(paths).await
            }
            "bomb" => vec![studio.import_reference_file(&bomb_path(dir, 0)).await],
            "bombs4_path" => studio.import_reference_files((0..4).map(|i| bomb_path(dir, i)).collect()).await,
            "bombs4_paste" | "ibombs4_paste" => {
                let path = if scenario == "bombs4_paste" { bomb_path } else { ibomb_path };
                let bytes: Vec<Vec<u8>> =
                    (0..4).map(|i| std::fs::read(path(dir, i)).expect("read bomb")).collect();
                let imports = bytes
                    .into_iter()
                    .enumerate()
                    .map(|(i, b)| {
                        let name = format!("pasted{i}.png");
                        let studio = &studio;
                        async move { studio.import_reference_bytes(b, &name).await }
                    });
                futures_util::future::join_all(imports).await
            }
            "png20000" => vec![studio.import_reference_file(&dir.join("huge.png")).await],
            "ipng20000" => vec![studio.import_reference_file(&dir.join("ihuge.png")).await],
            other => panic!("unknown scenario {other}"),
        }
    });
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let note = results
        .iter()
        .find_map(|r| r.as_ref().err())
        .map(|e| e.to_string())
        .unwrap_or_default();
    let hwm = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
        })
        .expect("VmHWM in /proc/self/status");
    println!("RESULT {hwm} {ok} {} {note}", results.len() - ok);
}
