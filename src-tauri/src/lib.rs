//! Banana Studio's desktop shell: builds the Tauri app, wires state, commands and the `studio://` scheme.
//! All product logic lives in `studio-core`; this crate only connects it to the window.

mod bindings;
mod commands;
mod error;
mod protocol;
mod state;
#[cfg(test)]
mod test_support;

use tauri::Manager;

/// Starts the app. Called by `main`.
pub mod webview_env;

pub fn run() {
    let builder = bindings::specta_builder();
    let typed = builder.invoke_handler();
    let raw: Box<dyn Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync> =
        Box::new(tauri::generate_handler![commands::references::import_reference_bytes]);

    let scheme_pool = match protocol::scheme_pool() {
        Ok(pool) => pool,
        Err(err) => {
            eprintln!("Banana Studio could not start: cannot start the image readers: {err}");
            std::process::exit(1);
        }
    };
    let result = tauri::Builder::default()
        .invoke_handler(move |invoke| {
            if bindings::RAW_COMMANDS.contains(&invoke.message.command()) {
                raw(invoke)
            } else {
                typed(invoke)
            }
        })
        .manage(scheme_pool)
        .register_asynchronous_uri_scheme_protocol(protocol::SCHEME, protocol::handle)
        .setup(move |app| {
            builder.mount_events(app);
            // Opening the engine (database, demo server, keychain) overlaps with creating the window; the
            // state is managed before setup returns, so before the page can send its first command.
            let opening = std::thread::spawn(|| tauri::async_runtime::block_on(state::AppState::init()));
            // The webview's own storage (the composer's draft, UI preferences) lives in the data folder, so
            // each data folder is a whole, separate studio: a draft never points at another folder's files.
            let webview_data = state::data_dir().join("webview");
            std::fs::create_dir_all(&webview_data)
                .map_err(|e| format!("cannot create {}: {e}", webview_data.display()))?;
            tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::default())
                .title("Banana Studio")
                .inner_size(1280.0, 800.0)
                .min_inner_size(900.0, 600.0)
                .data_directory(webview_data)
                // The page never leaves the app: a link that slipped through opens nowhere (web links go
                // through `open_external` to the system browser).
                .on_navigation(|url| protocol::is_app_navigation(url))
                .build()?;
            let state = opening.join().map_err(|_| "opening the studio failed unexpectedly".to_string())??;
            app.manage(state);
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(err) = result {
        eprintln!("Banana Studio could not start: {err}");
        std::process::exit(1);
    }
}
