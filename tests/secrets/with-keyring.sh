#!/bin/sh
# Runs a test inside its own D-Bus session in a throwaway HOME, so it never touches the keyring
# of whoever runs it:
#   with-keyring.sh TEST [ARGS...]                     a freshly unlocked gnome-keyring (the Secret Service)
#   with-keyring.sh --no-secret-service TEST [ARGS...] a bus that provides and activates nothing
#   with-keyring.sh --locked-keyring TEST [ARGS...]    gnome-keyring running, but never unlocked and
#                                                      with no prompter to unlock it: reads answer
#                                                      "not found", writes fail
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mode=keyring
if [ "${1:-}" = --no-secret-service ]; then
  mode=none
  shift
elif [ "${1:-}" = --locked-keyring ]; then
  mode=locked
  shift
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/confab-keyring.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home" "$scratch/runtime"
chmod 0700 "$scratch/runtime"
export HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/runtime" XDG_DATA_HOME="$scratch/home/.local/share" \
  XDG_CONFIG_HOME="$scratch/home/.config" XDG_CACHE_HOME="$scratch/home/.cache"
if [ "$mode" = none ]; then
  dbus-run-session --config-file="$here/session-no-services.conf" -- "$@"
elif [ "$mode" = locked ]; then
  # No display: the unlock prompt (gcr-prompter) cannot appear.
  env -u DISPLAY -u WAYLAND_DISPLAY dbus-run-session -- sh -c '
    gnome-keyring-daemon --components=secrets --daemonize >/dev/null
    exec "$@"
  ' sh "$@"
else
  dbus-run-session -- sh -c '
    printf %s confab-test | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
    exec "$@"
  ' sh "$@"
fi
