#!/bin/sh
# Write the pre-commit mirror repository's files for the crate's version into OUT (default:
# target/pre-commit-mirror), from editors/pre-commit-mirror. The release tags OUT as vVERSION.
#
#   scripts/pre_commit_mirror.sh [OUT]
set -eu
cd "$(dirname "$0")/.."
out=${1:-target/pre-commit-mirror}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[ -n "$version" ] || { echo "no version in Cargo.toml" >&2; exit 1; }
mkdir -p "$out"
cp editors/pre-commit-mirror/.pre-commit-hooks.yaml LICENSE-MIT LICENSE-APACHE "$out/"
sed -e "s/^version = \".*\"$/version = \"$version\"/" \
    -e "s/\"handoff-packets==[^\"]*\"/\"handoff-packets==$version\"/" \
    editors/pre-commit-mirror/pyproject.toml > "$out/pyproject.toml"
sed "s/rev: v[0-9][^ ]*/rev: v$version/" editors/pre-commit-mirror/README.md > "$out/README.md"
echo "$out: handoff-packets-pre-commit $version"
