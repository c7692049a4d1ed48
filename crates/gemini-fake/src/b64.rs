//! Base64 as proto JSON accepts it: standard or URL-safe alphabet, padded or not.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Decodes either alphabet; `None` if the text is not base64 at all.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    // Look at the alphabet first so a 100 MB payload is decoded once, not tried twice.
    if text.bytes().any(|b| b == b'-' || b == b'_') {
        URL_SAFE.decode(text).ok()
    } else {
        STANDARD.decode(text).ok()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_alphabets() {
        assert_eq!(
            super::decode("-_8=").unwrap(),
            super::decode("+/8").unwrap()
        );
        assert!(super::decode("not base64!").is_none());
    }
}
