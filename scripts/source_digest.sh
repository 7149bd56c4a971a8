#!/bin/sh
# The digest of the source a build of handoff is made from: every file under src/ and templates/,
# build.rs, Cargo.toml and Cargo.lock, each with its path. The Action keys its cache of a built
# binary on it, so that any change to the source builds afresh and an unchanged source, under
# whatever ref, reuses the build. POSIX sh: bash 3.2 on macOS, Git Bash on Windows, dash.
#
#   source_digest.sh [DIR]    prints 64 hex digits
set -eu
cd "${1:-.}"
if command -v sha256sum >/dev/null 2>&1; then
  hash="sha256sum"
else
  hash="shasum -a 256"
fi
# shellcheck disable=SC2086 # $hash is a command and its arguments
find Cargo.toml Cargo.lock build.rs src templates -type f | LC_ALL=C sort | xargs $hash | $hash | cut -c1-64
