//! The typed command list shared by the app and the TypeScript bindings (`ui/src/bindings.ts`). The bindings
//! are generated from these Rust types; a test fails when the committed file is stale.

use tauri_specta::{collect_commands, Builder};

use crate::commands;

/// Commands that take a raw binary body; tauri-specta cannot describe those, so they are routed beside it.
pub const RAW_COMMANDS: &[&str] = &["import_reference_bytes"];

pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
        commands::app::app_info,
        commands::app::capabilities,
        commands::app::catalogue,
        commands::app::refresh_catalogue,
        commands::app::open_external,
        commands::app::reveal_image,
        commands::settings::set_api_key,
        commands::settings::clear_api_key,
        commands::generate::validate_params,
        commands::generate::estimate_cost,
        commands::generate::generate,
        commands::generate::cancel_generation,
        commands::references::import_reference_paths,
        commands::references::reference_info,
        commands::references::reference_from_image,
        commands::gallery::gallery_list,
        commands::gallery::gallery_count,
        commands::save::save_image_as,
        commands::gallery::gallery_get,
        commands::gallery::gallery_set_favourite,
        commands::gallery::gallery_trash,
        commands::gallery::gallery_restore,
        commands::gallery::gallery_delete,
        commands::gallery::gallery_export,
        commands::gallery_index::rebuild_gallery_index,
        commands::gallery_index::unlisted_gallery_images,
        commands::chat::chat_list,
        commands::chat::chat_show,
    ])
        // Returned by `import_reference_bytes`, which takes a raw body and so is not in the list above.
        .typ::<studio_core::ReferenceInfo>()
        // Our i64s are millisecond timestamps, byte sizes and token counts, all far below 2^53, so they are
        // exact as JS numbers.
        .dangerously_cast_bigints_to_number()
        // One TS type per Rust type: our IPC types serialize and deserialize alike.
        .disable_serde_phases()
}

/// Writes the TypeScript bindings to `path` (used by the freshness test, which also regenerates them).
#[cfg(test)]
pub fn render_bindings(path: &std::path::Path) -> Result<(), String> {
    specta_builder()
        .export(
            specta_typescript::Typescript::default().header("// Generated from the Rust command types by `cargo test -p banana-studio` (UPDATE_BINDINGS=1). Do not edit.\n/* eslint-disable */\n// @ts-nocheck"),
            path,
        )
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// The committed bindings must match the Rust types. Run with `UPDATE_BINDINGS=1` to rewrite them.
    #[test]
    fn typescript_bindings_are_fresh() {
        let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            super::render_bindings(&committed).expect("export bindings");
            return;
        }
        let dir = std::env::temp_dir().join(format!("banana-bindings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let fresh_path = dir.join("bindings.ts");
        super::render_bindings(&fresh_path).expect("export bindings");
        let fresh = std::fs::read_to_string(&fresh_path).expect("read fresh bindings");
        let old = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            fresh == old,
            "ui/src/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p banana-studio bindings` and commit it"
        );
    }
}
