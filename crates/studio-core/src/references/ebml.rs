//! EBML (the container of WebM and Matroska) as far as references need it: the header's DocType, which
//! tells WebM (the API takes it) from Matroska (it does not), and the duration in `Segment/Info`.
//!
//! Elements are read header by header and skipped with seeks. Every size is checked against what holds
//! it; anything unexpected (an element of unknown size before `Info`, a `Cluster` first, a damaged header)
//! makes the duration unknown rather than an error: the WebM is still sent, and the API judges it.

use std::io::{Read, Seek, SeekFrom};

const EBML: u64 = 0x1A45_DFA3;
const DOCTYPE: u64 = 0x4282;
const SEGMENT: u64 = 0x1853_8067;
const INFO: u64 = 0x1549_A966;
const TIMESTAMP_SCALE: u64 = 0x2A_D7B1;
const DURATION: u64 = 0x4489;
const CLUSTER: u64 = 0x1F43_B675;

/// Elements looked at, at most, on each level.
const MAX_ELEMENTS: u32 = 512;

/// An element header: its id (marker bits kept, as the spec writes ids), its data size (`None`: unknown,
/// "to the end of the parent") and where its data starts.
struct Element {
    id: u64,
    size: Option<u64>,
    data: u64,
}

/// A variable-length integer: the first byte's leading zeros give its length (1 to 8 bytes).
fn read_vint<R: Read>(r: &mut R, is_id: bool) -> Option<(u64, usize, bool)> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b).ok()?;
    let first = b[0];
    if first == 0 {
        return None;
    }
    let len = first.leading_zeros() as usize + 1;
    if is_id && len > 4 {
        return None;
    }
    // An 8-byte vint has no data bits in its first byte (a shift by 8 would overflow).
    let data_mask = 0xFFu8.checked_shr(len as u32).unwrap_or(0);
    let mut value = u64::from(if is_id { first } else { first & data_mask });
    let mut all_ones = first & data_mask == data_mask;
    let mut rest = [0u8; 7];
    r.read_exact(&mut rest[..len - 1]).ok()?;
    for &x in &rest[..len - 1] {
        value = (value << 8) | u64::from(x);
        all_ones &= x == 0xFF;
    }
    Some((value, len, all_ones))
}

/// The element header at `pos`, whose data must fit before `end` when its size is known.
fn element<R: Read + Seek>(r: &mut R, pos: u64, end: u64) -> Option<Element> {
    r.seek(SeekFrom::Start(pos)).ok()?;
    let (id, id_len, _) = read_vint(r, true)?;
    let (size, size_len, unknown) = read_vint(r, false)?;
    let data = pos + (id_len + size_len) as u64;
    if data > end {
        return None;
    }
    let size = if unknown { None } else { Some(size) };
    if let Some(s) = size {
        if s > end - data {
            return None;
        }
    }
    Some(Element { id, size, data })
}

/// The DocType of an EBML file from its first bytes: `None` when it is not EBML at all, the spec's
/// default `matroska` when the header names none, and an empty string when the header is damaged.
pub fn doctype(head: &[u8]) -> Option<String> {
    if !head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return None;
    }
    let end = head.len() as u64;
    let mut r = std::io::Cursor::new(head);
    let Some(header) = element(&mut r, 0, end).filter(|e| e.id == EBML) else {
        return Some(String::new());
    };
    let header_end = header.size.map_or(end, |s| header.data + s);
    let mut pos = header.data;
    for _ in 0..MAX_ELEMENTS {
        let Some(e) = element(&mut r, pos, header_end) else {
            break;
        };
        let Some(size) = e.size else { break };
        if e.id == DOCTYPE {
            let start = e.data as usize;
            let text = &head[start..start + size.min(64) as usize];
            let text: String = String::from_utf8_lossy(text).trim_end_matches('\0').into();
            return Some(text);
        }
        pos = e.data + size;
    }
    Some("matroska".into())
}

/// The duration in milliseconds from `Segment/Info/Duration` (scaled by `TimestampScale`), when the file
/// says it before its first `Cluster`; `None` otherwise.
pub fn duration_ms<R: Read + Seek>(r: &mut R, len: u64) -> Option<u64> {
    let header = element(r, 0, len).filter(|e| e.id == EBML)?;
    let mut pos = header.data + header.size?;
    let mut segment = None;
    for _ in 0..MAX_ELEMENTS {
        let e = element(r, pos, len)?;
        if e.id == SEGMENT {
            segment = Some(e);
            break;
        }
        // Only padding (Void, CRC-32) may come between the header and the segment.
        if !matches!(e.id, 0xEC | 0xBF) {
            return None;
        }
        pos = e.data + e.size?;
    }
    let segment = segment?;
    let seg_end = segment.size.map_or(len, |s| segment.data + s);
    let mut pos = segment.data;
    for _ in 0..MAX_ELEMENTS {
        let e = element(r, pos, seg_end)?;
        if e.id == CLUSTER {
            return None;
        }
        let size = e.size?;
        if e.id == INFO {
            return info_duration(r, e.data, e.data + size);
        }
        pos = e.data + size;
    }
    None
}

