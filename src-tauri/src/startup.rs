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
        "The gallery database (gallery.sqlite) is damaged. Your image files are safe in images/. Run `banana \
         gallery rebuild` in a terminal: it keeps the damaged file aside and lists every image again from its \
         files, with its prompt. Or restore gallery.sqlite from a backup. See \"Your data: backup, moving, \
         recovery\" in the README."
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
/// Called on the main thread (before the event loop or inside it: the dialog runs its own loop).
pub fn fail(error: &str, data_dir: &Path) -> ! {
    let text = failure_text(error, data_dir);
    eprintln!("{text}");
    show_dialog(&text);
    std::process::exit(1);
}

#[cfg(target_os = "linux")]
fn show_dialog(text: &str) {
    use gtk::prelude::*;

    // Tauri has initialised GTK when the failure comes from set-up; before that, this does. Without a
    // display there is nowhere to show it: stderr has the text.
    if !gtk::is_initialized_main_thread() && gtk::init().is_err() {
        return;
    }
    let dialog = gtk::MessageDialog::new(
        None::<&gtk::Window>,
        gtk::DialogFlags::MODAL,
        gtk::MessageType::Error,
        gtk::ButtonsType::Close,
        text,
    );
    dialog.set_title(TITLE);
    dialog.set_keep_above(true);
    dialog.run();
    dialog.close();
}

#[cfg(not(target_os = "linux"))]
fn show_dialog(_: &str) {}

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
