"""python -m desk [--host 127.0.0.1] [--port 8480] [--server HOST:PORT] [--idle-minutes 15]
[--tls-cert FILE --tls-key FILE] [--server-tls] [--server-ca FILE] [--server-name NAME]"""
import argparse
import logging
import ssl
import sys

import uvicorn

from .app import Config, create_app


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="desk", description="ReturnLedger's web desk")
    ap.add_argument("--host", default="127.0.0.1", help="address the desk listens on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=8480, help="the desk's port (default 8480)")
    ap.add_argument("--server", default="127.0.0.1:7480", help="the ReturnLedger server, HOST:PORT (default 127.0.0.1:7480)")
    ap.add_argument("--idle-minutes", type=float, default=15.0, help="sign a session out after this long unused (default 15)")
    ap.add_argument("--tls-cert", help="serve the desk over HTTPS with this certificate (PEM)")
    ap.add_argument("--tls-key", help="... and this key (PEM)")
    ap.add_argument("--server-tls", action="store_true", help="speak TLS to the server (its --tls-port); implied by --server-ca")
    ap.add_argument("--server-ca", help="trust this CA/certificate for the server's TLS (a shop's self-signed one)")
    ap.add_argument("--server-name", help="the name the server's certificate carries (default: the host of --server)")
    args = ap.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    host, _, port = args.server.rpartition(":")
    if not host or not port.isdigit():
        ap.error("--server wants HOST:PORT")
    args.server_host, args.server_port = host.strip("[]"), int(port)
    return args


def config_of(args):
    context = None
    if args.server_tls or args.server_ca:
        context = ssl.create_default_context(cafile=args.server_ca)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
    return Config(server_host=args.server_host, server_port=args.server_port, ssl_context=context,
                  server_hostname=args.server_name, idle_minutes=args.idle_minutes, secure_cookies=bool(args.tls_cert))


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="desk: %(message)s")
    app = create_app(config_of(args))
    scheme = "https" if args.tls_cert else "http"
    if not args.tls_cert and args.host not in ("127.0.0.1", "localhost", "::1"):
        print("desk: WARNING: listening on %s without --tls-cert: passwords and sessions cross the network "
              "in clear; give the desk a certificate (tools/make-cert.sh)" % args.host, file=sys.stderr, flush=True)
    print("desk: serving on %s://%s:%d for ReturnLedger at %s:%d%s" % (
        scheme, args.host, args.port, args.server_host, args.server_port, " (TLS)" if config_of(args).ssl_context else ""),
        file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, ssl_certfile=args.tls_cert, ssl_keyfile=args.tls_key,
                log_level="warning", proxy_headers=False, server_header=False, timeout_graceful_shutdown=3)


if __name__ == "__main__":
    main()
