#!/usr/bin/env bash
# Browser tests of the console: Debian's Chromium driven by playwright-core (pinned in
# package-lock.json), against the release binary with the demo seeded on a fresh SQLite file.
# Installs Chromium (apt) and the two npm packages when they are missing. Screenshots of each
# page in both languages are kept in $YUI_SCREENSHOTS (default: $CARGO_TARGET_DIR/console-screenshots).
#
#   tests/browser/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/browser"
work=$(mktemp -d)
port=${YUI_BROWSER_PORT:-18090}
target=${CARGO_TARGET_DIR:-$root/target}
export YUI_SCREENSHOTS=${YUI_SCREENSHOTS:-$target/console-screenshots}
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# Chromium, and Japanese fonts so that the screenshots show the Japanese pages as people see them.
if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=ja 2>/dev/null | grep -q .; then
  echo "== installing Debian's chromium and fonts-noto-cjk"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk >/dev/null
fi
if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --silent)
fi

cd "$root"
cargo build --release --quiet --bin yui
bin="$target/release/yui"
export DATABASE_URL="sqlite://$work/yui.db" YUI_JWT_SECRET=browser-tests-secret-browser-tests-secret \
  YUI_BIND=127.0.0.1:$port YUI_PLANNING_TICK_SECS=0 RUST_LOG=warn YUI_LOGIN_ATTEMPTS_PER_MINUTE=1000
"$bin" seed-demo > "$work/seed.txt"
"$bin" > "$work/yui.log" 2>&1 &
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
export YUI_BASE_URL="http://127.0.0.1:$port"
YUI_VOLUNTEER_PASSWORD=$(grep 'volunteers ' "$work/seed.txt" | awk '{print $NF}')
export YUI_VOLUNTEER_PASSWORD
rm -rf "$YUI_SCREENSHOTS"
if ! node --test --test-reporter=spec "$here/console.test.mjs"; then
  echo "== the server's log"; tail -n 50 "$work/yui.log"
  exit 1
fi
echo "screenshots: $YUI_SCREENSHOTS"
