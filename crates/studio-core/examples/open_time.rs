//! `cargo run --release -p studio-core --example open_time -- <data dir>`: how long opening a studio takes
//! before its first gallery page can be read, and when the background orphan sweep is done (which start-up
//! used to wait for). Fill a data dir first with the `seed_gallery` example.

use studio_core::{GalleryQuery, Studio, StudioConfig};

fn main() {
    let Some(dir) = std::env::args().nth(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: open_time <data dir>");
        std::process::exit(2);
    };
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let config = StudioConfig {
            data_dir: dir.clone(),
            api_key: Some("unused".into()),
            base_url: "http://127.0.0.1:9".into(),
            price_per_million_tokens: None,
        };
        let studio = match Studio::open(config) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("open_time: {e}");
                std::process::exit(1);
            }
        };
        let opened = t.elapsed();
        let first = studio.gallery().list(&GalleryQuery::default()).map(|p| p.len()).unwrap_or(0);
        let listed = t.elapsed();
        studio.finish_cleanup();
        println!("open {opened:?}; first page ({first} images) {listed:?}; sweep done {:?}", t.elapsed());
    }
}
