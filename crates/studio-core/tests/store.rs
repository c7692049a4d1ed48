//! The store: crash consistency, gallery operations, pagination, migrations from every earlier schema, and
//! FTS query escaping.

mod common;

use common::*;
use rusqlite::Connection;
use studio_core::gallery::migrations::{
    current_version, latest_version, migrate, migrate_to, MIGRATIONS,
};
use studio_core::{GalleryQuery, SortOrder};

#[tokio::test]
async fn crash_between_file_write_and_commit_leaves_a_consistent_store() {
    let e = env().await;
    e.studio.generate(req("kept"), |_| {}).await.unwrap();
    e.studio.set_fail_before_commit(true);
    let err = e.studio.generate(req("lost"), |_| {}).await.unwrap_err();
    assert!(err.to_string().contains("failpoint"));
    let images = e.dir.path().join("images");
    assert_eq!(
        image_files_in(&images).len(),
        2,
        "the orphan file is on disk, as after a crash"
    );
    assert_eq!(files_in(&images).len(), 4, "each with its sidecar");
    assert_eq!(
        e.studio.gallery().count(&GalleryQuery::default()).unwrap(),
        1,
        "no row for it"
    );
    assert_eq!(e.studio.chats().list(10, 0).unwrap().len(), 1);
    drop(e.studio);
    // Reopening cleans the orphan (in the background; reads go on meanwhile, and a save waits for the sweep's
    // write lock, so its file is never taken for an orphan); every row has its file.
    let studio = open(e.dir.path(), &e.fake.base_url());
    assert_eq!(studio.gallery().count(&GalleryQuery::default()).unwrap(), 1, "readable while the sweep runs");
    studio.generate(req("during the sweep"), |_| {}).await.unwrap();
    studio.finish_cleanup();
    let listed = studio.gallery().list(&GalleryQuery::default()).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(image_files_in(&images).len(), 2, "the orphan is gone, the new image kept");
    assert_eq!(files_in(&images).len(), 4, "the orphan's sidecar is gone too");
    for i in &listed {
        assert!(studio.image_path(&i.id).unwrap().exists());
    }
}

#[tokio::test]
async fn images_are_saved_byte_for_byte_with_full_provenance() {
    let e = env().await;
    let p = studio_core::GenerateParams {
        aspect_ratio: Some("3:2".into()),
        image_size: Some("512".into()),
        // 512 is 3.1 Flash Image's alone.
        model: "gemini-3.1-flash-image".into(),
        ..Default::default()
    };
    let r = e
        .studio
        .generate(req_with("a lighthouse at dusk", p.clone()), |_| {})
        .await
        .unwrap();
    let img = &r.images[0];
    let bytes = std::fs::read(&img.path).unwrap();
    assert!(img.path.ends_with(".png"));
    assert!(std::path::Path::new(&img.path).is_absolute());
    // Same bytes as the model turn's inline data.
    let sent = generate_requests(&e.fake);
    assert_eq!(sent.len(), 1);
    let d = e.studio.gallery().get(&img.id).unwrap();
    assert_eq!(
        d.sha256,
        studio_core::references::pipeline::content_hash(&bytes)
    );
    assert_eq!(d.params, p);
    assert_eq!(d.summary.prompt, "a lighthouse at dusk");
    assert_eq!(d.summary.model, "gemini-3.1-flash-image");
    assert_eq!((d.summary.width, d.summary.height), (632, 424));
    assert_eq!(d.image_tokens, 747);
    assert!(d.total_tokens > 747);
    assert!(d.cost.unwrap() > 0.0);
    assert_eq!(d.finish_reason.as_deref(), Some("STOP"));
    assert!(d.usage.is_some());
    // Thumbnails: made lazily if the worker has not yet.
    let t = e.studio.thumb_path(&img.id).unwrap();
    let th = image::open(&t).unwrap();
    assert!(th.width() <= 256 && th.height() <= 256);
}

