#!/usr/bin/env bash
# watch.sh: the review queue, live, with netcat: one line per return as a till files it.
#
#   RL_USER=lead1 clients/shell/watch.sh [HOST] [PORT]      # lead1: the demo's STORE1 supervisor
#
# The one-liner it wraps (type it yourself if you like; `sleep` keeps the session open):
#   { printf 'AUTH lead1 lead1\nWATCH\n'; sleep infinity; } | nc 127.0.0.1 7480 | grep --line-buffered '^[!E]'
#
# Prints the `! pending`, `! second_review`, `! closed` push lines as they come (protocol.md:
# WATCH), and any ERR (a wrong password, a role that may not watch). Stop it with Ctrl-C.
# User and password as for rl.sh: RL_USER or RETURNLEDGER_USER, RL_PASSWORD or
# RETURNLEDGER_PASSWORD (default: the user name).
set -u
host=${1:-${RETURNLEDGER_HOST:-${RL_HOST:-127.0.0.1}}}
port=${2:-${RETURNLEDGER_PORT:-${RL_PORT:-7480}}}
user=${RL_USER:-${RETURNLEDGER_USER:-supervisor1}}
password=${RL_PASSWORD:-${RETURNLEDGER_PASSWORD:-$user}}
command -v nc >/dev/null || { echo "watch.sh: needs nc (apt-get install netcat-openbsd)" >&2; exit 2; }
{ printf 'AUTH %s %s\nWATCH\n' "$user" "$password"; sleep infinity; } | nc "$host" "$port" | grep --line-buffered '^[!E]'
