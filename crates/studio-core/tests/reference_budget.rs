//! Issue 9: decodes were bounded only by rayon's one-per-core for paths, and not at all for pastes, so
//! four 1 MB PNG bombs reached 3.5 GB. Every import path now takes its image's estimated peak memory from
//! one process-wide budget. A test binary of its own: the budget is global, and other tests' imports would
//! show in its counters.
//! See: issue 9.

mod common;

use common::*;
use studio_core::references::{budget, pipeline};

#[tokio::test]
async fn imports_by_path_and_by_paste_share_one_decode_budget() {
    let e = env().await;
    // 8500 x 8500 RGB, interlaced so it is decoded whole: 217 MB, so two would not fit the budget at once.
    let bombs: Vec<Vec<u8>> = (0..4).map(|i| png_bomb_interlaced(8500, 8500, i)).collect();
    let global = budget::global();
    for b in &bombs {
        let plan = pipeline::plan(&mut std::io::Cursor::new(b), b.len() as u64).unwrap();
        assert!(plan.cost * 2 > global.capacity(), "{plan:?}");
    }
    let paths: Vec<_> = bombs[..2]
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let p = e.dir.path().join(format!("bomb{i}.png"));
            std::fs::write(&p, b).unwrap();
            p
        })
        .collect();
    global.reset_peaks();
    let (by_path, paste_a, paste_b) = tokio::join!(
        e.studio.import_reference_files(paths),
        e.studio.import_reference_bytes(bombs[2].clone(), "pasted-a.png"),
        e.studio.import_reference_bytes(bombs[3].clone(), "pasted-b.png"),
    );
    for r in by_path.into_iter().chain([paste_a, paste_b]) {
        let info = r.unwrap();
        assert_eq!((info.width, info.height), (2048, 2048));
    }
    let stats = global.stats();
    // Four imports were started together; the budget let one decode at a time.
    assert_eq!(stats.peak_in_flight, 1, "{stats:?}");
    assert!(stats.peak_used <= stats.capacity, "{stats:?}");
    assert_eq!((stats.used, stats.in_flight), (0, 0), "{stats:?}");
}
