//! Parsing a 4K image answer: SSE framing + JSON + folding + base64 decode, against a baseline of raw
//! base64 decoding of the same bytes measured in the same run; and the peak extra memory of one response,
//! measured by a counting global allocator, as multiples of the image size.
//!
//! Run: `cargo bench -p gemini --bench parse_4k` (plain `std::time`, no criterion, to keep builds light).
//! Goal (issue 3): within 2x of the baseline, at most 3 copies of the image in memory at once.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use gemini::sse::SseParser;
use gemini::stream::{StreamEvent, StreamFolder};

/// Counts live heap bytes and their peak. A growing `realloc` is counted as if old and new buffers
/// coexisted (an upper bound: glibc often moves large blocks with `mremap` instead).
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(n: usize) {
    let now = LIVE.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(now, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = System.alloc(l);
        if !p.is_null() {
            grow(l.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(l);
        if !p.is_null() {
            grow(l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l);
        LIVE.fetch_sub(l.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = System.realloc(p, l, new);
        if !q.is_null() {
            if new > l.size() {
                let now = LIVE.load(Relaxed);
                PEAK.fetch_max(now + new, Relaxed);
                grow(new - l.size());
            } else {
                LIVE.fetch_sub(l.size() - new, Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Starts a peak measurement; returns the live bytes at the start.
fn reset_peak() -> usize {
    let live = LIVE.load(Relaxed);
    PEAK.store(live, Relaxed);
    live
}

const IMAGE_BYTES: usize = 15 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;
const RUNS: usize = 11;

fn main() {
    // A 4K PNG is ~15 MB of compressed, incompressible-looking bytes: random bytes behind a PNG signature
    // give the base64 and JSON layers exactly the work a real render does.
    let mut rng = fastrand::Rng::with_seed(4096);
    let mut image = vec![0u8; IMAGE_BYTES];
    rng.fill(&mut image);
    image[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");
    let b64 = base64::engine::general_purpose::STANDARD.encode(&image);
    let signature = base64::engine::general_purpose::STANDARD.encode(vec![7u8; 1024]);

    // The stream as the API sends it: thoughts, text, the image whole in one event, then finish + usage.
    let events = [
        r#"{"candidates":[{"content":{"role":"model","parts":[{"text":"**Composing** a 4K scene","thought":true}]},"index":0}]}"#.to_string(),
        format!(r#"{{"candidates":[{{"content":{{"role":"model","parts":[{{"text":"Here is your image.","thoughtSignature":"{signature}"}}]}},"index":0}}]}}"#),
        format!(r#"{{"candidates":[{{"content":{{"role":"model","parts":[{{"inlineData":{{"mimeType":"image/png","data":"{b64}"}},"thoughtSignature":"{signature}"}}]}},"index":0}}]}}"#),
        r#"{"candidates":[{"content":{"role":"model","parts":[{"text":""}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":2520,"thoughtsTokenCount":240,"totalTokenCount":2772},"modelVersion":"gemini-nano-banana-2.1","responseId":"bench"}"#.to_string(),
    ];
    let mut sse = Vec::new();
    for e in &events {
        sse.extend_from_slice(b"data: ");
        sse.extend_from_slice(e.as_bytes());
        sse.extend_from_slice(b"\r\n\r\n");
    }
    // The non-streaming body of the same answer.
    let whole_body = format!(
        r#"{{"candidates":[{{"content":{{"role":"model","parts":[{{"text":"**Composing** a 4K scene","thought":true}},{{"text":"Here is your image.","thoughtSignature":"{signature}"}},{{"inlineData":{{"mimeType":"image/png","data":"{b64}"}},"thoughtSignature":"{signature}"}},{{"text":""}}]}},"finishReason":"STOP","index":0}}],"usageMetadata":{{"promptTokenCount":12,"candidatesTokenCount":2520,"thoughtsTokenCount":240,"totalTokenCount":2772}},"modelVersion":"gemini-nano-banana-2.1","responseId":"bench"}}"#
    );
    drop(events);

    let mut baseline = Vec::new();
    let mut streamed = Vec::new();
    let mut non_streamed = Vec::new();
    let mut stream_peak = 0usize;
    let mut whole_peak = 0usize;
    for _ in 0..RUNS {
        // Baseline: raw base64 decode of the same bytes.
        let t = Instant::now();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64.as_bytes())
            .expect("valid base64");
        baseline.push(t.elapsed());
        assert_eq!(raw.len(), image.len());
        drop(raw);

        // Streaming: 64 KiB network chunks through the SSE parser and the folder, which decodes the image
        // for its event; the caller keeps the decoded bytes, and the folded response keeps the base64 for
        // replay. Timed with the chunks already received (as the whole-body case times an already
        // received body); memory measured in a second pass that allocates each chunk as a socket read
        // would, so the network buffers held for an unfinished line are counted.
        let chunks: Vec<Bytes> = sse.chunks(CHUNK).map(Bytes::copy_from_slice).collect();
        let t = Instant::now();
        let (response, decoded) = stream_parse(chunks);
        streamed.push(t.elapsed());
        assert_eq!(decoded.as_deref(), Some(&image[..]));
        assert_eq!(
            response
                .images()
                .next()
                .and_then(|p| p.inline_data.as_ref())
                .map(|b| b.data.len()),
            Some(b64.len())
        );
        drop((response, decoded));

        let start_live = reset_peak();
        let (response, decoded) = stream_parse(sse.chunks(CHUNK).map(Bytes::copy_from_slice));
        stream_peak = stream_peak.max(PEAK.load(Relaxed) - start_live);
        drop((response, decoded));

        // Non-streaming: the whole body (already received, owned as reqwest hands it over) parsed, then
        // the image decoded.
        let body = bytes::Bytes::from(whole_body.clone().into_bytes());
        let start_live = reset_peak();
        let t = Instant::now();
        let response = gemini::parse_response_bytes(body).expect("valid body");
        let bytes = response
            .images()
            .next()
            .and_then(|p| p.decode_inline())
            .expect("an image")
            .expect("valid base64");
        non_streamed.push(t.elapsed());
        whole_peak = whole_peak.max(PEAK.load(Relaxed) - start_live);
        assert_eq!(bytes.len(), image.len());
    }

    // The machine is shared (2 cores, other builds running): each run measures baseline and candidates
    // back to back, so the per-run ratio cancels most interference; report its median, and the ratio of
    // the best times.
    let ratios = |v: &[Duration]| {
        let mut r: Vec<f64> = v
            .iter()
            .zip(&baseline)
            .map(|(a, b)| ratio(*a, *b))
            .collect();
        r.sort_by(|a, b| a.total_cmp(b));
        r[r.len() / 2]
    };
    let (stream_ratio, whole_ratio) = (ratios(&streamed), ratios(&non_streamed));
    let best = |v: &[Duration]| v.iter().copied().min().unwrap_or_default();
    let (base, stream, whole) = (best(&baseline), best(&streamed), best(&non_streamed));
    let mbps = |d: Duration| image.len() as f64 / 1e6 / d.as_secs_f64();
    let mb = |b: usize| b as f64 / (1024.0 * 1024.0);
    println!(
        "4K response parse: image {:.1} MiB, base64 {:.1} MiB, SSE in {} KiB chunks, {RUNS} runs",
        mb(image.len()),
        mb(b64.len()),
        CHUNK / 1024
    );
    println!("                                        best time   throughput   ratio: median per run / of best times");
    println!(
        "  baseline (raw base64 decode):        {:>8.2} ms  {:>6.0} MB/s",
        ms(base),
        mbps(base)
    );
    println!(
        "  stream: SSE + JSON + fold + decode:  {:>8.2} ms  {:>6.0} MB/s   {:.2}x / {:.2}x",
        ms(stream),
        mbps(stream),
        stream_ratio,
        ratio(stream, base)
    );
    println!(
        "  whole body: JSON + decode:           {:>8.2} ms  {:>6.0} MB/s   {:.2}x / {:.2}x",
        ms(whole),
        mbps(whole),
        whole_ratio,
        ratio(whole, base)
    );
    println!(
        "  peak extra memory, stream:     {:>6.1} MiB = {:.2}x image",
        mb(stream_peak),
        stream_peak as f64 / image.len() as f64
    );
    println!(
        "  peak extra memory, whole body: {:>6.1} MiB = {:.2}x image (the received body itself not counted)",
        mb(whole_peak),
        whole_peak as f64 / image.len() as f64
    );
}

/// Runs chunks through the parser and folder; returns the folded response and the decoded image.
fn stream_parse(
    chunks: impl IntoIterator<Item = Bytes>,
) -> (gemini::GenerateContentResponse, Option<Vec<u8>>) {
    let mut parser = SseParser::new();
    let mut folder = StreamFolder::new();
    let mut decoded: Option<Vec<u8>> = None;
    let mut out = Vec::new();
    let mut on_event = |ev: StreamEvent| {
        if let StreamEvent::Image { data, .. } = ev {
            decoded = Some(data);
        }
    };
    for chunk in chunks {
        parser.push(chunk, &mut out);
        for ev in out.drain(..) {
            folder
                .push_event_owned(ev.data, &mut on_event)
                .expect("valid event");
        }
    }
    parser.finish(&mut out);
    assert!(out.is_empty());
    (folder.finish().expect("complete stream"), decoded)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}
