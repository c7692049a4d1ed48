//! The ISO base media file format (ISO/IEC 14496-12) as far as references need it: the `ftyp` brands that
//! tell a HEIF image from an MP4/MOV/3GP video (both start with the same box), and a movie's duration from
//! `moov/mvhd`.
//!
//! The duration walk reads box headers and seeks past their bodies, so a 2 GB video costs a few small
//! reads wherever its `moov` box is (cameras write it at the end, "fast start" files at the front). Every
//! size is checked against the bytes that hold it before anything is read or skipped: hostile or cut-short
//! input ends in a refusal or an unknown duration, never a panic, a loop or an allocation sized by the file.

use std::io::{Read, Seek, SeekFrom};

/// What an `ftyp` box's brands say a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FtypKind {
    /// A HEIF image coded with HEVC.
    Heic,
    /// Another HEIF image (`mif1`, `msf1`, `heif`; AVIF lists `mif1` too).
    Heif,
    /// An MPEG-4 movie (`isom`, `mp42`, `avc1`, `M4V `, ...).
    Mp4,
    /// A QuickTime movie (`qt  `): `.mov`.
    QuickTime,
    /// A 3GPP movie (`3gp4`..., `3g2a`...): phones.
    ThreeGpp,
}

impl FtypKind {
    pub fn is_image(self) -> bool {
        matches!(self, FtypKind::Heic | FtypKind::Heif)
    }
}

fn brand_kind(b: &[u8]) -> Option<FtypKind> {
    match b {
        b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"hevm" | b"hevs" => {
            Some(FtypKind::Heic)
        }
        b"mif1" | b"msf1" | b"heif" => Some(FtypKind::Heif),
        b"qt  " => Some(FtypKind::QuickTime),
        b"3gp4" | b"3gp5" | b"3gp6" | b"3gp7" | b"3gp8" | b"3gp9" | b"3g2a" | b"3g2b" | b"3g2c" => {
            Some(FtypKind::ThreeGpp)
        }
        b"isom" | b"iso2" | b"iso3" | b"iso4" | b"iso5" | b"iso6" | b"iso7" | b"iso8" | b"iso9"
        | b"mp41" | b"mp42" | b"mp71" | b"avc1" | b"av01" | b"dash" | b"M4V " | b"M4VH"
        | b"M4VP" | b"MSNV" | b"XAVC" | b"f4v " => Some(FtypKind::Mp4),
        _ => None,
    }
}

/// Classifies a file by its leading `ftyp` box (`None`: no such box, or no brand we know).
///
/// The major brand decides: a HEIF major brand is an image even when a compatible brand names a movie
/// format, and a movie major brand is a video even when a compatible brand names HEIF. Only an unknown
/// major brand (AVIF's `avif`, say) falls back on the compatible brands, HEIF first as before videos were
/// taken. Among HEIF brands an HEVC one anywhere makes it HEIC (major `mif1` with compatible `heic`).
pub fn ftyp_kind(bytes: &[u8]) -> Option<FtypKind> {
    if bytes.len() < 16 || &bytes[4..8] != b"ftyp" {
        return None;
    }
    let size = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    if size < 16 || size > bytes.len() || size > 4096 {
        return None;
    }
    let compatible: Vec<FtypKind> = bytes[16..size]
        .chunks_exact(4)
        .filter_map(brand_kind)
        .collect();
    let heif = |first: Option<FtypKind>| {
        if first == Some(FtypKind::Heic) || compatible.contains(&FtypKind::Heic) {
            Some(FtypKind::Heic)
        } else if first == Some(FtypKind::Heif) || compatible.contains(&FtypKind::Heif) {
            Some(FtypKind::Heif)
        } else {
            None
        }
    };
    match brand_kind(&bytes[8..12]) {
        Some(k) if k.is_image() => heif(Some(k)),
        Some(video) => Some(video),
        None => heif(None).or_else(|| compatible.iter().copied().find(|k| !k.is_image())),
    }
}

