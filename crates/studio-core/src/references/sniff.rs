//! What kind of image a file is, from its first bytes (never its name), and the file sizes taken for each
//! kind, checked from the length alone before anything is read. HEIC/HEIF are told from MP4/MOV videos by
//! their ISO-BMFF `ftyp` brands ([`super::isobmff`]); they are never decoded here, so their pixel size
//! comes from their `ispe` property.

use super::pipeline::{Refusal, INLINE_LIMIT_BYTES};

/// An input format the API accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Png,
    Jpeg,
    Webp,
    Heic,
    Heif,
}

impl InputFormat {
    pub fn mime(self) -> &'static str {
        match self {
            InputFormat::Png => "image/png",
            InputFormat::Jpeg => "image/jpeg",
            InputFormat::Webp => "image/webp",
            InputFormat::Heic => "image/heic",
            InputFormat::Heif => "image/heif",
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            InputFormat::Png => "PNG",
            InputFormat::Jpeg => "JPEG",
            InputFormat::Webp => "WebP",
            InputFormat::Heic => "HEIC",
            InputFormat::Heif => "HEIF",
        }
    }
}

/// Identifies the format from the file's first bytes (never from its name).
pub fn sniff(bytes: &[u8]) -> Option<InputFormat> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(InputFormat::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(InputFormat::Jpeg);
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(InputFormat::Webp);
    }
    heif_brand(bytes)
}

/// HEIF family check on the ISO-BMFF `ftyp` box. MP4 and MOV videos start with the same box; their brands
/// are told apart in [`super::isobmff::ftyp_kind`], so a movie is never taken for a HEIF image.
fn heif_brand(bytes: &[u8]) -> Option<InputFormat> {
    match super::isobmff::ftyp_kind(bytes)? {
        super::isobmff::FtypKind::Heic => Some(InputFormat::Heic),
        super::isobmff::FtypKind::Heif => Some(InputFormat::Heif),
        _ => None,
    }
}

/// Largest `ispe` (image spatial extents) property in a HEIF file: the primary image's size.
pub(super) fn heif_size(bytes: &[u8]) -> (u32, u32) {
    let scan = &bytes[..bytes.len().min(1 << 20)];
    let mut best = (0u32, 0u32);
    let mut i = 4;
    while i + 16 <= scan.len() {
        if &scan[i..i + 4] == b"ispe" {
            let w = u32::from_be_bytes([scan[i + 8], scan[i + 9], scan[i + 10], scan[i + 11]]);
            let h = u32::from_be_bytes([scan[i + 12], scan[i + 13], scan[i + 14], scan[i + 15]]);
            if u64::from(w) * u64::from(h) > u64::from(best.0) * u64::from(best.1)
                && w < 65_536
                && h < 65_536
            {
                best = (w, h);
            }
            i += 16;
        } else {
            i += 1;
        }
    }
    best
}

/// The refusal of a file that is neither an image nor a video we take. The content decides, so a text file
/// named `.mp4` gets this too.
pub const NOT_A_REFERENCE: &str =
    "it is not a PNG, JPEG, WebP, HEIC or HEIF image, nor an MP4, MOV, 3GP or WebM video (its content was checked, not its name)";

/// The largest file passed through without re-encoding when it cannot be re-encoded here (HEIC/HEIF): what
/// one inline request can carry next to a prompt. Google accepts that much, so we do too.
pub const MAX_PASSTHROUGH_BYTES: usize = (INLINE_LIMIT_BYTES - 2_000_000) * 3 / 4;

/// The largest PNG, JPEG or WebP file taken, checked from its size before it is read. A photo at the
/// decode budget's limit (about 100 MP) is a fraction of this as a JPEG; a file this large is mostly a PNG
/// whose pixels would be refused anyway.
pub const MAX_IMAGE_FILE_BYTES: u64 = 200_000_000;

/// Refuses a file too large for its kind, from its length alone (nothing is read).
pub fn check_file_size(format: InputFormat, len: u64) -> Result<(), Refusal> {
    let max = match format {
        InputFormat::Heic | InputFormat::Heif => MAX_PASSTHROUGH_BYTES as u64,
        _ => MAX_IMAGE_FILE_BYTES,
    };
    if len == 0 {
        return Err("the file is empty".into());
    }
    if len <= max {
        return Ok(());
    }
    Err(match format {
        InputFormat::Heic | InputFormat::Heif => format!(
            "HEIC/HEIF files cannot be downscaled here and this one is {:.1} MB, over the {:.1} MB one request can carry: convert it to JPEG",
            len as f64 / 1e6,
            max as f64 / 1e6
        ),
        _ => format!(
            "the file is {:.1} MB, over the {:.0} MB taken for a {} reference: save it smaller and add it again",
            len as f64 / 1e6,
            max as f64 / 1e6,
            format.name()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::references::pipeline::prepare;

    #[test]
    fn heic_brand_is_recognised() {
        let b = crate::references::isobmff::tests::heic(4032, 3024, 64);
        let p = prepare(&b).unwrap();
        assert_eq!(p.mime, "image/heic");
        assert_eq!((p.width, p.height), (4032, 3024));
        assert!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0isomavc1").is_none());
    }

    /// Google takes 100 MB inline since 2026-01-08: a 6 MB phone HEIC, over the re-encode target, is sent as

    #[test]
    fn oversized_files_are_refused_by_their_length() {
        let e = check_file_size(InputFormat::Png, MAX_IMAGE_FILE_BYTES + 1).unwrap_err();
        assert!(e.contains("200.0 MB") && e.contains("PNG"), "{e}");
        assert!(check_file_size(InputFormat::Jpeg, MAX_IMAGE_FILE_BYTES).is_ok());
        assert!(
            check_file_size(InputFormat::Heic, MAX_PASSTHROUGH_BYTES as u64 + 1)
                .unwrap_err()
                .contains("convert it to JPEG")
        );
    }
}
