#!/usr/bin/env python3
"""moto's S3 server behind a front that checks every request's SigV4
signature with botocore, the way S3 does, before passing it on.

usage: moto_front.py PORT_FILE LOG_FILE ACCESS_KEY SECRET_KEY

Starts moto's server (moto.server.ThreadedMotoServer, in this process) on
a free 127.0.0.1 port and the front on another, writes "PORT PID" of the
front to PORT_FILE, and serves until SIGTERM.  Nothing here shares code
with archivist: the canonical request, the string to sign and the
signature are botocore's (S3SigV4Auth, S3SigV4QueryAuth); this file only
takes the request apart as S3 would:

  - the path is decoded and encoded once again, the way botocore encodes
    a key (S3 does not normalise "//", "." or "..");
  - query names and values are decoded and given to botocore as
    parameters, which it encodes and sorts by name, then by value;
  - the signed headers are exactly those listed in SignedHeaders (all
    must be present), and x-amz-content-sha256 must be the sha256 of the
    body (or UNSIGNED-PAYLOAD);
  - X-Amz-Date within 15 minutes of now; presigned URLs not expired.

A request that fails is answered 403 SignatureDoesNotMatch (or the code
S3 would use) and never reaches moto.  Each request is logged to LOG_FILE
as one JSON line: time, method, path (decoded), query, status, auth ("ok"
or the error code), and for a signature mismatch the canonical request
botocore computed (never a secret).
"""
import datetime
import hashlib
import hmac
import http.client
import http.server
import json
import os
import signal
import socketserver
import sys
import threading
from urllib.parse import quote, unquote, unquote_to_bytes

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

UNSIGNED = "UNSIGNED-PAYLOAD"
HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection",
       "te", "upgrade", "expect"}
SKEW = datetime.timedelta(minutes=15)


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Reject(Exception):
    def __init__(self, status, code, detail="", canonical=None):
        super().__init__(code)
        self.status, self.code, self.detail = status, code, detail
        self.canonical = canonical


class Signed:
    """What botocore needs to recompute a signature: one per signer."""

    def __init__(self, signer_cls, signed_names):
        names = signed_names

        class Exact(signer_cls):
            def headers_to_sign(self, request):
                # Exactly the headers the client said it signed: botocore
                # would otherwise add or leave out some (User-Agent, ...).
                out = HTTPHeaders()
                for n in names:
                    for v in request.headers.get_all(n) or []:
                        out[n] = v
                return out

        self.cls = Exact


def parse_query(raw):
    """[(name, value)] decoded, in wire order (repeats kept)."""
    out = []
    for part in raw.split("&") if raw else []:
        name, _, value = part.partition("=")
        out.append((unquote(name), unquote(value)))
    return out


def parse_authorization(value):
    algo, _, rest = value.partition(" ")
    if algo != "AWS4-HMAC-SHA256":
        raise Reject(400, "AuthorizationHeaderMalformed", "algorithm " + algo)
    fields = {}
    for item in rest.split(","):
        k, _, v = item.strip().partition("=")
        fields[k] = v
    try:
        return fields["Credential"], fields["SignedHeaders"], fields["Signature"]
    except KeyError as e:
        raise Reject(400, "AuthorizationHeaderMalformed", "no " + str(e))


