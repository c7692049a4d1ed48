//! The `banana` binary end to end against an in-process fake: exit codes, one-line errors, JSON output,
//! nothing sent for invalid input, nothing saved on failure.

use std::path::Path;
use std::process::Command;

use gemini_fake::{FakeConfig, FakeGemini};
use serde_json::Value;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

async fn banana(data: &Path, base: Option<&str>, key: Option<&str>, args: &[&str]) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_banana"));
    cmd.args(args)
        .env("BANANA_STUDIO_DATA_DIR", data)
        .env_remove("GEMINI_API_KEY")
        .env_remove("GEMINI_BASE_URL");
    if let Some(b) = base {
        cmd.env("GEMINI_BASE_URL", b);
    }
    if let Some(k) = key {
        cmd.env("GEMINI_API_KEY", k);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run banana"))
        .await
        .unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

struct Env {
    fake: FakeGemini,
    dir: tempfile::TempDir,
}

impl Env {
    async fn new() -> Env {
        Env {
            fake: FakeGemini::start(FakeConfig::default()).await.unwrap(),
            dir: tempfile::tempdir().unwrap(),
        }
    }
    async fn run(&self, args: &[&str]) -> Out {
        banana(
            &self.dir.path().join("data"),
            Some(&self.fake.base_url()),
            Some("test"),
            args,
        )
        .await
    }
    /// The first generate request the fake received.
    fn first_generate_request(&self) -> gemini_fake::RecordedRequest {
        self.fake
            .requests()
            .into_iter()
            .find(|r| r.path.contains("enerateContent"))
            .expect("a generate request was sent")
    }
    fn generate_requests(&self) -> usize {
        self.fake
            .requests()
            .iter()
            .filter(|r| r.path.contains("enerateContent"))
            .count()
    }
    async fn gallery_len(&self) -> usize {
        self.run(&["gallery", "list", "--json"])
            .await
            .json()
            .as_array()
            .unwrap()
            .len()
    }
}

fn png(path: &Path, seed: u8) {
    image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([seed, x as u8, y as u8]))
        .save(path)
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generate_json_then_gallery_and_chat() {
    let e = Env::new().await;
    let o = e
        .run(&[
            "generate",
            "a banana on the moon",
            "--aspect",
            "16:9",
            "--size",
            "512",
            "--model",
            "gemini-3.1-flash-image",
            "--json",
        ])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = o.json();
    for k in [
        "chat_id",
        "turn_id",
        "images",
        "text",
        "thoughts",
        "grounding",
        "usage",
        "finish_reason",
    ] {
        assert!(j.get(k).is_some(), "missing {k}: {j}");
    }
    let img = &j["images"][0];
    let path = img["path"].as_str().unwrap();
    assert!(Path::new(path).is_absolute() && Path::new(path).exists());
    assert_eq!(
        (img["width"].as_u64(), img["height"].as_u64()),
        (Some(688), Some(384))
    );
    assert_eq!(img["mime"], "image/png");
    let id = img["id"].as_str().unwrap();

    let list = e.run(&["gallery", "list", "--json"]).await.json();
    assert_eq!(list[0]["id"], id);
    let show = e.run(&["gallery", "show", id, "--json"]).await.json();
    assert_eq!(show["prompt"], "a banana on the moon");
    assert_eq!(show["params"]["aspect_ratio"], "16:9");
    let chat_id = j["chat_id"].as_str().unwrap();
    let chats = e.run(&["chat", "list", "--json"]).await.json();
    assert_eq!(chats[0]["id"], chat_id);
    // Continue the chat.
    let o2 = e
        .run(&["generate", "now at night", "--chat", chat_id, "--json"])
        .await;
    assert_eq!(o2.code, 0, "{}", o2.stderr);
    let c = e.run(&["chat", "show", chat_id, "--json"]).await.json();
    assert_eq!(c["turns"].as_array().unwrap().len(), 2);
    assert_eq!(c["turns"][1]["parent_turn_id"], j["turn_id"]);
    // Readable forms work too.
    let h = e.run(&["gallery", "list", "--query", "banana"]).await;
    assert!(h.stdout.contains(id), "{}", h.stdout);
    assert_eq!(e.run(&["gallery", "show", id]).await.code, 0);
    let plain = e.run(&["generate", "a pear"]).await;
    assert!(
        plain.stdout.contains("image") && plain.stdout.contains(".png"),
        "{}",
        plain.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_exits_2_before_any_request() {
    let e = Env::new().await;
    let corrupt = e.dir.path().join("broken.jpg");
    std::fs::write(&corrupt, b"not a jpeg at all").unwrap();
    let corrupt = corrupt.to_string_lossy().into_owned();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "generate",
                "x",
                "--model",
                "gemini-3-pro-image",
                "--aspect",
                "1:8",
            ],
            "1:8",
        ),
        (
            vec![
                "generate",
                "x",
                "--model",
                "gemini-3-pro-image",
                "--size",
                "512",
            ],
            "512",
        ),
        (vec!["generate", "x", "--size", "1k"], "1k"),
        (
            vec![
                "generate",
                "x",
                "--model",
                "gemini-2.5-flash-image",
                "--size",
                "2K",
            ],
            "gemini-2.5-flash-image is not available for this API key",
        ),
        (vec!["generate", "x", "--size", "512"], "no image size 512"),
        (
            vec![
                "generate",
                "x",
                "--model",
                "gemini-3-pro-image",
                "--search",
                "image",
            ],
            "image search",
        ),
        (vec!["generate", "x", "--search", "maps"], "maps"),
        (vec!["generate", "x", "--thinking", "max"], "max"),
        (vec!["generate", "x", "--model", "nope"], "nope"),
        (
            vec!["generate", "x", "--ref", "/does/not/exist.png"],
            "exist.png",
        ),
        (
            vec!["generate", "x", "--ref", corrupt.as_str()],
            "broken.jpg",
        ),
        (vec!["generate", "x", "--count", "abc"], "abc"),
        (vec!["frobnicate"], "frobnicate"),
        (vec!["generate", "x", "--chat", "chat_nope"], "chat_nope"),
        (vec!["gallery", "show", "img_nope"], "img_nope"),
    ];
    for (args, needle) in cases {
        let o = e.run(&args).await;
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        assert_eq!(
            o.stderr.lines().count(),
            1,
            "{args:?}: one line: {}",
            o.stderr
        );
        assert!(
            o.stderr.contains(needle),
            "{args:?}: {} should name {needle}",
            o.stderr
        );
        assert!(o.stdout.is_empty());
    }
    assert_eq!(e.generate_requests(), 0, "nothing was sent");
    assert_eq!(e.gallery_len().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifteen_references_refused_fourteen_sent() {
    let e = Env::new().await;
    let mut args: Vec<String> = vec!["generate".into(), "collage".into(), "--json".into()];
    for i in 0..15 {
        let p = e.dir.path().join(format!("r{i}.png"));
        png(&p, i as u8);
        args.extend(["--ref".into(), p.to_string_lossy().into_owned()]);
    }
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = e.run(&a).await;
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("at most 14"), "{}", o.stderr);
    assert_eq!(e.generate_requests(), 0);
    let o = e.run(&a[..a.len() - 2]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let req = e.first_generate_request();
    let parts = req.json.unwrap()["contents"][0]["parts"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(parts, 15);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_failures_exit_1_with_the_cause_and_save_nothing() {
    let e = Env::new().await;
    let cases = [
        ("a [fake:block]", "PROHIBITED_CONTENT"),
        ("a [fake:image_safety]", "IMAGE_SAFETY"),
        ("a [fake:no_image]", "NO_IMAGE"),
        ("a [fake:malformed]", "malformed"),
        ("a [fake:429day]", "midnight Pacific"),
    ];
    for (prompt, needle) in cases {
        let o = e.run(&["generate", prompt, "--json"]).await;
        assert_eq!(o.code, 1, "{prompt}: {}", o.stderr);
        assert_eq!(o.stderr.lines().count(), 1, "{prompt}: {}", o.stderr);
        assert!(o.stderr.contains(needle), "{prompt}: {}", o.stderr);
        assert!(o.stdout.is_empty());
    }
    assert_eq!(e.gallery_len().await, 0);
    assert_eq!(
        e.run(&["chat", "list", "--json"])
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let images = e.dir.path().join("data/images");
    assert_eq!(std::fs::read_dir(images).unwrap().count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_are_reported_on_stderr() {
    let e = Env::new().await;
    let t = std::time::Instant::now();
    let o = e.run(&["generate", "a cat [fake:429]", "--json"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        t.elapsed() >= std::time::Duration::from_secs(2),
        "the 2 s retryDelay was waited out"
    );
    assert!(
        o.stderr.contains("retry") && o.stderr.contains("2.0 s"),
        "{}",
        o.stderr
    );
    assert_eq!(o.json()["images"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grounding_is_printed_and_shown() {
    let e = Env::new().await;
    let o = e
        .run(&[
            "generate",
            "today's weather in Paris as a poster",
            "--search",
            "web,image",
            "--json",
        ])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = o.json();
    let chunks = j["grounding"]["groundingChunks"]
        .as_array()
        .expect("grounding chunks");
    assert!(chunks.iter().any(|c| c["web"]["uri"].is_string()), "{j}");
    let id = j["images"][0]["id"].as_str().unwrap();
    let show = e.run(&["gallery", "show", id, "--json"]).await.json();
    assert_eq!(show["grounding"], j["grounding"]);
    let human = e.run(&["gallery", "show", id]).await;
    assert!(human.stdout.contains("sources:"), "{}", human.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_is_refused_unless_the_base_url_is_local() {
    let dir = tempfile::tempdir().unwrap();
    let o = banana(dir.path(), None, None, &["generate", "a cat"]).await;
    assert_eq!(o.code, 2);
    assert_eq!(o.stderr.lines().count(), 1);
    assert!(o.stderr.contains("GEMINI_API_KEY"), "{}", o.stderr);
    let fake = FakeGemini::start(FakeConfig::default()).await.unwrap();
    let o = banana(
        dir.path(),
        Some(&fake.base_url()),
        None,
        &["generate", "a cat", "--json"],
    )
    .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn variations_and_thoughts() {
    let e = Env::new().await;
    let o = e
        .run(&[
            "generate",
            "three pears",
            "--count",
            "3",
            "--thoughts",
            "--thinking",
            "high",
            "--json",
        ])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = o.json();
    assert_eq!(j["images"].as_array().unwrap().len(), 3);
    assert!(!j["thoughts"].as_str().unwrap().is_empty());
    assert_eq!(e.generate_requests(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn characters_are_limited_and_a_chat_can_branch_from_its_start() {
    let e = Env::new().await;
    let mut args: Vec<String> = vec!["generate".into(), "a picnic".into(), "--json".into()];
    for i in 0..5 {
        let p = e.dir.path().join(format!("c{i}.png"));
        png(&p, i as u8);
        args.extend(["--ref".into(), p.to_string_lossy().into_owned()]);
    }
    // Five characters on Nano Banana 2 (it keeps four consistent): refused before any request.
    let mut five = args.clone();
    for n in 1..=5 {
        five.extend(["--character".into(), n.to_string()]);
    }
    let a: Vec<&str> = five.iter().map(String::as_str).collect();
    let o = e.run(&a).await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("at most 4 characters"), "{}", o.stderr);
    // Position 0 does not exist on the command line (references count from 1).
    let mut zero = args.clone();
    zero.extend(["--character".into(), "0".into()]);
    let a: Vec<&str> = zero.iter().map(String::as_str).collect();
    assert_eq!(e.run(&a).await.code, 2);
    assert_eq!(e.generate_requests(), 0);
    // Two characters: sent, and kept with the image's parameters.
    let mut two = args.clone();
    two.extend(["--character".into(), "1".into(), "--character".into(), "3".into()]);
    let a: Vec<&str> = two.iter().map(String::as_str).collect();
    let o = e.run(&a).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let chat = v["chat_id"].as_str().unwrap().to_string();
    let image = v["images"][0]["id"].as_str().unwrap().to_string();
    let shown = e.run(&["gallery", "show", &image, "--json"]).await;
    let d: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(d["params"]["character_references"], serde_json::json!([0, 2]));
    // A new first turn in the same chat is sent without the chat's history.
    let o = e.run(&["generate", "a red bicycle", "--chat", &chat, "--from-start", "--json"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let last = e
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("enerateContent"))
        .last()
        .unwrap();
    assert_eq!(last.json.unwrap()["contents"].as_array().unwrap().len(), 1);
    let both = e.run(&["generate", "x", "--chat", &chat, "--from-start", "--parent", "t"]).await;
    assert_eq!(both.code, 2, "{}", both.stderr);
}

/// Issue 13: `banana models` shows what this key can call; a retired `--model` moves to its successor with a
/// note instead of failing; a model Google just shipped is usable without a code change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_lists_the_live_catalogue_and_retired_ids_move_on() {
    let e = Env::new().await;
    let o = e.run(&["models", "--json"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let c = o.json();
    assert_eq!(c["source"], "live");
    let models = c["models"].as_array().unwrap();
    assert_eq!(models[0]["id"], "gemini-nano-banana-2.1");
    assert_eq!(models[0]["is_default"], true);
    let nb1 = models.iter().find(|m| m["id"] == "gemini-2.5-flash-image").unwrap();
    assert_eq!(nb1["availability"], "unavailable");
    assert!(c["retired"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "gemini-3-pro-image-preview" && r["successor"] == "gemini-3-pro-image"));
    let plain = e.run(&["models"]).await;
    assert_eq!(plain.code, 0);
    assert!(plain.stdout.contains("gemini-nano-banana-2.1") && plain.stdout.contains("unavailable"));
    assert!(plain.stdout.contains("gemini-3.1-flash-image-preview") && plain.stdout.contains("retired on 2026-06-25"));

    let o = e
        .run(&["generate", "x", "--model", "gemini-3.1-flash-image-preview", "--json"])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.starts_with("banana: note: Google retired gemini-3.1-flash-image-preview on 2026-06-25;"),
        "{}",
        o.stderr
    );
    let id = o.json()["images"][0]["id"].as_str().unwrap().to_string();
    let shown = e.run(&["gallery", "show", &id, "--json"]).await.json();
    assert_eq!(shown["model"], "gemini-nano-banana-2.1");

    e.fake.update_catalogue(|c| {
        c.clone_model("gemini-3-pro-image", "gemini-3.5-pro-image").unwrap();
    });
    let o = e.run(&["models", "--refresh", "--json"]).await.json();
    let new = o["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "gemini-3.5-pro-image")
        .cloned()
        .unwrap();
    assert_eq!(new["status"], "new");
    let o = e.run(&["generate", "x", "--model", "gemini-3.5-pro-image"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
}

/// A tiny MP4: `ftyp` (isom), an `mdat`, and `moov/mvhd` (timescale 1000, 2 s) at the end.
fn mp4(path: &Path) {
    let bx = |kind: &[u8; 4], body: &[u8]| {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    };
    let mut mvhd = vec![0u8; 12];
    mvhd.extend_from_slice(&1000u32.to_be_bytes());
    mvhd.extend_from_slice(&2000u32.to_be_bytes());
    mvhd.extend_from_slice(&[0u8; 80]);
    let file = [
        bx(b"ftyp", b"isom\0\0\x02\0isomavc1"),
        bx(b"mdat", &[7u8; 512]),
        bx(b"moov", &bx(b"mvhd", &mvhd)),
    ]
    .concat();
    std::fs::write(path, file).unwrap();
}

/// Issue 13: `--ref clip.mp4` goes through the Files API on 3.1 Flash (14 images beside it are fine: videos
/// do not count), and is refused with exit 2 and nothing sent on a model without video input.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_ref_works_on_31_flash_and_exits_2_elsewhere() {
    let e = Env::new().await;
    let clip = e.dir.path().join("clip.mp4");
    mp4(&clip);
    let clip = clip.to_string_lossy().into_owned();
    let o = e.run(&["generate", "a thumbnail", "--ref", &clip]).await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("does not take video") && o.stderr.contains("remove \"clip.mp4\" or switch model"),
        "{}",
        o.stderr
    );
    assert!(e.fake.requests().iter().all(|r| !r.path.contains("enerateContent") && !r.path.starts_with("/upload/")));
    let mut args: Vec<String> = ["generate", "a thumbnail", "--json", "--model", "gemini-3.1-flash-image"]
        .map(String::from)
        .to_vec();
    for i in 0..14 {
        let p = e.dir.path().join(format!("r{i}.png"));
        png(&p, i as u8);
        args.extend(["--ref".into(), p.to_string_lossy().into_owned()]);
    }
    args.extend(["--ref".into(), clip]);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = e.run(&a).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let req = e.first_generate_request();
    let parts = req.json.unwrap()["contents"][0]["parts"].as_array().unwrap().clone();
    assert_eq!(parts.len(), 16);
    assert_eq!(parts[15]["fileData"]["mimeType"], "video/mp4");
}

/// Issue 9: `--ref` goes through the same checks as the app's imports. A FIFO is refused without waiting
/// for a writer, a PNG bomb by its size in pixels from its header, a fake HEIC by its structure; each exits 2
/// naming the file, before any request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_refs_exit_2_naming_the_file() {
    let e = Env::new().await;
    let fifo = e.dir.path().join("clip.png");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    // A PNG header claiming 40000 x 40000 RGB pixels (4.8 GB decoded, past what is streamed).
    let bomb = e.dir.path().join("bomb.png");
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&40_000u32.to_be_bytes());
    png.extend_from_slice(&40_000u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    std::fs::write(&bomb, png).unwrap();
    let heic = e.dir.path().join("photo.heic");
    let mut fake = 24u32.to_be_bytes().to_vec();
    fake.extend_from_slice(b"ftypheic\0\0\0\0mif1heic<html>sign in</html>");
    std::fs::write(&heic, fake).unwrap();
    let cases = [
        (&fifo, "not a regular file"),
        (&bomb, "40000 x 40000 pixels"),
        (&heic, "HEIF image"),
    ];
    for (path, needle) in cases {
        let p = path.to_string_lossy().into_owned();
        let args = ["generate", "x", "--ref", &p];
        let o = match tokio::time::timeout(std::time::Duration::from_secs(60), e.run(&args)).await {
            Ok(o) => o,
            Err(_) => {
                // Give a reader stuck on the FIFO its end of file, so no process is left behind.
                drop(std::fs::OpenOptions::new().write(true).open(&fifo));
                panic!("banana hung on --ref {p}");
            }
        };
        assert_eq!(o.code, 2, "{p}: {}", o.stderr);
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(o.stderr.contains(name.as_ref()) && o.stderr.contains(needle), "{}", o.stderr);
    }
    assert_eq!(e.generate_requests(), 0, "nothing was sent");
}

/// Issue 9: a corrupt gallery.sqlite stopped every command; `banana` now says to run `banana gallery rebuild`,
/// which keeps the damaged file aside and lists the images again from their files, with their prompts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gallery_rebuild_brings_back_a_corrupt_gallery() {
    let e = Env::new().await;
    let o = e.run(&["generate", "a red kite over the dunes", "--json"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let id = o.json()["images"][0]["id"].as_str().unwrap().to_string();
    let data = e.dir.path().join("data");
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(data.join(format!("gallery.sqlite{ext}")));
    }
    std::fs::write(data.join("gallery.sqlite"), vec![0x5a; 4096]).unwrap();
    let images_before = std::fs::read_dir(data.join("images")).unwrap().count();

    let o = e.run(&["gallery", "list", "--json"]).await;
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("banana gallery rebuild"), "{}", o.stderr);

    let o = e.run(&["gallery", "rebuild", "--json"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let report = o.json();
    assert_eq!(report["restored"], 1, "{report}");
    let aside = report["moved_aside"].as_str().unwrap();
    assert_eq!(std::fs::read(aside).unwrap(), vec![0x5a; 4096], "the damaged file is kept");
    let images_after = std::fs::read_dir(data.join("images")).unwrap().count();
    assert_eq!(images_before, images_after, "no file deleted");

    let o = e.run(&["gallery", "show", &id, "--json"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.json()["prompt"], "a red kite over the dunes");

    let o = e.run(&["gallery", "rebuild"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("0 images listed again") && o.stdout.contains("1 already listed"), "{}", o.stdout);
}
