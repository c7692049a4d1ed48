//! The `studio://` URI scheme: how image bytes reach the webview without crossing JSON IPC.
//!
//! `studio://image/{id}`, `studio://thumb/{id}`, `studio://ref/{hash}`, `studio://thought/{id}` (interim
//! thought images) and `studio://demo/{name}` (bundled art). On Windows the webview spells the same URLs `http://studio.localhost/{kind}/{id}`; both forms parse.
//! Every file served must resolve inside the data folder: ids are checked for shape, and the resolved path is
//! canonicalised and compared against the data folder, so `..` or an encoded separator cannot escape it.

use std::path::{Path, PathBuf};

use tauri::http::{header, Request, Response, StatusCode};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

use crate::state::AppState;

pub const SCHEME: &str = "studio";

/// The bundled image the first screen shows before anything is generated (and the E2E test loads).
const DEMO_BANANA: &[u8] = include_bytes!("../../icons/icon.png");

#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    Image(String),
    Thumb(String),
    Reference(String),
    /// An interim image the model drew while thinking (kept in the data folder's tmp/ until next start).
    Thought(String),
    Demo(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    #[error("not a studio:// address: {0}")]
    BadAddress(String),
    #[error("no such image: {0}")]
    NotFound(String),
    #[error("refused: {0} is outside the data folder")]
    Forbidden(String),
    #[error("could not read {0}: {1}")]
    Io(String, String),
}

impl ProtocolError {
    fn status(&self) -> StatusCode {
        match self {
            ProtocolError::BadAddress(_) => StatusCode::BAD_REQUEST,
            ProtocolError::NotFound(_) => StatusCode::NOT_FOUND,
            ProtocolError::Forbidden(_) => StatusCode::FORBIDDEN,
            ProtocolError::Io(..) => StatusCode::INTERNAL_SERVER_ERROR,
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

/// Resolves a route to bytes and a MIME type.
fn serve(state: &AppState, route: Route) -> Result<(Vec<u8>, &'static str), ProtocolError> {
    let path = match route {
        Route::Demo(name) if name == "banana.png" => return Ok((DEMO_BANANA.to_vec(), "image/png")),
        Route::Demo(name) => return Err(ProtocolError::NotFound(name)),
        Route::Image(id) => state.studio().image_path(&id).map_err(|_| ProtocolError::NotFound(id))?,
        Route::Thumb(id) => state.studio().thumb_path(&id).map_err(|_| ProtocolError::NotFound(id))?,
        Route::Reference(hash) => state.studio().ref_path(&hash).map_err(|_| ProtocolError::NotFound(hash))?,
        Route::Thought(id) => find_with_any_extension(&state.data_dir.join("tmp"), &id).ok_or(ProtocolError::NotFound(id))?,
    };
    let real = contained(&state.data_dir, &path)?;
    let bytes = std::fs::read(&real).map_err(|e| ProtocolError::Io(real.display().to_string(), e.to_string()))?;
    Ok((bytes, mime_for(&real)))
}

/// The scheme handler: reads off the main thread, then answers once; every error becomes a 4xx/5xx with text.
pub fn handle<R: Runtime>(ctx: UriSchemeContext<'_, R>, request: Request<Vec<u8>>, responder: UriSchemeResponder) {
    let app = ctx.app_handle().clone();
    let uri = request.uri().to_string();
    let origin = allowed_origin(request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()));
    std::thread::spawn(move || {
        let result = parse_route(&uri).and_then(|route| match app.try_state::<AppState>() {
            Some(state) => serve(&state, route),
            None => Err(ProtocolError::NotFound("the app is still starting".into())),
        });
        let response = match result {
            Ok((bytes, mime)) => {
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
            Err(err) => Response::builder()
                .status(err.status())
                .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(err.to_string().into_bytes()),
        };
        match response {
            Ok(response) => responder.respond(response),
            Err(err) => responder.respond(Response::new(err.to_string().into_bytes())),
        }
    });
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
