#!/usr/bin/env bash
# The one command that runs every check: `npm test`.
# Installs what the checks need (npm packages, Debian tools), type-checks
# sources and tests, then runs the vitest suite (which builds dist/ first)
# and ends with a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm install --no-audit --no-fund
bash scripts/install-test-tools.sh
npx tsc -p tsconfig.json --noEmit

report="$(mktemp -d)/vitest.json"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
if [ -f "$report" ]; then
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));' "$report"
fi
exit "$status"
