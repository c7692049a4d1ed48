//! Tauri commands, one file per area. Each stays thin: parse, call studio-core, map the error.

pub mod app;
