#!/usr/bin/env bash
# rl.sh: a ReturnLedger client in pure bash (no netcat needed), over /dev/tcp.
#
#   rl.sh HOST PORT 'STOCK A100' 'LIST state=pending'   # commands as arguments
#   printf 'PING\nSTOCK A100\n' | rl.sh HOST PORT       # or one per line on stdin
#
# Logs in first when RL_USER (or RETURNLEDGER_USER, as the Python tools read it) is set, with
# RL_PASSWORD (or RETURNLEDGER_PASSWORD; default: the user name). Prints every reply line as the server
# sent it. Exit status: 0 if every reply was OK, 1 if any was ERR, 2 if the server could not be
# reached or closed the connection early.
#
# Plain text only (bash's /dev/tcp). For the TLS port (--tls-port, 7481) use a TLS netcat:
#   openssl s_client -quiet -CAfile shop1.crt -connect HOST:7481
#   socat - OPENSSL:HOST:7481,cafile=shop1.crt
set -u
if [ $# -lt 2 ]; then
    echo "usage: rl.sh HOST PORT [COMMAND...]   (commands from stdin when none are given)" >&2
    exit 2
fi
host=$1 port=$2
shift 2
RL_USER=${RL_USER:-${RETURNLEDGER_USER:-}}
RL_PASSWORD=${RL_PASSWORD:-${RETURNLEDGER_PASSWORD:-${RL_USER}}}
if ! exec 3<>"/dev/tcp/$host/$port"; then
    echo "rl.sh: cannot connect to $host:$port" >&2
    exit 2
fi

status=0
# Sends one request line and prints its reply (the `* ` lines, then the OK/ERR line).
request() {
    printf '%s\n' "$1" >&3
    local line
    while IFS= read -r line <&3; do
        line=${line%$'\r'}
        printf '%s\n' "$line"
        case $line in
            OK*) return 0 ;;
            ERR*) status=1; return 0 ;;
        esac
    done
    echo "rl.sh: connection closed by the server" >&2
    exit 2
}

if [ -n "${RL_USER:-}" ]; then
    reply=$(request "AUTH $RL_USER ${RL_PASSWORD:-}")
    case $reply in
        OK*) ;;
        *) echo "rl.sh: login failed: $reply" >&2; exit 1 ;;
    esac
fi

if [ $# -gt 0 ]; then
    for command in "$@"; do request "$command"; done
else
    while IFS= read -r command || [ -n "$command" ]; do
        command=${command%$'\r'}
        case $command in ''|'#'*) continue ;; esac
        request "$command"
    done
fi
printf 'QUIT\n' >&3
exec 3>&-
exit $status