#[tokio::test]
async fn favourites_trash_restore_delete() {
    let e = env().await;
    let a = e
        .studio
        .generate(req("alpha cat"), |_| {})
        .await
        .unwrap()
        .images[0]
        .id
        .clone();
    let b = e
        .studio
        .generate(req("beta dog"), |_| {})
        .await
        .unwrap()
        .images[0]
        .id
        .clone();
    let g = e.studio.gallery();
    g.set_favourite(&a, true).unwrap();
    assert_eq!(
        g.list(&GalleryQuery {
            favourite: Some(true),
            ..Default::default()
        })
        .unwrap()[0]
            .id,
        a
    );
    g.trash(&b).unwrap();
    assert_eq!(g.list(&GalleryQuery::default()).unwrap().len(), 1);
    assert_eq!(
        g.list(&GalleryQuery {
            trashed_only: true,
            ..Default::default()
        })
        .unwrap()[0]
            .id,
        b
    );
    g.restore(&b).unwrap();
    assert_eq!(g.count(&GalleryQuery::default()).unwrap(), 2);
    let path = e.studio.image_path(&b).unwrap();
    let thumb = e.studio.thumb_path(&b).unwrap();
    g.delete(&b).unwrap();
    assert!(!path.exists() && !thumb.exists());
    assert_eq!(g.get(&b).unwrap_err().kind(), "not_found");
    assert_eq!(g.count(&GalleryQuery::default()).unwrap(), 1);
    assert_eq!(
        g.set_favourite("img_nope", true).unwrap_err().kind(),
        "not_found"
    );
    // Search.
    assert_eq!(
        g.list(&GalleryQuery {
            query: Some("alph".into()),
            ..Default::default()
        })
        .unwrap()
        .len(),
        1
    );
    assert_eq!(
        g.list(&GalleryQuery {
            query: Some("dog".into()),
            ..Default::default()
        })
        .unwrap()
        .len(),
        0
    );
}

#[tokio::test]
async fn pagination_by_cursor_and_offset_agree() {
    let e = env().await;
    let p = studio_core::GenerateParams {
        count: 5,
        image_size: Some("512".into()),
        // 512 is 3.1 Flash Image's alone.
        model: "gemini-3.1-flash-image".into(),
        ..Default::default()
    };
    e.studio
        .generate(req_with("one", p.clone()), |_| {})
        .await
        .unwrap();
    e.studio.generate(req_with("two", p), |_| {}).await.unwrap();
    let g = e.studio.gallery();
    let all = g
        .list(&GalleryQuery {
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.len(), 10);
    let mut by_cursor = Vec::new();
    let mut cursor = None;
    loop {
        let page = g
            .list(&GalleryQuery {
                limit: 3,
                cursor: cursor.clone(),
                ..Default::default()
            })
            .unwrap();
        if page.is_empty() {
            break;
        }
        cursor = page.last().map(|s| s.cursor.clone());
        by_cursor.extend(page);
    }
    assert_eq!(by_cursor, all);
    let by_offset: Vec<_> = (0..4)
        .flat_map(|i| {
            g.list(&GalleryQuery {
                limit: 3,
                offset: i * 3,
                ..Default::default()
            })
            .unwrap()
        })
        .collect();
    assert_eq!(by_offset, all);
    // A search pages by cursor too, newest first.
    let q = |cursor: Option<String>| GalleryQuery {
        query: Some("one".into()),
        limit: 2,
        cursor,
        ..Default::default()
    };
    let mut found = Vec::new();
    let mut cursor = None;
    loop {
        let page = g.list(&q(cursor.clone())).unwrap();
        if page.is_empty() {
            break;
        }
        cursor = page.last().map(|s| s.cursor.clone());
        found.extend(page);
    }
    assert_eq!(found.len(), 5);
    assert!(found.iter().all(|s| s.prompt == "one"));
    assert_eq!(
        g.count(&GalleryQuery {
            query: Some("one".into()),
            ..Default::default()
        })
        .unwrap(),
        5
    );
    let oldest = g
        .list(&GalleryQuery {
            sort: SortOrder::Oldest,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(oldest.iter().rev().cloned().collect::<Vec<_>>(), all);
}

/// Rows each schema version can hold, inserted at that version.
fn seed(conn: &Connection, version: i64) {
    if version >= 1 {
        conn.execute_batch(&format!(
            "INSERT INTO chats VALUES ('chat_v{version}', 't', 'm', {version}, {version});
             INSERT INTO turns (id, chat_id, parent_turn_id, prompt, reference_hashes, params, model_content, text, thoughts, grounding, usage, finish_reason, created_at)
               VALUES ('turn_v{version}', 'chat_v{version}', NULL, 'zebra v{version}', '[]', '{{}}', '{{\"role\":\"model\",\"parts\":[]}}', 'striped', '', '{{\"webSearchQueries\":[\"q\"]}}', NULL, 'STOP', {version});
             INSERT INTO images (id, chat_id, turn_id, file_name, sha256, mime, width, height, bytes, prompt, model, params, reference_hashes, text, thoughts, grounding, usage, image_tokens, total_tokens, cost, finish_reason, created_at)
               VALUES ('img_v{version}', 'chat_v{version}', 'turn_v{version}', 'img_v{version}.png', 'h', 'image/png', 1, 1, 1, 'zebra v{version}', 'm', '{{\"model\":\"m\"}}', '[]', 'striped', '', '{{\"webSearchQueries\":[\"q\"]}}', NULL, 1120, 1300, NULL, 'STOP', {version});"
        ))
        .unwrap();
    }
}

#[test]
fn migrates_from_every_earlier_version() {
    assert!(MIGRATIONS.len() >= 2);
    for start in 0..=latest_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate_to(&mut conn, start).unwrap(), start);
        seed(&conn, start);
        assert_eq!(
            migrate(&mut conn).unwrap(),
            latest_version(),
            "from v{start}"
        );
        assert_eq!(current_version(&conn).unwrap(), latest_version());
        // Later migrations backfilled the rows written under the old schema.
        if start >= 1 {
            let n: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM images_fts WHERE images_fts MATCH '\"zebra\"'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 1, "FTS indexes rows from v{start}");
            if start < 3 {
                let g: i64 = conn
                    .query_row("SELECT has_grounding FROM images", [], |r| r.get(0))
                    .unwrap();
                assert_eq!(g, 1, "grounding flag backfilled from v{start}");
            }
        }
        // And the current schema accepts new rows (the triggers index them).
        seed(&conn, 100 + start);
        let n: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM images_fts WHERE images_fts MATCH 'striped'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, if start >= 1 { 2 } else { 1 });
    }
}

