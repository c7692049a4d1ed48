//! Whether a JPEG is whole, from a walk of its marker segments and scans. A truncated JPEG still decodes
//! (the decoder fills the rest with grey), so it is refused on its markers instead; and whatever follows
//! the primary image's end-of-image marker (a motion photo's MP4, a camera's preview) is not taken for part
//! of it.

/// A truncated JPEG still decodes (the decoder fills the rest with grey), so completeness is checked on the
/// markers: the last end-of-image (`FFD9`) must come after the last start-of-scan (`FFDA`). In entropy-coded
/// data `FF` is always followed by `00` or a restart marker, so neither pair appears by accident; an EXIF
/// thumbnail's own `FFD9` comes before the main image's scans.
pub(super) fn jpeg_is_complete(b: &[u8]) -> bool {
    jpeg_primary_end(b).is_some()
}

/// Where the primary image of a JPEG ends (just past its EOI marker), found by walking its marker segments
/// and scans from the SOI; `None` when the data is cut short. Whatever follows is not part of the image:
/// Android motion photos append an MP4 (which may hold any byte pattern, SOS and EOI markers included), and
/// cameras append previews.
fn jpeg_primary_end(b: &[u8]) -> Option<usize> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    loop {
        // A marker: 0xFF (fill bytes allowed), then its code.
        while *b.get(i)? == 0xFF && *b.get(i + 1)? == 0xFF {
            i += 1;
        }
        if *b.get(i)? != 0xFF {
            return None;
        }
        let code = *b.get(i + 1)?;
        i += 2;
        match code {
            0xD9 => return Some(i),
            // Standalone markers carry no length.
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let len = u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]) as usize;
        if len < 2 {
            return None;
        }
        i = i.checked_add(len)?;
        if i > b.len() {
            return None;
        }
        if code == 0xDA {
            // Entropy-coded data up to the next marker that is neither a stuffed 0xFF00 nor a restart.
            loop {
                let ff = i + b.get(i..)?.iter().position(|&x| x == 0xFF)?;
                match *b.get(ff + 1)? {
                    0x00 | 0xD0..=0xD7 | 0xFF => i = ff + 1,
                    _ => {
                        i = ff;
                        break;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::references::pipeline::prepare;

    fn small_jpeg() -> Vec<u8> {
        let img = image::RgbImage::from_fn(64, 48, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .unwrap();
        out
    }

    /// Issue 9: a motion photo (a JPEG with an MP4 after its EOI) was refused as "cut short" whenever the
    /// appended bytes held an SOS marker after the last EOI.
    #[test]
    fn data_after_the_end_of_image_is_not_the_image() {
        let jpeg = small_jpeg();
        assert_eq!(jpeg_primary_end(&jpeg), Some(jpeg.len()));
        let mut motion = jpeg.clone();
        motion.extend_from_slice(b"\0\0\0\x18ftypmp42");
        motion.extend_from_slice(&[0xFF, 0xD9, 1, 2, 0xFF, 0xDA, 0, 8, 9, 9, 9, 9, 9, 9]);
        assert_eq!(jpeg_primary_end(&motion), Some(jpeg.len()));
        let p = prepare(&motion).unwrap();
        assert_eq!((p.width, p.height), (64, 48));
        // Cut inside the scan: refused, wherever an EOI-looking pair appears later.
        let cut = &jpeg[..jpeg.len() - 40];
        assert_eq!(jpeg_primary_end(cut), None);
        assert!(prepare(cut).unwrap_err().contains("cut short"));
        // Hostile lengths and markers never panic.
        for n in 0..jpeg.len().min(700) {
            let _ = jpeg_primary_end(&jpeg[..n]);
        }
        assert_eq!(jpeg_primary_end(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), None);
        assert_eq!(
            jpeg_primary_end(&[0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF]),
            None
        );
    }
}
