// Prevents an extra console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    banana_studio_lib::webview_env::apply();
    banana_studio_lib::run();
}
