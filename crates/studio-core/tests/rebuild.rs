//! Rebuilding the gallery index from the files (issue 9): a missing, corrupt or older `gallery.sqlite`
//! costs no image; every image file is listed again, with its provenance when its sidecar is there, and
//! nothing in `images/` or `blobs/` is ever deleted.

mod common;

use std::path::Path;

use common::*;
use studio_core::{GalleryQuery, ImageDetail, IndexHealth, Studio};

/// Two saved images in one chat (the second with its sidecar removed, as a save from before sidecars) and
/// a file that is not an image. Returns the studio's folder listing and both images' details.
async fn seeded() -> (Env, ImageDetail, ImageDetail) {
    let e = env().await;
    let first = e
        .studio
        .generate(req("a lighthouse at dusk"), |_| {})
        .await
        .unwrap();
    let mut next = req("the same lighthouse in snow");
    next.chat_id = Some(first.chat_id.clone());
    let second = e.studio.generate(next, |_| {}).await.unwrap();
    e.studio.finish_cleanup();
    let a = e.studio.gallery().get(&first.images[0].id).unwrap();
    let b = e.studio.gallery().get(&second.images[0].id).unwrap();
    std::fs::remove_file(format!("{}.json", b.path)).unwrap();
    std::fs::write(e.dir.path().join("images/notes.txt"), b"mine").unwrap();
    (e, a, b)
}

fn listing(dir: &Path) -> (Vec<String>, Vec<String>) {
    (files_in(&dir.join("images")), files_in(&dir.join("blobs")))
}

fn remove_db(dir: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("gallery.sqlite{ext}")));
    }
}

/// The rebuilt gallery lists both images: the one with a sidecar with its full provenance, the other as
/// recovered with what its file tells.
fn assert_rebuilt(studio: &Studio, a: &ImageDetail, b: &ImageDetail) {
    let q = GalleryQuery::default();
    let listed = studio.gallery().list(&q).unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    let ra = studio.gallery().get(&a.summary.id).unwrap();
    assert_eq!(ra.summary.prompt, "a lighthouse at dusk");
    assert_eq!(ra.summary.model, a.summary.model);
    assert_eq!(ra.params, a.params);
    assert_eq!((ra.sha256.as_str(), ra.bytes), (a.sha256.as_str(), a.bytes));
    assert_eq!(
        (ra.summary.chat_id.as_str(), ra.summary.turn_id.as_str()),
        (a.summary.chat_id.as_str(), a.summary.turn_id.as_str())
    );
    assert_eq!(
        (ra.summary.created_at, ra.total_tokens, ra.image_tokens),
        (a.summary.created_at, a.total_tokens, a.image_tokens)
    );
    assert_eq!(
        (ra.text.as_str(), ra.finish_reason.as_deref()),
        (a.text.as_str(), a.finish_reason.as_deref())
    );
    assert_eq!(ra.usage, a.usage);
    let rb = studio.gallery().get(&b.summary.id).unwrap();
    assert_eq!(
        rb.finish_reason.as_deref(),
        Some(studio_core::gallery::rebuild::RECOVERED)
    );
    assert_eq!(rb.summary.prompt, "", "its prompt was never saved with it");
    assert_eq!(
        (rb.sha256.as_str(), rb.bytes, rb.summary.mime.as_str()),
        (b.sha256.as_str(), b.bytes, b.summary.mime.as_str())
    );
    assert_eq!(
        (rb.summary.width, rb.summary.height),
        (b.summary.width, b.summary.height)
    );
    let found = studio
        .gallery()
        .list(&GalleryQuery {
            query: Some("lighthouse dusk".into()),
            ..q.clone()
        })
        .unwrap();
    assert_eq!(found.len(), 1, "the restored prompt is searchable");
    let recovered = studio
        .gallery()
        .list(&GalleryQuery {
            query: Some("recovered".into()),
            ..q
        })
        .unwrap();
    assert_eq!(
        recovered.len(),
        1,
        "the recovered one is found by its marker"
    );
    assert!(
        studio.thumb_path(&b.summary.id).unwrap().exists(),
        "its thumbnail is made again"
    );
}

