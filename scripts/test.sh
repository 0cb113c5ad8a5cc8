#!/usr/bin/env bash
# The one command that runs every check: `npm test`.
# Installs what the checks need (npm packages, Debian tools), type-checks
# sources and tests, then runs the vitest suite (which builds dist/ first).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm install --no-audit --no-fund
bash scripts/install-test-tools.sh
npx tsc -p tsconfig.json --noEmit
npx vitest run
