#!/usr/bin/env bash
# Build the sdist and the wheel (the wheel is built from the sdist, so a file the sdist lacks fails here),
# install the wheel into a fresh virtual environment (torch 2.13.0's CPU build first) and run
# `gan-studio --self-test` from it, outside the source tree. Prints the time each part took.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
OUT=dist/python
TOOLS=build/wheel-tools
VENV=build/wheel-venv
START=$(date +%s)

rm -rf "$OUT" "$VENV"
[[ -x "$TOOLS/bin/python" ]] || "$PYTHON" -m venv "$TOOLS"
"$TOOLS/bin/python" -m pip install --quiet "build>=1.0"
"$TOOLS/bin/python" -m build --outdir "$OUT" . > build/wheel-build.log 2>&1 || { tail -40 build/wheel-build.log; exit 1; }
BUILT=$(date +%s)
ls -l "$OUT"

"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "torch==2.13.0"
"$VENV/bin/python" -m pip install --quiet "$OUT"/gan_studio-*.whl
INSTALLED=$(date +%s)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# Outside the checkout, with no Qt platform chosen: the self-test picks offscreen itself.
(cd "$WORK" && env -u QT_QPA_PLATFORM -u PYTHONPATH GAN_STUDIO_HOME="$WORK/home" "$ROOT/$VENV/bin/gan-studio" --self-test)
DONE=$(date +%s)
echo "Wheel check: build $((BUILT - START)) s; install $((INSTALLED - BUILT)) s; self-test $((DONE - INSTALLED)) s; total $((DONE - START)) s."
