//! Tauri commands, one file per area. Each stays thin: parse, call studio-core, map the error.

pub mod app;
pub mod chat;
pub mod gallery;
pub mod gallery_index;
pub mod generate;
pub mod references;
pub mod save;
pub mod settings;
