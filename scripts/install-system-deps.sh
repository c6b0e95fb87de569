#!/usr/bin/env bash
# System packages the service and its tests need (Debian). Idempotent: installs only what is missing.
#   libpango/libharfbuzz-subset0: WeasyPrint (without harfbuzz-subset a Chinese PDF takes seconds)
#   fonts-wqy-microhei: a real CJK font, or PDFs print empty boxes
#   poppler-utils: pdftotext / pdftoppm in tests
#   chromium: headless browser tests
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei poppler-utils chromium)
packages+=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
