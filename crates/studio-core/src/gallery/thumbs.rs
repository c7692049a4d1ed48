//! Thumbnails: 256 px JPEGs made off the request path by one background thread, and lazily (synchronously)
//! by `thumb_path` when one is missing (deleted, or the app quit before the worker reached it).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;

use crate::error::{Error, Result};
use crate::paths::atomic_write;

/// Longest edge of a thumbnail.
pub const THUMB_EDGE: u32 = 256;

/// Largest width or height a thumbnail is made from. The models draw at most 4K; a file claiming more (a
/// damaged or planted file) is refused from its header instead of being decoded.
pub const MAX_SOURCE_EDGE: u32 = 16_384;

/// Most memory one thumbnail decode may allocate (a 4K RGBA image is 64 MiB). The image viewer decodes
/// thumbnails on demand, several at a time, so each decode must be bounded.
pub const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// Makes the thumbnail of `src` at `dst` (atomic write). The decode is bounded by [`MAX_SOURCE_EDGE`] and
/// [`MAX_DECODE_BYTES`].
pub fn make_thumb(src: &Path, dst: &Path) -> Result<()> {
    let mut reader = image::ImageReader::open(src)
        .map_err(|e| Error::io("cannot open image", src, e))?
        .with_guessed_format()
        .map_err(|e| Error::io("cannot read image", src, e))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SOURCE_EDGE);
    limits.max_image_height = Some(MAX_SOURCE_EDGE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let img = reader
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
    /// Thumbnails queued and not yet written, so a lazy request waits instead of decoding twice.
    pending: Arc<Mutex<HashSet<PathBuf>>>,
}

impl ThumbWorker {
    pub fn start() -> ThumbWorker {
        let (tx, rx) = mpsc::channel::<(PathBuf, PathBuf)>();
        let pending: Arc<Mutex<HashSet<PathBuf>>> = Arc::default();
        let done = Arc::clone(&pending);
        let handle = thread::Builder::new()
            .name("banana-thumbs".into())
            .spawn(move || {
                for (src, dst) in rx {
                    if !dst.exists() {
                        if let Err(e) = make_thumb(&src, &dst) {
                            tracing::warn!("thumbnail failed: {e}");
                        }
                    }
                    done.lock().unwrap_or_else(|p| p.into_inner()).remove(&dst);
                }
            })
            .ok();
        ThumbWorker {
            tx: Some(tx),
            handle,
            pending,
        }
    }

    /// Queues a thumbnail; never blocks the caller.
    pub fn queue(&self, src: PathBuf, dst: PathBuf) {
        if let Some(tx) = &self.tx {
            self.pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(dst.clone());
            if tx.send((src, dst.clone())).is_err() {
                self.pending
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&dst);
            }
        }
    }

    /// Waits (up to `timeout`) while `dst` is queued; true when it exists afterwards.
    pub fn wait_for(&self, dst: &Path, timeout: Duration) -> bool {
        let start = Instant::now();
        while self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(dst)
            && start.elapsed() < timeout
        {
            thread::sleep(Duration::from_millis(2));
        }
        dst.exists()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9: a missing thumbnail was made by decoding whatever the file's header claimed. A 17,000 px wide
    /// image (tiny on disk) must be refused before it is decoded; a normal one still gets its thumbnail.
    #[test]
    fn thumbnail_decode_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let wide = dir.path().join("wide.png");
        image::GrayImage::new(MAX_SOURCE_EDGE + 1, 1).save(&wide).unwrap();
        let err = make_thumb(&wide, &dir.path().join("wide.jpg")).unwrap_err();
        assert!(matches!(err, Error::Image(_)), "{err}");
        assert!(!dir.path().join("wide.jpg").exists());

        let ok = dir.path().join("ok.png");
        image::RgbImage::new(600, 300).save(&ok).unwrap();
        make_thumb(&ok, &dir.path().join("ok.jpg")).unwrap();
        let (w, h) = image::image_dimensions(dir.path().join("ok.jpg")).unwrap();
        assert_eq!((w, h), (THUMB_EDGE, THUMB_EDGE / 2));
    }
}
