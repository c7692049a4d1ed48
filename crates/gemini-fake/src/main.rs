//! `gemini-fake --port N [--key K] [--latency-ms MS]`: the fake as a process, for the offline demo mode
//! and UI tests. Prints `listening on http://127.0.0.1:N` once ready, then serves until Ctrl-C.

use std::io::Write as _;
use std::time::Duration;

use gemini_fake::{FakeConfig, FakeGemini};

const USAGE: &str = "usage: gemini-fake [--port N] [--key K] [--latency-ms MS]\n\
  --port N         port on 127.0.0.1 (default 0: a free port)\n\
  --key K          accept only this API key (default: any non-empty key)\n\
  --latency-ms MS  delay before every generate answer (default 0)";

fn parse_args() -> Result<FakeConfig, String> {
    let mut config = FakeConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or(format!("{name} needs a value"))
        };
        match name.as_str() {
            "--port" => {
                config.port = value()?
                    .parse()
                    .map_err(|_| "--port must be a number 0-65535".to_string())?
            }
            "--key" => config.key = Some(value()?).filter(|k| !k.is_empty()),
            "--latency-ms" => {
                config.latency = Duration::from_millis(
                    value()?
                        .parse()
                        .map_err(|_| "--latency-ms must be a number")?,
                )
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(config)
}

#[tokio::main]
async fn main() {
    let config = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gemini-fake: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let port = config.port;
    let fake = match FakeGemini::start(config).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("gemini-fake: cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    println!("listening on {}", fake.base_url());
    // Scripts wait for this line; make sure it leaves the pipe buffer now.
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    fake.shutdown();
}
