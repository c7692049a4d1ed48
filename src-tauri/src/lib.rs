//! Banana Studio's desktop shell: builds the Tauri app, wires state, commands and the `studio://` scheme.
//! All product logic lives in `studio-core`; this crate only connects it to the window.

mod bindings;
mod commands;
mod error;
mod jobs;
mod protocol;
mod startup;
mod state;
#[cfg(test)]
mod test_support;

use tauri::Manager;

pub mod webview_env;

/// Starts the app. Called by `main`. A start-up failure ends the process with status 1 after a dialog.
pub fn run() {
    let builder = bindings::specta_builder();
    let typed = builder.invoke_handler();
    let raw: Box<dyn Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync> =
        Box::new(tauri::generate_handler![commands::references::import_reference_bytes]);

    let scheme_pool = match protocol::scheme_pool() {
        Ok(pool) => pool,
        Err(err) => startup::fail(&format!("cannot start the image readers: {err}"), &state::data_dir()),
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
            // A failure here is shown in a dialog and ends the app; returned to Tauri it would be a panic.
            if let Err(err) = open(app) {
                for window in app.webview_windows().into_values() {
                    let _ = window.destroy();
                }
                startup::fail(&err, &state::data_dir());
            }
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(err) = result {
        startup::fail(&err.to_string(), &state::data_dir());
    }
}

/// Opens the studio and the main window; the error says what failed, for the start-up dialog.
fn open(app: &mut tauri::App) -> Result<(), String> {
    let data_dir = state::data_dir();
    std::fs::create_dir_all(&data_dir).map_err(|e| format!("cannot create the data folder {}: {e}", data_dir.display()))?;
    // Opening the engine (database, demo server, keychain) overlaps with creating the window; the state is
    // managed before setup returns, so before the page can send its first command.
    let opening = std::thread::spawn(|| tauri::async_runtime::block_on(state::AppState::init()));
    // The webview's own storage (the composer's draft, UI preferences) lives in the data folder, so each data
    // folder is a whole, separate studio: a draft never points at another folder's files.
    let webview_data = data_dir.join("webview");
    std::fs::create_dir_all(&webview_data).map_err(|e| format!("cannot create {}: {e}", webview_data.display()))?;
    tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::default())
        .title("Banana Studio")
        .inner_size(1280.0, 800.0)
        .min_inner_size(900.0, 600.0)
        .data_directory(webview_data)
        // The page never leaves the app: a link that slipped through opens nowhere (web links go through
        // `open_external` to the system browser).
        .on_navigation(protocol::is_app_navigation)
        .build()
        .map_err(|e| format!("cannot open the window: {e}"))?;
    let state = opening.join().map_err(|_| "opening the studio failed unexpectedly".to_string())??;
    app.manage(state);
    Ok(())
}
