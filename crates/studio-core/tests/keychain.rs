//! The key store against a real Secret Service: a private D-Bus session bus and GNOME Keyring started for
//! this test (Debian's `dbus-daemon` and `gnome-keyring-daemon`, which `scripts/test` installs). One test
//! function, because it changes this process's environment.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use studio_core::{KeySource, KeyStorage, KeyStore};

const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

struct Daemons(Vec<Child>);

impl Drop for Daemons {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Starts a session bus and an unlocked keyring whose files live under `home`; returns the bus address.
fn start_keychain(home: &Path) -> (Daemons, String) {
    // A bus without service activation, so nothing but the keyring started below can answer.
    let config = home.join("bus.conf");
    std::fs::write(&config, BUS_CONFIG).unwrap();
    let mut bus = Command::new("dbus-daemon")
        .arg(format!("--config-file={}", config.display()))
        .args(["--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon is missing: install Debian's dbus (scripts/test does)");
    let mut address = String::new();
    BufReader::new(bus.stdout.take().unwrap()).read_line(&mut address).unwrap();
    let address = address.trim().to_string();
    let mut keyring = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("share"))
        .env("XDG_RUNTIME_DIR", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon is missing: install Debian's gnome-keyring (scripts/test does)");
    // The password of the new login keyring, read from stdin up to EOF.
    keyring.stdin.take().unwrap().write_all(b"banana-test").unwrap();
    (Daemons(vec![keyring, bus]), address)
}

#[test]
fn keys_go_to_the_secret_service_when_one_runs_and_to_a_private_file_when_not() {
    std::env::remove_var("GEMINI_API_KEY");
    std::env::remove_var("BANANA_KEYCHAIN");
    let data = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();

    // No session bus: the file fallback.
    std::env::remove_var("DBUS_SESSION_BUS_ADDRESS");
    let store = KeyStore::new(data.path());
    assert_eq!(store.storage(), KeyStorage::File);
    assert_eq!(store.set("AIza-file").unwrap(), KeyStorage::File);
    assert_eq!(store.current(), (Some("AIza-file".into()), KeySource::File));

    // A keychain appears: new keys go there, and the file copy is removed.
    let (_daemons, address) = start_keychain(home.path());
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
    let deadline = Instant::now() + Duration::from_secs(10);
    while store.storage() != KeyStorage::Keychain {
        assert!(Instant::now() < deadline, "the Secret Service did not come up on {address}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(store.set("  AIza-keychain ").unwrap(), KeyStorage::Keychain);
    assert!(!store.file_path().exists(), "the file copy must go once the keychain holds the key");
    assert_eq!(store.current(), (Some("AIza-keychain".into()), KeySource::Keychain));
    // Nothing in the data folder holds the key.
    for entry in std::fs::read_dir(data.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        assert!(!bytes.windows(13).any(|w| w == b"AIza-keychain"));
    }

    // Another data folder has its own key, and a second store on the same folder sees the first's.
    let neighbour = KeyStore::new(other.path());
    assert_eq!(neighbour.current(), (None, KeySource::None));
    assert_eq!(KeyStore::new(data.path()).current().1, KeySource::Keychain);

    // Replacing keeps one item; the environment still wins; clearing forgets it.
    store.set("AIza-second").unwrap();
    assert_eq!(store.current(), (Some("AIza-second".into()), KeySource::Keychain));
    std::env::set_var("GEMINI_API_KEY", "AIza-env");
    assert_eq!(store.current(), (Some("AIza-env".into()), KeySource::Environment));
    std::env::remove_var("GEMINI_API_KEY");
    store.clear().unwrap();
    assert_eq!(store.current(), (None, KeySource::None));

    // BANANA_KEYCHAIN=off keeps the key out of the keychain even when one runs.
    std::env::set_var("BANANA_KEYCHAIN", "off");
    let off = KeyStore::new(data.path());
    assert_eq!(off.set("AIza-off").unwrap(), KeyStorage::File);
    std::env::remove_var("BANANA_KEYCHAIN");
    assert_eq!(KeyStore::new(data.path()).current(), (Some("AIza-off".into()), KeySource::File));
}
