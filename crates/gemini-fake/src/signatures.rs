//! Thought signatures: minted on response parts, verified on replayed model turns.
//!
//! A signature is `base64("BSS2" || HMAC-SHA256(secret, model || 0 || digest(part)) || SHA-256(model)[..8])`,
//! where the digest is SHA-256 of a kind tag plus the part's content (the text, or the decoded image
//! bytes). It is bound to the model that minted it, as Google's are: a chat made on a model that was then
//! retired, continued on its successor, is refused with Google's "Thought signature is not valid" (the
//! app then restarts from the last image as a reference). It does not depend on the position, and the
//! secret is fixed by default, so it survives restarts of the demo server; yet a signature altered, or
//! moved onto another part, no longer matches. Image bytes are hashed decoded, not as base64, because SDKs
//! re-encode what they received (google-genai sends URL-safe base64 back).
//!
//! The model's tag travels in clear after the MAC so a verifier can tell "minted by another model" (or by
//! the older `BSS1` scheme, which did not bind the model) from "altered", without trying every model id;
//! the MAC covers the model too, so editing the tag cannot make a foreign signature pass. A signature
//! whose header is damaged, or that is not base64, counts as altered.
//!
//! Images above 1 MiB are hashed through their length plus 1024 evenly spaced 1 KiB windows and the last
//! KiB, not whole: SHA-256 runs at ~25 MB/s in the unoptimised test builds, so a full hash made every 4K
//! answer and replay cost a second. Re-encoded, truncated, shifted or swapped images still change the
//! windows; a single byte flipped between windows of a big image would not, which no client bug produces.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const VERSION: &[u8; 4] = b"BSS2";
/// The scheme before signatures named their model: `"BSS1" || HMAC(secret, content)`, 36 bytes.
const OLD_VERSION: &[u8; 4] = b"BSS1";
const OLD_LEN: usize = 4 + 32;
const MAC_LEN: usize = 32;
const TAG_LEN: usize = 8;
const LEN: usize = VERSION.len() + MAC_LEN + TAG_LEN;
const SAMPLED_ABOVE: usize = 1 << 20;
const WINDOWS: usize = 1024;
const WINDOW: usize = 1024;

/// What a signed part holds.
pub enum Signed<'a> {
    Text(&'a str),
    Image(&'a [u8]),
}

/// What a replayed signature turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Minted by this model for this content.
    Valid,
    /// Not a signature this model minted for this content: altered (or garbage), moved to another part,
    /// or minted with another secret.
    Invalid,
    /// Intact, but minted by another model, or by the old `BSS1` scheme that did not bind the model.
    Foreign,
}

/// The content hash a signature covers; computed once per rendered image and cached with it.
pub fn digest(part: &Signed<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    match part {
        Signed::Text(t) => {
            h.update(b"text\0");
            h.update(t.as_bytes());
        }
        Signed::Image(b) => {
            h.update(b"image\0");
            h.update((b.len() as u64).to_le_bytes());
            if b.len() <= SAMPLED_ABOVE {
                h.update(b);
            } else {
                let step = b.len() / WINDOWS;
                for i in 0..WINDOWS {
                    h.update(&b[i * step..i * step + WINDOW]);
                }
                h.update(&b[b.len() - WINDOW..]);
            }
        }
    }
    h.finalize().into()
}

fn mac(secret: &[u8], model: &str, digest: &[u8; 32]) -> [u8; MAC_LEN] {
    // new_from_slice accepts keys of any length for HMAC; an empty secret is still a valid (weak) key.
    let mut m = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return [0; MAC_LEN],
    };
    m.update(model.as_bytes());
    m.update(b"\0");
    m.update(digest);
    m.finalize().into_bytes().into()
}

fn tag(model: &str) -> [u8; TAG_LEN] {
    let d = Sha256::digest(model.as_bytes());
    let mut t = [0; TAG_LEN];
    t.copy_from_slice(&d[..TAG_LEN]);
    t
}

/// A fresh signature, by `model`, for a part whose [`digest`] is given.
pub fn sign_digest(secret: &[u8], model: &str, digest: &[u8; 32]) -> String {
    let mut raw = Vec::with_capacity(LEN);
    raw.extend_from_slice(VERSION);
    raw.extend_from_slice(&mac(secret, model, digest));
    raw.extend_from_slice(&tag(model));
    STANDARD.encode(raw)
}

/// A fresh signature, by `model`, for a response part.
pub fn sign(secret: &[u8], model: &str, part: &Signed<'_>) -> String {
    sign_digest(secret, model, &digest(part))
}

/// What `signature` (as replayed, in either base64 alphabet) is for this content on this model.
pub fn verify(secret: &[u8], model: &str, signature: &str, part: &Signed<'_>) -> Verdict {
    let Some(raw) = crate::b64::decode(signature) else {
        return Verdict::Invalid;
    };
    if raw.len() == OLD_LEN && &raw[..4] == OLD_VERSION {
        return Verdict::Foreign;
    }
    // Only an intact header says who minted it; a damaged one is an altered signature, reported with
    // its position like any other.
    if raw.len() != LEN || &raw[..4] != VERSION {
        return Verdict::Invalid;
    }
    if raw[4 + MAC_LEN..] != tag(model) {
        return Verdict::Foreign;
    }
    // Constant time is irrelevant for a fake; a plain comparison is clearer.
    if raw[4..4 + MAC_LEN] == mac(secret, model, &digest(part)) {
        Verdict::Valid
    } else {
        Verdict::Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let s = sign(b"k", "m", &Signed::Text("hello"));
        assert_eq!(
            verify(b"k", "m", &s, &Signed::Text("hello")),
            Verdict::Valid
        );
        assert_eq!(
            verify(b"k", "m", &s, &Signed::Text("hello!")),
            Verdict::Invalid
        );
        assert_eq!(
            verify(b"k", "m", &s, &Signed::Image(b"hello")),
            Verdict::Invalid
        );
        assert_eq!(
            verify(b"other", "m", &s, &Signed::Text("hello")),
            Verdict::Invalid
        );
        let url_safe = s
            .replace('+', "-")
            .replace('/', "_")
            .trim_end_matches('=')
            .to_string();
        assert_eq!(
            verify(b"k", "m", &url_safe, &Signed::Text("hello")),
            Verdict::Valid
        );
    }

    #[test]
    fn bound_to_the_model() {
        let s = sign(b"k", "model-a", &Signed::Text("hello"));
        assert_eq!(
            verify(b"k", "model-b", &s, &Signed::Text("hello")),
            Verdict::Foreign
        );
        // A forged tag does not help: the MAC covers the model.
        let mut raw = STANDARD.decode(&s).unwrap();
        raw[4 + MAC_LEN..].copy_from_slice(&tag("model-b"));
        let forged = STANDARD.encode(raw);
        assert_eq!(
            verify(b"k", "model-b", &forged, &Signed::Text("hello")),
            Verdict::Invalid
        );
        // The old scheme's signatures (BSS1 || HMAC) are refused as foreign.
        let mut old = b"BSS1".to_vec();
        old.extend_from_slice(&[7; 32]);
        assert_eq!(
            verify(
                b"k",
                "model-a",
                &STANDARD.encode(old),
                &Signed::Text("hello")
            ),
            Verdict::Foreign
        );
        assert_eq!(
            verify(b"k", "model-a", "!!!", &Signed::Text("hello")),
            Verdict::Invalid
        );
        let damaged = format!("X{}", &s[1..]);
        assert_eq!(
            verify(b"k", "model-a", &damaged, &Signed::Text("hello")),
            Verdict::Invalid
        );
    }
}
