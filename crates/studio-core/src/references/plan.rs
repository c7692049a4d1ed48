//! The memory plan made from an image's header before it is decoded or read whole ([`plan`]): its format,
//! pixel size, whether it streams ([`super::png_stream`]) or is decoded whole, and the peak bytes its
//! preparation will hold, taken from the process-wide [`super::budget`] before anything is read. An image
//! that would need more than the whole budget is refused here by its size in pixels, so a PNG bomb is never
//! decoded.

use super::pipeline::{Refusal, MAX_LONG_EDGE};
use super::sniff::{check_file_size, sniff, InputFormat, NOT_A_REFERENCE};

/// What preparing an image will take, worked out from its header before it is decoded or read whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub format: InputFormat,
    /// Pixel size from the header (0 for HEIF, which is never decoded).
    pub width: u32,
    pub height: u32,
    /// An animated WebP: only its first frame is kept.
    pub animated: bool,
    /// A PNG of at least twice [`MAX_LONG_EDGE`] reduced while its rows stream out of the decoder
    /// ([`super::png_stream`]): its full size never exists in memory.
    pub streamed: bool,
    /// The decoded image's bytes, as the decoder will allocate them.
    pub decoded_bytes: u64,
    /// Estimated peak memory of the whole preparation (file, decode, downscale, encode): what is taken from
    /// the [`super::budget`].
    pub cost: u64,
}

/// Working room for the end of a preparation: the downscaled image (at most 2048 x 2048 RGBA, 16.8 MB),
/// its rotation and its colour conversion for the encoder, and the encoded output.
const OUTPUT_WORK_BYTES: u64 = 32 << 20;

