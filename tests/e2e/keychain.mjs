// A real OS keychain for the app under test: a private D-Bus session bus (without service activation, so
// only the keyring started here answers) and GNOME Keyring with a fresh, unlocked login keyring.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const BUS_CONFIG = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startKeychain() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "banana-keyring-"));
  fs.writeFileSync(path.join(home, "bus.conf"), BUS_CONFIG);
  const bus = spawn("dbus-daemon", [`--config-file=${path.join(home, "bus.conf")}`, "--nofork", "--print-address=1"], { stdio: ["ignore", "pipe", "ignore"] });
  const address = await new Promise((resolve, reject) => {
    let out = "";
    bus.stdout.on("data", (d) => { out += d; if (out.includes("\n")) resolve(out.trim()); });
    bus.on("error", reject);
    bus.on("exit", (code) => reject(new Error(`dbus-daemon exited (${code})`)));
  });
  const keyring = spawn("gnome-keyring-daemon", ["--foreground", "--unlock", "--components=secrets"], {
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address, HOME: home, XDG_DATA_HOME: path.join(home, "share"), XDG_RUNTIME_DIR: home },
    stdio: ["pipe", "ignore", "ignore"],
  });
  keyring.stdin.end("banana-e2e"); // the new login keyring's password
  // Wait until the keyring owns its bus name.
  for (let i = 0; i < 100; i++) {
    const owned = await new Promise((resolve) => {
      const q = spawn("dbus-send", ["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets"],
        { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address }, stdio: ["ignore", "pipe", "ignore"] });
      let out = ""; q.stdout.on("data", (d) => { out += d; }); q.on("exit", () => resolve(/boolean true/.test(out)));
    });
    if (owned) break;
    await sleep(100);
  }
  return {
    address,
    stop() { keyring.kill(); bus.kill(); },
  };
}
