//! Turning a user's image file into a request-ready reference image (videos are in [`super::video`]): sniff the format, prove it is a real image
//! (full decode), apply the EXIF orientation, and re-encode only when needed.
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

/// The API's limit on a whole inline request (base64 included): 100 MB since 2026-01-08 (it was 20 MB). The
/// model data file carries the same figure (`inline_limit_bytes`), and a test keeps the two equal.
pub const INLINE_LIMIT_BYTES: usize = 100 * 1000 * 1000;
/// Most reference images any model takes.
pub const MAX_REFERENCES: usize = 14;
/// The size a reference is re-encoded down to, for upload speed and prompt cost, not because the API needs
/// it: 14 of them, base64-encoded (x4/3), come to about 18 MB, which also kept them under the old 20 MB
/// inline limit. A request over the limit still goes, through the Files API.
pub const PER_REFERENCE_BUDGET: usize = 18_000_000 * 3 / 4 / MAX_REFERENCES;
/// The largest file passed through without re-encoding when it cannot be re-encoded here (HEIC/HEIF): what
/// one inline request can carry next to a prompt. Google accepts that much, so we do too.
pub const MAX_PASSTHROUGH_BYTES: usize = (INLINE_LIMIT_BYTES - 2_000_000) * 3 / 4;
/// Longest edge of a re-encoded reference. Larger inputs only add upload time and size: 2048 px keeps
/// detail for likeness and text while 14 of them fit the inline limit.
pub const MAX_LONG_EDGE: u32 = 2048;
/// JPEG quality for re-encoded references.
pub const JPEG_QUALITY: u8 = 90;

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
fn heif_size(bytes: &[u8]) -> (u32, u32) {
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

/// The refusal of a file that is neither an image nor a video we take. The content decides, so a text file
/// named `.mp4` gets this too.
pub const NOT_A_REFERENCE: &str =
    "it is not a PNG, JPEG, WebP, HEIC or HEIF image, nor an MP4, MOV, 3GP or WebM video (its content was checked, not its name)";

/// SHA-256 of bytes, hex.
pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

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

impl InputFormat {
    fn name(self) -> &'static str {
        match self {
            InputFormat::Png => "PNG",
            InputFormat::Jpeg => "JPEG",
            InputFormat::Webp => "WebP",
            InputFormat::Heic => "HEIC",
            InputFormat::Heif => "HEIF",
        }
    }
}

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

/// A truncated JPEG still decodes (the decoder fills the rest with grey), so completeness is checked on the
/// markers: the last end-of-image (`FFD9`) must come after the last start-of-scan (`FFDA`). In entropy-coded
/// data `FF` is always followed by `00` or a restart marker, so neither pair appears by accident; an EXIF
/// thumbnail's own `FFD9` comes before the main image's scans.
fn jpeg_is_complete(b: &[u8]) -> bool {
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

    #[test]
    fn heic_brand_is_recognised() {
        let b = crate::references::isobmff::tests::heic(4032, 3024, 64);
        let p = prepare(&b).unwrap();
        assert_eq!(p.mime, "image/heic");
        assert_eq!((p.width, p.height), (4032, 3024));
        assert!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0isomavc1").is_none());
    }

    /// Google takes 100 MB inline since 2026-01-08: a 6 MB phone HEIC, over the re-encode target, is sent as
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

    #[test]
    fn the_inline_limit_follows_the_model_data() {
        assert_eq!(
            INLINE_LIMIT_BYTES as u64,
            crate::catalogue::Catalogue::bundled().inline_limit_bytes
        );
    }
}
