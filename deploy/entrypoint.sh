#!/bin/sh
# The container's entry point. `run` (the default) serves every community file
# in $GROUPKEEPER_CONFIG_DIR (mounted at /config); anything else is a
# groupkeeper command: `docker compose run --rm groupkeeper db backup /data/x.db
# --config /config/community.yaml`. exec: the bot itself gets the signals.
set -eu
if [ "${1:-run}" = "run" ]; then
    [ "$#" -gt 0 ] && shift
    exec groupkeeper run --config-dir "${GROUPKEEPER_CONFIG_DIR:-/config}" "$@"
fi
exec groupkeeper "$@"
