//! Turning a user's image file into a request-ready reference image (videos are in [`super::video`]): sniff the format, prove it is a real image
//! (full decode), apply the EXIF orientation, and re-encode only when needed.
//!
//! The format and file size checks are in [`super::sniff`], the memory plan from the header in
//! [`super::plan`] and the JPEG completeness check in `super::jpeg`; their public items are re-exported here.
//!
//! A file is passed through byte-for-byte when it is already upright, within [`MAX_LONG_EDGE`] and within
//! [`PER_REFERENCE_BUDGET`]. Otherwise it is downscaled (exact 2x2 box halvings, then area-averaging for
//! any rest; smaller steps while still over budget), rotated *after* the downscale (cheaper: fewer pixels
//! to move), and re-encoded: PNG when it has transparency (alpha kept), else JPEG at quality 90.
//!
//! Memory: nothing is decoded before its header's pixel size is known ([`plan`]); what the preparation will
//! hold at its peak is taken from the process-wide [`super::budget`] first, and an image that would need
//! more than the whole budget is refused by its size in pixels. An animated WebP gives its first frame.
//!
//! HEIC/HEIF: no decoder is available in this build (libheif is not a dependency), so those files are
//! verified structurally instead, by their ISO-BMFF `ftyp` box and a HEIF brand (`heic`, `heix`, `hevc`,
//! `mif1`, ...) and then their boxes ([`super::isobmff::heif_structure`]), and passed through unchanged; their pixel size comes from the `ispe` property when present.
//! They cannot be rotated or downscaled, so they go as they are up to what one inline request can carry
//! ([`MAX_PASSTHROUGH_BYTES`]; Google's limit, never ours), and a larger one is refused with advice to convert
//! it.

use std::io::Cursor;

use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::jpeg::jpeg_is_complete;
pub use super::plan::{plan, Plan};
use super::sniff::heif_size;
pub use super::sniff::{
    check_file_size, sniff, InputFormat, MAX_IMAGE_FILE_BYTES, MAX_PASSTHROUGH_BYTES,
    NOT_A_REFERENCE,
};

/// The API's limit on a whole inline request (base64 included): 100 MB since 2026-01-08 (it was 20 MB). The
/// model data file carries the same figure (`inline_limit_bytes`), and a test keeps the two equal.
pub const INLINE_LIMIT_BYTES: usize = 100 * 1000 * 1000;
/// Most reference images any model takes.
pub const MAX_REFERENCES: usize = 14;
/// The size a reference is re-encoded down to, for upload speed and prompt cost, not because the API needs
/// it: 14 of them, base64-encoded (x4/3), come to about 18 MB, which also kept them under the old 20 MB
/// inline limit. A request over the limit still goes, through the Files API.
pub const PER_REFERENCE_BUDGET: usize = 18_000_000 * 3 / 4 / MAX_REFERENCES;
/// Longest edge of a re-encoded reference. Larger inputs only add upload time and size: 2048 px keeps
/// detail for likeness and text while 14 of them fit the inline limit.
pub const MAX_LONG_EDGE: u32 = 2048;
/// JPEG quality for re-encoded references.
pub const JPEG_QUALITY: u8 = 90;

/// A reference ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// SHA-256 (hex) of the ORIGINAL bytes: the dedup key.
    pub hash: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Whether the bytes differ from the original (rotated, downscaled or re-encoded).
    pub reencoded: bool,
}

/// Why a file was refused (the caller adds the file name).
pub type Refusal = String;

/// SHA-256 of bytes, hex.
pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Prepares one reference (see the module docs for the policy), within the process-wide decode budget.
pub fn prepare(original: &[u8]) -> Result<Prepared, Refusal> {
    prepare_with(original, PER_REFERENCE_BUDGET, MAX_LONG_EDGE)
}

