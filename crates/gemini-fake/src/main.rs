//! `gemini-fake [--port N] [--key K] [--latency-ms MS] [--catalogue FILE] [--grant MODEL]... [--retire MODEL]...`:
//! the fake as a process, for the offline demo mode and UI tests. Prints `listening on http://127.0.0.1:N`
//! once ready, then serves until Ctrl-C. `--print-catalogue` writes the bundled catalogue (the format
//! `--catalogue` reads) to stdout and exits, as a starting point for a hand-edited one.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use gemini_fake::{Catalogue, FakeConfig, FakeGemini};

const USAGE: &str = "usage: gemini-fake [--port N] [--key K] [--latency-ms MS] [--catalogue FILE] [--grant MODEL]... [--retire MODEL]...\n\
  --port N           port on 127.0.0.1 (default 0: a free port)\n\
  --key K            accept only this API key (default: any non-empty key)\n\
  --latency-ms MS    delay before every generate answer (default 0)\n\
  --catalogue FILE   serve the models of this JSON catalogue instead of Google's bundled one (same format\n\
                     as --print-catalogue: {\"version\": 1, \"as_of\": ..., \"models\": [{\"id\", \"state\":\n\
                     active|deprecated|restricted|retired, \"sizes\", \"pixels\", ...}]})\n\
  --grant MODEL      give access to a restricted model (it becomes active); repeatable\n\
  --retire MODEL     shut a model down (not listed, 404 on every call); repeatable\n\
  --print-catalogue  print the bundled catalogue as JSON and exit";

/// An edit of the catalogue, applied in the order given, after `--catalogue` is loaded wherever it stands.
enum Edit {
    Grant(String),
    Retire(String),
}

fn parse_args() -> Result<FakeConfig, String> {
    let mut config = FakeConfig::default();
    let mut catalogue_file: Option<PathBuf> = None;
    let mut edits = Vec::new();
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
            "--catalogue" => catalogue_file = Some(PathBuf::from(value()?)),
            "--grant" => edits.push(Edit::Grant(value()?)),
            "--retire" => edits.push(Edit::Retire(value()?)),
            "--print-catalogue" => {
                println!("{}", Catalogue::google().to_json());
                std::process::exit(0);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if let Some(path) = catalogue_file {
        config.catalogue = Catalogue::from_file(&path).map_err(|e| e.to_string())?;
    }
    for edit in edits {
        let done = match &edit {
            Edit::Grant(id) => config.catalogue.grant(id).map(|_| ()),
            Edit::Retire(id) => config.catalogue.retire(id).map(|_| ()),
        };
        done.map_err(|e| e.to_string())?;
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