/// Top-level boxes walked at most (each is at least 8 bytes, so a hostile file of tiny boxes could
/// otherwise cost hundreds of millions of seeks).
const MAX_TOP_BOXES: u32 = 100_000;
/// Children of `moov` looked at, at most, for its `mvhd`.
const MAX_CHILD_BOXES: u32 = 10_000;

/// One box header: where the box starts, how long its header is, and its whole size.
struct BoxHeader {
    kind: [u8; 4],
    start: u64,
    header: u64,
    size: u64,
}

impl BoxHeader {
    fn body(&self) -> (u64, u64) {
        (self.start + self.header, self.start + self.size)
    }

    fn name(&self) -> String {
        self.kind
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '?'
                }
            })
            .collect()
    }
}

/// Why a box could not be read.
enum BoxError {
    /// The header or the box runs past the end of what holds it.
    Truncated {
        at: u64,
        kind: Option<String>,
    },
    /// A size below the header's own length (only 0 and 1 are special).
    BadSize {
        at: u64,
        kind: String,
        size: u64,
    },
    Io(std::io::Error),
}

impl BoxError {
    fn refusal(self) -> String {
        self.refusal_for("movie")
    }

    /// The refusal, naming what the file claimed to be ("movie", "HEIF image").
    fn refusal_for(self, what: &str) -> String {
        match self {
            BoxError::Truncated { at, kind: Some(k) } => format!(
                "the {what} is cut short: its `{k}` box at byte {at} runs past the end of the file"
            ),
            BoxError::Truncated { at, kind: None } => {
                format!("the {what} is cut short: a box header at byte {at} is incomplete")
            }
            BoxError::BadSize { at, kind, size } => format!(
                "the {what} is damaged: its `{kind}` box at byte {at} declares an impossible size ({size} bytes)"
            ),
            BoxError::Io(e) => format!("the {what} could not be read ({e})"),
        }
    }
}

fn read_array<const N: usize, R: Read>(r: &mut R) -> std::io::Result<[u8; N]> {
    let mut b = [0u8; N];
    r.read_exact(&mut b)?;
    Ok(b)
}

/// Reads the box header at `pos`, which must lie within `..end`. Size 0 means "to the end of the
/// enclosing space" and size 1 a 64-bit size after the type.
fn read_header<R: Read + Seek>(r: &mut R, pos: u64, end: u64) -> Result<BoxHeader, BoxError> {
    let room = end.saturating_sub(pos);
    if room < 8 {
        return Err(BoxError::Truncated {
            at: pos,
            kind: None,
        });
    }
    r.seek(SeekFrom::Start(pos)).map_err(BoxError::Io)?;
    let h: [u8; 8] = read_array(r).map_err(BoxError::Io)?;
    let kind = [h[4], h[5], h[6], h[7]];
    let size32 = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
    let (size, header) = match size32 {
        0 => (room, 8),
        1 => {
            if room < 16 {
                return Err(BoxError::Truncated {
                    at: pos,
                    kind: None,
                });
            }
            let large = u64::from_be_bytes(read_array(r).map_err(BoxError::Io)?);
            (large, 16)
        }
        n => (u64::from(n), 8),
    };
    let hdr = BoxHeader {
        kind,
        start: pos,
        header,
        size,
    };
    if size < header {
        return Err(BoxError::BadSize {
            at: pos,
            kind: hdr.name(),
            size,
        });
    }
    if size > room {
        return Err(BoxError::Truncated {
            at: pos,
            kind: Some(hdr.name()),
        });
    }
    Ok(hdr)
}

