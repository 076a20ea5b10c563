#!/usr/bin/env bash
# The system tools stepmatica's task modules run. The ECS worker image calls this, and so does the
# preflight that `npm start` and `npm test` run first (`stepmatica doctor --install`).
# Idempotent and non-interactive: installs only what is missing, runs apt-get update at most once.
# Options: --with-browser  also install what only the tests need: Chromium (the dashboard's browser
#          tests), LibreOffice Writer/Calc/Impress and heif-enc (the identification corpus makes DOCX,
#          ODT, XLS… and HEIC with them; about 3.5 min to install on a 2-vCPU machine, 50 s when
#          libreoffice-core is there).
set -euo pipefail

WITH_BROWSER=0
for arg in "$@"; do
  case "$arg" in
    --with-browser) WITH_BROWSER=1 ;;
    *) echo "install-tools.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

# Debian packages, one per tool the task modules call:
#   clamav        clamscan (Scan for viruses; signatures: the project's test database + /var/lib/clamav)
#   clamav-freshclam  freshclam: the official signatures (the worker image runs it at build and the
#                 workers keep the shared copy current; see functions/worker/signatures.ts)
#   mediainfo     audio/video characterization
#   ffmpeg        ffprobe characterization, audio/video normalization
#   ghostscript   gs: PDF/A normalization
#   libxml2-utils xmllint: METS/PREMIS schema validation
PACKAGES=(clamav clamav-freshclam mediainfo ffmpeg ghostscript libxml2-utils mediaconch) # mediaconch: AV validation
if [ "$WITH_BROWSER" = 1 ]; then
  PACKAGES+=(chromium libreoffice-writer libreoffice-calc libreoffice-impress libheif-examples)
fi

if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
  echo "install-tools.sh: apt-get not found: this script is for Debian and Ubuntu; install the equivalents of: ${PACKAGES[*]}" >&2
  exit 1
fi

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-tools.sh: all tools present (${PACKAGES[*]})"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "install-tools.sh: ${missing[*]} missing; installing needs root: sudo bash $0 $*" >&2
  exit 1
fi

echo "install-tools.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
# freshclam is not run here (the worker's Dockerfile runs it): on a developer machine the official
# signatures are optional. Without them every scan's PREMIS event says "not performed with real
# signatures" (never success), and `stepmatica doctor` warns.
echo "install-tools.sh: done"
