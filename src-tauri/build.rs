//! Build script: Tauri's codegen, with the app's own commands declared so capabilities can grant them one by
//! one (see `capabilities/default.json` and `permissions/app.toml`).

/// Every command the webview may call. Keep in step with `collect_commands!` in `src/bindings.rs`.
const COMMANDS: &[&str] = &[
    "app_info",
    "capabilities",
    "catalogue",
    "refresh_catalogue",
    "open_external",
    "reveal_image",
    "set_api_key",
    "clear_api_key",
    "validate_params",
    "estimate_cost",
    "generate",
    "cancel_generation",
    "import_reference_paths",
    "import_reference_bytes",
    "reference_info",
    "reference_from_image",
    "gallery_list",
    "gallery_count",
    "save_image_as",
    "gallery_get",
    "gallery_set_favourite",
    "gallery_trash",
    "gallery_restore",
    "gallery_delete",
    "gallery_export",
    "rebuild_gallery_index",
    "unlisted_gallery_images",
    "chat_list",
    "chat_show",
];

fn main() {
    // tauri.conf.json lives at the repository root (see README, "Layout"), so point the build at it.
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri build script failed");
}
