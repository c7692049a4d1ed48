//! "Save as": a file name worth keeping, and a copy that never leaves a half-written file behind.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::paths::atomic_write;

/// A file name from the prompt's first words ("a-banana-astronaut-watercolour.png"), or `fallback` when the
/// prompt has no usable words. Only ASCII letters and digits survive, so the name is valid everywhere.
pub fn suggested_name(prompt: &str, fallback: &str, extension: &str) -> String {
    let words: Vec<String> = prompt
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
        .map(str::to_ascii_lowercase)
        .collect();
    let mut stem = words.join("-");
    stem.truncate(60);
    let stem = stem.trim_end_matches('-');
    let stem = if stem.is_empty() { fallback } else { stem };
    format!("{stem}.{extension}")
}

/// Copies `src` to `dest`, adding `src`'s extension when `dest` has none (a name typed without ".png" still
/// opens as an image), through [`atomic_write`]: never a half-written file. Returns the path written.
pub fn save_copy(src: &Path, dest: &Path) -> Result<PathBuf> {
    let mut dest = dest.to_path_buf();
    if dest.extension().is_none() {
        if let Some(ext) = src.extension() {
            dest.set_extension(ext);
        }
    }
    let bytes = std::fs::read(src).map_err(|e| Error::io("could not read", src, e))?;
    atomic_write(&dest, &bytes)?;
    // The person's own copy: not owner-only like the gallery's files.
    crate::paths::make_shareable(&dest).map_err(|e| Error::io("cannot set the mode of", &dest, e))?;
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_prompt() {
        assert_eq!(
            suggested_name("A banana astronaut, watercolour — on the Moon at dawn!", "img", "png"),
            "a-banana-astronaut-watercolour-on-the.png"
        );
        assert_eq!(suggested_name("  ¡¿…?!  ", "image-01ab", "jpg"), "image-01ab.jpg");
        assert!(suggested_name(&"x".repeat(500), "f", "png").len() <= 64);
    }

    #[test]
    fn a_copy_gets_the_extension_and_replaces_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("abc.png");
        std::fs::write(&src, b"\x89PNG fake").unwrap();
        let written = save_copy(&src, &dir.path().join("my picture")).unwrap();
        assert_eq!(written, dir.path().join("my picture.png"));
        assert_eq!(std::fs::read(&written).unwrap(), b"\x89PNG fake");
        std::fs::write(&src, b"\x89PNG newer").unwrap();
        save_copy(&src, &written).unwrap();
        assert_eq!(std::fs::read(&written).unwrap(), b"\x89PNG newer");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().starts_with('.')).collect();
        assert!(leftovers.is_empty());
        let missing = save_copy(&dir.path().join("gone.png"), &dir.path().join("x.png")).unwrap_err();
        assert_eq!(missing.kind(), "io");
        assert!(save_copy(&src, &dir.path().join("no-such-dir/x.png")).is_err());
    }
}