#[test]
fn a_studio_opens_a_database_left_at_every_earlier_version() {
    for start in 0..latest_version() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut conn = Connection::open(dir.path().join("gallery.sqlite")).unwrap();
            migrate_to(&mut conn, start).unwrap();
            seed(&conn, start);
        }
        std::fs::create_dir_all(dir.path().join("images")).unwrap();
        if start >= 1 {
            std::fs::write(
                dir.path().join(format!("images/img_v{start}.png")),
                png(1, 1, 0),
            )
            .unwrap();
        }
        let studio = open(dir.path(), "http://127.0.0.1:9");
        let q = GalleryQuery {
            query: Some("zebra".into()),
            ..Default::default()
        };
        assert_eq!(
            studio.gallery().list(&q).unwrap().len(),
            if start >= 1 { 1 } else { 0 }
        );
        let mode: String = Connection::open(dir.path().join("gallery.sqlite"))
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}

mod fts {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn studio() -> &'static (tempfile::TempDir, studio_core::Studio) {
        static S: OnceLock<(tempfile::TempDir, studio_core::Studio)> = OnceLock::new();
        S.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            {
                let mut conn = Connection::open(dir.path().join("gallery.sqlite")).unwrap();
                migrate(&mut conn).unwrap();
                seed(&conn, 1);
            }
            std::fs::create_dir_all(dir.path().join("images")).unwrap();
            std::fs::write(dir.path().join("images/img_v1.png"), png(1, 1, 0)).unwrap();
            let s = open(dir.path(), "http://127.0.0.1:9");
            (dir, s)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
        /// Any user text is a valid search: FTS5 operators, quotes, brackets, NEAR, column filters, unicode.
        #[test]
        fn any_query_is_safe(q in prop_oneof![
            any::<String>(),
            "[a-z\"*():^+\\-{} ]{0,30}",
            prop::collection::vec(prop_oneof![Just("AND"), Just("OR"), Just("NOT"), Just("NEAR("), Just("\""), Just("*"), Just("prompt:"), Just("zebra"), Just(")"), Just("^"), Just("\u{0301}"), Just("ß")], 0..8).prop_map(|v| v.join(" ")),
        ]) {
            let s = &studio().1;
            let res = s.gallery().list(&GalleryQuery { query: Some(q.clone()), ..Default::default() });
            prop_assert!(res.is_ok(), "{q:?}: {:?}", res.err());
            let counted = s.gallery().count(&GalleryQuery { query: Some(q), ..Default::default() });
            prop_assert!(counted.is_ok());
        }
    }

    #[test]
    fn operators_are_literal() {
        let s = &studio().1;
        let n = |q: &str| {
            s.gallery()
                .list(&GalleryQuery {
                    query: Some(q.into()),
                    ..Default::default()
                })
                .unwrap()
                .len()
        };
        assert_eq!(n("zebra"), 1);
        assert_eq!(n("zeb"), 1, "prefix on the last word");
        assert_eq!(n("zebra OR nothing"), 0, "OR is a word, not an operator");
        assert_eq!(n("\"zebra\""), 1);
        assert_eq!(n("striped zebra"), 1, "model text is searched too");
    }
}