/// The movie's duration in milliseconds, from the `mvhd` box inside the top-level `moov` box of a file of
/// `len` bytes. `Ok(None)` when the movie does not say (no `mvhd`, a zero or "unknown" duration as
/// fragmented files write, a zero timescale); `Err` with the reason when the file is cut short, damaged, or
/// has no `moov` box at all (an unfinished recording, which the API could not read either).
pub fn movie_duration_ms<R: Read + Seek>(r: &mut R, len: u64) -> Result<Option<u64>, String> {
    let mut pos = 0u64;
    let mut moov: Option<Option<u64>> = None;
    let mut walked = 0u32;
    // Fewer than 8 bytes left cannot hold a box: padding some writers leave, ignored.
    while len - pos >= 8 {
        walked += 1;
        if walked > MAX_TOP_BOXES {
            return Err(format!(
                "the movie is damaged: more than {MAX_TOP_BOXES} top-level boxes"
            ));
        }
        let h = read_header(r, pos, len).map_err(BoxError::refusal)?;
        if &h.kind == b"moov" && moov.is_none() {
            let (start, end) = h.body();
            moov = Some(mvhd_duration(r, start, end));
        }
        // `read_header` guarantees 8 <= size <= len - pos: the walk advances and stays in the file.
        pos = h.start + h.size;
    }
    moov.ok_or_else(|| {
        "the movie has no `moov` box (its index): the recording was not finished or the file is cut short"
            .to_string()
    })
}

/// Checks that a file whose `ftyp` says HEIF is built like one (ISO/IEC 23008-12), so a renamed web page
/// or a cut-short upload behind a copied `ftyp` box is not sent as `image/heic`: the top-level boxes tile
/// the file exactly, starting with `ftyp`; a `meta` box holds a `hdlr` of type `pict`, the item list
/// (`iinf`) and their locations (`iloc`); and the coded data is there (`mdat`, or `idat` inside `meta`).
/// No decoder is linked, so this is as far as the file can be proven an image here.
pub fn heif_structure<R: Read + Seek>(r: &mut R, len: u64) -> Result<(), String> {
    const WHAT: &str = "HEIF image";
    let mut pos = 0u64;
    let mut walked = 0u32;
    let (mut meta, mut mdat) = (None, false);
    while pos < len {
        walked += 1;
        if walked > MAX_TOP_BOXES {
            return Err(format!(
                "the {WHAT} is damaged: more than {MAX_TOP_BOXES} top-level boxes"
            ));
        }
        let h = read_header(r, pos, len).map_err(|e| e.refusal_for(WHAT))?;
        if walked == 1 && &h.kind != b"ftyp" {
            return Err(format!(
                "the {WHAT} is damaged: it does not start with its `ftyp` box"
            ));
        }
        match &h.kind {
            b"meta" if meta.is_none() => meta = Some(h.body()),
            b"mdat" => mdat = true,
            _ => {}
        }
        pos = h.start + h.size;
    }
    let Some((start, end)) = meta else {
        return Err(format!(
            "it starts like a {WHAT} but has no `meta` box describing one (its content was checked, not its name)"
        ));
    };
    // `meta` is a full box: version and flags come before its children.
    let mut pos = start + 4;
    let (mut handler, mut iinf, mut iloc, mut idat) = (None, false, false, false);
    let mut walked = 0u32;
    while end.saturating_sub(pos) >= 8 && walked < MAX_CHILD_BOXES {
        walked += 1;
        let h = read_header(r, pos, end).map_err(|e| e.refusal_for(WHAT))?;
        match &h.kind {
            b"hdlr" if h.size >= h.header + 12 => {
                r.seek(SeekFrom::Start(h.start + h.header + 8))
                    .map_err(|e| BoxError::Io(e).refusal_for(WHAT))?;
                handler =
                    Some(read_array::<4, _>(r).map_err(|e| BoxError::Io(e).refusal_for(WHAT))?);
            }
            b"iinf" => iinf = true,
            b"iloc" => iloc = true,
            b"idat" => idat = true,
            _ => {}
        }
        pos = h.start + h.size;
    }
    match handler {
        Some(h) if &h == b"pict" => {}
        Some(h) => {
            return Err(format!(
                "it is not a {WHAT}: its `meta` box describes `{}` items, not pictures",
                String::from_utf8_lossy(&h).escape_debug()
            ))
        }
        None => {
            return Err(format!(
                "the {WHAT} is damaged: its `meta` box has no handler (`hdlr`)"
            ))
        }
    }
    if !iinf || !iloc {
        return Err(format!(
            "the {WHAT} is damaged: its `meta` box lacks the item list (`iinf`) or their locations (`iloc`)"
        ));
    }
    if !mdat && !idat {
        return Err(format!("the {WHAT} holds no image data (no `mdat` box)"));
    }
    Ok(())
}

