#!/usr/bin/env python3
"""Tiny scripted SMTP client for tests/realserver/*-run.sh.

Usage: smtpclient.py SERVER_PORT LOCAL_PORT STEP...

It connects from 127.0.0.1:LOCAL_PORT to 127.0.0.1:SERVER_PORT (loopback
only, nothing else is ever contacted) and runs the steps in order:

  r          read one reply (all lines up to "NNN text")
  s:TEXT     send TEXT followed by CRLF
  raw:TEXT   send TEXT as is, after expanding \\r, \\n and \\t
  big:N      send N bytes of message body (lines of 76 characters)
  w:SECONDS  sleep
  tlshalf    send the first half of a real TLS ClientHello
  eof        read until the server closes the connection
  linger     arrange for close() to send a RST instead of a FIN

At the end (or on any step that fails) the socket is closed.  Every byte
sent and received is echoed to standard output, so the run script can keep
a transcript.  The exit status is always 0 unless the connection itself
could not be made: a refused command is an expected outcome here.
"""

import socket
import ssl
import struct
import sys
import time

TIMEOUT = 30.0


def show(prefix, data):
    text = data.decode("latin-1")
    for line in text.splitlines() or [""]:
        print(f"{prefix} {line}", flush=True)


def read_reply(sock, buf):
    """Read one complete SMTP reply; return (lines, rest of buffer)."""
    lines = []
    while True:
        while b"\n" not in buf:
            chunk = sock.recv(4096)
            if not chunk:
                if buf:
                    lines.append(buf)
                    show("<<", buf)
                show("--", b"connection closed by server")
                return lines, b"", True
            buf += chunk
        line, buf = buf.split(b"\n", 1)
        line = line.rstrip(b"\r")
        lines.append(line)
        show("<<", line)
        if len(line) < 4 or line[3:4] != b"-":
            return lines, buf, False


def client_hello():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="mx.smtplog.test")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def main():
    server_port = int(sys.argv[1])
    local_port = int(sys.argv[2])
    steps = sys.argv[3:]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", local_port))
    sock.settimeout(TIMEOUT)
    sock.connect(("127.0.0.1", server_port))
    show("==", f"connected 127.0.0.1:{local_port} -> 127.0.0.1:{server_port}".encode())
    buf = b""
    try:
        for step in steps:
            if step == "r":
                _, buf, closed = read_reply(sock, buf)
                if closed:
                    break
            elif step.startswith("s:"):
                data = step[2:].encode("latin-1") + b"\r\n"
                show(">>", data)
                sock.sendall(data)
            elif step.startswith("raw:"):
                text = step[4:].replace("\\r", "\r").replace("\\n", "\n")
                data = text.replace("\\t", "\t").encode("latin-1")
                show(">>", data)
                sock.sendall(data)
            elif step.startswith("big:"):
                total = int(step[4:])
                line = b"X" * 76 + b"\r\n"
                sent = 0
                while sent < total:
                    sock.sendall(line)
                    sent += len(line)
                show(">>", f"[{sent} bytes of body]".encode())
            elif step.startswith("w:"):
                show("..", f"sleeping {step[2:]}s".encode())
                time.sleep(float(step[2:]))
            elif step == "tlshalf":
                hello = client_hello()
                half = hello[: len(hello) // 2]
                show(">>", f"[{len(half)} of {len(hello)} bytes of a TLS ClientHello]".encode())
                sock.sendall(half)
            elif step == "eof":
                while True:
                    chunk = sock.recv(4096)
                    if not chunk:
                        show("--", b"connection closed by server")
                        break
                    show("<<", chunk)
            elif step == "linger":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
            else:
                raise SystemExit(f"smtpclient.py: unknown step {step!r}")
    except (OSError, socket.timeout) as exc:
        show("!!", str(exc).encode())
    finally:
        sock.close()
        show("==", b"closed by client")


if __name__ == "__main__":
    main()