fn info_duration<R: Read + Seek>(r: &mut R, start: u64, end: u64) -> Option<u64> {
    let mut scale_ns = 1_000_000u64;
    let mut duration = None;
    let mut pos = start;
    for _ in 0..MAX_ELEMENTS {
        if pos >= end {
            break;
        }
        let e = element(r, pos, end)?;
        let size = e.size?;
        match (e.id, size) {
            (TIMESTAMP_SCALE, 1..=8) => {
                let mut b = [0u8; 8];
                r.read_exact(&mut b[8 - size as usize..]).ok()?;
                scale_ns = u64::from_be_bytes(b);
            }
            (DURATION, 4) => {
                let b: [u8; 4] = read_array(r)?;
                duration = Some(f64::from(f32::from_be_bytes(b)));
            }
            (DURATION, 8) => {
                let b: [u8; 8] = read_array(r)?;
                duration = Some(f64::from_be_bytes(b));
            }
            _ => {}
        }
        pos = e.data + size;
    }
    let ms = duration? * scale_ns as f64 / 1e6;
    (ms.is_finite() && ms > 0.0 && ms < 1e15).then(|| ms.round() as u64)
}

fn read_array<const N: usize, R: Read>(r: &mut R) -> Option<[u8; N]> {
    let mut b = [0u8; N];
    r.read_exact(&mut b).ok()?;
    Some(b)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Cursor;

    /// An element with a 1-byte size (data under 127 bytes) or an 8-byte one.
    pub fn el(id: &[u8], data: &[u8]) -> Vec<u8> {
        let mut b = id.to_vec();
        if data.len() < 127 {
            b.push(0x80 | data.len() as u8);
        } else {
            b.push(0x01);
            b.extend_from_slice(&(data.len() as u64).to_be_bytes()[1..]);
        }
        b.extend_from_slice(data);
        b
    }

    /// A WebM start: EBML header (DocType `doc`), then a Segment of unknown size holding an Info with
    /// `duration` (float64, in ms at the default scale) and a Cluster.
    pub fn webm(doc: &str, duration: Option<f64>) -> Vec<u8> {
        let header = el(
            &[0x1A, 0x45, 0xDF, 0xA3],
            &[el(&[0x42, 0x86], &[1]), el(&[0x42, 0x82], doc.as_bytes())].concat(),
        );
        let mut info = el(&[0x2A, 0xD7, 0xB1], &[0x0F, 0x42, 0x40]);
        if let Some(d) = duration {
            info.extend_from_slice(&el(&[0x44, 0x89], &d.to_be_bytes()));
        }
        let mut segment = vec![
            0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        ];
        segment.extend_from_slice(&el(&[0x11, 0x4D, 0x9B, 0x74], &[0; 20]));
        segment.extend_from_slice(&el(&[0xEC], &[0; 10]));
        segment.extend_from_slice(&el(&[0x15, 0x49, 0xA9, 0x66], &info));
        segment.extend_from_slice(&el(&[0x1F, 0x43, 0xB6, 0x75], &[0; 40]));
        [header, segment].concat()
    }

    fn duration(b: &[u8]) -> Option<u64> {
        duration_ms(&mut Cursor::new(b), b.len() as u64)
    }

    #[test]
    fn reads_doctype_and_duration() {
        let w = webm("webm", Some(4321.5));
        assert_eq!(doctype(&w).as_deref(), Some("webm"));
        assert_eq!(duration(&w), Some(4322));
        assert_eq!(
            doctype(&webm("matroska", None)).as_deref(),
            Some("matroska")
        );
        assert_eq!(duration(&webm("webm", None)), None);
        assert_eq!(doctype(b"\x89PNG"), None);
        // No DocType: the spec's default.
        let bare = el(&[0x1A, 0x45, 0xDF, 0xA3], &el(&[0x42, 0x86], &[1]));
        assert_eq!(doctype(&bare).as_deref(), Some("matroska"));
        assert_eq!(
            doctype(&[0x1A, 0x45, 0xDF, 0xA3, 0x00]).as_deref(),
            Some("")
        );
    }

    #[test]
    fn a_custom_timestamp_scale_and_a_float32_duration() {
        let header = el(&[0x1A, 0x45, 0xDF, 0xA3], &el(&[0x42, 0x82], b"webm"));
        // Scale 1 ms * 10 = 10 ms units; 250 units = 2.5 s.
        let info = [
            el(&[0x2A, 0xD7, 0xB1], &10_000_000u32.to_be_bytes()),
            el(&[0x44, 0x89], &250f32.to_be_bytes()),
        ]
        .concat();
        let seg = el(
            &[0x18, 0x53, 0x80, 0x67],
            &el(&[0x15, 0x49, 0xA9, 0x66], &info),
        );
        assert_eq!(duration(&[header, seg].concat()), Some(2500));
    }

    #[test]
    fn cut_short_or_odd_files_have_no_duration() {
        let w = webm("webm", Some(1000.0));
        for n in 0..w.len() {
            let _ = duration(&w[..n]);
            let _ = doctype(&w[..n]);
        }
        let header = el(&[0x1A, 0x45, 0xDF, 0xA3], &el(&[0x42, 0x82], b"webm"));
        let nan = el(
            &[0x18, 0x53, 0x80, 0x67],
            &el(
                &[0x15, 0x49, 0xA9, 0x66],
                &el(&[0x44, 0x89], &f64::NAN.to_be_bytes()),
            ),
        );
        assert_eq!(duration(&[header.clone(), nan].concat()), None);
        let cluster_first = el(
            &[0x18, 0x53, 0x80, 0x67],
            &el(&[0x1F, 0x43, 0xB6, 0x75], &[0; 4]),
        );
        assert_eq!(duration(&[header, cluster_first].concat()), None);
    }

    proptest::proptest! {
        #[test]
        fn hostile_input_never_panics(tail in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let mut b = vec![0x1A, 0x45, 0xDF, 0xA3];
            b.extend_from_slice(&tail);
            let _ = doctype(&b);
            let _ = duration(&b);
            let mut w = webm("webm", Some(5.0));
            w.truncate(60);
            w.extend_from_slice(&tail);
            let _ = duration(&w);
        }
    }
}
