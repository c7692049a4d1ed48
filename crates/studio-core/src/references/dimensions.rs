//! An image's pixel size and layout read from its header, before anything is decoded or the file is read
//! whole: what the memory [`super::budget`] is asked for, and why a PNG bomb (a megabyte on disk,
//! gigabytes of pixels) is refused by its size in pixels instead of decoded.
//!
//! PNG: the `IHDR` chunk. JPEG: the marker segments are walked (seeking past their bodies, so a large EXIF
//! block costs nothing) up to the frame header (`SOFn`). WebP: the RIFF chunks are walked, which also tells
//! an animation (`VP8X` flag, `ANIM`/`ANMF` chunks) and a container whose sizes do not add up. Every size is
//! checked before it is used; hostile input ends in `Err`, never a panic or an allocation sized by the file.

use std::io::{Read, Seek, SeekFrom};

use super::pipeline::Refusal;

/// What the decoder will produce, as far as the header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub width: u32,
    pub height: u32,
    /// Bytes per pixel of the decoded image (image's layout: 16-bit PNG samples stay 16-bit).
    pub bytes_per_pixel: u32,
    /// Extra bytes per pixel the decoder holds besides its output (a progressive JPEG keeps every
    /// coefficient; WebP decodes through a frame buffer).
    pub decoder_bytes_per_pixel: u32,
    /// An animated WebP: only its first frame is used.
    pub animated: bool,
    /// An interlaced (Adam7) PNG, whose rows come in seven passes: it cannot be shrunk as it streams.
    pub interlaced: bool,
}

fn read_at<R: Read + Seek>(r: &mut R, pos: u64, buf: &mut [u8]) -> std::io::Result<()> {
    r.seek(SeekFrom::Start(pos))?;
    r.read_exact(buf)
}

fn cut_short(what: &str) -> Refusal {
    format!("the {what} data is cut short (its header is incomplete)")
}

/// PNG: the `IHDR` chunk, which the format requires first.
pub fn png<R: Read + Seek>(r: &mut R) -> Result<Header, Refusal> {
    let mut b = [0u8; 33];
    read_at(r, 0, &mut b).map_err(|_| cut_short("PNG"))?;
    if &b[12..16] != b"IHDR" || u32::from_be_bytes([b[8], b[9], b[10], b[11]]) != 13 {
        return Err("the PNG is damaged: it does not start with its IHDR header".into());
    }
    let width = u32::from_be_bytes([b[16], b[17], b[18], b[19]]);
    let height = u32::from_be_bytes([b[20], b[21], b[22], b[23]]);
    let (depth, color, interlace) = (b[24], b[25], b[28]);
    let channels = match color {
        0 => 1,
        2 => 3,
        // Palette images are expanded to RGB or, with a tRNS chunk, RGBA.
        3 => 4,
        4 => 2,
        6 => 4,
        _ => return Err(format!("the PNG is damaged: unknown colour type {color}")),
    };
    let sample = if depth == 16 { 2 } else { 1 };
    Ok(Header {
        width,
        height,
        bytes_per_pixel: channels * sample,
        decoder_bytes_per_pixel: 0,
        animated: false,
        interlaced: interlace != 0,
    })
}

/// Marker segments walked at most before the frame header (cameras write a handful; a hostile file of
/// empty segments would otherwise cost a seek per four bytes).
const MAX_JPEG_SEGMENTS: u32 = 4096;