#[tokio::test]
async fn a_deleted_database_is_rebuilt_from_the_files() {
    let (e, a, b) = seeded().await;
    let before = listing(e.dir.path());
    drop(e.studio);
    remove_db(e.dir.path());
    assert_eq!(
        studio_core::gallery_index_health(e.dir.path()).unwrap(),
        IndexHealth::Missing
    );
    assert_eq!(
        studio_core::unlisted_gallery_images(e.dir.path()).unwrap(),
        2,
        "notes.txt is not an image"
    );

    let report = studio_core::rebuild_gallery_index(e.dir.path()).unwrap();
    assert_eq!(
        (report.restored, report.recovered, report.already_listed),
        (1, 1, 0),
        "{report:?}"
    );
    assert_eq!(report.moved_aside, None);
    assert_eq!(report.skipped, ["notes.txt"]);
    assert!(
        report.summary().contains("Chats are not rebuilt"),
        "{}",
        report.summary()
    );
    let studio = open(e.dir.path(), &e.fake.base_url());
    studio.finish_cleanup();
    assert_rebuilt(&studio, &a, &b);
    assert_eq!(
        listing(e.dir.path()),
        before,
        "nothing in images/ or blobs/ was deleted"
    );

    // Again, with the app open: nothing new, nothing twice.
    let again = studio_core::rebuild_gallery_index(e.dir.path()).unwrap();
    assert_eq!(
        (again.restored, again.recovered, again.already_listed),
        (0, 0, 2),
        "{again:?}"
    );
    assert_eq!(studio.gallery().count(&GalleryQuery::default()).unwrap(), 2);
}

#[tokio::test]
async fn a_corrupt_database_is_kept_aside_and_the_gallery_rebuilt() {
    let (e, a, b) = seeded().await;
    let before = listing(e.dir.path());
    drop(e.studio);
    remove_db(e.dir.path());
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(e.dir.path().join("gallery.sqlite"), &garbage).unwrap();
    let opened = Studio::open(studio_core::StudioConfig {
        data_dir: e.dir.path().to_path_buf(),
        base_url: e.fake.base_url(),
        ..Default::default()
    });
    let err = opened.err().expect("a corrupt database does not open");
    assert_eq!(err.kind(), "corrupt_database", "{err}");
    assert!(err.to_string().contains("banana gallery rebuild"), "{err}");
    assert!(matches!(
        studio_core::gallery_index_health(e.dir.path()).unwrap(),
        IndexHealth::Corrupt { .. }
    ));

    let report = studio_core::rebuild_gallery_index(e.dir.path()).unwrap();
    let aside = report.moved_aside.clone().expect("moved aside");
    assert!(aside.contains("gallery.sqlite.corrupt-"), "{aside}");
    assert_eq!(
        std::fs::read(&aside).unwrap(),
        garbage,
        "the corrupt file is kept as it was"
    );
    assert_eq!((report.restored, report.recovered), (1, 1), "{report:?}");
    assert_eq!(
        studio_core::gallery_index_health(e.dir.path()).unwrap(),
        IndexHealth::Ok
    );
    let studio = open(e.dir.path(), &e.fake.base_url());
    studio.finish_cleanup();
    assert_rebuilt(&studio, &a, &b);
    assert_eq!(
        listing(e.dir.path()),
        before,
        "nothing in images/ or blobs/ was deleted"
    );
}

/// A backup restored from before the last image: the rows it has (chats, favourites) stay, the newer
/// image is added. Runs while the app has the folder open.
#[tokio::test]
async fn an_older_database_keeps_its_rows_and_gains_the_newer_images() {
    let e = env().await;
    let first = e
        .studio
        .generate(req("kept in the backup"), |_| {})
        .await
        .unwrap();
    let id = first.images[0].id.clone();
    e.studio.gallery().set_favourite(&id, true).unwrap();
    e.studio.finish_cleanup();
    drop(e.studio);
    let db = e.dir.path().join("gallery.sqlite");
    let backup = e.dir.path().join("backup.sqlite");
    std::fs::copy(&db, &backup).unwrap();
    let studio = open(e.dir.path(), &e.fake.base_url());
    let newer = studio
        .generate(req("made after the backup"), |_| {})
        .await
        .unwrap();
    studio.finish_cleanup();
    drop(studio);
    remove_db(e.dir.path());
    std::fs::rename(&backup, &db).unwrap();

    let studio = open(e.dir.path(), &e.fake.base_url());
    studio.finish_cleanup();
    assert_eq!(
        studio.gallery().count(&GalleryQuery::default()).unwrap(),
        1,
        "the backup's view"
    );
    assert_eq!(
        studio_core::unlisted_gallery_images(e.dir.path()).unwrap(),
        1,
        "what a rebuild would add"
    );
    let report = studio_core::rebuild_gallery_index(e.dir.path()).unwrap();
    assert_eq!(
        (report.restored, report.recovered, report.already_listed),
        (1, 0, 1),
        "{report:?}"
    );
    assert_eq!(
        studio_core::unlisted_gallery_images(e.dir.path()).unwrap(),
        0
    );
    let d = studio.gallery().get(&newer.images[0].id).unwrap();
    assert_eq!(d.summary.prompt, "made after the backup");
    assert!(
        studio.gallery().get(&id).unwrap().summary.favourite,
        "the backup's rows keep their state"
    );
    assert_eq!(
        studio.chats().list(10, 0).unwrap().len(),
        1,
        "the backup's chat stays; chats are not rebuilt from images"
    );
    assert_eq!(
        d.summary.chat_id, newer.chat_id,
        "the image still names its chat"
    );
}
