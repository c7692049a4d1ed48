//! The `gemini-fake` binary: prints its address, honours --key, --catalogue, --grant and --retire,
//! refuses bad arguments.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use gemini_fake::Catalogue;
use serde_json::{json, Value};

/// Kills the child on every exit path, so a failed assert leaves no stray server.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary and waits for its `listening on` line; returns it with the base URL.
async fn spawn(args: &[&str]) -> (Child, String) {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_gemini-fake"))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn gemini-fake"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .unwrap()
    .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    (child, base)
}

/// A file in the temp dir, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!(
            "gemini-fake-{}-{}-{name}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::write(&path, text).expect("write temp file");
        TempFile(path)
    }
    fn path(&self) -> &str {
        self.0.to_str().expect("utf-8 temp path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[tokio::test]
async fn prints_listening_line_and_serves() {
    let (_child, base) = spawn(&["--port", "0", "--key", "k1"]).await;
    let c = crate::common::client();
    let ok = c
        .get(format!("{base}/v1beta/models"))
        .header("x-goog-api-key", "k1")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let bad = c
        .get(format!("{base}/v1beta/models"))
        .header("x-goog-api-key", "k2")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn serves_the_catalogue_file_with_grants_and_retirements() {
    // Google shipped 2.2 and retired 2.1, in a file as a script would write it.
    let mut c = Catalogue::google();
    c.clone_model("gemini-nano-banana-2.1", "gemini-nano-banana-2.2")
        .unwrap()
        .display_name = "Nano Banana 2.2".into();
    c.retire("gemini-nano-banana-2.1").unwrap();
    let file = TempFile::new("catalogue.json", &c.to_json());
    let (_child, base) = spawn(&[
        "--catalogue",
        file.path(),
        "--grant",
        "gemini-2.5-flash-image",
        "--retire=gemini-3-pro-image",
    ])
    .await;
    let http = crate::common::client();
    let list: Value = http
        .get(format!("{base}/v1beta/models?pageSize=1000"))
        .header("x-goog-api-key", "k")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = list["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    for id in ["gemini-nano-banana-2.2", "gemini-2.5-flash-image"] {
        assert!(
            names.contains(&format!("models/{id}").as_str()),
            "{id} in {names:?}"
        );
    }
    for id in ["gemini-nano-banana-2.1", "gemini-3-pro-image"] {
        assert!(
            !names.contains(&format!("models/{id}").as_str()),
            "{id} in {names:?}"
        );
    }
    let generate = |model: &str| {
        http.post(format!("{base}/v1beta/models/{model}:generateContent"))
            .header("x-goog-api-key", "k")
            .json(&json!({"contents": [{"parts": [{"text": "a cat"}]}], "generationConfig": {"responseModalities": ["IMAGE"]}}))
            .send()
    };
    assert_eq!(
        generate("gemini-nano-banana-2.2").await.unwrap().status(),
        200
    );
    assert_eq!(
        generate("gemini-2.5-flash-image").await.unwrap().status(),
        200
    );
    assert_eq!(generate("gemini-3-pro-image").await.unwrap().status(), 404);
    assert_eq!(
        generate("gemini-nano-banana-2.1").await.unwrap().status(),
        404
    );
}

#[test]
fn print_catalogue_is_the_bundled_one() {
    let out = Command::new(env!("CARGO_BIN_EXE_gemini-fake"))
        .arg("--print-catalogue")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let printed = Catalogue::from_json(&String::from_utf8_lossy(&out.stdout)).unwrap();
    assert_eq!(printed, Catalogue::google());
}

#[test]
fn bad_arguments_exit_2() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_gemini-fake"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(run(&["--bogus"]).contains("unknown argument --bogus"));
    let bad = TempFile::new(
        "bad.json",
        r#"{"version": 1, "as_of": "x", "models": [{"id": "a"}]}"#,
    );
    let e = run(&["--catalogue", bad.path()]);
    assert!(e.contains("not valid JSON in gemini-fake's format"), "{e}");
    let e = run(&["--catalogue", "/nonexistent/catalogue.json"]);
    assert!(
        e.contains("cannot read the model catalogue /nonexistent/catalogue.json"),
        "{e}"
    );
    let e = run(&["--retire", "gemini-9-ultra"]);
    assert!(
        e.contains("model gemini-9-ultra is not in the catalogue"),
        "{e}"
    );
    let e = run(&["--grant", "gemini-3-pro-image-preview"]);
    assert!(e.contains("is retired, not restricted"), "{e}");
}