class Front(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "moto-front"

    def log_message(self, *_args):
        pass

    # ---- verification -------------------------------------------------
    def body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def verify(self, path, query, body):
        srv = self.server
        q = parse_query(query)
        names = [n for n, _ in q]
        auth = self.headers.get("Authorization")
        if auth is not None:
            if "X-Amz-Signature" in names:
                raise Reject(400, "InvalidArgument", "two kinds of auth")
            cred, signed, sig = parse_authorization(auth)
            stamp = self.headers.get("X-Amz-Date")
            payload = self.headers.get("X-Amz-Content-SHA256")
            if payload is None:
                raise Reject(400, "InvalidRequest", "no x-amz-content-sha256")
            if payload != UNSIGNED and payload != hashlib.sha256(body).hexdigest():
                raise Reject(400, "XAmzContentSHA256Mismatch")
            params = q
            signer = S3SigV4Auth
        elif "X-Amz-Signature" in names:
            d = dict(q)
            if names.count("X-Amz-Signature") != 1:
                raise Reject(400, "InvalidArgument", "repeated signature")
            if d.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
                raise Reject(400, "AuthorizationQueryParametersError")
            cred, signed = d["X-Amz-Credential"], d["X-Amz-SignedHeaders"]
            sig, stamp = d["X-Amz-Signature"], d.get("X-Amz-Date")
            expires = int(d.get("X-Amz-Expires", "0"))
            if not 1 <= expires <= 604800:
                raise Reject(400, "AuthorizationQueryParametersError")
            t = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
            if utcnow() > t + datetime.timedelta(seconds=expires):
                raise Reject(403, "AccessDenied", "Request has expired")
            params = [(n, v) for n, v in q if n != "X-Amz-Signature"]
            signer = S3SigV4QueryAuth
        else:
            raise Reject(403, "AccessDenied", "anonymous request")
        try:
            ak, day, region, service, term = cred.split("/")
        except ValueError:
            raise Reject(400, "AuthorizationHeaderMalformed", "credential")
        if ak != srv.access_key:
            raise Reject(403, "InvalidAccessKeyId")
        if service != "s3" or term != "aws4_request" or not stamp or \
                stamp[:8] != day:
            raise Reject(400, "AuthorizationHeaderMalformed", "scope")
        t = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
        if auth is not None and abs(utcnow() - t) > SKEW:
            raise Reject(403, "RequestTimeTooSkewed")
        names = signed.split(";")
        if "host" not in names or names != sorted(set(names)):
            raise Reject(400, "AuthorizationHeaderMalformed", "signed headers")
        headers = HTTPHeaders()
        for n in names:
            vals = self.headers.get_all(n)
            if not vals:
                raise Reject(403, "AccessDenied",
                             "signed header %s not sent" % n)
            for v in vals:
                headers[n] = v
        # The key as botocore puts it in a URL: decoded, encoded once.
        canon_path = quote(unquote_to_bytes(path), safe="/~")
        req = AWSRequest(method=self.command,
                         url="http://" + self.headers["Host"] + canon_path,
                         headers=headers, params=params)
        req.context["timestamp"] = stamp
        a = Signed(signer, names).cls(
            Credentials(srv.access_key, srv.secret_key), "s3", region)
        if signer is S3SigV4QueryAuth:
            a._expires = expires
        canonical = a.canonical_request(req)
        want = a.signature(a.string_to_sign(req, canonical), req)
        if not hmac.compare_digest(want, sig):
            raise Reject(403, "SignatureDoesNotMatch", canonical=canonical)

    # ---- forwarding ---------------------------------------------------
    def handle_one(self):
        raw = self.path
        path, _, query = raw.partition("?")
        body = self.body()
        entry = {"time": utcnow().isoformat() + "Z",
                 "method": self.command, "path": unquote(path),
                 "query": query}
        try:
            self.verify(path, query, body)
        except Reject as r:
            entry.update(status=r.status, auth=r.code, detail=r.detail)
            if r.canonical is not None:
                entry["canonical_request"] = r.canonical
            self.server.log(entry)
            self.error(r)
            return
        except Exception as e:  # a malformed request: S3 says 400
            entry.update(status=400, auth="malformed", detail=repr(e))
            self.server.log(entry)
            self.error(Reject(400, "InvalidRequest", repr(e)))
            return
        entry["auth"] = "ok"
        status = self.forward(raw, body)
        entry["status"] = status
        self.server.log(entry)

    def forward(self, raw, body):
        srv = self.server
        conn = http.client.HTTPConnection("127.0.0.1", srv.moto_port,
                                          timeout=300)
        hdrs = {}
        for k, v in self.headers.items():
            if k.lower() not in HOP and k.lower() != "content-length":
                hdrs[k] = v
        hdrs["Content-Length"] = str(len(body))
        conn.putrequest(self.command, raw, skip_host=True,
                        skip_accept_encoding=True)
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders(body if body else None)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP and k.lower() not in (
                    "content-length", "server", "date"):
                self.send_header(k, v)
        length = resp.getheader("Content-Length")
        if self.command == "HEAD" and length is not None:
            self.send_header("Content-Length", length)
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()
        return resp.status

    def error(self, r):
        xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s"
               "</Code><Message>%s</Message></Error>" % (
                   r.code, r.detail or r.code)).encode()
        self.send_response(r.status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(xml)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(xml)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_one


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def log(self, entry):
        with self.log_lock:
            with open(self.log_path, "a") as f:
                f.write(json.dumps(entry, sort_keys=True) + "\n")


def main():
    port_file, log_path, ak, sk = sys.argv[1:5]
    from moto.server import ThreadedMotoServer
    moto = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
    moto.start()
    srv = Server(("127.0.0.1", 0), Front)
    srv.moto_port = moto.get_host_and_port()[1]
    srv.access_key, srv.secret_key = ak, sk
    srv.log_path, srv.log_lock = log_path, threading.Lock()
    open(log_path, "a").close()
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(
        target=srv.shutdown).start())
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %d\n" % (srv.server_address[1], os.getpid()))
    os.rename(tmp, port_file)
    srv.serve_forever()
    moto.stop()


if __name__ == "__main__":
    main()