/// [`prepare`] with an explicit byte budget and edge cap (tests, benchmarks).
pub fn prepare_with(original: &[u8], budget: usize, max_edge: u32) -> Result<Prepared, Refusal> {
    let plan = plan(&mut Cursor::new(original), original.len() as u64)?;
    let permit = super::budget::global().acquire(plan.cost);
    run(original, plan, budget, max_edge, &permit)
}

/// [`prepare`] for bytes read under a permit taken from their file's [`plan`]: the plan is made again from
/// the bytes, which must still fit what is held (the file may have changed since it was planned).
pub(crate) fn prepare_held(
    original: &[u8],
    held: &super::budget::Permit<'_>,
) -> Result<Prepared, Refusal> {
    let plan = plan(&mut Cursor::new(original), original.len() as u64)?;
    if plan.cost > held.bytes() {
        return Err("the file changed while it was being imported: try again".into());
    }
    run(original, plan, PER_REFERENCE_BUDGET, MAX_LONG_EDGE, held)
}

fn run(
    original: &[u8],
    plan: Plan,
    budget: usize,
    max_edge: u32,
    _held: &super::budget::Permit<'_>,
) -> Result<Prepared, Refusal> {
    let hash = content_hash(original);
    let format = plan.format;
    if matches!(format, InputFormat::Heic | InputFormat::Heif) {
        let (width, height) = heif_size(original);
        return Ok(Prepared {
            hash,
            mime: format.mime(),
            bytes: original.to_vec(),
            width,
            height,
            reencoded: false,
        });
    }
    if format == InputFormat::Jpeg && !jpeg_is_complete(original) {
        return Err(
            "the JPEG data is cut short (no end-of-image marker after the last scan)".into(),
        );
    }
    let (mut img, orientation) = if plan.streamed {
        // The plan's memory is for a result of at most twice MAX_LONG_EDGE, whatever bound was asked.
        super::png_stream::downscaled(original, max_edge.min(MAX_LONG_EDGE))?
            .ok_or("the file changed while it was being imported: try again")?
    } else {
        decode_whole(original, &plan)?
    };
    let (w0, h0) = (img.width(), img.height());
    let upright = orientation == image::metadata::Orientation::NoTransforms;
    // An animation is never passed on whole: its first frame is what the model gets. The original's
    // size is the header's (a streamed PNG is already smaller here).
    if upright
        && !plan.animated
        && original.len() <= budget
        && plan.width.max(plan.height) <= max_edge
    {
        return Ok(Prepared {
            hash,
            mime: format.mime(),
            bytes: original.to_vec(),
            width: w0,
            height: h0,
            reencoded: false,
        });
    }
    // Scaling works on 8-bit layouts; anything else (16-bit, float) is brought there first, and the
    // original dropped at once.
    if !matches!(
        img,
        DynamicImage::ImageRgb8(_)
            | DynamicImage::ImageRgba8(_)
            | DynamicImage::ImageLuma8(_)
            | DynamicImage::ImageLumaA8(_)
    ) {
        img = if img.color().has_alpha() {
            DynamicImage::ImageRgba8(img.to_rgba8())
        } else {
            DynamicImage::ImageRgb8(img.to_rgb8())
        };
    }
    let has_alpha = img.color().has_alpha() && has_transparency(&img);
    let mut edge = max_edge.min(w0.max(h0));
    // The full-size image is consumed by the first downscale; retries over budget scale that result.
    let base = downscale(img, edge);
    loop {
        let mut scaled = if edge >= base.width().max(base.height()) {
            base.clone()
        } else {
            base.thumbnail(edge, edge)
        };
        scaled.apply_orientation(orientation);
        let (bytes, mime) = encode(&scaled, has_alpha)?;
        if bytes.len() <= budget || edge <= 256 {
            return Ok(Prepared {
                hash,
                mime,
                width: scaled.width(),
                height: scaled.height(),
                bytes,
                reencoded: true,
            });
        }
        edge = edge * 3 / 4;
    }
}

