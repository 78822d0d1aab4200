#!/usr/bin/env bash
# Build GAN Studio's bundled app (PyInstaller, one folder) from a virtual environment of its own, and
# pack it into dist/ (a .tar.gz on Linux, a .zip on Windows and macOS).
#
#   packaging/build_bundle.sh            # the CPU flavour: installs the CPU build of torch 2.13.0
#   packaging/build_bundle.sh cuda       # the CUDA flavour: keeps the torch the environment has
#
# Environment: PYTHON (default python3) makes the environment; GAN_STUDIO_BUNDLE_VENV (default
# packaging/.venv-bundle) is where it lives; GAN_STUDIO_CLEAN=1 starts it afresh; for the CUDA flavour,
# GAN_STUDIO_TORCH_SPEC (e.g. "torch==2.13.0" from a CUDA index) is installed first when set. Signing
# is optional and happens only when its variables are set (packaging/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
FLAVOUR=${1:-${GAN_STUDIO_FLAVOUR:-cpu}}
case "$FLAVOUR" in cpu|cuda) ;; *) echo "The flavour must be cpu or cuda, not '$FLAVOUR'." >&2; exit 2 ;; esac
PYTHON=${PYTHON:-python3}
VENV=${GAN_STUDIO_BUNDLE_VENV:-packaging/.venv-bundle}
case "$(uname -s)" in
  Linux*) PLATFORM=linux; BIN=$VENV/bin ;;
  Darwin*) PLATFORM=macos; BIN=$VENV/bin ;;
  MINGW*|MSYS*|CYGWIN*) PLATFORM=windows; BIN=$VENV/Scripts ;;
  *) echo "Unsupported system $(uname -s)." >&2; exit 2 ;;
esac
START=$(date +%s)

if [[ "${GAN_STUDIO_CLEAN:-0}" == 1 || ! -x "$BIN/python" ]]; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$BIN/python" -m pip install --quiet --upgrade pip
fi
PY=$BIN/python
if [[ "$FLAVOUR" == cpu ]]; then
  "$PY" -m pip install --quiet "torch==2.13.0"   # the CPU build; the project's range admits it
elif [[ -n "${GAN_STUDIO_TORCH_SPEC:-}" ]]; then
  "$PY" -m pip install --quiet "$GAN_STUDIO_TORCH_SPEC"
fi
# The studio itself, as a user would install it (not editable), and the bundler.
"$PY" -m pip install --quiet --upgrade --force-reinstall --no-deps .
"$PY" -m pip install --quiet ".[packaging]"
rm -rf build/bundle dist/gan-studio "dist/GAN Studio.app"
"$PY" -m PyInstaller packaging/gan_studio.spec --noconfirm --log-level WARN \
  --workpath build/bundle --distpath dist -- --flavour "$FLAVOUR"

VERSION=$("$PY" -c "import studio; print(studio.__version__)")
ARCH=$(uname -m)
APP=dist/gan-studio
EXE=$APP/gan-studio
[[ "$PLATFORM" == windows ]] && EXE=$APP/gan-studio.exe

# Optional signing: only when the variables are set.
if [[ "$PLATFORM" == macos ]]; then
  APP="dist/GAN Studio.app"
  if [[ -n "${GAN_STUDIO_CODESIGN_IDENTITY:-}" ]]; then
    codesign --force --deep --options runtime --timestamp \
      ${GAN_STUDIO_ENTITLEMENTS:+--entitlements "$GAN_STUDIO_ENTITLEMENTS"} \
      --sign "$GAN_STUDIO_CODESIGN_IDENTITY" "$APP"
    echo "Signed $APP as $GAN_STUDIO_CODESIGN_IDENTITY."
  else
    echo "Not signing the .app: GAN_STUDIO_CODESIGN_IDENTITY is not set."
  fi
elif [[ "$PLATFORM" == windows ]]; then
  if [[ -n "${GAN_STUDIO_SIGN_CERT:-}" ]]; then
    signtool sign /f "$GAN_STUDIO_SIGN_CERT" ${GAN_STUDIO_SIGN_PASSWORD:+/p "$GAN_STUDIO_SIGN_PASSWORD"} \
      /fd SHA256 /tr "${GAN_STUDIO_TIMESTAMP_URL:-http://timestamp.digicert.com}" /td SHA256 "$EXE"
    echo "Signed $EXE."
  else
    echo "Not signing gan-studio.exe: GAN_STUDIO_SIGN_CERT is not set."
  fi
else
  echo "Not signing: Linux bundles are not signed (publish a checksum with the archive instead)."
fi

if [[ "$PLATFORM" == linux ]]; then  # the desktop entry, AppStream data and icon, for share/ when installing
  mkdir -p "$APP/share/applications" "$APP/share/metainfo" "$APP/share/icons/hicolor/256x256/apps"
  cp packaging/linux/org.ganstudio.GANStudio.desktop "$APP/share/applications/"
  cp packaging/linux/org.ganstudio.GANStudio.metainfo.xml "$APP/share/metainfo/"
  cp resources/icons/gan-studio-256.png "$APP/share/icons/hicolor/256x256/apps/org.ganstudio.GANStudio.png"
fi

ARCHIVE=dist/gan-studio-$VERSION-$PLATFORM-$ARCH-$FLAVOUR
if [[ "$PLATFORM" == linux ]]; then
  ARCHIVE=$ARCHIVE.tar.gz
  tar -C dist -czf "$ARCHIVE" gan-studio
elif [[ "$PLATFORM" == macos ]]; then
  ARCHIVE=$ARCHIVE.zip
  ditto -c -k --keepParent "$APP" "$ARCHIVE"   # keeps the .app's symbolic links and signatures
else
  ARCHIVE=$ARCHIVE.zip
  "$PY" -c "import shutil, sys; shutil.make_archive(sys.argv[1][:-4], 'zip', 'dist', sys.argv[2])" "$ARCHIVE" "$(basename "$APP")"
fi

if [[ "$PLATFORM" == macos ]]; then
  if [[ -n "${GAN_STUDIO_NOTARY_PROFILE:-}" ]]; then
    xcrun notarytool submit "$ARCHIVE" --keychain-profile "$GAN_STUDIO_NOTARY_PROFILE" --wait
    xcrun stapler staple "$APP"
    rm -f "$ARCHIVE"
    ditto -c -k --keepParent "$APP" "$ARCHIVE"
    echo "Notarised and stapled $APP."
  else
    echo "Not notarising: GAN_STUDIO_NOTARY_PROFILE is not set."
  fi
fi

SECONDS_TAKEN=$(( $(date +%s) - START ))
SIZE=$(du -sm "$APP" | cut -f1)
ARCHIVE_SIZE=$(du -sm "$ARCHIVE" | cut -f1)
echo "Bundle: $APP, ${SIZE} MiB (${FLAVOUR}); archive: $ARCHIVE, ${ARCHIVE_SIZE} MiB; built in ${SECONDS_TAKEN} s."
