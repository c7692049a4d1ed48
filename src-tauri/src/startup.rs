//! When the app cannot start (the data folder cannot be created, the database is corrupt or newer than this
//! build, ...): say so in a window, not only on stderr, which a person who started the app from their desktop
//! never sees. Before this, a failure in set-up was a panic with a backtrace and no window at all.

use std::path::Path;

/// The dialog's title; also what tests look the window up by.
pub const TITLE: &str = "Banana Studio could not start";

/// The text shown (and printed on stderr): what failed, where the data folder is, and what to try.
pub fn failure_text(error: &str, data_dir: &Path) -> String {
    let error = error.trim();
    let error = error.strip_prefix("error encountered during setup hook: ").unwrap_or(error);
    let advice = if error.contains("file is not a database") || error.contains("malformed") || error.contains("corrupt") {
        // SQLite's words for a damaged file; the README's recovery section says what to do.
        "Your image files are safe in images/. \"Rebuild gallery index\" (or `banana gallery rebuild` in a \
         terminal) lists every image again from its files, with its prompt, and keeps the damaged file aside; \
         nothing is deleted. Or quit and restore gallery.sqlite from a backup (README: \"Your data: backup, \
         moving, recovery\")."
    } else if error.contains("newer than this app") {
        "This data folder was used by a newer Banana Studio: update the app, or start this one with another \
         folder by setting BANANA_STUDIO_DATA_DIR."
    } else {
        "Check that you can create and write to this folder, and that its disk is mounted and not full. To start \
         with another folder, set BANANA_STUDIO_DATA_DIR to it."
    };
    format!("{TITLE}.\n\n{error}\n\nData folder: {}\n\n{advice}", data_dir.display())
}

/// Prints the failure, shows it in a native dialog (when a display can be opened) and exits with status 1.
/// A damaged gallery database gets a second button: rebuild the index from the image files (the damaged file
/// is kept aside, nothing is deleted) and start again. Called on the main thread (before the event loop or
/// inside it: the dialog runs its own loop).
pub fn fail(error: &str, data_dir: &Path) -> ! {
    let text = failure_text(error, data_dir);
    eprintln!("{text}");
    let corrupt = matches!(studio_core::gallery_index_health(data_dir), Ok(studio_core::IndexHealth::Corrupt { .. }));
    if !corrupt {
        show_dialog(&text, None);
        std::process::exit(1);
    }
    if show_dialog(&text, Some(REBUILD)) != Choice::Rebuild {
        std::process::exit(1);
    }
    match studio_core::rebuild_gallery_index(data_dir) {
        Ok(report) => {
            eprintln!("{}", rebuilt_text(&report));
            restart()
        }
        Err(e) => {
            let text = format!("The gallery index could not be rebuilt: {e}\n\nData folder: {}", data_dir.display());
            eprintln!("{text}");
            show_dialog(&text, None);
            std::process::exit(1)
        }
    }
}

/// The button that rebuilds the gallery index from the image files.
const REBUILD: &str = "Rebuild gallery index";

#[derive(Debug, PartialEq, Eq)]
enum Choice {
    Close,
    Rebuild,
}

/// What the rebuild did, for stderr.
fn rebuilt_text(r: &studio_core::RebuildReport) -> String {
    let aside = r.moved_aside.as_deref().map(|p| format!(" The damaged database was kept as {p}.")).unwrap_or_default();
    format!(
        "Gallery index rebuilt from the image files: {} listed again with their prompts, {} recovered without them.{aside} Starting again.",
        r.restored, r.recovered
    )
}

/// Starts this app again with the same arguments (and the API key taken from the environment at start) and
/// ends this process.
fn restart() -> ! {
    let started = std::env::current_exe().and_then(|exe| {
        let mut cmd = std::process::Command::new(exe);
        cmd.args(std::env::args_os().skip(1));
        if let Some(key) = studio_core::keys::taken_env_key() {
            cmd.env("GEMINI_API_KEY", key);
        }
        cmd.spawn()
    });
    match started {
        Ok(_) => std::process::exit(0),
        Err(e) => {
            eprintln!("The gallery index was rebuilt, but Banana Studio could not start again ({e}): start it again.");
            std::process::exit(1)
        }
    }
}

#[cfg(target_os = "linux")]
fn show_dialog(text: &str, action: Option<&str>) -> Choice {
    use gtk::prelude::*;

    // Tauri has initialised GTK when the failure comes from set-up; before that, this does. Without a
    // display there is nowhere to show it: stderr has the text.
    if !gtk::is_initialized_main_thread() && gtk::init().is_err() {
        return Choice::Close;
    }
    let dialog = gtk::MessageDialog::new(
        None::<&gtk::Window>,
        gtk::DialogFlags::MODAL,
        gtk::MessageType::Error,
        if action.is_some() { gtk::ButtonsType::None } else { gtk::ButtonsType::Close },
        text,
    );
    if let Some(label) = action {
        dialog.add_button("Quit", gtk::ResponseType::Close);
        dialog.add_button(label, gtk::ResponseType::Accept);
        // Return rebuilds: it moves nothing but the damaged file, and that only aside.
        dialog.set_default_response(gtk::ResponseType::Accept);
    }
    dialog.set_title(TITLE);
    dialog.set_keep_above(true);
    let response = dialog.run();
    dialog.close();
    if response == gtk::ResponseType::Accept {
        Choice::Rebuild
    } else {
        Choice::Close
    }
}

#[cfg(not(target_os = "linux"))]
fn show_dialog(_: &str, _: Option<&str>) -> Choice {
    Choice::Close
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9: start-up failures were a panic on stderr. The dialog names the failure and the data folder.
    #[test]
    fn the_text_names_the_failure_and_the_data_folder() {
        let text = failure_text(
            "error encountered during setup hook: cannot create the data folder /mnt/gone/studio: Permission denied (os error 13)\n",
            Path::new("/mnt/gone/studio"),
        );
        assert!(text.starts_with("Banana Studio could not start.\n\ncannot create the data folder /mnt/gone/studio: Permission denied"), "{text}");
        assert!(text.contains("\n\nData folder: /mnt/gone/studio\n\n"), "{text}");
        assert!(text.contains("BANANA_STUDIO_DATA_DIR"), "{text}");
        assert!(!text.contains("setup hook"), "{text}");
    }

    #[test]
    fn a_newer_database_is_named_as_it_is() {
        let text = failure_text(
            "the gallery database is version 9, newer than this app supports (6): update Banana Studio",
            Path::new("/home/a/.local/share/banana-studio"),
        );
        assert!(text.contains("\n\nthe gallery database is version 9, newer than this app supports (6): update Banana Studio\n\n"), "{text}");
        assert!(text.contains("Data folder: /home/a/.local/share/banana-studio"), "{text}");
        assert!(text.ends_with("update the app, or start this one with another folder by setting BANANA_STUDIO_DATA_DIR."), "{text}");
    }

    #[test]
    fn a_damaged_database_points_at_the_recovery_steps() {
        let text = failure_text("database error (PRAGMA journal_mode=WAL): file is not a database", Path::new("/d"));
        assert!(text.contains("\n\ndatabase error (PRAGMA journal_mode=WAL): file is not a database\n\nData folder: /d\n\n"), "{text}");
        assert!(text.contains("banana gallery rebuild") && text.contains("restore gallery.sqlite from a backup"), "{text}");
        assert!(text.contains("backup, moving, recovery"), "{text}");
    }
}
