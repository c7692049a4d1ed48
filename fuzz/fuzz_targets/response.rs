//! Response and error body parsing, and lossless re-serialization. Body shared with the proptest
//! fallback in `crates/gemini/tests/fuzz_fallback.rs`.
#![no_main]

#[path = "../../crates/gemini/tests/support/fuzz_bodies.rs"]
mod fuzz_bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::response(data));
