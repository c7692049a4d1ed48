//! Thought signatures: minted on response parts, verified on replayed model turns.
//!
//! A signature is `base64("BSS1" || HMAC-SHA256(secret, canonical(part)))`, where the canonical form is a
//! kind tag plus the part's content (the text, or the decoded image bytes). It depends on neither the model
//! nor the position, so it survives restarts of the demo server (the secret is fixed by default), yet a
//! signature altered, or moved onto another part, no longer matches. Image bytes are hashed decoded, not as
//! base64, because SDKs re-encode what they received (google-genai sends URL-safe base64 back).
//!
//! Images above 1 MiB are hashed through their length plus 1024 evenly spaced 1 KiB windows and the last
//! KiB, not whole: SHA-256 runs at ~25 MB/s in the unoptimised test builds, so a full hash made every 4K
//! answer and replay cost a second. Re-encoded, truncated, shifted or swapped images still change the
//! windows; a single byte flipped between windows of a big image would not, which no client bug produces.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const VERSION: &[u8; 4] = b"BSS1";
const SAMPLED_ABOVE: usize = 1 << 20;
const WINDOWS: usize = 1024;
const WINDOW: usize = 1024;

/// What a signed part holds.
pub enum Signed<'a> {
    Text(&'a str),
    Image(&'a [u8]),
}

fn mac(secret: &[u8], part: &Signed<'_>) -> [u8; 32] {
    // new_from_slice accepts keys of any length for HMAC; an empty secret is still a valid (weak) key.
    let mut m = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    match part {
        Signed::Text(t) => {
            m.update(b"text\0");
            m.update(t.as_bytes());
        }
        Signed::Image(b) => {
            m.update(b"image\0");
            m.update(&(b.len() as u64).to_le_bytes());
            if b.len() <= SAMPLED_ABOVE {
                m.update(b);
            } else {
                let step = b.len() / WINDOWS;
                for i in 0..WINDOWS {
                    m.update(&b[i * step..i * step + WINDOW]);
                }
                m.update(&b[b.len() - WINDOW..]);
            }
        }
    }
    m.finalize().into_bytes().into()
}

/// A fresh signature for a response part.
pub fn sign(secret: &[u8], part: &Signed<'_>) -> String {
    let mut raw = Vec::with_capacity(36);
    raw.extend_from_slice(VERSION);
    raw.extend_from_slice(&mac(secret, part));
    STANDARD.encode(raw)
}

/// Whether `signature` (as replayed, in either base64 alphabet) was minted by [`sign`] for this content.
pub fn verify(secret: &[u8], signature: &str, part: &Signed<'_>) -> bool {
    let Some(raw) = crate::b64::decode(signature) else {
        return false;
    };
    if raw.len() != 36 || &raw[..4] != VERSION {
        return false;
    }
    let expected = mac(secret, part);
    // Constant time is irrelevant for a fake; a plain comparison is clearer.
    raw[4..] == expected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let s = sign(b"k", &Signed::Text("hello"));
        assert!(verify(b"k", &s, &Signed::Text("hello")));
        assert!(!verify(b"k", &s, &Signed::Text("hello!")));
        assert!(!verify(b"k", &s, &Signed::Image(b"hello")));
        assert!(!verify(b"other", &s, &Signed::Text("hello")));
        let url_safe = s
            .replace('+', "-")
            .replace('/', "_")
            .trim_end_matches('=')
            .to_string();
        assert!(verify(b"k", &url_safe, &Signed::Text("hello")));
    }
}
