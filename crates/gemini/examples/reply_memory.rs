//! Peak memory (VmHWM, Linux) of the client against a hostile reply, next to a real 4K answer measured in
//! the same run. Each case runs in its own process, since the peak only ever grows:
//!
//! ```sh
//! cargo run -p gemini --example reply_memory            # runs the three cases and prints the ratios
//! ```
//! - `baseline`: one 4K image from the in-process fake (the fake's own rendering included);
//! - `bounded`: a 1 GiB answer with the default bounds (refused at 256 MiB);
//! - `unbounded`: the same 1 GiB answer with every bound lifted, as the client read replies before.

use std::time::Duration;

use gemini::{
    Client, ClientConfig, Content, GenerateContentRequest, GenerationConfig, ImageConfig, Part,
    ReplyLimits,
};
use gemini_fake::{FakeConfig, FakeGemini, Fault};

const OFFERED: u64 = 1 << 30;

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn request(size: &str) -> GenerateContentRequest {
    GenerateContentRequest {
        contents: vec![Content::user([Part::text("a banana on the moon")])],
        generation_config: Some(GenerationConfig {
            image_config: Some(ImageConfig {
                aspect_ratio: Some("1:1".into()),
                image_size: Some(size.into()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

async fn case(name: &str) -> Result<String, String> {
    let fake = FakeGemini::start(FakeConfig::default())
        .await
        .map_err(|e| e.to_string())?;
    let client = Client::new(ClientConfig {
        api_key: "bench".into(),
        base_url: fake.base_url(),
        request_timeout: Duration::from_secs(300),
        ..Default::default()
    })
    .map_err(|e| e.to_string())?;
    let model = "gemini-nano-banana-2.1";
    let outcome = match name {
        "baseline" => client
            .generate_content(model, &request("4K"), &|_| {})
            .await
            .map(|r| format!("{} image(s)", r.images().count())),
        "bounded" | "unbounded" => {
            let client = if name == "unbounded" {
                client.with_reply_limits(ReplyLimits {
                    generate_body: usize::MAX,
                    stream_total: usize::MAX,
                    stream_event: usize::MAX,
                    stream_events: usize::MAX,
                    json_body: usize::MAX,
                    error_body: usize::MAX,
                })
            } else {
                client
            };
            fake.push_fault(Fault::OversizedBody { bytes: OFFERED });
            client
                .generate_content(model, &request("1K"), &|_| {})
                .await
                .map(|_| "answer".into())
        }
        other => return Err(format!("unknown case {other}")),
    };
    Ok(match outcome {
        Ok(s) => s,
        Err(e) => format!("error: {e}"),
    })
}

fn main() -> Result<(), String> {
    let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    if let Some(name) = std::env::args().nth(1) {
        let what = rt.block_on(case(&name))?;
        println!("{}", vm_hwm_kib().ok_or("no VmHWM (Linux only)")?);
        eprintln!("{name}: {what}");
        return Ok(());
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut peaks = Vec::new();
    for name in ["baseline", "bounded", "unbounded"] {
        let out = std::process::Command::new(&exe)
            .arg(name)
            .output()
            .map_err(|e| e.to_string())?;
        let kib: u64 = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|_| format!("{name} failed: {}", String::from_utf8_lossy(&out.stderr)))?;
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        peaks.push((name, kib));
    }
    let base = peaks[0].1 as f64;
    for (name, kib) in &peaks {
        println!(
            "{name:>9}: VmHWM {:>6.0} MiB  ({:.2}x the 4K baseline)",
            *kib as f64 / 1024.0,
            *kib as f64 / base
        );
    }
    Ok(())
}
