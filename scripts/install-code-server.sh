#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3; the last release that runs on Node 20) from npm
# into .cache/code-server-4.100.3 for the end-to-end test, without network access beyond npm:
# the package's postinstall downloads ripgrep from GitHub and prebuilt native modules, so it is
# skipped and its work done here (native modules built from source, Debian's `rg` copied in).
# Needs build-essential, python3, libkrb5-dev and ripgrep. Does nothing when already installed.
# Usage: scripts/install-code-server.sh [DEST]
set -euo pipefail
VER=4.100.3
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-$ROOT/.cache/code-server-$VER}
BIN="$DEST/node_modules/.bin/code-server"
if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
  echo "code-server $VER already in $DEST"; exit 0
fi
command -v rg >/dev/null || { echo "install-code-server: ripgrep (rg) is needed" >&2; exit 1; }
export npm_config_nodedir=/usr      # node-gyp: the headers in /usr/include/node, not a download
export npm_config_unsafe_perm=true  # scripts run as root in CI
mkdir -p "$DEST" && cd "$DEST"
[ -f package.json ] || npm init -y >/dev/null
npm install "code-server@$VER" --ignore-scripts --no-audit --no-fund --loglevel=error
# argon2: the prebuilt download fails, node-pre-gyp falls back to building it.
npm rebuild argon2 --foreground-scripts --loglevel=error
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
mkdir -p node_modules/@vscode/ripgrep/bin && cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
# node-pty's postinstall ends with a dev-only step that fails; the check below is what matters.
npm rebuild kerberos @parcel/watcher node-pty @vscode/spdlog native-watchdog @vscode/deviceid --foreground-scripts --loglevel=error || true
for m in kerberos/build/Release/kerberos.node node-pty/build/Release/pty.node @vscode/spdlog/build/Release/spdlog.node native-watchdog/build/Release/watchdog.node; do
  [ -f "node_modules/$m" ] || { echo "install-code-server: native module $m was not built" >&2; exit 1; }
done
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --no-audit --no-fund --loglevel=error)
"$BIN" --version
