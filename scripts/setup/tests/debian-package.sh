#!/usr/bin/env bash
# usage: debian-package.sh PACKAGE COMMAND WHY
# Installs Debian's PACKAGE when COMMAND is not on PATH (quick when it is). apt-get needs root: as another
# user it stops, saying WHY the package is needed and how to install it.
set -euo pipefail
package="$1" command="$2" why="$3"
if command -v "$command" >/dev/null 2>&1; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "setup: $why needs Debian's $package; install it as root: apt-get install $package" >&2
  exit 1
fi
echo "setup: installing Debian's $package ($why)" >&2
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package" >/dev/null
