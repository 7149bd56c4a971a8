#!/bin/sh
# The one naming scheme of the release binaries: release.yml packs and uploads by it, action.yml
# downloads and unpacks by it (a test runs both against each other). POSIX sh, so that the same
# text runs in bash 3.2 on macOS runners, Git Bash on Windows runners and dash.
#
#   release_asset.sh target RUNNER_OS RUNNER_ARCH   the build a runner downloads (none: exit 1)
#   release_asset.sh name TARGET                    handoff-TARGET.tar.gz, for every target
#   release_asset.sh binary TARGET                  the binary inside: handoff, handoff.exe
set -eu
case "${1:-}" in
  target)
    case "${2:-}-${3:-}" in
      Linux-X64) echo x86_64-unknown-linux-musl ;;
      Linux-ARM64) echo aarch64-unknown-linux-gnu ;;
      macOS-X64) echo x86_64-apple-darwin ;;
      macOS-ARM64) echo aarch64-apple-darwin ;;
      Windows-X64) echo x86_64-pc-windows-msvc ;;
      *) exit 1 ;;
    esac ;;
  name) echo "handoff-${2:?a target}.tar.gz" ;;
  binary)
    case "${2:?a target}" in
      *-windows-*) echo handoff.exe ;;
      *) echo handoff ;;
    esac ;;
  *) echo "usage: release_asset.sh target OS ARCH | name TARGET | binary TARGET" >&2; exit 2 ;;
esac
