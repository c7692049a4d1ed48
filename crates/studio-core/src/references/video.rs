//! Video references (issue 13, "Video to image"): a clip given as context for a thumbnail, a poster or a
//! summary, on models whose data says `video_input`.
//!
//! A video is recognised from its first bytes, never its name: MP4, MOV and 3GP by their ISO-BMFF `ftyp`
//! brands ([`super::isobmff`], which also keeps HEIF images apart), WebM by its EBML DocType
//! ([`super::ebml`]). Its duration is read from the container when it says it. It is stored as it is,
//! never decoded or re-encoded here (no video codec is a dependency, and the model reads the original
//! best), and it always travels through the Files API, whose limit is 2 GB a file.

use std::io::{Read, Seek};

use super::pipeline::Refusal;
use super::{ebml, isobmff};

/// The largest reference file taken: the Files API's limit for one file (2 GB). Inline requests carry less
/// still, so nothing larger could be sent at all.
pub const MAX_FILE_BYTES: u64 = 2_000_000_000;

/// How many leading bytes [`sniff`] needs: an `ftyp` box is read up to 4 KB, an EBML header is far smaller.
pub const HEAD_BYTES: usize = 4096;

/// A video container the API takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoFormat {
    Mp4,
    QuickTime,
    ThreeGpp,
    Webm,
}

impl VideoFormat {
    /// The MIME type sent with the upload and in `fileData` (the API's video guide lists these).
    pub fn mime(self) -> &'static str {
        match self {
            VideoFormat::Mp4 => "video/mp4",
            VideoFormat::QuickTime => "video/quicktime",
            VideoFormat::ThreeGpp => "video/3gpp",
            VideoFormat::Webm => "video/webm",
        }
    }
}

/// What a file's first bytes say: `None` when it is not a video (it may still be an image), a format, or
/// why this video cannot be used.
pub fn sniff(head: &[u8]) -> Option<Result<VideoFormat, Refusal>> {
    if let Some(kind) = isobmff::ftyp_kind(head) {
        return match kind {
            isobmff::FtypKind::Mp4 => Some(Ok(VideoFormat::Mp4)),
            isobmff::FtypKind::QuickTime => Some(Ok(VideoFormat::QuickTime)),
            isobmff::FtypKind::ThreeGpp => Some(Ok(VideoFormat::ThreeGpp)),
            isobmff::FtypKind::Heic | isobmff::FtypKind::Heif => None,
        };
    }
    let doc = ebml::doctype(head)?;
    Some(match doc.as_str() {
        "webm" => Ok(VideoFormat::Webm),
        "matroska" => Err(
            "it is a Matroska (.mkv) video, which Gemini does not take: remux it to MP4 or WebM \
             (e.g. `ffmpeg -i in.mkv -c copy out.mp4`)"
                .into(),
        ),
        "" => Err("its EBML header is damaged, so it is not a readable WebM video".into()),
        other => Err(format!(
            "it is an EBML file of type \"{}\", not a WebM video",
            other.escape_debug()
        )),
    })
}

/// Refuses a file too large for the Files API (or empty).
pub fn check_size(len: u64) -> Result<(), Refusal> {
    if len == 0 {
        return Err("the file is empty".into());
    }
    if len > MAX_FILE_BYTES {
        return Err(format!(
            "it is {:.2} GB, over the {} GB the Files API takes for one file: trim or compress it",
            len as f64 / 1e9,
            MAX_FILE_BYTES / 1_000_000_000
        ));
    }
    Ok(())
}

/// The video's duration in milliseconds, read from the container by seeking (the file is never read
/// whole): `Ok(None)` when it does not say; `Err` for an MP4/MOV that is cut short or has no index.
pub fn duration_ms<R: Read + Seek>(
    format: VideoFormat,
    r: &mut R,
    len: u64,
) -> Result<Option<u64>, Refusal> {
    match format {
        VideoFormat::Webm => Ok(ebml::duration_ms(r, len)),
        _ => isobmff::movie_duration_ms(r, len),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::references::ebml::tests::webm;
    use crate::references::isobmff::tests::{bx, ftyp, mvhd_v0};

    #[test]
    fn sniffs_videos_and_leaves_images_alone() {
        let mp4 = [
            ftyp(b"isom", &[b"isom", b"avc1"]),
            bx(b"moov", &mvhd_v0(1000, 2000)),
        ]
        .concat();
        assert_eq!(sniff(&mp4), Some(Ok(VideoFormat::Mp4)));
        assert_eq!(
            sniff(&ftyp(b"qt  ", &[b"qt  "])),
            Some(Ok(VideoFormat::QuickTime))
        );
        assert_eq!(sniff(&webm("webm", Some(1.0))), Some(Ok(VideoFormat::Webm)));
        assert!(sniff(&webm("matroska", None))
            .unwrap()
            .unwrap_err()
            .contains("Matroska"));
        assert_eq!(sniff(&ftyp(b"heic", &[b"mif1"])), None, "HEIC is an image");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n"), None);
        assert_eq!(sniff(b"just text that says ftyp isom"), None);
        let mut c = std::io::Cursor::new(&mp4);
        assert_eq!(
            duration_ms(VideoFormat::Mp4, &mut c, mp4.len() as u64),
            Ok(Some(2000))
        );
    }

    #[test]
    fn sizes_up_to_the_files_api_limit() {
        assert!(check_size(0).is_err());
        assert!(check_size(MAX_FILE_BYTES).is_ok());
        let e = check_size(MAX_FILE_BYTES + 1).unwrap_err();
        assert!(e.contains("over the 2 GB the Files API takes"), "{e}");
    }
}
