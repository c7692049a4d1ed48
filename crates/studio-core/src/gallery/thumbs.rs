//! Thumbnails: 256 px JPEGs made off the request path by one background thread, and lazily (synchronously)
//! by `thumb_path` when one is missing (deleted, or the app quit before the worker reached it).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

use image::codecs::jpeg::JpegEncoder;

use crate::error::{Error, Result};
use crate::paths::atomic_write;

/// Longest edge of a thumbnail.
pub const THUMB_EDGE: u32 = 256;

/// Makes the thumbnail of `src` at `dst` (atomic write).
pub fn make_thumb(src: &Path, dst: &Path) -> Result<()> {
    let img = image::ImageReader::open(src)
        .map_err(|e| Error::io("cannot open image", src, e))?
        .with_guessed_format()
        .map_err(|e| Error::io("cannot read image", src, e))?
        .decode()
        .map_err(|e| Error::Image(format!("{}: {e}", src.display())))?;
    let thumb = img.thumbnail(THUMB_EDGE, THUMB_EDGE).to_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 82)
        .encode_image(&thumb)
        .map_err(|e| Error::Image(format!("thumbnail of {}: {e}", src.display())))?;
    atomic_write(dst, &out)
}

/// A background thumbnail worker. Dropping it lets the thread finish its queue and exit.
pub struct ThumbWorker {
    tx: Option<mpsc::Sender<(PathBuf, PathBuf)>>,
    handle: Option<thread::JoinHandle<()>>,
}

impl ThumbWorker {
    pub fn start() -> ThumbWorker {
        let (tx, rx) = mpsc::channel::<(PathBuf, PathBuf)>();
        let handle = thread::Builder::new()
            .name("banana-thumbs".into())
            .spawn(move || {
                for (src, dst) in rx {
                    if dst.exists() {
                        continue;
                    }
                    if let Err(e) = make_thumb(&src, &dst) {
                        tracing::warn!("thumbnail failed: {e}");
                    }
                }
            })
            .ok();
        ThumbWorker { tx: Some(tx), handle }
    }

    /// Queues a thumbnail; never blocks the caller.
    pub fn queue(&self, src: PathBuf, dst: PathBuf) {
        if let Some(tx) = &self.tx {
            let _ = tx.send((src, dst));
        }
    }
}

impl Drop for ThumbWorker {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
