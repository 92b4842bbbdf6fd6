#!/usr/bin/env bash
# daily.sh: an admin's daily jobs with netcat (nc). Connection from RETURNLEDGER_HOST,
# RETURNLEDGER_PORT, RETURNLEDGER_USER, RETURNLEDGER_PASSWORD (as the Python tools read them;
# RL_HOST, RL_PORT, RL_USER, RL_PASSWORD still work).
#
#   daily.sh pending            the supervisors' queue        (default user supervisor1)
#   daily.sh stock SKU          stock of one SKU everywhere   (default user supervisor1)
#   daily.sh today              today's statistics by reason  (default user auditor1: STATS is
#                                                              for finance, auditors and admins)
#
# Each job is one pipeline: the commands go in, the replies come out; `nc -q 1` closes after
# the server's last reply (QUIT makes the server close first). Exit status 1 when any reply is
# an ERR (a refused login included), 2 for a usage mistake.
set -eu
host=${RETURNLEDGER_HOST:-${RL_HOST:-127.0.0.1}} port=${RETURNLEDGER_PORT:-${RL_PORT:-7480}}
job_user() { echo "${RETURNLEDGER_USER:-${RL_USER:-$1}}"; }
send() {  # user, then the commands
    local user=$1 password
    shift
    password=${RETURNLEDGER_PASSWORD:-${RL_PASSWORD:-$user}}
    local out
    out=$({ printf 'AUTH %s %s\n' "$user" "$password"; printf '%s\n' "$@"; printf 'QUIT\n'; } | nc -q 1 "$host" "$port")
    printf '%s\n' "$out"
    if printf '%s\n' "$out" | grep -q '^ERR'; then exit 1; fi
}
case ${1:-} in
    pending) send "$(job_user supervisor1)" 'LIST state=pending limit=50' ;;
    stock) send "$(job_user supervisor1)" "STOCK ${2:?usage: daily.sh stock SKU}" ;;
    today) send "$(job_user auditor1)" "STATS from=$(date -u +%F) by=reason" ;;
    *) echo "usage: daily.sh pending | stock SKU | today" >&2; exit 2 ;;
esac
