//! Building the request: the chat's history replayed byte-exact, then the new user turn with its
//! references, the generation config, the uploads of the videos (history included: they always go through
//! the Files API), and the move of large inline blobs to the Files API so the request fits the API's inline
//! limit.

use std::sync::Arc;

use gemini::{
    Content, GenerateContentRequest, GenerationConfig, ImageConfig, Modality, ThinkingConfig, Tool,
};

use super::{map_client_error, GenerateRequest};
use crate::capabilities::ModelCapabilities;
use crate::error::{Error, Result};
use crate::gallery::store::Store;
use crate::params::GenerateParams;
use crate::references::Loaded;

/// The request to send, and the turn the new turns follow.
pub(super) struct Prepared {
    pub request: GenerateContentRequest,
    pub parent: Option<String>,
}

/// Loads the history and the references, and builds the request that every variation sends.
pub(super) async fn prepare(
    client: &gemini::Client,
    store: &Arc<Store>,
    caps: &ModelCapabilities,
    req: &GenerateRequest,
    restart: bool,
    inline_limit: usize,
) -> Result<Prepared> {
    let (history, parent, refs) = load_context(store, req).await?;
    // A restart keeps its place in the chat (the parent) but sends none of the older turns.
    let mut contents = if restart { Vec::new() } else { history };
    contents.push(crate::chat::user_content(&req.prompt, &refs));
    if !caps.video_input {
        refuse_videos_in_history(store, caps, &contents)?;
    }
    let mut request = build_request(caps, &req.params, contents);
    attach_videos(client, store, &mut request).await?;
    if inline_size(&request) > inline_limit {
        request = offload_to_files(client, store, request, inline_limit).await?;
    }
    Ok(Prepared { request, parent })
}

/// The history up to the parent turn, the parent turn, and the references.
async fn load_context(
    store: &Arc<Store>,
    req: &GenerateRequest,
) -> Result<(Vec<Content>, Option<String>, Vec<Loaded>)> {
    // Everything below reads the store: do it off the async threads.
    let store = Arc::clone(store);
    let chat_id = req.chat_id.clone();
    let parent = match (&req.parent_turn_id, req.from_start) {
        (_, true) => crate::chat::Parent::Start,
        (Some(p), false) => crate::chat::Parent::Turn(p.clone()),
        (None, false) => crate::chat::Parent::Latest,
    };
    let hashes = req.reference_hashes.clone();
    tokio::task::spawn_blocking(move || -> Result<_> {
        let parent = match &chat_id {
            Some(c) => crate::chat::resolve_parent(&store, c, &parent)?,
            None => None,
        };
        let history = crate::chat::history(&store, parent.as_deref())?;
        let mut refs = Vec::with_capacity(hashes.len());
        for h in &hashes {
            refs.push(crate::references::load(&store, h)?);
        }
        Ok((history, parent, refs))
    })
    .await
    .map_err(|e| Error::Other(format!("background task failed: {e}")))?
}

/// The API's image size and thinking spelling.
fn thinking_level_wire(level: &str) -> String {
    level.to_string()
}

