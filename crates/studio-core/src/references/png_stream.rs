//! PNGs larger than a reference needs are shrunk while their rows come out of the decoder, so their full
//! size never exists in memory: a 20000 x 20000 PNG (1.2 GB of pixels) costs one row, one row of sums and
//! the reduced result. Each output pixel is the average of an `f` x `f` block, `f` the largest whole
//! factor that keeps the long edge at or above the bound (so at most twice the bound, 67 MB for RGBA at
//! 4096 px); the usual downscale then brings it to the bound, so a streamed PNG ends the same size as a
//! decoded one. Only PNGs of at least twice the bound are streamed (below that `f` would be 1).
//!
//! Interlaced PNGs deliver their rows in seven passes, so they cannot be shrunk this way: they are decoded
//! whole, within the decode budget like any other image.

use std::io::Cursor;

use image::metadata::Orientation;
use image::DynamicImage;

use super::pipeline::Refusal;

/// The most pixels streamed: decoding is still work for every pixel, and a bomb of a few megabytes can
/// declare billions. A 400 MP bomb streams in 0.7 s here (examples/ref_memory.rs; real pixel data inflates
/// slower than a bomb's zeros), so this bounds an import to seconds.
pub const MAX_STREAMED_PIXELS: u64 = 1_000_000_000;

/// The largest whole factor that keeps `long` at or above `max_edge`.
pub fn factor(long: u32, max_edge: u32) -> u32 {
    (long / max_edge.max(1)).max(1)
}

/// The shrunk image's bytes for a `width` x `height` image of `channels` 8-bit channels.
pub fn output_bytes(width: u32, height: u32, channels: u32, max_edge: u32) -> u64 {
    let f = factor(width.max(height), max_edge);
    u64::from(width.div_ceil(f)) * u64::from(height.div_ceil(f)) * u64::from(channels)
}

/// The PNG reduced by block averaging by [`factor`] (its long edge between `max_edge` and twice that),
/// with its EXIF orientation; `None` when it is interlaced.
pub fn downscaled(
    original: &[u8],
    max_edge: u32,
) -> Result<Option<(DynamicImage, Orientation)>, Refusal> {
    let corrupt = |e: png::DecodingError| format!("corrupt image data ({e})");
    let mut decoder = png::Decoder::new(Cursor::new(original));
    // 8-bit grey, grey+alpha, RGB or RGBA whatever the file holds (palettes, low bit depths, tRNS, 16 bit).
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| format!("not a readable image ({e})"))?;
    let info = reader.info();
    if info.interlaced {
        return Ok(None);
    }
    let (w, h) = (info.width, info.height);
    let orientation = info
        .exif_metadata
        .as_deref()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let ch = match reader.output_color_type().0 {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err("the PNG's palette could not be expanded".into()),
    };
    let f = factor(w.max(h), max_edge) as usize;
    let (w, h) = (w as usize, h as usize);
    let (ow, oh) = (w.div_ceil(f), h.div_ceil(f));
    let mut sums = vec![0u32; ow * ch];
    let mut out = vec![0u8; ow * oh * ch];
    for y in 0..h {
        let row = reader
            .next_row()
            .map_err(corrupt)?
            .ok_or("the PNG data is cut short (fewer rows than its header says)")?;
        let data = row.data();
        if data.len() < w * ch {
            return Err("the PNG data is damaged (a row is too short)".into());
        }
        for (ox, block) in data[..w * ch].chunks(f * ch).enumerate() {
            let s = &mut sums[ox * ch..ox * ch + ch];
            for px in block.chunks_exact(ch) {
                for (acc, &v) in s.iter_mut().zip(px) {
                    *acc += u32::from(v);
                }
            }
        }
        let rows = y % f + 1;
        if rows == f || y == h - 1 {
            let oy = y / f;
            for ox in 0..ow {
                let cols = (w - ox * f).min(f);
                let n = (cols * rows) as u32;
                for c in 0..ch {
                    let i = ox * ch + c;
                    out[oy * ow * ch + i] = ((sums[i] + n / 2) / n) as u8;
                    sums[i] = 0;
                }
            }
        }
    }
    let (ow, oh) = (ow as u32, oh as u32);
    let img = match ch {
        1 => image::GrayImage::from_raw(ow, oh, out).map(DynamicImage::ImageLuma8),
        2 => image::GrayAlphaImage::from_raw(ow, oh, out).map(DynamicImage::ImageLumaA8),
        3 => image::RgbImage::from_raw(ow, oh, out).map(DynamicImage::ImageRgb8),
        _ => image::RgbaImage::from_raw(ow, oh, out).map(DynamicImage::ImageRgba8),
    }
    .expect("the buffer is made for these dimensions");
    Ok(Some((img, orientation)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(img: &DynamicImage) -> Vec<u8> {
        let mut b = Vec::new();
        img.write_to(&mut Cursor::new(&mut b), image::ImageFormat::Png).unwrap();
        b
    }

    #[test]
    fn block_averages_match_a_box_filter() {
        // 7 x 5 with a ramp: factor 2 for a bound of 3 gives 4 x 3, the last column and row partial.
        let src = image::GrayImage::from_fn(7, 5, |x, y| image::Luma([(x * 10 + y) as u8]));
        let (img, o) = downscaled(&png_of(&DynamicImage::ImageLuma8(src.clone())), 3)
            .unwrap()
            .unwrap();
        assert_eq!(o, Orientation::NoTransforms);
        let g = img.to_luma8();
        assert_eq!(g.dimensions(), (4, 3));
        let avg = |xs: std::ops::Range<u32>, ys: std::ops::Range<u32>| {
            let (mut s, mut n) = (0u32, 0u32);
            for y in ys.clone() {
                for x in xs.clone() {
                    s += u32::from(src.get_pixel(x, y).0[0]);
                    n += 1;
                }
            }
            ((s + n / 2) / n) as u8
        };
        assert_eq!(g.get_pixel(0, 0).0[0], avg(0..2, 0..2));
        assert_eq!(g.get_pixel(1, 1).0[0], avg(2..4, 2..4));
        assert_eq!(g.get_pixel(3, 0).0[0], avg(6..7, 0..2));
        assert_eq!(g.get_pixel(3, 2).0[0], avg(6..7, 4..5));
    }

    #[test]
    fn layouts_come_out_as_8_bit_and_cut_short_is_refused() {
        let rgba16 = image::ImageBuffer::<image::Rgba<u16>, _>::from_pixel(
            40,
            10,
            image::Rgba([65535, 0, 0, 32768]),
        );
        let (img, _) = downscaled(&png_of(&DynamicImage::ImageRgba16(rgba16)), 20)
            .unwrap()
            .unwrap();
        assert_eq!(img.color(), image::ColorType::Rgba8);
        assert_eq!((img.width(), img.height()), (20, 5));
        assert_eq!(img.to_rgba8().get_pixel(3, 3).0, [255, 0, 0, 128]);
        // Cut short: refused, not padded.
        let b = png_of(&DynamicImage::ImageRgb8(image::RgbImage::from_fn(300, 300, |x, y| {
            image::Rgb([x as u8, y as u8, (x ^ y) as u8])
        })));
        assert!(downscaled(&b[..b.len() / 2], 100).is_err());
    }
}
