#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The C header of an asset's SHA-256, base64 as a Content-Security-Policy
# source names it ('sha256-...'): the HTML report lets only its own
# script run.  Coreutils only.
#
# Usage: scripts/asset-sha256.sh MACRO FILE > OUT.h
set -eu
[ $# = 2 ] || { echo "usage: asset-sha256.sh MACRO FILE" >&2; exit 2; }
hex=$(sha256sum <"$2" | cut -c1-64)
# shellcheck disable=SC2059 # the hex pairs become \xNN escapes on purpose
b64=$(printf "$(sed 's/../\\x&/g' <<<"$hex")" | base64 -w0)
printf '/* generated from %s by scripts/asset-sha256.sh */\n#define %s "%s"\n' "$2" "$1" "$b64"
