//! Integration tests of the fake over HTTP, in-process on 127.0.0.1 with a random port, using reqwest and
//! raw JSON (never the gemini client crate: the fake is the witness the client is checked against).
//! One test binary with modules, so the 2-core CI links once.

mod binary;
mod catalogue;
mod common;
mod faults;
mod files;
mod fuzz;
mod generate;
mod invariants;
mod recording;
mod replay;
mod stream;
mod validation;
mod video;