/// JPEG: the first frame header (`SOF0`..`SOF15` but DHT, JPG and DAC), reached by walking the segments.
pub fn jpeg<R: Read + Seek>(r: &mut R, len: u64) -> Result<Header, Refusal> {
    let mut pos = 2u64;
    for _ in 0..MAX_JPEG_SEGMENTS {
        let mut m = [0u8; 2];
        read_at(r, pos, &mut m).map_err(|_| cut_short("JPEG"))?;
        if m[0] != 0xFF {
            return Err("the JPEG is damaged: a marker is missing before its frame header".into());
        }
        let code = m[1];
        match code {
            // Fill byte: the marker code follows.
            0xFF => {
                pos += 1;
                continue;
            }
            0x01 | 0xD0..=0xD7 => {
                pos += 2;
                continue;
            }
            0xD9 | 0xDA => {
                return Err("the JPEG has no frame header before its image data".into());
            }
            _ => {}
        }
        let mut l = [0u8; 2];
        read_at(r, pos + 2, &mut l).map_err(|_| cut_short("JPEG"))?;
        let seg = u64::from(u16::from_be_bytes(l));
        if seg < 2 || pos + 2 + seg > len {
            return Err(cut_short("JPEG"));
        }
        let is_sof = matches!(code, 0xC0..=0xCF) && !matches!(code, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let mut f = [0u8; 6];
            if seg < 8 {
                return Err("the JPEG is damaged: its frame header is too short".into());
            }
            read_at(r, pos + 4, &mut f).map_err(|_| cut_short("JPEG"))?;
            let height = u32::from(u16::from_be_bytes([f[1], f[2]]));
            let width = u32::from(u16::from_be_bytes([f[3], f[4]]));
            let components = u32::from(f[5]).clamp(1, 4);
            // Progressive (and lossless/arithmetic variants) decode from coefficients kept for the whole
            // image: 2 bytes per sample.
            let progressive = matches!(code, 0xC2 | 0xC6 | 0xCA | 0xCE);
            return Ok(Header {
                width,
                height,
                // CMYK comes out as RGB; count the larger anyway.
                bytes_per_pixel: components,
                decoder_bytes_per_pixel: if progressive { components * 2 } else { 0 },
                animated: false,
                interlaced: false,
            });
        }
        pos += 2 + seg;
    }
    Err("the JPEG is damaged: too many segments before its frame header".into())
}

/// RIFF chunks walked at most (an animation has one per frame).
const MAX_WEBP_CHUNKS: u32 = 100_000;