/// Decodes the whole image, held to the size its header promised: a file whose frame header disagrees
/// with the one planned for is refused instead of outgrowing its permit.
fn decode_whole(
    original: &[u8],
    plan: &Plan,
) -> Result<(DynamicImage, image::metadata::Orientation), Refusal> {
    let image_format = match plan.format {
        InputFormat::Png => ImageFormat::Png,
        InputFormat::Jpeg => ImageFormat::Jpeg,
        _ => ImageFormat::WebP,
    };
    let mut reader = ImageReader::with_format(Cursor::new(original), image_format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(plan.width);
    limits.max_image_height = Some(plan.height);
    limits.max_alloc = Some(plan.cost);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| format!("not a readable image ({e})"))?;
    if decoder.total_bytes() > plan.decoded_bytes {
        return Err("the image is damaged: its headers disagree on its size".into());
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let img =
        DynamicImage::from_decoder(decoder).map_err(|e| format!("corrupt image data ({e})"))?;
    Ok((img, orientation))
}

/// Shrinks so the long edge is at most `edge`. Large factors go through exact 2x2 box halvings (a few
/// milliseconds for 12 MP, cache-friendly, no filter weights) while the result stays above 90% of the
/// bound (a 4000 px photo lands at 2000 px for a 2048 bound); whatever factor is left is done by
/// `thumbnail`'s area-averaging.
fn downscale(img: DynamicImage, edge: u32) -> DynamicImage {
    let mut cur = img;
    loop {
        let long = cur.width().max(cur.height());
        if long <= edge {
            return cur;
        }
        if long / 2 >= edge / 10 * 9 && cur.width() >= 2 && cur.height() >= 2 {
            if let Some(h) = halve(&cur) {
                // The larger image goes as soon as its half exists: the peak is one image and a quarter.
                cur = h;
                continue;
            }
        }
        return cur.thumbnail(edge, edge);
    }
}

/// 2x2 box average of 8-bit images (RGB, RGBA, L, LA); `None` for other layouts.
fn halve(img: &DynamicImage) -> Option<DynamicImage> {
    fn run<const C: usize>(src: &[u8], w: usize, h: usize) -> Vec<u8> {
        let (ow, oh) = (w / 2, h / 2);
        let mut out = vec![0u8; ow * oh * C];
        out.par_chunks_mut(ow * C).enumerate().for_each(|(y, row)| {
            let r0 = &src[(2 * y) * w * C..(2 * y + 1) * w * C];
            let r1 = &src[(2 * y + 1) * w * C..(2 * y + 2) * w * C];
            for x in 0..ow {
                for c in 0..C {
                    let i = 2 * x * C + c;
                    let sum = r0[i] as u16 + r0[i + C] as u16 + r1[i] as u16 + r1[i + C] as u16;
                    row[x * C + c] = ((sum + 2) / 4) as u8;
                }
            }
        });
        out
    }
    let (w, h) = (img.width() as usize, img.height() as usize);
    let (ow, oh) = ((w / 2) as u32, (h / 2) as u32);
    Some(match img {
        DynamicImage::ImageRgb8(b) => DynamicImage::ImageRgb8(image::RgbImage::from_raw(
            ow,
            oh,
            run::<3>(b.as_raw(), w, h),
        )?),
        DynamicImage::ImageRgba8(b) => DynamicImage::ImageRgba8(image::RgbaImage::from_raw(
            ow,
            oh,
            run::<4>(b.as_raw(), w, h),
        )?),
        DynamicImage::ImageLuma8(b) => DynamicImage::ImageLuma8(image::GrayImage::from_raw(
            ow,
            oh,
            run::<1>(b.as_raw(), w, h),
        )?),
        DynamicImage::ImageLumaA8(b) => DynamicImage::ImageLumaA8(image::GrayAlphaImage::from_raw(
            ow,
            oh,
            run::<2>(b.as_raw(), w, h),
        )?),
        _ => return None,
    })
}

fn has_transparency(img: &DynamicImage) -> bool {
    match img {
        DynamicImage::ImageRgba8(b) => b.pixels().any(|p| p.0[3] != 255),
        DynamicImage::ImageLumaA8(b) => b.pixels().any(|p| p.0[1] != 255),
        other => other.to_rgba8().pixels().any(|p| p.0[3] != 255),
    }
}

fn encode(img: &DynamicImage, alpha: bool) -> Result<(Vec<u8>, &'static str), Refusal> {
    let mut out = Vec::with_capacity(512 * 1024);
    if alpha {
        let rgba = img.to_rgba8();
        PngEncoder::new_with_quality(&mut out, CompressionType::Fast, PngFilter::Adaptive)
            .write_image(
                rgba.as_raw(),
                rgba.width(),
                rgba.height(),
                image::ExtendedColorType::Rgba8,
            )
            .map_err(|e| format!("re-encoding failed ({e})"))?;
        Ok((out, "image/png"))
    } else {
        // jpeg-encoder (SIMD) is several times faster than image's own JPEG encoder.
        let (data, color) = match img {
            DynamicImage::ImageLuma8(b) => (b.as_raw().clone(), jpeg_encoder::ColorType::Luma),
            DynamicImage::ImageRgb8(b) => (b.as_raw().clone(), jpeg_encoder::ColorType::Rgb),
            other => (other.to_rgb8().into_raw(), jpeg_encoder::ColorType::Rgb),
        };
        let (w, h) = (u16::try_from(img.width()), u16::try_from(img.height()));
        let (Ok(w), Ok(h)) = (w, h) else {
            return Err("the image is too large to re-encode".into());
        };
        let mut enc = jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY);
        // 4:2:0 chroma, as cameras write photos (the crate defaults to 4:4:4 from quality 90): half the
        // chroma work and a smaller payload, with no visible loss for a model's input.
        enc.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
        enc.encode(&data, w, h, color)
            .map_err(|e| format!("re-encoding failed ({e})"))?;
        Ok((out, "image/jpeg"))
    }
}

