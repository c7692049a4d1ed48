// Prevents an extra console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before any thread: the key leaves the environment, so nothing the app starts inherits it.
    studio_core::keys::take_env_key();
    banana_studio_lib::webview_env::apply();
    banana_studio_lib::run();
}
