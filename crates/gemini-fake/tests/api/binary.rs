//! The `gemini-fake` binary: prints its address, honours --key, refuses bad arguments.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Kills the child on every exit path, so a failed assert leaves no stray server.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn prints_listening_line_and_serves() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_gemini-fake"))
            .args(["--port", "0", "--key", "k1"])
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

#[test]
fn bad_arguments_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_gemini-fake"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown argument --bogus"));
}
