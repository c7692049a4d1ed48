# Shared by scripts/run and scripts/test: installs only what is missing, so a second run installs nothing.
# Sourced, not executed. Expects ROOT to be the repository root.

log() { printf '\033[1;33m==>\033[0m %s\n' "$*" >&2; }

# Debian packages for building and running Tauri (WebKitGTK), and for headless tests (Xvfb, WebKitWebDriver,
# Chromium for Playwright). See README "Set-up" for why each is here.
APT_BUILD=(libwebkit2gtk-4.1-dev build-essential libssl-dev libgtk-3-dev libayatana-appindicator3-dev
  librsvg2-dev libxdo-dev libdbus-1-dev pkg-config curl ca-certificates)
APT_TEST=(xvfb xauth webkit2gtk-driver chromium imagemagick x11-apps python3-venv dbus gnome-keyring xclip xdotool)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_rust() {
  if ! command -v cargo >/dev/null; then
    [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
  fi
  command -v cargo >/dev/null || { echo "Rust (cargo) is required: install it with rustup, then run this again." >&2; exit 1; }
}

ensure_node_modules() {
  command -v npm >/dev/null || ensure_apt nodejs npm
  # npm ci only when the lock file changed since the last install.
  local stamp="$ROOT/ui/node_modules/.banana-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$ROOT/ui/package-lock.json" "$stamp"; then
    log "installing UI packages (npm ci)"
    (cd "$ROOT/ui" && npm ci --no-fund --no-audit --loglevel=error)
    cp "$ROOT/ui/package-lock.json" "$stamp"
  fi
}

ensure_tauri_driver() {
  if ! command -v tauri-driver >/dev/null; then
    log "installing tauri-driver (cargo install)"
    cargo install tauri-driver --locked --quiet
  fi
}

build_ui() {
  log "building the UI (vite)"
  (cd "$ROOT/ui" && npm run --silent build)
}

build_app() {
  log "building the app and CLI (cargo, debug profile)"
  (cd "$ROOT" && cargo build --quiet --workspace --bins)
}