/// Works out from the first bytes and the header of a `len`-byte image what preparing it will take, or
/// why it cannot be taken: not an image we know, too large a file, a damaged header, or more pixels than
/// can be decoded within the budget (refused by its size in pixels, so a PNG bomb is never decoded).
pub fn plan<R: std::io::Read + std::io::Seek>(r: &mut R, len: u64) -> Result<Plan, Refusal> {
    use std::io::{Read, SeekFrom};
    if len == 0 {
        return Err("the file is empty".into());
    }
    let mut head = Vec::with_capacity(64);
    r.seek(SeekFrom::Start(0))
        .and_then(|_| r.by_ref().take(64).read_to_end(&mut head))
        .map_err(|e| format!("it could not be read ({e})"))?;
    let format = sniff(&head).ok_or_else(|| NOT_A_REFERENCE.to_string())?;
    check_file_size(format, len)?;
    let header = match format {
        InputFormat::Heic | InputFormat::Heif => {
            super::isobmff::heif_structure(r, len)?;
            return Ok(Plan {
                format,
                width: 0,
                height: 0,
                animated: false,
                streamed: false,
                decoded_bytes: 0,
                // The file's bytes and the stored copy.
                cost: len * 2,
            });
        }
        InputFormat::Png => super::dimensions::png(r)?,
        InputFormat::Jpeg => super::dimensions::jpeg(r, len)?,
        InputFormat::Webp => super::dimensions::webp(r, len)?,
    };
    if header.width == 0 || header.height == 0 {
        return Err(format!(
            "the {} says it is {} x {} pixels",
            format.name(),
            header.width,
            header.height
        ));
    }
    let px = u64::from(header.width) * u64::from(header.height);
    let bpp = u64::from(header.bytes_per_pixel);
    if format == InputFormat::Png
        && !header.interlaced
        && header.width.max(header.height) >= 2 * MAX_LONG_EDGE
    {
        use super::png_stream::{output_bytes, MAX_STREAMED_PIXELS};
        if px > MAX_STREAMED_PIXELS {
            return Err(format!(
                "it is {} x {} pixels ({:.0} MP), more than the {:.0} MP a PNG is read at here; save it at a smaller size and add it again",
                header.width,
                header.height,
                px as f64 / 1e6,
                MAX_STREAMED_PIXELS as f64 / 1e6
            ));
        }
        // The file, the decoder's rows (raw, previous and expanded), the row of sums, the shrunk image.
        let row = u64::from(header.width) * 8;
        let cost = len
            + 3 * row
            + row * 4
            + output_bytes(header.width, header.height, 4, MAX_LONG_EDGE)
            + OUTPUT_WORK_BYTES;
        if cost > super::budget::DECODE_BUDGET_BYTES {
            return Err(format!(
                "it is {} x {} pixels: its rows alone would take about {:.0} MB to read; save it at a smaller size and add it again",
                header.width,
                header.height,
                cost as f64 / 1e6
            ));
        }
        return Ok(Plan {
            format,
            width: header.width,
            height: header.height,
            animated: false,
            streamed: true,
            decoded_bytes: 0,
            cost,
        });
    }
    // Per pixel: the decoded image, the decoder's own buffers, a 16-bit image's 8-bit copy, and the first
    // 2x2 halving (a quarter), which exists next to the image it halves (later ones are smaller).
    // Saturating: a PNG may declare 2^31 x 2^31 pixels.
    let converted_pp = if bpp > 4 { 4 } else { 0 };
    let whole_pp = bpp + u64::from(header.decoder_bytes_per_pixel) + converted_pp;
    let decoded = px.saturating_mul(bpp);
    let cost = px
        .saturating_mul(whole_pp)
        .saturating_add(px.saturating_mul(bpp.min(4)) / 4)
        .saturating_add(len + OUTPUT_WORK_BYTES);
    let budget = super::budget::DECODE_BUDGET_BYTES;
    if cost > budget {
        return Err(format!(
            "it is {} x {} pixels ({:.0} MP): decoding it would take about {:.0} MB, over the {:.0} MB a reference may use; save it at a smaller size (under about {:.0} MP) and add it again",
            header.width,
            header.height,
            px as f64 / 1e6,
            cost as f64 / 1e6,
            budget as f64 / 1e6,
            // What fits at this layout, with the file as it is.
            budget.saturating_sub(len + OUTPUT_WORK_BYTES) as f64
                / (whole_pp as f64 + bpp.min(4) as f64 / 4.0)
                / 1e6,
        ));
    }
    Ok(Plan {
        format,
        width: header.width,
        height: header.height,
        animated: header.animated,
        streamed: false,
        decoded_bytes: decoded,
        cost,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use image::{DynamicImage, ImageFormat};

    use super::*;
    use crate::references::pipeline::{prepare, prepare_with};

    /// Issue 9: an `ftyp` box with a HEIF brand followed by a web page was sent as `image/heic`.
    #[test]
    fn a_fake_heic_is_refused() {
        let mut b = Vec::new();
        b.extend_from_slice(&24u32.to_be_bytes());
        b.extend_from_slice(b"ftypmif1\0\0\0\0mif1heic");
        b.extend_from_slice(b"<!doctype html><html><body>Sign in to continue</body></html>");
        let e = prepare(&b).unwrap_err();
        assert!(e.contains("HEIF image"), "{e}");
    }

    fn png_header(width: u32, height: u32, color: u8, depth: u8) -> Vec<u8> {
        png_header_with(width, height, color, depth, 0)
    }

    fn png_header_with(width: u32, height: u32, color: u8, depth: u8, interlace: u8) -> Vec<u8> {
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[depth, color, 0, 0, interlace]);
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.extend_from_slice(&13u32.to_be_bytes());
        b.extend_from_slice(&ihdr);
        b.extend_from_slice(&[0; 4]);
        b
    }

    /// Issue 9: a PNG bomb (small on disk, huge in pixels) was decoded up to a 1 GiB allocation. One that
    /// has to be decoded whole (interlaced) is refused from its header by its size in pixels, before any
    /// decoding; one that streams is shrunk row by row, up to a pixel count that bounds the work.
    #[test]
    fn a_png_bomb_is_refused_by_its_pixel_count() {
        let e = prepare(&png_header_with(20_000, 20_000, 2, 8, 1)).unwrap_err();
        assert!(e.contains("20000 x 20000 pixels (400 MP)"), "{e}");
        // The size it suggests does fit.
        assert!(e.contains("under about 116 MP"), "{e}");
        assert!(plan(&mut Cursor::new(png_header_with(10_770, 10_770, 2, 8, 1)), 45).is_ok());
        // The largest a PNG may declare: refused, not wrapped around to a small cost.
        let e = prepare(&png_header_with(i32::MAX as u32, i32::MAX as u32, 6, 16, 1)).unwrap_err();
        assert!(e.contains("2147483647 x 2147483647 pixels"), "{e}");
        let e = prepare(&png_header(i32::MAX as u32, 1, 6, 16)).unwrap_err();
        assert!(e.contains("2147483647 x 1 pixels"), "{e}");
        // 16-bit RGBA: 8 bytes a pixel, so far fewer pixels fit.
        let e = prepare(&png_header_with(8_000, 8_000, 6, 16, 1)).unwrap_err();
        assert!(e.contains("8000 x 8000 pixels"), "{e}");
        // Streamed: 400 MP plans to a few tens of MB; past the streaming cap it is refused too.
        let p = plan(&mut Cursor::new(png_header(20_000, 20_000, 6, 16)), 45).unwrap();
        assert!(p.streamed && p.cost < 64 << 20, "{p:?}");
        let e = prepare(&png_header(40_000, 40_000, 2, 8)).unwrap_err();
        assert!(e.contains("40000 x 40000 pixels (1600 MP)"), "{e}");
        // A whole decode within the budget for a 50 MP RGB image.
        let p = plan(&mut Cursor::new(png_header_with(8_660, 5_773, 2, 8, 1)), 1_000).unwrap();
        assert!(!p.streamed && p.cost < crate::references::budget::DECODE_BUDGET_BYTES, "{p:?}");
    }

    /// The header's plan must never be smaller than what the decoder makes, or a good image would be
    /// refused as "headers disagree": every layout the encoders here can write, grey to CMYK and 16-bit.
    #[test]
    fn every_layout_fits_its_plan() {
        let mut inputs: Vec<(&str, Vec<u8>)> = Vec::new();
        let (w, h) = (300u32, 200u32);
        let grey = image::GrayImage::from_fn(w, h, |x, _| image::Luma([x as u8]));
        let rgb16 = image::ImageBuffer::<image::Rgb<u16>, _>::from_fn(w, h, |x, y| {
            image::Rgb([x as u16 * 200, y as u16 * 300, 7])
        });
        let la = image::GrayAlphaImage::from_fn(w, h, |x, _| image::LumaA([9, x as u8]));
        for (name, img) in [
            ("grey png", DynamicImage::ImageLuma8(grey.clone())),
            ("rgb16 png", DynamicImage::ImageRgb16(rgb16)),
            ("grey-alpha png", DynamicImage::ImageLumaA8(la)),
        ] {
            let mut b = Vec::new();
            img.write_to(&mut Cursor::new(&mut b), ImageFormat::Png).unwrap();
            inputs.push((name, b));
        }
        let mut b = Vec::new();
        DynamicImage::ImageLuma8(grey).write_to(&mut Cursor::new(&mut b), ImageFormat::Jpeg).unwrap();
        inputs.push(("grey jpeg", b));
        let cmyk: Vec<u8> = (0..w * h * 4).map(|i| (i % 251) as u8).collect();
        let mut b = Vec::new();
        jpeg_encoder::Encoder::new(&mut b, 90)
            .encode(&cmyk, w as u16, h as u16, jpeg_encoder::ColorType::Cmyk)
            .unwrap();
        inputs.push(("cmyk jpeg", b));
        let mut b = Vec::new();
        let mut enc = jpeg_encoder::Encoder::new(&mut b, 90);
        enc.set_progressive(true);
        enc.encode(&vec![90u8; (w * h * 3) as usize], w as u16, h as u16, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        inputs.push(("progressive jpeg", b));
        for (name, b) in inputs {
            let p = prepare_with(&b, 1000, 100).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!((p.width, p.height), (100, 67), "{name}");
        }
    }

    proptest::proptest! {
        /// Planning reads only headers, at any offsets a file declares: an answer, never a panic.
        #[test]
        fn planning_hostile_bytes_never_panics(
            magic in 0usize..4,
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
        ) {
            let mut b: Vec<u8> = match magic {
                0 => b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec(),
                1 => vec![0xFF, 0xD8, 0xFF],
                2 => b"RIFF\xff\0\0\0WEBPVP8X".to_vec(),
                _ => b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec(),
            };
            b.extend_from_slice(&tail);
            let _ = plan(&mut Cursor::new(&b), b.len() as u64);
        }
    }
}
