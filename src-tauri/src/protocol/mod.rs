//! The `studio://` URI scheme: how image bytes reach the webview without crossing JSON IPC.
//!
//! `studio://image/{id}`, `studio://thumb/{id}`, `studio://ref/{hash}`, `studio://thought/{id}` (interim
//! thought images) and `studio://demo/{name}` (bundled art). On Windows the webview spells the same URLs `http://studio.localhost/{kind}/{id}`; both forms parse.
//! Each route serves only from its own folder (images/, thumbs/, refs/, tmp/), never from the rest of the
//! data folder, which holds the key file and the database: ids are checked for shape, a file name read from
//! the database must be a plain name, and the resolved path is canonicalised and compared against the
//! route's folder, so `..`, an absolute name or a symlink cannot escape it.
//! Requests run on a small worker pool behind a bounded queue (see [`pool`]); files above
//! [`MAX_SERVED_BYTES`] are refused rather than read whole.

mod pool;

use std::io::Read;
use std::path::{Path, PathBuf};

use studio_core::paths::{is_plain_file_name, DataDir};
use studio_core::Studio;
use tauri::http::{header, Request, Response, StatusCode};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

use crate::state::AppState;
pub use pool::Pool;

pub const SCHEME: &str = "studio";

/// The bundled image the first screen shows before anything is generated (and the E2E test loads).
const DEMO_BANANA: &[u8] = include_bytes!("../../../icons/icon.png");

#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    Image(String),
    Thumb(String),
    Reference(String),
    /// An interim image the model drew while thinking (kept in the data folder's tmp/ until next start).
    Thought(String),
    Demo(String),
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    #[error("not a studio:// address: {0}")]
    BadAddress(String),
    #[error("no such image: {0}")]
    NotFound(String),
    #[error("refused: {0} is outside the folder this kind of image is served from")]
    Forbidden(String),
    #[error("could not read {0}: {1}")]
    Io(String, String),
    /// The queue of pending requests is full; the webview may ask again shortly.
    #[error("busy: too many images asked for at once, try again")]
    Busy,
    #[error("{0} is {1} MB, more than the {max} MB the app shows; open it from the file manager instead", max = MAX_SERVED_BYTES / (1024 * 1024))]
    TooLarge(String, u64),
}

