#!/usr/bin/env bash
# daily.sh: an admin's daily jobs with netcat (nc). Set RL_HOST, RL_PORT, RL_USER, RL_PASSWORD.
#
#   daily.sh pending            the supervisors' queue
#   daily.sh stock SKU          stock of one SKU everywhere
#   daily.sh today              today's statistics by reason
#
# Each job is one pipeline: the commands go in, the replies come out; `nc -q 1` closes after
# the server's last reply (QUIT makes the server close first).
set -eu
host=${RL_HOST:-127.0.0.1} port=${RL_PORT:-7480}
user=${RL_USER:-supervisor1} password=${RL_PASSWORD:-supervisor1}
send() { { printf 'AUTH %s %s\n' "$user" "$password"; printf '%s\n' "$@"; printf 'QUIT\n'; } | nc -q 1 "$host" "$port"; }
case ${1:-} in
    pending) send 'LIST state=pending limit=50' ;;
    stock) send "STOCK ${2:?usage: daily.sh stock SKU}" ;;
    today) send "STATS from=$(date -u +%F) by=reason" ;;
    *) echo "usage: daily.sh pending | stock SKU | today" >&2; exit 2 ;;
esac
