#!/usr/bin/env python3
"""A TLS peer built on Python's ssl module, for the interop tests (test/interop.test.ts).

server: listens on 127.0.0.1:0, prints "READY <port>", then for each connection (one
        thread each) prints one JSON line {"event": "secure", "version", "cipher",
        "peer_cn"} once the handshake is done and echoes every byte until the peer ends;
        a failed handshake prints {"event": "error", "error": ...}. Runs until killed.
client: connects, sends --data (hex), reads the same number of bytes back, sends
        close_notify, and prints one JSON line {"version", "cipher", "echo" (hex)}.
        Exits 1 with {"error": ...} on failure.
"""
import argparse
import json
import socket
import ssl
import sys
import threading

VERSIONS = {'TLSv1.2': ssl.TLSVersion.TLSv1_2, 'TLSv1.3': ssl.TLSVersion.TLSv1_3}


def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def peer_cn(sock):
    cert = sock.getpeercert()
    if not cert:
        return None
    for rdn in cert.get('subject', ()):
        for key, value in rdn:
            if key == 'commonName':
                return value
    return None


def serve_one(ctx, raw):
    try:
        conn = ctx.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError) as error:
        emit({'event': 'error', 'error': str(error)})
        raw.close()
        return
    emit({'event': 'secure', 'version': conn.version(), 'cipher': conn.cipher()[0], 'peer_cn': peer_cn(conn)})
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
        try:
            conn.unwrap()
        except (ssl.SSLError, OSError):
            pass
    except (ssl.SSLError, OSError) as error:
        emit({'event': 'error', 'error': str(error)})
    finally:
        conn.close()


def server(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    if args.min:
        ctx.minimum_version = VERSIONS[args.min]
    if args.max:
        ctx.maximum_version = VERSIONS[args.max]
    if args.ca:
        ctx.load_verify_locations(args.ca)
    if args.require_cert:
        ctx.verify_mode = ssl.CERT_REQUIRED
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', 0))
    listener.listen(64)
    emit({'event': 'ready', 'port': listener.getsockname()[1]})
    while True:
        raw, _ = listener.accept()
        threading.Thread(target=serve_one, args=(ctx, raw), daemon=True).start()


def recv_exact(conn, n):
    got = b''
    while len(got) < n:
        data = conn.recv(n - len(got))
        if not data:
            break
        got += data
    return got


def client(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(args.ca)
    if args.min:
        ctx.minimum_version = VERSIONS[args.min]
    if args.max:
        ctx.maximum_version = VERSIONS[args.max]
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    data = bytes.fromhex(args.data)
    try:
        with socket.create_connection(('127.0.0.1', args.port), timeout=args.timeout) as raw:
            with ctx.wrap_socket(raw, server_hostname=args.servername) as conn:
                conn.sendall(data)
                echo = recv_exact(conn, len(data))
                emit({'version': conn.version(), 'cipher': conn.cipher()[0], 'echo': echo.hex()})
                try:
                    conn.unwrap()
                except (ssl.SSLError, OSError):
                    pass
    except (ssl.SSLError, OSError) as error:
        emit({'error': str(error)})
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('mode', choices=['server', 'client'])
    parser.add_argument('--cert')
    parser.add_argument('--key')
    parser.add_argument('--ca')
    parser.add_argument('--require-cert', action='store_true')
    parser.add_argument('--min', choices=sorted(VERSIONS))
    parser.add_argument('--max', choices=sorted(VERSIONS))
    parser.add_argument('--port', type=int)
    parser.add_argument('--servername', default='localhost')
    parser.add_argument('--data', default='')
    parser.add_argument('--timeout', type=float, default=5.0)
    args = parser.parse_args()
    if args.mode == 'server':
        server(args)
    else:
        client(args)


if __name__ == '__main__':
    main()