impl ProtocolError {
    fn status(&self) -> StatusCode {
        match self {
            ProtocolError::BadAddress(_) => StatusCode::BAD_REQUEST,
            ProtocolError::NotFound(_) => StatusCode::NOT_FOUND,
            ProtocolError::Forbidden(_) => StatusCode::FORBIDDEN,
            ProtocolError::Io(..) => StatusCode::INTERNAL_SERVER_ERROR,
            ProtocolError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ProtocolError::TooLarge(..) => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }
}

/// Parses `studio://kind/id` (or the Windows `http://studio.localhost/kind/id`) into a route.
pub fn parse_route(uri: &str) -> Result<Route, ProtocolError> {
    let bad = || ProtocolError::BadAddress(uri.to_string());
    let rest = if let Some(rest) = uri.strip_prefix("studio://") {
        rest.strip_prefix("localhost/").unwrap_or(rest)
    } else if let Some(rest) = uri.strip_prefix("http://studio.localhost/") {
        rest
    } else {
        return Err(bad());
    };
    // Drop any query or fragment (cache busters).
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (kind, id) = rest.split_once('/').ok_or_else(bad)?;
    // Ids are opaque tokens we minted: letters, digits, '-', '_' and one optional '.ext' for demo art. This
    // alone rules out separators, `..` and percent-encoded tricks.
    let valid = !id.is_empty()
        && id.len() <= 128
        && !id.starts_with('.')
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !id.contains("..");
    if !valid {
        return Err(bad());
    }
    match kind {
        "image" => Ok(Route::Image(id.to_string())),
        "thumb" => Ok(Route::Thumb(id.to_string())),
        "ref" => Ok(Route::Reference(id.to_string())),
        "thought" => Ok(Route::Thought(id.to_string())),
        "demo" => Ok(Route::Demo(id.to_string())),
        _ => Err(bad()),
    }
}

/// Checks that `path` exists and lies inside `root` once both are canonicalised.
pub fn contained(root: &Path, path: &Path) -> Result<PathBuf, ProtocolError> {
    let shown = path.display().to_string();
    let root = root.canonicalize().map_err(|e| ProtocolError::Io(root.display().to_string(), e.to_string()))?;
    let real = path.canonicalize().map_err(|_| ProtocolError::NotFound(shown.clone()))?;
    if real.starts_with(&root) {
        Ok(real)
    } else {
        Err(ProtocolError::Forbidden(shown))
    }
}

/// A file the scheme may serve from `dir`: `path` must be `dir` joined with one plain file name (names read
/// back from the database are not trusted to be: a row naming `../api-key` or `/etc/passwd` is a 404), and it
/// must still lie inside `dir` once symlinks are resolved.
pub fn stored_file(dir: &Path, path: &Path) -> Result<PathBuf, ProtocolError> {
    let plain = path.parent() == Some(dir) && path.file_name().and_then(|n| n.to_str()).is_some_and(is_plain_file_name);
    if !plain {
        return Err(ProtocolError::NotFound(path.display().to_string()));
    }
    contained(dir, path)
}

/// The most the scheme reads into memory for one answer. The models draw at most 4K (a PNG of some tens of
/// MB); anything bigger is not one of ours to show, and reading it whole on a few workers would hold that
/// much memory per request.
pub const MAX_SERVED_BYTES: u64 = 64 * 1024 * 1024;

/// Reads `path` whole when it is at most `cap` bytes (checked before reading, and again while reading, in
/// case the file grows).
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ProtocolError> {
    let shown = || path.display().to_string();
    let io = |e: std::io::Error| ProtocolError::Io(shown(), e.to_string());
    let too_large = |n: u64| ProtocolError::TooLarge(shown(), n.div_ceil(1024 * 1024));
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > cap {
        return Err(too_large(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(cap + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > cap {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

fn mime_for(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("heic") => "image/heic",
        Some("heif") => "image/heif",
        _ => "application/octet-stream",
    }
}

fn find_with_any_extension(dir: &Path, stem: &str) -> Option<PathBuf> {
    ["png", "jpg", "webp"].iter().map(|ext| dir.join(format!("{stem}.{ext}"))).find(|p| p.exists())
}

/// The origins the app's own page is served from: `tauri://localhost` (Linux, macOS) and
/// `http(s)://tauri.localhost` (Windows).
const APP_ORIGINS: &[&str] = &["tauri://localhost", "http://tauri.localhost", "https://tauri.localhost"];

/// The `Access-Control-Allow-Origin` to answer with: the request's origin when it is the app's, else none.
fn allowed_origin(origin: Option<&str>) -> Option<&'static str> {
    let o = origin?;
    APP_ORIGINS.iter().copied().find(|a| *a == o)
}

/// Whether the main webview may navigate to `url`: only within the app's own page (and the about:/data:
/// documents WebKit uses for sandboxed frames). Links to the web go through `open_external`.
pub fn is_app_navigation(url: &tauri::Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        "about" | "data" => true,
        _ => false,
    }
}

/// Where a route's file is, checked to lie in the route's own folder.
fn resolve(studio: &Studio, dirs: &DataDir, route: Route) -> Result<PathBuf, ProtocolError> {
    let missing = |id: &str| ProtocolError::NotFound(id.to_string());
    match route {
        Route::Demo(name) => Err(missing(&name)),
        Route::Image(id) => stored_file(&dirs.images, &studio.image_path(&id).map_err(|_| missing(&id))?),
        Route::Thumb(id) => {
            // The thumbnail is made from the stored image: that file must pass the same check first.
            stored_file(&dirs.images, &studio.image_path(&id).map_err(|_| missing(&id))?)?;
            stored_file(&dirs.thumbs, &studio.thumb_path(&id).map_err(|_| missing(&id))?)
        }
        Route::Reference(hash) => stored_file(&dirs.refs, &studio.ref_path(&hash).map_err(|_| missing(&hash))?),
        Route::Thought(id) => stored_file(&dirs.tmp, &find_with_any_extension(&dirs.tmp, &id).ok_or_else(|| missing(&id))?),
    }
}

/// One answer's body and type; cloned for every request that joined the same job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
}

/// Resolves a route to bytes and a MIME type.
fn serve(state: &AppState, route: Route) -> Result<Served, ProtocolError> {
    if let Route::Demo(name) = &route {
        if name == "banana.png" {
            return Ok(Served { bytes: DEMO_BANANA.to_vec(), mime: "image/png" });
        }
    }
    let dirs = DataDir::new(&state.data_dir);
    let real = resolve(&state.studio(), &dirs, route)?;
    Ok(Served { bytes: read_capped(&real, MAX_SERVED_BYTES)?, mime: mime_for(&real) })
}

/// The scheme's workers: enough to overlap file reads and a thumbnail decode or two on a small machine,
/// few enough that a scrolling gallery cannot take every core from the rest of the app.
pub fn scheme_pool() -> std::io::Result<SchemePool> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    // A gallery screen asks for some tens of thumbnails at once; a fling asks for a few screens more.
    Pool::new("studio-scheme", workers, 256, || Err(ProtocolError::Io("the request".into(), "the image reader failed unexpectedly".into())))
}

pub type SchemePool = Pool<Result<Served, ProtocolError>>;

/// Builds the answer: the bytes, or the error as text with its status.
fn response(result: Result<Served, ProtocolError>, origin: Option<&'static str>) -> Response<Vec<u8>> {
    let built = match result {
        Ok(Served { bytes, mime }) => {
            let mut r = Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, mime)
                .header(header::CACHE_CONTROL, "max-age=31536000, immutable")
                .header(header::VARY, "Origin");
            // Lets the app's own page fetch() an image as a blob (copy to clipboard), and no other origin.
            if let Some(o) = origin {
                r = r.header(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
            }
            r.body(bytes)
        }
        Err(err) => {
            let mut r = Response::builder()
                .status(err.status())
                .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .header(header::VARY, "Origin");
            if err == ProtocolError::Busy {
                r = r.header(header::RETRY_AFTER, "1");
            }
            // The app's own page may read why (a 503 to retry, a 404), as it may read the image.
            if let Some(o) = origin {
                r = r.header(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
            }
            r.body(err.to_string().into_bytes())
        }
    };
    built.unwrap_or_else(|err| Response::new(err.to_string().into_bytes()))
}

/// The scheme handler: queues the work on the scheme's pool (off the main thread), then answers once; every
/// error becomes a 4xx/5xx with text, and a full queue a 503.
pub fn handle<R: Runtime>(ctx: UriSchemeContext<'_, R>, request: Request<Vec<u8>>, responder: UriSchemeResponder) {
    let app = ctx.app_handle().clone();
    let uri = request.uri().to_string();
    let origin = allowed_origin(request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()));
    let route = match parse_route(&uri) {
        Ok(route) => route,
        Err(err) => return responder.respond(response(Err(err), origin)),
    };
    let Some(pool) = app.try_state::<SchemePool>() else {
        return responder.respond(response(Err(ProtocolError::NotFound("the app is still starting".into())), origin));
    };
    let key = format!("{route:?}");
    let worker_app = app.clone();
    let work = move || match worker_app.try_state::<AppState>() {
        Some(state) => serve(&state, route),
        None => Err(ProtocolError::NotFound("the app is still starting".into())),
    };
    let reply: pool::Reply<Result<Served, ProtocolError>> = Box::new(move |result| responder.respond(response(result, origin)));
    if let Err(reply) = pool.submit(key, work, reply) {
        reply(Err(ProtocolError::Busy));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9: the scheme answered `Access-Control-Allow-Origin: *`.
    #[test]
    fn only_the_apps_own_page_may_read_images_across_origins() {
        assert_eq!(allowed_origin(Some("tauri://localhost")), Some("tauri://localhost"));
        assert_eq!(allowed_origin(Some("http://tauri.localhost")), Some("http://tauri.localhost"));
        assert_eq!(allowed_origin(Some("https://evil.example")), None);
        assert_eq!(allowed_origin(Some("null")), None);
        assert_eq!(allowed_origin(None), None);
    }

    /// Issue 9: nothing kept the main webview on the app's page.
    #[test]
    fn the_main_webview_stays_on_the_app() {
        let ok = |u: &str| is_app_navigation(&tauri::Url::parse(u).unwrap());
        assert!(ok("tauri://localhost/index.html"));
        assert!(ok("http://tauri.localhost/"));
        assert!(ok("about:srcdoc"));
        assert!(!ok("https://example.com/"));
        assert!(!ok("http://tauri.localhost.evil.example/"));
        assert!(!ok("file:///etc/passwd"));
        assert!(!ok("studio://image/x"));
    }

    #[test]
    fn parses_both_spellings() {
        assert_eq!(parse_route("studio://image/abc-1"), Ok(Route::Image("abc-1".into())));
        assert_eq!(parse_route("studio://localhost/thumb/x_2"), Ok(Route::Thumb("x_2".into())));
        assert_eq!(parse_route("http://studio.localhost/ref/ff00?v=2"), Ok(Route::Reference("ff00".into())));
        assert_eq!(parse_route("studio://demo/banana.png"), Ok(Route::Demo("banana.png".into())));
    }

    #[test]
    fn refuses_traversal_and_odd_ids() {
        for uri in [
            "studio://image/../../etc/passwd",
            "studio://image/..",
            "studio://image/a/b",
            "studio://image/%2e%2e%2fsecret",
            "studio://image/.hidden",
            "studio://image/",
            "studio://secret/abc",
            "file:///etc/passwd",
            "http://evil.localhost/image/abc",
        ] {
            assert!(parse_route(uri).is_err(), "{uri} should be refused");
        }
    }

    /// A data folder with the files the scheme must never serve, and one file per route's folder.
    fn data_folder(tag: &str) -> (tempfile::TempDir, DataDir) {
        let tmp = tempfile::tempdir().unwrap();
        let dirs = DataDir::new(tmp.path().join(tag));
        for d in [&dirs.images, &dirs.thumbs, &dirs.refs, &dirs.tmp] {
            std::fs::create_dir_all(d).unwrap();
            std::fs::write(d.join("ok.png"), b"x").unwrap();
        }
        std::fs::write(&dirs.db, b"SQLite format 3").unwrap();
        std::fs::write(dirs.root.join("api-key"), b"secret").unwrap();
        (tmp, dirs)
    }

    /// Issue 9: every route was contained only to the whole data folder, and names read from the database
    /// were joined as they were, so a row naming `../api-key` served the key file. Each route serves its own
    /// folder, and a stored name that is not a plain name is a 404.
    #[test]
    fn each_route_serves_only_plain_names_in_its_own_folder() {
        let (_tmp, dirs) = data_folder("data");
        for dir in [&dirs.images, &dirs.thumbs, &dirs.refs, &dirs.tmp] {
            assert!(stored_file(dir, &dir.join("ok.png")).is_ok(), "{}", dir.display());
            for stored in ["../api-key", "../gallery.sqlite", "/etc/passwd", "sub/ok.png", "..", ".", ".hidden", ""] {
                let err = stored_file(dir, &dir.join(stored)).expect_err(stored);
                assert!(matches!(err, ProtocolError::NotFound(_)), "{stored} in {}: {err:?}", dir.display());
                assert_eq!(err.status(), StatusCode::NOT_FOUND);
            }
            // Another route's folder is not this one's, even for a file that exists.
            let other = if *dir == dirs.images { &dirs.thumbs } else { &dirs.images };
            assert!(stored_file(dir, &other.join("ok.png")).is_err());
        }
    }

    /// Issue 9, end to end through a real store: image rows whose stored file name points at the database,
    /// the key file or an absolute path are 404s on the image and the thumbnail route (no thumbnail is made
    /// from them), while a proper row is served.
    #[test]
    fn rows_naming_files_outside_images_are_not_served() {
        let mut rows = vec![("good", "good.png")];
        rows.extend_from_slice(crate::test_support::HOSTILE_ROWS);
        let (_tmp, dirs, studio) = crate::test_support::studio_with_rows(&rows);
        assert_eq!(resolve(&studio, &dirs, Route::Image("good".into())).unwrap(), dirs.images.join("good.png").canonicalize().unwrap());
        assert!(resolve(&studio, &dirs, Route::Thumb("good".into())).is_ok());
        for (id, _) in crate::test_support::HOSTILE_ROWS {
            for route in [Route::Image(id.to_string()), Route::Thumb(id.to_string())] {
                let err = resolve(&studio, &dirs, route).expect_err(id);
                assert_eq!(err.status(), StatusCode::NOT_FOUND, "{id}: {err:?}");
            }
            assert!(!dirs.thumbs.join(format!("{id}.jpg")).exists(), "no thumbnail made for {id}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_routes_folder_is_refused() {
        let (_tmp, dirs) = data_folder("data");
        std::os::unix::fs::symlink(dirs.root.join("api-key"), dirs.images.join("key.png")).unwrap();
        assert!(matches!(stored_file(&dirs.images, &dirs.images.join("key.png")), Err(ProtocolError::Forbidden(_))));
    }

    /// Issue 9: files were read whole whatever their size.
    #[test]
    fn files_over_the_cap_are_refused_not_read() {
        let (_tmp, dirs) = data_folder("data");
        let p = dirs.images.join("big.png");
        std::fs::write(&p, vec![7u8; 1000]).unwrap();
        assert_eq!(read_capped(&p, 1000).unwrap().len(), 1000);
        let err = read_capped(&p, 999).unwrap_err();
        assert!(matches!(err, ProtocolError::TooLarge(..)), "{err:?}");
        assert_eq!(err.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn a_busy_answer_says_when_to_ask_again() {
        let r = response(Err(ProtocolError::Busy), Some("tauri://localhost"));
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("1"));
        assert_eq!(r.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).and_then(|v| v.to_str().ok()), Some("tauri://localhost"));
        assert!(response(Err(ProtocolError::NotFound("x".into())), None).headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    }

    #[test]
    fn containment_refuses_links_out_of_the_data_dir() {
        let root = std::env::temp_dir().join(format!("banana-proto-{}", std::process::id()));
        let outside = std::env::temp_dir().join(format!("banana-proto-out-{}", std::process::id()));
        std::fs::create_dir_all(root.join("images")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(root.join("images/ok.png"), b"x").unwrap();
        std::fs::write(outside.join("secret.png"), b"s").unwrap();
        assert!(contained(&root, &root.join("images/ok.png")).is_ok());
        assert!(matches!(
            contained(&root, &root.join("images/../../").join(outside.file_name().unwrap()).join("secret.png")),
            Err(ProtocolError::Forbidden(_))
        ));
        #[cfg(unix)]
        {
            let _ = std::fs::remove_file(root.join("images/link.png"));
            std::os::unix::fs::symlink(outside.join("secret.png"), root.join("images/link.png")).unwrap();
            assert!(matches!(contained(&root, &root.join("images/link.png")), Err(ProtocolError::Forbidden(_))));
        }
        assert!(matches!(contained(&root, &root.join("images/missing.png")), Err(ProtocolError::NotFound(_))));
    }
}
