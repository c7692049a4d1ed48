//! `banana`: the command-line front end of Banana Studio, over studio-core and the same data dir as the app.
//!
//! Exit status: 0 success; 2 invalid input refused before any request is sent (bad ratio/size for the model,
//! too many references, unsupported search, unreadable reference, bad arguments, no key); 1 when the API or
//! network fails after retries, the reply is malformed, or the result is blocked. Every failure prints one
//! line on stderr, `banana: <cause>`, naming the cause. Retry progress also goes to stderr, one line per
//! retry, prefixed `banana: retry`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde_json::{json, Value};
use studio_core::{
    Error, GalleryQuery, GenerateParams, GenerateRequest, GenerationEvent, GenerationResult,
    SearchParams, Studio, StudioConfig, DEFAULT_BASE_URL, DEFAULT_MODEL,
};

#[derive(Parser, Debug)]
#[command(
    name = "banana",
    version,
    about = "Generate and browse images with Gemini (Nano Banana)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Generate an image (or continue a chat with --chat).
    Generate(Box<GenerateArgs>),
    /// Browse the gallery.
    Gallery {
        #[command(subcommand)]
        command: GalleryCommand,
    },
    /// Browse chats.
    Chat {
        #[command(subcommand)]
        command: ChatCommand,
    },
    /// The image models this key can call (Google's models.list merged with the bundled model data).
    Models {
        /// Ask Google again now instead of using the list read in the last day.
        #[arg(long)]
        refresh: bool,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
struct GenerateArgs {
    /// What to draw (or how to change the previous image, with --chat).
    prompt: String,
    /// Model id (see `banana models`); a retired id moves to its successor with a note on stderr.
    #[arg(long, default_value = DEFAULT_MODEL)]
    model: String,
    /// Aspect ratio, e.g. 16:9.
    #[arg(long)]
    aspect: Option<String>,
    /// Image size: 512, 1K, 2K or 4K (exact case).
    #[arg(long)]
    size: Option<String>,
    /// A reference image, or a video as context on models that take one (repeat for several).
    #[arg(long = "ref", value_name = "FILE")]
    refs: Vec<PathBuf>,
    /// Continue this chat.
    #[arg(long)]
    chat: Option<String>,
    /// Branch: continue from this turn of the chat instead of its latest.
    #[arg(long, requires = "chat", conflicts_with = "from_start")]
    parent: Option<String>,
    /// Branch from the chat's start: a new first turn, sent without the chat's history.
    #[arg(long, requires = "chat")]
    from_start: bool,
    /// Google Search grounding: web, image or web,image.
    #[arg(long)]
    search: Option<String>,
    /// Thinking level: minimal or high.
    #[arg(long)]
    thinking: Option<String>,
    /// Return the model's thoughts.
    #[arg(long)]
    thoughts: bool,
    /// Ask for images only (no text).
    #[arg(long)]
    images_only: bool,
    /// Number of variations (parallel requests).
    #[arg(long, default_value_t = 1)]
    count: u32,
    /// Mark the Nth --ref (1-based) as a character to keep consistent (repeat for several); the others
    /// are objects.
    #[arg(long = "character", value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    characters: Vec<u32>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum GalleryCommand {
    /// List images, newest first.
    List {
        #[arg(long)]
        query: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Show one image's full provenance.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the gallery index from the image files: lists every image the database lacks again (with
    /// its prompt and settings from the sidecar saved next to it, else marked recovered). A corrupt
    /// gallery.sqlite is moved aside, never deleted; no file is deleted. Chats are not rebuilt.
    Rebuild {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum ChatCommand {
    /// List chats, most recent first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show a chat's turns.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

/// A failure: the exit code and the one-line reason.
struct Failure {
    code: u8,
    message: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure {
            code: if e.is_invalid_input() { 2 } else { 1 },
            message: e.to_string(),
        }
    }
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure {
        code: 2,
        message: message.into(),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let text = e.to_string();
            let first = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments");
            eprintln!("banana: {}", one_line(first.trim_start_matches("error: ")));
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("banana: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("banana: {}", one_line(&f.message));
            ExitCode::from(f.code)
        }
    }
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn open_studio() -> Result<Studio, Failure> {
    let data_dir = studio_core::default_data_dir();
    // The same key the desktop app uses: GEMINI_API_KEY, else the one saved in its Settings.
    let (api_key, _) = studio_core::KeyStore::new(&data_dir).current();
    let cfg = StudioConfig {
        data_dir,
        api_key,
        base_url: env_nonempty("GEMINI_BASE_URL").unwrap_or_else(|| DEFAULT_BASE_URL.to_string()),
        price_per_million_tokens: studio_core::price_from_env(),
    };
    // A damaged gallery.sqlite fails here with a message that names `banana gallery rebuild`.
    Ok(Studio::open(cfg)?)
}

async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Generate(args) => generate(*args).await,
        Command::Gallery { command } => gallery(command),
        Command::Chat { command } => chat(command),
        Command::Models { refresh, json } => models(refresh, json).await,
    }
}

async fn models(refresh: bool, as_json: bool) -> Result<(), Failure> {
    let studio = open_studio()?;
    let c = studio.refresh_catalogue(refresh).await?;
    if as_json {
        print_json(&serde_json::to_value(&c).unwrap_or(Value::Null));
        return Ok(());
    }
    println!("{}", c.note);
    for m in &c.models {
        let state = match (m.availability, m.status) {
            (studio_core::Availability::Unavailable, _) => "unavailable",
            (_, studio_core::ModelStatus::New) => "new",
            (_, studio_core::ModelStatus::Deprecated) => "deprecated",
            _ if m.is_default => "default",
            _ => "",
        };
        let sizes = if m.image_sizes.is_empty() {
            "~1K".to_string()
        } else {
            m.image_sizes.join("/")
        };
        println!(
            "{:<30} {:<12} {:<26} {:>2} ratios  {:<11} {:>2} refs  {}",
            m.id,
            state,
            m.name,
            m.aspect_ratios.len(),
            sizes,
            m.max_reference_images,
            m.note.as_deref().unwrap_or(&m.description)
        );
    }
    for r in &c.retired {
        println!(
            "{:<30} {:<12} retired{}; use {}",
            r.id,
            "retired",
            r.retired_on.as_deref().map(|d| format!(" on {d}")).unwrap_or_default(),
            r.successor
        );
    }
    Ok(())
}

fn parse_search(s: &str) -> Result<SearchParams, Failure> {
    let mut p = SearchParams::default();
    for t in s.split(',').map(str::trim) {
        match t {
            "web" => p.web = true,
            "image" => p.image = true,
            other => {
                return Err(invalid(format!(
                    "unknown search type \"{other}\": use web, image or web,image"
                )))
            }
        }
    }
    Ok(p)
}

async fn generate(a: GenerateArgs) -> Result<(), Failure> {
    let params = GenerateParams {
        model: a.model.clone(),
        aspect_ratio: a.aspect.clone(),
        image_size: a.size.clone(),
        thinking_level: a.thinking.clone(),
        include_thoughts: a.thoughts,
        search: match &a.search {
            Some(s) => parse_search(s)?,
            None => SearchParams::default(),
        },
        images_only: a.images_only,
        count: a.count,
        // 1-based on the command line, as people count references (clap refuses 0).
        character_references: a.characters.iter().map(|n| n.saturating_sub(1)).collect(),
    };
    let studio = open_studio()?;
    let mut params = params;
    if studio.has_client() {
        // Once a day at most (cached in the gallery): which models this key can call.
        studio.refresh_catalogue(false).await?;
    }
    let resolved = studio.resolve_model(&params.model)?;
    if let Some(notice) = &resolved.notice {
        eprintln!("banana: note: {notice}");
    }
    params.model = resolved.caps.id;
    // Refuse bad input before touching the network or the reference store (a video is told from an image
    // by its first bytes: it counts against no image limit, and only some models take it).
    studio.validate_reference_files(&params, &a.refs)?;
    if !studio.has_client() {
        return Err(Error::MissingKey.into());
    }
    let mut reference_hashes = Vec::with_capacity(a.refs.len());
    for r in studio.import_reference_files(a.refs.clone()).await {
        reference_hashes.push(r?.hash);
    }
    let req = GenerateRequest {
        chat_id: a.chat.clone(),
        parent_turn_id: a.parent.clone(),
        from_start: a.from_start,
        prompt: a.prompt.clone(),
        reference_hashes,
        params,
    };
    let result = studio
        .generate(req, |ev| {
            if let GenerationEvent::Retry {
                variation,
                attempt,
                delay_ms,
                reason,
                message,
            } = ev
            {
                eprintln!(
                    "banana: retry: variation {} attempt {attempt} in {:.1} s ({reason}): {}",
                    variation + 1,
                    delay_ms as f64 / 1000.0,
                    one_line(&message)
                );
            }
        })
        .await?;
    print_result(&result, a.json);
    Ok(())
}

fn result_json(r: &GenerationResult) -> Value {
    json!({
        "chat_id": r.chat_id,
        "turn_id": r.turn_id,
        "turn_ids": r.turn_ids,
        "images": r.images.iter().map(|i| json!({
            "id": i.id, "path": i.path, "width": i.width, "height": i.height, "mime": i.mime, "turn_id": i.turn_id,
        })).collect::<Vec<_>>(),
        "text": r.text,
        "thoughts": r.thoughts,
        "grounding": r.grounding,
        "usage": r.usage,
        "finish_reason": r.finish_reason,
        "cost": r.cost,
        "failures": r.failures,
    })
}

fn print_json(v: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, v);
    let _ = writeln!(out);
}

fn print_result(r: &GenerationResult, as_json: bool) {
    if as_json {
        return print_json(&result_json(r));
    }
    println!("chat   {}", r.chat_id);
    println!("turn   {}", r.turn_id);
    for i in &r.images {
        println!(
            "image  {}  {}x{}  {}  {}",
            i.id, i.width, i.height, i.mime, i.path
        );
    }
    if r.images.is_empty() {
        println!("(no image: the model answered with text only)");
    }
    if !r.text.is_empty() {
        println!("text   {}", r.text);
    }
    if !r.thoughts.is_empty() {
        println!("thoughts:\n{}", r.thoughts);
    }
    if let Some(g) = &r.grounding {
        print_sources(g);
    }
    println!(
        "tokens {} (prompt {}, output {}, thoughts {})",
        r.usage.total_tokens, r.usage.prompt_tokens, r.usage.output_tokens, r.usage.thought_tokens
    );
    for f in &r.failures {
        println!("variation {} failed: {}", f.variation + 1, f.message);
    }
}

/// Grounding sources as links to the pages (not the image files), per the display rules.
fn print_sources(g: &Value) {
    let Some(chunks) = g.get("groundingChunks").and_then(Value::as_array) else {
        return;
    };
    if chunks.is_empty() {
        return;
    }
    println!("sources:");
    for c in chunks {
        if let Some(w) = c.get("web") {
            println!(
                "  {}  {}",
                w.get("title").and_then(Value::as_str).unwrap_or(""),
                w.get("uri").and_then(Value::as_str).unwrap_or("")
            );
        }
        if let Some(i) = c.get("image") {
            let page = i
                .get("sourceUri")
                .or_else(|| i.get("uri"))
                .and_then(Value::as_str)
                .unwrap_or("");
            println!(
                "  {}  {} (image source page)",
                i.get("title").and_then(Value::as_str).unwrap_or(""),
                page
            );
        }
    }
}

fn gallery(cmd: GalleryCommand) -> Result<(), Failure> {
    // Before opening the studio: a corrupt database is what stops it from opening.
    if let GalleryCommand::Rebuild { json } = cmd {
        let report = studio_core::rebuild_gallery_index(&studio_core::default_data_dir())?;
        if json {
            print_json(&serde_json::to_value(&report).unwrap_or(Value::Null));
        } else {
            println!("{}", report.summary());
        }
        return Ok(());
    }
    let studio = open_studio()?;
    match cmd {
        GalleryCommand::List { query, limit, json } => {
            let q = GalleryQuery {
                query,
                limit: limit.max(1),
                ..Default::default()
            };
            let items = studio.gallery().list(&q)?;
            if json {
                print_json(&serde_json::to_value(&items).unwrap_or(Value::Null));
            } else {
                for i in &items {
                    let prompt: String = one_line(&i.prompt).chars().take(70).collect();
                    println!(
                        "{}  {}  {:<32} {}x{}{}  {}",
                        i.id,
                        studio_core::time::iso_utc(i.created_at),
                        i.model,
                        i.width,
                        i.height,
                        if i.favourite { " ★" } else { "" },
                        prompt
                    );
                }
                if items.is_empty() {
                    println!("(no images)");
                }
            }
        }
        GalleryCommand::Show { id, json } => {
            let d = studio.gallery().get(&id)?;
            if json {
                print_json(&serde_json::to_value(&d).unwrap_or(Value::Null));
            } else {
                println!("id        {}", d.summary.id);
                println!("path      {}", d.path);
                println!(
                    "created   {}",
                    studio_core::time::iso_utc(d.summary.created_at)
                );
                println!("model     {}", d.summary.model);
                println!(
                    "size      {}x{} {} ({} bytes)",
                    d.summary.width, d.summary.height, d.summary.mime, d.bytes
                );
                println!("prompt    {}", d.summary.prompt);
                println!(
                    "params    {}",
                    serde_json::to_string(&d.params).unwrap_or_default()
                );
                println!(
                    "chat      {}  turn {}",
                    d.summary.chat_id, d.summary.turn_id
                );
                if !d.reference_hashes.is_empty() {
                    println!("refs      {}", d.reference_hashes.join(", "));
                }
                if !d.text.is_empty() {
                    println!("text      {}", d.text);
                }
                if !d.thoughts.is_empty() {
                    println!("thoughts  {}", d.thoughts);
                }
                println!("finish    {}", d.finish_reason.as_deref().unwrap_or("-"));
                println!(
                    "tokens    {} billed, {} for the image",
                    d.total_tokens, d.image_tokens
                );
                if let Some(g) = &d.grounding {
                    if let Some(q) = g.get("webSearchQueries") {
                        println!("searched  {q}");
                    }
                    print_sources(g);
                }
            }
        }
        GalleryCommand::Rebuild { .. } => unreachable!("handled before the studio opens"),
    }
    Ok(())
}

fn chat(cmd: ChatCommand) -> Result<(), Failure> {
    let studio = open_studio()?;
    match cmd {
        ChatCommand::List { json } => {
            let chats = studio.chats().list(1000, 0)?;
            if json {
                print_json(&serde_json::to_value(&chats).unwrap_or(Value::Null));
            } else {
                for c in &chats {
                    println!(
                        "{}  {}  {} turns  {}",
                        c.id,
                        studio_core::time::iso_utc(c.updated_at),
                        c.turn_count,
                        c.title
                    );
                }
                if chats.is_empty() {
                    println!("(no chats)");
                }
            }
        }
        ChatCommand::Show { id, json } => {
            let c = studio.chats().show(&id)?;
            if json {
                print_json(&serde_json::to_value(&c).unwrap_or(Value::Null));
            } else {
                println!("chat {}  {}", c.chat.id, c.chat.title);
                for t in &c.turns {
                    println!(
                        "turn {} (parent {})",
                        t.id,
                        t.parent_turn_id.as_deref().unwrap_or("-")
                    );
                    println!("  prompt  {}", t.prompt);
                    for i in &t.image_ids {
                        println!("  image   {i}");
                    }
                    if !t.text.is_empty() {
                        println!("  text    {}", t.text);
                    }
                }
            }
        }
    }
    Ok(())
}