/// The duration in the `mvhd` among the children in `start..end`, if it can be read.
fn mvhd_duration<R: Read + Seek>(r: &mut R, start: u64, end: u64) -> Option<u64> {
    let mut pos = start;
    let mut walked = 0u32;
    while end - pos >= 8 && walked < MAX_CHILD_BOXES {
        walked += 1;
        let h = read_header(r, pos, end).ok()?;
        if &h.kind == b"mvhd" {
            let (body, body_end) = h.body();
            return parse_mvhd(r, body, body_end - body);
        }
        pos = h.start + h.size;
    }
    None
}

/// `mvhd` body: version (1 byte), flags (3), then creation and modification times, timescale and duration,
/// 32-bit in version 0 and 64-bit (but the timescale) in version 1.
fn parse_mvhd<R: Read + Seek>(r: &mut R, body: u64, len: u64) -> Option<u64> {
    r.seek(SeekFrom::Start(body)).ok()?;
    let (timescale, duration, unknown) = match len {
        n if n >= 4 => {
            let vf: [u8; 4] = read_array(r).ok()?;
            match vf[0] {
                0 if len >= 20 => {
                    let b: [u8; 16] = read_array(r).ok()?;
                    let ts = u32::from_be_bytes([b[8], b[9], b[10], b[11]]);
                    let d = u32::from_be_bytes([b[12], b[13], b[14], b[15]]);
                    (ts, u64::from(d), d == u32::MAX)
                }
                1 if len >= 32 => {
                    let b: [u8; 28] = read_array(r).ok()?;
                    let ts = u32::from_be_bytes([b[16], b[17], b[18], b[19]]);
                    let d = u64::from_be_bytes([
                        b[20], b[21], b[22], b[23], b[24], b[25], b[26], b[27],
                    ]);
                    (ts, d, d == u64::MAX)
                }
                _ => return None,
            }
        }
        _ => return None,
    };
    if timescale == 0 || duration == 0 || unknown {
        return None;
    }
    u64::try_from(u128::from(duration) * 1000 / u128::from(timescale)).ok()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Cursor;

    /// A box: 32-bit size, type, body.
    pub fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    pub fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let mut body = major.to_vec();
        body.extend_from_slice(&0u32.to_be_bytes());
        for c in compatible {
            body.extend_from_slice(*c);
        }
        bx(b"ftyp", &body)
    }

    /// A minimal well-formed HEIC: `ftyp`, `meta` (`hdlr` pict, `iinf`, `iloc`, `iprp/ipco/ispe`), `mdat`.
    pub fn heic(width: u32, height: u32, mdat: usize) -> Vec<u8> {
        let full = |kind: &[u8; 4], body: &[u8]| bx(kind, &[&[0u8, 0, 0, 0][..], body].concat());
        let hdlr = [&[0u8; 4][..], b"pict", &[0u8; 13]].concat();
        let ispe = [width.to_be_bytes(), height.to_be_bytes()].concat();
        let meta = full(
            b"meta",
            &[
                full(b"hdlr", &hdlr),
                full(b"iinf", &[0, 0]),
                full(b"iloc", &[0x44, 0, 0, 0]),
                bx(b"iprp", &bx(b"ipco", &full(b"ispe", &ispe))),
            ]
            .concat(),
        );
        [
            ftyp(b"heic", &[b"mif1", b"heic"]),
            meta,
            bx(b"mdat", &vec![7u8; mdat]),
        ]
        .concat()
    }

    fn heif_check(b: &[u8]) -> Result<(), String> {
        heif_structure(&mut Cursor::new(b), b.len() as u64)
    }

    /// Issue 9: an `ftyp` box followed by anything (a web page) was sent as `image/heic`.
    #[test]
    fn heif_structure_is_checked() {
        let good = heic(4032, 3024, 100);
        assert_eq!(heif_check(&good), Ok(()));
        let mut html = ftyp(b"heic", &[b"mif1"]);
        html.extend_from_slice(b"<!doctype html><html><body>not a photo</body></html>");
        let e = heif_check(&html).unwrap_err();
        assert!(e.contains("HEIF image"), "{e}");
        // Cut short, or a byte too many: the boxes no longer tile the file.
        assert!(heif_check(&good[..good.len() - 1])
            .unwrap_err()
            .contains("cut short"));
        let mut long = good.clone();
        long.extend_from_slice(b"tail");
        assert!(heif_check(&long).is_err());
        // No meta, no mdat, a meta of another handler.
        let no_meta = [ftyp(b"heic", &[b"mif1"]), bx(b"mdat", &[1; 10])].concat();
        assert!(heif_check(&no_meta).unwrap_err().contains("no `meta` box"));
        let no_mdat = &good[..good.len() - 108];
        assert!(
            heif_check(no_mdat).unwrap_err().contains("no image data"),
            "{:?}",
            heif_check(no_mdat)
        );
        let s = String::from_utf8_lossy(&good).into_owned();
        let at = s.find("pict").unwrap();
        let mut vide = good.clone();
        vide[at..at + 4].copy_from_slice(b"vide");
        assert!(heif_check(&vide).unwrap_err().contains("not pictures"));
    }

    pub fn mvhd_v0(timescale: u32, duration: u32) -> Vec<u8> {
        let mut body = vec![0, 0, 0, 0];
        body.extend_from_slice(&1u32.to_be_bytes());
        body.extend_from_slice(&2u32.to_be_bytes());
        body.extend_from_slice(&timescale.to_be_bytes());
        body.extend_from_slice(&duration.to_be_bytes());
        body.extend_from_slice(&[0u8; 80]);
        bx(b"mvhd", &body)
    }

    fn mvhd_v1(timescale: u32, duration: u64) -> Vec<u8> {
        let mut body = vec![1, 0, 0, 0];
        body.extend_from_slice(&1u64.to_be_bytes());
        body.extend_from_slice(&2u64.to_be_bytes());
        body.extend_from_slice(&timescale.to_be_bytes());
        body.extend_from_slice(&duration.to_be_bytes());
        body.extend_from_slice(&[0u8; 80]);
        bx(b"mvhd", &body)
    }

    fn duration(file: &[u8]) -> Result<Option<u64>, String> {
        movie_duration_ms(&mut Cursor::new(file), file.len() as u64)
    }

    fn movie(parts: &[Vec<u8>]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn mvhd_version_0_and_1() {
        let head = ftyp(b"isom", &[b"isom", b"avc1"]);
        let v0 = movie(&[
            head.clone(),
            bx(b"moov", &mvhd_v0(600, 3300)),
            bx(b"mdat", &[0; 32]),
        ]);
        assert_eq!(duration(&v0), Ok(Some(5500)));
        // 64-bit duration: 3 hours at 90 kHz, past what 32 bits hold.
        let long = 3 * 3600 * 90_000u64;
        let v1 = movie(&[head, bx(b"moov", &mvhd_v1(90_000, long)), bx(b"mdat", &[])]);
        assert_eq!(duration(&v1), Ok(Some(3 * 3600 * 1000)));
    }

    #[test]
    fn moov_at_the_end_after_a_large_mdat() {
        let mut mdat = 1_000_016u32.to_be_bytes().to_vec();
        mdat.extend_from_slice(b"mdat");
        mdat.resize(1_000_016, 0xAB);
        let file = movie(&[
            ftyp(b"mp42", &[b"mp42", b"isom"]),
            bx(b"free", &[]),
            mdat,
            bx(
                b"moov",
                &[bx(b"trak", &[0; 10]), mvhd_v0(1000, 12_345)].concat(),
            ),
        ]);
        assert_eq!(duration(&file), Ok(Some(12_345)));
    }

    #[test]
    fn unknown_durations_are_none() {
        let head = ftyp(b"isom", &[]);
        for moov in [
            bx(b"moov", &mvhd_v0(0, 100)),
            bx(b"moov", &mvhd_v0(600, 0)),
            bx(b"moov", &mvhd_v0(600, u32::MAX)),
            bx(b"moov", &mvhd_v1(600, u64::MAX)),
            bx(b"moov", &bx(b"trak", &[])),
            bx(b"moov", &bx(b"mvhd", &[2, 0, 0, 0, 1, 2, 3])),
            bx(b"moov", &bx(b"mvhd", &[0, 0])),
            // A child that runs past its moov.
            bx(b"moov", &[0, 0, 0, 99, b'm', b'v', b'h', b'd']),
        ] {
            assert_eq!(duration(&movie(&[head.clone(), moov])), Ok(None));
        }
        // The largest 64-bit duration at timescale 1 does not overflow.
        let huge = movie(&[head, bx(b"moov", &mvhd_v1(1, u64::MAX - 1))]);
        assert_eq!(duration(&huge), Ok(None), "past u64 milliseconds");
    }

    #[test]
    fn size_zero_runs_to_the_end_and_size_one_is_64_bit() {
        let head = ftyp(b"isom", &[]);
        // moov with size 0: the last box, to the end of the file.
        let mut zero = head.clone();
        zero.extend_from_slice(&[0, 0, 0, 0]);
        zero.extend_from_slice(b"moov");
        zero.extend_from_slice(&mvhd_v0(10, 25));
        assert_eq!(duration(&zero), Ok(Some(2500)));
        // mdat with a 64-bit size, then moov.
        let mut large = head.clone();
        large.extend_from_slice(&1u32.to_be_bytes());
        large.extend_from_slice(b"mdat");
        large.extend_from_slice(&(16u64 + 4).to_be_bytes());
        large.extend_from_slice(&[9, 9, 9, 9]);
        large.extend_from_slice(&bx(b"moov", &mvhd_v0(1, 7)));
        assert_eq!(duration(&large), Ok(Some(7000)));
        // A 64-bit size smaller than its own header.
        let mut bad = head.clone();
        bad.extend_from_slice(&1u32.to_be_bytes());
        bad.extend_from_slice(b"mdat");
        bad.extend_from_slice(&8u64.to_be_bytes());
        assert!(duration(&bad).unwrap_err().contains("impossible size"));
        // A 64-bit header cut short.
        let mut cut = head.clone();
        cut.extend_from_slice(&1u32.to_be_bytes());
        cut.extend_from_slice(b"mdat");
        cut.extend_from_slice(&[0, 0]);
        assert!(duration(&cut).unwrap_err().contains("cut short"));
        // 32-bit sizes 2..7 are impossible.
        for s in 2u32..8 {
            let mut b = head.clone();
            b.extend_from_slice(&s.to_be_bytes());
            b.extend_from_slice(b"free");
            assert!(
                duration(&b).unwrap_err().contains("impossible size"),
                "size {s}"
            );
        }
    }

    #[test]
    fn truncated_and_missing_moov_are_refused() {
        let head = ftyp(b"isom", &[]);
        let whole = movie(&[
            head.clone(),
            bx(b"mdat", &[0; 100]),
            bx(b"moov", &mvhd_v0(1, 1)),
        ]);
        let cut = &whole[..whole.len() - 10];
        let e = duration(cut).unwrap_err();
        assert!(e.contains("cut short") && e.contains("`moov`"), "{e}");
        let no_moov = movie(&[head.clone(), bx(b"mdat", &[0; 100])]);
        assert!(duration(&no_moov).unwrap_err().contains("no `moov` box"));
        // An mdat declared larger than the file (a recording that stopped).
        let mut stopped = head.clone();
        stopped.extend_from_slice(&1_000_000u32.to_be_bytes());
        stopped.extend_from_slice(b"mdat");
        stopped.extend_from_slice(&[0; 50]);
        assert!(duration(&stopped)
            .unwrap_err()
            .contains("`mdat` box at byte"));
        // Trailing padding shorter than a header is ignored.
        let mut padded = movie(&[head, bx(b"moov", &mvhd_v0(2, 3))]);
        padded.extend_from_slice(&[0, 0, 0]);
        assert_eq!(duration(&padded), Ok(Some(1500)));
        assert!(duration(&[]).is_err());
    }

    #[test]
    fn brands_tell_images_from_videos() {
        let k = |f: Vec<u8>| ftyp_kind(&f);
        assert_eq!(
            k(ftyp(b"isom", &[b"isom", b"iso2", b"avc1", b"mp41"])),
            Some(FtypKind::Mp4)
        );
        assert_eq!(k(ftyp(b"mp42", &[])), Some(FtypKind::Mp4));
        assert_eq!(k(ftyp(b"M4V ", &[b"M4V ", b"M4A "])), Some(FtypKind::Mp4));
        assert_eq!(k(ftyp(b"qt  ", &[b"qt  "])), Some(FtypKind::QuickTime));
        assert_eq!(k(ftyp(b"3gp5", &[b"isom"])), Some(FtypKind::ThreeGpp));
        assert_eq!(k(ftyp(b"heic", &[b"mif1", b"heic"])), Some(FtypKind::Heic));
        assert_eq!(k(ftyp(b"mif1", &[b"heic"])), Some(FtypKind::Heic));
        // The major brand wins: a movie brand among a HEIF file's compatible brands keeps it an image, and a
        // HEIF brand among a movie's keeps it a video.
        assert_eq!(k(ftyp(b"mif1", &[b"iso8", b"mp42"])), Some(FtypKind::Heif));
        assert_eq!(k(ftyp(b"isom", &[b"heic", b"mif1"])), Some(FtypKind::Mp4));
        // An unknown major brand: HEIF first (AVIF), then movies.
        assert_eq!(
            k(ftyp(b"avif", &[b"avif", b"mif1", b"miaf"])),
            Some(FtypKind::Heif)
        );
        assert_eq!(k(ftyp(b"XXXX", &[b"iso6", b"mp41"])), Some(FtypKind::Mp4));
        assert_eq!(k(ftyp(b"M4A ", &[b"M4A "])), None, "audio is neither");
        assert_eq!(ftyp_kind(b"\0\0\0\x08ftypisom"), None);
    }

    proptest::proptest! {
        /// Any bytes at all: an answer, never a panic.
        #[test]
        fn hostile_input_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = duration(&bytes);
            let _ = ftyp_kind(&bytes);
        }

        /// A valid start followed by any bytes, sizes included.
        #[test]
        fn hostile_boxes_after_a_valid_ftyp_never_panic(
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
            small in proptest::sample::select(vec![0u32, 1, 7, 8, 9, 16, 0xFFFF_FFFF]),
        ) {
            let mut f = ftyp(b"isom", &[]);
            f.extend_from_slice(&small.to_be_bytes());
            f.extend_from_slice(b"moov");
            f.extend_from_slice(&tail);
            let _ = duration(&f);
        }

        /// The HEIF walk on a valid `ftyp` then any boxes, and on a real file with any bytes changed.
        #[test]
        fn hostile_heif_boxes_never_panic(
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
            small in proptest::sample::select(vec![0u32, 1, 7, 8, 9, 12, 16, 0xFFFF_FFFF]),
            kind in proptest::sample::select(vec![*b"meta", *b"mdat", *b"hdlr", *b"iloc"]),
            flips in proptest::collection::vec((0usize..200, proptest::num::u8::ANY), 0..6),
        ) {
            let mut f = ftyp(b"heic", &[b"mif1"]);
            f.extend_from_slice(&small.to_be_bytes());
            f.extend_from_slice(&kind);
            f.extend_from_slice(&tail);
            let _ = heif_check(&f);
            let mut good = heic(64, 48, 16);
            for (at, b) in flips {
                let n = good.len();
                good[at % n] = b;
            }
            let _ = heif_check(&good);
        }
    }
}