/// Builds the request body for `contents` (history + the new user turn).
pub fn build_request(
    caps: &ModelCapabilities,
    params: &GenerateParams,
    contents: Vec<Content>,
) -> GenerateContentRequest {
    let modalities = if params.images_only {
        vec![Modality::Image]
    } else {
        vec![Modality::Text, Modality::Image]
    };
    let image_config =
        (params.aspect_ratio.is_some() || params.image_size.is_some()).then(|| ImageConfig {
            aspect_ratio: params.aspect_ratio.clone(),
            image_size: params.image_size.clone(),
            ..Default::default()
        });
    let thinking_config = (caps.thinks
        && (params.thinking_level.is_some() || params.include_thoughts))
        .then(|| ThinkingConfig {
            thinking_level: params.thinking_level.as_deref().map(thinking_level_wire),
            include_thoughts: params.include_thoughts.then_some(true),
            ..Default::default()
        });
    let tools = params.search.any().then(|| {
        if params.search.image {
            vec![Tool::google_search_with(params.search.web, true)]
        } else {
            vec![Tool::google_search()]
        }
    });
    GenerateContentRequest {
        contents,
        tools,
        generation_config: Some(GenerationConfig {
            response_modalities: Some(modalities),
            image_config,
            thinking_config,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Inline size of a request: the base64 data the API's 20 MB inline limit counts.
fn inline_size(req: &GenerateContentRequest) -> usize {
    req.contents
        .iter()
        .flat_map(|c| c.parts.iter())
        .filter_map(|p| p.inline_data.as_ref())
        .map(|b| b.data.len())
        .sum()
}

/// Files kept by the Files API for 48 hours; reuse an upload for 47.
const UPLOAD_REUSE_MS: i64 = 47 * 3600 * 1000;

/// Brings a request under the inline limit by moving the largest inline blobs to the Files API
/// (`fileData`), biggest first, until the rest fits. This is the documented path for large inputs; it is
/// needed as soon as a chat holds a 4K image (~24 MB of base64). A model part keeps its thought signature
/// and every other field: only its data moves. Uploads are remembered (by content hash) and reused while
/// the file lives, so each turn of a long chat does not upload the same image again.
async fn offload_to_files(
    client: &gemini::Client,
    store: &Store,
    mut req: GenerateContentRequest,
    inline_limit: usize,
) -> Result<GenerateContentRequest> {
    let mut size = inline_size(&req);
    let mut blobs: Vec<(usize, usize, usize)> = Vec::new();
    for (ci, c) in req.contents.iter().enumerate() {
        for (pi, p) in c.parts.iter().enumerate() {
            if let Some(b) = &p.inline_data {
                blobs.push((b.data.len(), ci, pi));
            }
        }
    }
    blobs.sort_by_key(|b| std::cmp::Reverse(b.0));
    for (len, ci, pi) in blobs {
        if size <= inline_limit {
            break;
        }
        let part = &mut req.contents[ci].parts[pi];
        let Some(blob) = part.inline_data.take() else {
            continue;
        };
        let uri = upload_once(client, store, &blob).await?;
        part.file_data = Some(gemini::FileData {
            mime_type: Some(blob.mime_type.clone()),
            file_uri: uri,
            ..Default::default()
        });
        size -= len;
    }
    if size > inline_limit {
        return Err(Error::RequestTooLarge {
            size_mb: size as f64 / 1e6,
            limit_mb: (inline_limit / 1_000_000) as u32,
        });
    }
    Ok(req)
}

/// A chat whose earlier turns hold a video cannot go on with a model that takes none: the replayed history
/// would be refused by the API (the new turn's videos were refused in `validate` already). Said before
/// anything is sent, naming the videos.
fn refuse_videos_in_history(
    store: &Store,
    caps: &ModelCapabilities,
    contents: &[Content],
) -> Result<()> {
    let mut names: Vec<String> = Vec::new();
    for part in contents.iter().flat_map(|c| c.parts.iter()) {
        let hash = part
            .file_data
            .as_ref()
            .and_then(|f| crate::references::pending_video(&f.file_uri));
        if let Some(hash) = hash {
            let name = crate::references::info(store, hash)?.name;
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    if names.is_empty() {
        return Ok(());
    }
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    Err(Error::InvalidParams(format!(
        "{} ({}) does not take video, and this chat's earlier turns hold {}: continue it on a model that takes \
         video, or branch from the start",
        caps.name,
        caps.id,
        quoted.join(", ")
    )))
}

/// Uploads every video of the request (the new turn's and the history's) through the Files API, or reuses
/// its live upload, and points its part at the file. Videos never go inline: the Files API is the API's
/// path for them, and one clip can be larger than a whole inline request. A replayed turn's video is the
/// same stored file, so it is uploaded again only when its upload is too old (the API keeps files 48 h).
async fn attach_videos(
    client: &gemini::Client,
    store: &Arc<Store>,
    req: &mut GenerateContentRequest,
) -> Result<()> {
    for part in req.contents.iter_mut().flat_map(|c| c.parts.iter_mut()) {
        let Some(fd) = part.file_data.as_mut() else {
            continue;
        };
        let Some(hash) = crate::references::pending_video(&fd.file_uri).map(str::to_string) else {
            continue;
        };
        let mime = fd.mime_type.clone().unwrap_or_default();
        fd.file_uri = match cached_upload(store, &hash) {
            Some(uri) => uri,
            None => {
                let bytes = {
                    let store = Arc::clone(store);
                    let hash = hash.clone();
                    tokio::task::spawn_blocking(move || {
                        crate::references::read_video(&store, &hash)
                    })
                    .await
                    .map_err(|e| Error::Other(format!("background task failed: {e}")))??
                };
                upload(client, store, &hash, bytes, &mime).await?
            }
        };
    }
    Ok(())
}

/// The Files API URI of `blob`'s bytes: a remembered upload while it lives, otherwise a new upload.
async fn upload_once(
    client: &gemini::Client,
    store: &Store,
    blob: &gemini::Blob,
) -> Result<String> {
    let bytes = blob.decode().map_err(map_client_error)?;
    let key = crate::references::pipeline::content_hash(&bytes);
    match cached_upload(store, &key) {
        Some(u) => Ok(u),
        None => upload(client, store, &key, bytes, &blob.mime_type).await,
    }
}

/// A remembered upload of the bytes with this content hash, while the file lives.
fn cached_upload(store: &Store, key: &str) -> Option<String> {
    let now = crate::time::now_ms();
    store.uploads.lock().ok().and_then(|m| {
        m.get(key)
            .filter(|(_, at)| now - at < UPLOAD_REUSE_MS)
            .map(|(u, _)| u.clone())
    })
}

/// Uploads bytes (content hash `key`), waits until the file is ACTIVE, and remembers the upload.
async fn upload(
    client: &gemini::Client,
    store: &Store,
    key: &str,
    bytes: Vec<u8>,
    mime: &str,
) -> Result<String> {
    let now = crate::time::now_ms();
    let info = client
        .upload_file(
            bytes,
            mime,
            &format!("banana-{}", &key[..key.len().min(16)]),
        )
        .await
        .map_err(map_client_error)?;
    if let Ok(mut m) = store.uploads.lock() {
        m.insert(key.to_string(), (info.uri.clone(), now));
    }
    Ok(info.uri)
}