/// Issue 9: the start-up sweep emptied images/ and blobs/ when gallery.sqlite was missing, replaced, restored
/// from an older backup or synced after the images. It now removes only what an interrupted save listed.
#[tokio::test]
async fn a_missing_or_older_database_never_costs_an_image() {
    let e = env().await;
    let first = e.studio.generate(req("kept one"), |_| {}).await.unwrap();
    let mut next = req("kept two");
    next.chat_id = Some(first.chat_id.clone());
    e.studio.generate(next, |_| {}).await.unwrap();
    e.studio.finish_cleanup();
    let images = e.dir.path().join("images");
    let blobs = e.dir.path().join("blobs");
    let (n_images, n_blobs) = (files_in(&images).len(), files_in(&blobs).len());
    assert_eq!(n_images, 4, "two images, each with its sidecar");
    assert!(n_blobs >= 2, "the chat's model turns keep their images in blobs/");
    drop(e.studio);
    // An older backup: the database as it was before the two images (here: none at all, moved aside).
    let db = e.dir.path().join("gallery.sqlite");
    let aside = e.dir.path().join("gallery.sqlite.aside");
    std::fs::rename(&db, &aside).unwrap();
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(e.dir.path().join(format!("gallery.sqlite{ext}")));
    }
    let studio = open(e.dir.path(), &e.fake.base_url());
    studio.finish_cleanup();
    assert_eq!(files_in(&images).len(), n_images, "no image file removed");
    assert_eq!(files_in(&blobs).len(), n_blobs, "no chat blob removed");
    drop(studio);
    // A fresh process on the same folder leaves another's fresh interim files alone; old ones go.
    let tmp = e.dir.path().join("tmp");
    std::fs::write(tmp.join("thought_live.png"), b"in use").unwrap();
    let stale = tmp.join("thought_stale.png");
    std::fs::write(&stale, b"left by a crash").unwrap();
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 3600);
    std::fs::File::options().write(true).open(&stale).unwrap().set_modified(two_hours_ago).unwrap();
    let studio = open(e.dir.path(), &e.fake.base_url());
    studio.finish_cleanup();
    assert_eq!(files_in(&tmp), ["thought_live.png"]);
}

/// Issue 9: the app and `banana` commands opening a fresh database at once failed with "table chats already
/// exists"; each migration step now takes the write lock and skips what another opener applied.
#[test]
fn six_openers_of_a_fresh_database_all_succeed() {
    for _round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let (dir, barrier) = (dir.path().to_path_buf(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    open(&dir, "http://127.0.0.1:9").finish_cleanup();
                })
            })
            .collect();
        for h in handles {
            h.join().expect("every opener succeeds");
        }
        let c = Connection::open(dir.path().join("gallery.sqlite")).unwrap();
        assert_eq!(current_version(&c).unwrap(), latest_version());
    }
}

/// Issue 9: the data folder was created with the umask (0755): other local users could read every prompt,
/// photo and chat. It is private now, also when an older version created it open.
#[cfg(unix)]
#[test]
fn the_data_folder_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    std::fs::create_dir(&root).unwrap();
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
    open(&root, "http://127.0.0.1:9").finish_cleanup();
    let mode = std::fs::metadata(&root).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}

