//! Banana Studio's desktop shell: builds the Tauri app, wires state, commands and the `studio://` scheme.
//! All product logic lives in `studio-core`; this crate only connects it to the window.

mod bindings;
mod commands;
mod error;
mod protocol;
mod state;

pub use bindings::specta_builder;

/// Starts the app. Called by `main`.
pub fn run() {
    let builder = bindings::specta_builder();
    let invoke_handler = builder.invoke_handler();

    let result = tauri::Builder::default()
        .invoke_handler(invoke_handler)
        .register_asynchronous_uri_scheme_protocol(protocol::SCHEME, protocol::handle)
        .setup(move |app| {
            builder.mount_events(app);
            let state = tauri::async_runtime::block_on(state::AppState::init())?;
            use tauri::Manager;
            app.manage(state);
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(err) = result {
        eprintln!("Banana Studio could not start: {err}");
        std::process::exit(1);
    }
}