use image::ImageEncoder as _;

/// Prepares many references in parallel (one image per core, within the decode budget).
pub fn prepare_all(originals: &[Vec<u8>]) -> Vec<Result<Prepared, Refusal>> {
    super::budget::par_map(originals, |b| prepare(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::jpeg::JpegEncoder;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .unwrap();
        out
    }

    #[test]
    fn small_upright_jpeg_passes_through() {
        let b = jpeg(64, 32);
        let p = prepare(&b).unwrap();
        assert!(!p.reencoded);
        assert_eq!(p.bytes, b);
        assert_eq!((p.width, p.height), (64, 32));
    }

    #[test]
    fn large_image_is_downscaled() {
        let b = jpeg(3000, 1000);
        let p = prepare_with(&b, 10_000_000, 1000).unwrap();
        assert!(p.reencoded);
        assert_eq!((p.width, p.height), (1000, 333));
    }

    #[test]
    fn alpha_is_kept_as_png() {
        let img =
            image::RgbaImage::from_fn(300, 200, |x, _| image::Rgba([1, 2, 3, (x % 256) as u8]));
        let mut b = Vec::new();
        img.write_to(&mut Cursor::new(&mut b), ImageFormat::Png)
            .unwrap();
        let p = prepare_with(&b, 10_000_000, 100).unwrap();
        assert_eq!(p.mime, "image/png");
        assert!(image::load_from_memory(&p.bytes)
            .unwrap()
            .color()
            .has_alpha());
    }

    #[test]
    fn garbage_and_truncated_are_refused() {
        assert!(prepare(b"hello world, not an image").is_err());
        let b = jpeg(200, 200);
        assert!(prepare(&b[..b.len() / 2]).is_err());
    }

    /// it is instead of refused; one past what a request can carry is refused with advice.
    #[test]
    fn a_large_heic_goes_as_it_is_up_to_googles_limit() {
        let big = crate::references::isobmff::tests::heic(4032, 3024, 6_000_000);
        assert!(big.len() > PER_REFERENCE_BUDGET);
        let p = prepare(&big).unwrap();
        assert_eq!(
            (p.mime, p.bytes.len(), p.reencoded),
            ("image/heic", big.len(), false)
        );
        let huge = crate::references::isobmff::tests::heic(4032, 3024, MAX_PASSTHROUGH_BYTES);
        assert!(prepare(&huge).unwrap_err().contains("convert it to JPEG"));
    }

    /// A 6000 x 6000 black PNG (a few hundred KB) streams down by 2, then goes to 2048 px as any image.
    #[test]
    fn a_large_png_is_shrunk_as_it_streams() {
        let img = image::GrayImage::new(6000, 6000);
        let mut b = Vec::new();
        img.write_to(&mut Cursor::new(&mut b), ImageFormat::Png).unwrap();
        assert!(b.len() < 1_000_000);
        let p = prepare(&b).unwrap();
        assert_eq!((p.width, p.height, p.reencoded), (2048, 2048, true));
    }

    /// WebP chunks as RIFF lays them out: fourcc, little-endian size, body, a pad byte to even length.
    fn chunk(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut c = kind.to_vec();
        c.extend_from_slice(&(body.len() as u32).to_le_bytes());
        c.extend_from_slice(body);
        if body.len() % 2 == 1 {
            c.push(0);
        }
        c
    }

    /// A two-frame animated WebP made from two lossless stills (first red, then blue), 16 x 8.
    pub(crate) fn animated_webp() -> Vec<u8> {
        let frame = |rgb: [u8; 3]| {
            let img =
                image::RgbaImage::from_pixel(16, 8, image::Rgba([rgb[0], rgb[1], rgb[2], 255]));
            let mut still = Vec::new();
            img.write_to(&mut Cursor::new(&mut still), ImageFormat::WebP)
                .unwrap();
            // The still's own VP8L chunk, after RIFF(12).
            let size = u32::from_le_bytes([still[16], still[17], still[18], still[19]]) as usize;
            assert_eq!(&still[12..16], b"VP8L");
            let mut anmf = vec![0u8; 6];
            anmf.extend_from_slice(&[15, 0, 0, 7, 0, 0]);
            anmf.extend_from_slice(&[100, 0, 0, 0]);
            anmf.extend_from_slice(&chunk(b"VP8L", &still[20..20 + size]));
            chunk(b"ANMF", &anmf)
        };
        let mut vp8x = vec![0x02 | 0x10, 0, 0, 0];
        vp8x.extend_from_slice(&[15, 0, 0, 7, 0, 0]);
        let body = [
            b"WEBP".to_vec(),
            chunk(b"VP8X", &vp8x),
            chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]),
            frame([255, 0, 0]),
            frame([0, 0, 255]),
        ]
        .concat();
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// Issue 9: an animated WebP passed through unchanged (small and upright). Its first frame is sent.
    #[test]
    fn an_animated_webp_gives_its_first_frame() {
        let b = animated_webp();
        let p = prepare(&b).unwrap();
        assert!(p.reencoded);
        assert_ne!(p.bytes, b);
        let still = image::load_from_memory(&p.bytes).unwrap().to_rgb8();
        assert_eq!(still.dimensions(), (16, 8));
        let px = still.get_pixel(8, 4).0;
        assert!(px[0] > 200 && px[2] < 60, "{px:?}");
        // Marked as an animation but without frames: refused.
        let mut no_frames = b.clone();
        let at = b.windows(4).position(|w| w == b"ANMF").unwrap();
        no_frames[at..at + 4].copy_from_slice(b"XXXX");
        let second = b.windows(4).rposition(|w| w == b"ANMF").unwrap();
        no_frames[second..second + 4].copy_from_slice(b"XXXX");
        let e = prepare(&no_frames).unwrap_err();
        assert!(e.contains("holds no frames"), "{e}");
    }

    #[test]
    fn the_inline_limit_follows_the_model_data() {
        assert_eq!(
            INLINE_LIMIT_BYTES as u64,
            crate::catalogue::Catalogue::bundled().inline_limit_bytes
        );
    }
}