/// Issue 9: a row whose file is gone (deleted or moved outside the app, a backup restored without it, or a
/// crash in the old delete order) broke what touched it with an I/O error about the file; the gallery now
/// lists and describes it, and what needs the pixels says the file is missing and what to do.
#[tokio::test]
async fn a_missing_image_file_is_reported_and_breaks_no_list() {
    let e = env().await;
    let first = e.studio.generate(req("first"), |_| {}).await.unwrap();
    let mut next = req("second");
    next.chat_id = Some(first.chat_id.clone());
    let second = e.studio.generate(next, |_| {}).await.unwrap();
    e.studio.finish_cleanup();
    let gone = &first.images[0];
    let path = e.studio.image_path(&gone.id).unwrap();
    std::fs::remove_file(&path).unwrap();
    let _ = std::fs::remove_file(e.dir.path().join("thumbs").join(format!("{}.jpg", gone.id)));

    let listed = e.studio.gallery().list(&GalleryQuery::default()).unwrap();
    assert_eq!(listed.len(), 2, "the list is whole");
    let detail = e.studio.gallery().get(&gone.id).unwrap();
    assert_eq!(detail.summary.prompt, "first", "its provenance (and reuse) still open");
    for err in [
        e.studio.image_path(&gone.id).unwrap_err(),
        e.studio.thumb_path(&gone.id).unwrap_err(),
    ] {
        assert_eq!(err.kind(), "file_missing", "{err}");
        let msg = err.to_string();
        assert!(msg.contains(&gone.id) && msg.contains(&*path.to_string_lossy()), "{msg}");
        assert!(msg.contains("backup") && msg.contains("delete the image"), "says what to do: {msg}");
    }
    assert!(e.studio.thumb_path(&second.images[0].id).is_ok(), "the other image is untouched");

    // The chat keeps its own copy of the model's image (blobs/): it continues.
    let mut more = req("third");
    more.chat_id = Some(first.chat_id.clone());
    e.studio.generate(more, |_| {}).await.unwrap();
    // Without that copy, replay stops with a message saying so instead of an I/O error.
    for f in files_in(&e.dir.path().join("blobs")) {
        std::fs::remove_file(e.dir.path().join("blobs").join(f)).unwrap();
    }
    let mut again = req("fourth");
    again.chat_id = Some(first.chat_id.clone());
    let err = e.studio.generate(again, |_| {}).await.unwrap_err();
    assert_eq!(err.kind(), "file_missing", "{err}");
    assert!(err.to_string().contains("start a new chat"), "{err}");

    // Deleting the image whose file is gone works.
    e.studio.gallery().delete(&gone.id).unwrap();
    assert_eq!(e.studio.gallery().count(&GalleryQuery::default()).unwrap(), 2);
}

/// Issue 9: a stored file name is data, never a path. A row naming `../api-key` (a tampered or corrupt
/// database) is refused by studio-core itself, so no caller (the app's scheme and export, the CLI) can be led
/// out of images/.
#[tokio::test]
async fn a_row_naming_a_file_outside_images_is_never_joined() {
    let e = env().await;
    let made = e.studio.generate(req("a kite"), |_| {}).await.unwrap();
    e.studio.finish_cleanup();
    let id = &made.images[0].id;
    std::fs::write(e.dir.path().join("api-key"), "secret").unwrap();
    let db = rusqlite::Connection::open(e.dir.path().join("gallery.sqlite")).unwrap();
    for name in ["../api-key", "/etc/passwd", ".hidden", "a/b.png"] {
        db.execute("UPDATE images SET file_name = ?1 WHERE id = ?2", [name, id.as_str()]).unwrap();
        let err = e.studio.image_path(id).unwrap_err();
        assert_eq!(err.kind(), "not_found", "{name}: {err}");
        assert!(e.studio.thumb_path(id).is_err(), "{name}");
    }
}

/// Issue 9: the data folder is 0700, and every file in it is 0600 too (the database and its WAL, images,
/// sidecars, thumbnails, references, chat blobs, journal), so prompts and photos stay private where the
/// folder's mode is undone (a copy, a sync client). A copy saved for the person is an ordinary 0644 file.
#[cfg(unix)]
#[tokio::test]
async fn every_file_in_the_data_folder_is_owner_only_and_a_saved_copy_is_not() {
    use std::os::unix::fs::PermissionsExt;
    let e = env().await;
    let info = e.studio.import_reference_bytes(png(64, 48, 3), "ref.png").await.unwrap();
    let mut r = req("a lighthouse");
    r.reference_hashes = vec![info.hash];
    let first = e.studio.generate(r, |_| {}).await.unwrap();
    let mut next = req("at night");
    next.chat_id = Some(first.chat_id.clone());
    e.studio.generate(next, |_| {}).await.unwrap();
    let image = e.studio.image_path(&first.images[0].id).unwrap();
    e.studio.thumb_path(&first.images[0].id).unwrap();
    e.studio.finish_cleanup();

    let mut seen = Vec::new();
    let mut dirs = vec![e.dir.path().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                dirs.push(entry.path());
            } else {
                let mode = meta.permissions().mode() & 0o777;
                assert_eq!(mode & 0o077, 0, "{} is {mode:o}", entry.path().display());
                seen.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
    }
    for want in ["gallery.sqlite", "gallery.sqlite-wal", ".json", ".jpg"] {
        assert!(seen.iter().any(|n| n.ends_with(want)), "{want} among {seen:?}");
    }
    let out = tempfile::tempdir().unwrap();
    let copy = studio_core::gallery::save::save_copy(&image, &out.path().join("mine")).unwrap();
    assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o644);
}