/// WebP: the RIFF container walked chunk by chunk. The first chunk gives the size (`VP8 `, `VP8L` or the
/// extended `VP8X` canvas); an animation flag or `ANIM`/`ANMF` chunk marks an animation.
pub fn webp<R: Read + Seek>(r: &mut R, len: u64) -> Result<Header, Refusal> {
    let mut riff = [0u8; 12];
    read_at(r, 0, &mut riff).map_err(|_| cut_short("WebP"))?;
    let riff_end = 8 + u64::from(u32::from_le_bytes([riff[4], riff[5], riff[6], riff[7]]));
    if riff_end > len {
        return Err(format!(
            "the WebP is cut short: its RIFF header declares {riff_end} bytes but the file has {len}"
        ));
    }
    let mut pos = 12u64;
    let mut first: Option<([u8; 4], u64)> = None;
    let mut animation_flag = false;
    let mut anim_chunks = false;
    let mut frames = 0u32;
    let mut chunks = 0u32;
    while riff_end - pos >= 8 {
        chunks += 1;
        if chunks > MAX_WEBP_CHUNKS {
            return Err(format!(
                "the WebP is damaged: more than {MAX_WEBP_CHUNKS} chunks"
            ));
        }
        let mut h = [0u8; 8];
        read_at(r, pos, &mut h).map_err(|_| cut_short("WebP"))?;
        let kind = [h[0], h[1], h[2], h[3]];
        let size = u64::from(u32::from_le_bytes([h[4], h[5], h[6], h[7]]));
        let end = pos + 8 + size + (size & 1);
        // The last chunk's pad byte may be missing; its body may not.
        if pos + 8 + size > riff_end {
            return Err(format!(
                "the WebP is cut short: its `{}` chunk at byte {pos} runs past the end of the file",
                String::from_utf8_lossy(&kind)
            ));
        }
        if first.is_none() {
            first = Some((kind, size));
        }
        match &kind {
            b"VP8X" if size >= 10 => {
                let mut f = [0u8; 1];
                read_at(r, pos + 8, &mut f).map_err(|_| cut_short("WebP"))?;
                animation_flag |= f[0] & 0x02 != 0;
            }
            b"ANIM" => anim_chunks = true,
            b"ANMF" => {
                anim_chunks = true;
                frames += 1;
            }
            _ => {}
        }
        pos = end.min(riff_end);
    }
    let Some((kind, size)) = first else {
        return Err("the WebP has no image chunk".into());
    };
    let body = 20u64;
    let (width, height, alpha) = match &kind {
        b"VP8X" if size >= 10 => {
            let mut b = [0u8; 10];
            read_at(r, body, &mut b).map_err(|_| cut_short("WebP"))?;
            let w = u32::from_le_bytes([b[4], b[5], b[6], 0]) + 1;
            let h = u32::from_le_bytes([b[7], b[8], b[9], 0]) + 1;
            (w, h, b[0] & 0x10 != 0)
        }
        b"VP8 " if size >= 10 => {
            let mut b = [0u8; 10];
            read_at(r, body, &mut b).map_err(|_| cut_short("WebP"))?;
            if b[3..6] != [0x9D, 0x01, 0x2A] {
                return Err("the WebP is damaged: its VP8 frame has no start code".into());
            }
            let w = u32::from(u16::from_le_bytes([b[6], b[7]]) & 0x3FFF);
            let h = u32::from(u16::from_le_bytes([b[8], b[9]]) & 0x3FFF);
            (w, h, false)
        }
        b"VP8L" if size >= 5 => {
            let mut b = [0u8; 5];
            read_at(r, body, &mut b).map_err(|_| cut_short("WebP"))?;
            if b[0] != 0x2F {
                return Err("the WebP is damaged: its VP8L stream has no signature".into());
            }
            let bits = u32::from_le_bytes([b[1], b[2], b[3], b[4]]);
            (
                (bits & 0x3FFF) + 1,
                ((bits >> 14) & 0x3FFF) + 1,
                bits >> 28 & 1 != 0,
            )
        }
        other => {
            return Err(format!(
                "the WebP is damaged: it starts with a `{}` chunk, not an image",
                String::from_utf8_lossy(other)
            ))
        }
    };
    let animated = animation_flag || anim_chunks;
    if animated && frames == 0 {
        return Err("the WebP is marked as an animation but holds no frames".into());
    }
    Ok(Header {
        width,
        height,
        bytes_per_pixel: if alpha || animated { 4 } else { 3 },
        // The decoder's frame buffers (YUV planes, a lossless ARGB plane, an animation's canvas).
        decoder_bytes_per_pixel: 4,
        animated,
        interlaced: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn encoded(format: image::ImageFormat, img: image::DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    #[test]
    fn sizes_match_what_the_decoder_says() {
        let rgb = image::DynamicImage::ImageRgb8(image::RgbImage::new(123, 45));
        let rgba = image::DynamicImage::ImageRgba8(image::RgbaImage::new(77, 9));
        let png16 = image::DynamicImage::ImageRgb16(image::ImageBuffer::new(5, 6));
        let b = encoded(image::ImageFormat::Png, rgb.clone());
        let h = png(&mut Cursor::new(&b)).unwrap();
        assert_eq!((h.width, h.height, h.bytes_per_pixel), (123, 45, 3));
        let b = encoded(image::ImageFormat::Png, png16);
        assert_eq!(png(&mut Cursor::new(&b)).unwrap().bytes_per_pixel, 6);
        let b = encoded(image::ImageFormat::Jpeg, rgb);
        let h = jpeg(&mut Cursor::new(&b), b.len() as u64).unwrap();
        assert_eq!((h.width, h.height, h.bytes_per_pixel), (123, 45, 3));
        let b = encoded(image::ImageFormat::WebP, rgba);
        let h = webp(&mut Cursor::new(&b), b.len() as u64).unwrap();
        assert_eq!((h.width, h.height, h.animated), (77, 9, false));
    }

    #[test]
    fn cut_short_and_hostile_headers_are_refused() {
        let rgb = image::DynamicImage::ImageRgb8(image::RgbImage::new(30, 20));
        for format in [
            image::ImageFormat::Png,
            image::ImageFormat::Jpeg,
            image::ImageFormat::WebP,
        ] {
            let b = encoded(format, rgb.clone());
            for n in 0..b.len().min(64) {
                let cut = &b[..n];
                let l = n as u64;
                let _ = png(&mut Cursor::new(cut));
                let _ = jpeg(&mut Cursor::new(cut), l);
                let _ = webp(&mut Cursor::new(cut), l);
            }
        }
        // A RIFF header claiming more than the file holds.
        let mut w = b"RIFF\xff\xff\xff\x7fWEBPVP8L".to_vec();
        w.extend_from_slice(&[5, 0, 0, 0, 0x2F, 0, 0, 0, 0]);
        let l = w.len() as u64;
        assert!(webp(&mut Cursor::new(&w), l)
            .unwrap_err()
            .contains("cut short"));
    }

    proptest::proptest! {
        #[test]
        fn hostile_headers_never_panic(
            magic in 0usize..3,
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
        ) {
            let mut b: Vec<u8> = match magic {
                0 => b"\x89PNG\r\n\x1a\n".to_vec(),
                1 => vec![0xFF, 0xD8],
                _ => b"RIFF\0\0\0\0WEBP".to_vec(),
            };
            b.extend_from_slice(&tail);
            if magic == 2 {
                let n = (b.len() - 8) as u32;
                b[4..8].copy_from_slice(&n.to_le_bytes());
            }
            let l = b.len() as u64;
            let _ = png(&mut Cursor::new(&b));
            let _ = jpeg(&mut Cursor::new(&b), l);
            let _ = webp(&mut Cursor::new(&b), l);
        }
    }
}
