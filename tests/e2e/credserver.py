#!/usr/bin/env python3
"""A credentials service for the tests, on 127.0.0.1 only: STS
(AssumeRoleWithWebIdentity, AssumeRole with its SigV4 signature checked
by botocore's own signer), the EC2 instance metadata service (IMDSv2
tokens required) and the container credentials endpoint.

usage: credserver.py DIR [--token T] [--container-auth A] [--key AK:SK]...

Writes its port to DIR/port and every key it issues to DIR/keys, one
"AK SK TOKEN NOT_AFTER" line each (mock-s3 --keys-file DIR/keys accepts
them until NOT_AFTER), and a line per request to DIR/log (JSON).

Control (JSON bodies), at /_ctl/:
  POST /_ctl/issue   [{"report": S, "valid": S}, ...]: the next keys
                     say they expire in "report" seconds and stop working
                     in mock-s3 after "valid" seconds (default 3600 each)
  POST /_ctl/faults  [{"where": "sts|imds|token|container", "kind":
                     "status|slow|malformed|expired|empty", "status": N,
                     "seconds": S, "count": N, "skip": N}, ...]; count -1:
                     forever; skip: let that many requests through first
  DELETE /_ctl/faults
"""
import base64
import datetime
import http.server
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROLE = "archivist-test-role"
LOCK = threading.Lock()
STATE = {"issue": [], "faults": [], "n": 0, "imds_tokens": set(),
         "keys": {}}


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def issue(directory):
    """A new key pair, written to the keys file; returns its dict."""
    with LOCK:
        STATE["n"] += 1
        n = STATE["n"]
        plan = STATE["issue"].pop(0) if STATE["issue"] else {}
    report = plan.get("report", 3600)
    valid = plan.get("valid", report)
    ak = "ASIATEST%08d" % n
    sk = "sk%d-" % n + secrets.token_urlsafe(24)
    # As long as real tokens, with characters that need encoding.
    tok = "tok%d-" % n + base64.b64encode(secrets.token_bytes(300)).decode()
    t = now()
    with LOCK:
        STATE["keys"][ak] = sk
        with open(os.path.join(directory, "keys"), "a") as f:
            f.write("%s %s %s %d\n" % (ak, sk, tok, int(time.time()) + valid))
    return {"AccessKeyId": ak, "SecretAccessKey": sk, "Token": tok,
            "Expiration": iso(t + datetime.timedelta(seconds=report))}


def take_fault(where):
    with LOCK:
        for f in STATE["faults"]:
            if f.get("where") == where and f.get("skip", 0) > 0:
                f["skip"] -= 1
                return None
            if f.get("where") == where and f.get("count", -1) != 0:
                if f.get("count", -1) > 0:
                    f["count"] -= 1
                return dict(f)
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def note(self, **kw):
        kw["time"] = time.time()
        kw["method"] = self.command
        kw["path"] = self.path
        with LOCK:
            with open(os.path.join(self.server.dir, "log"), "a") as f:
                f.write(json.dumps(kw) + "\n")

    def send(self, status, body, ctype="application/json"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def fault(self, where):
        """Applies a fault; True if the reply was sent."""
        f = take_fault(where)
        if not f:
            return None
        self.note(fault=f)
        if f["kind"] == "slow":
            time.sleep(f.get("seconds", 5))
            return None
        if f["kind"] == "status":
            self.send(f.get("status", 500), "fault")
            return f
        return f

    # --- control ---
    def control(self):
        if self.command == "DELETE":
            with LOCK:
                STATE["faults"] = []
            return self.send(200, "{}")
        data = json.loads(self.body() or b"[]")
        with LOCK:
            if self.path == "/_ctl/issue":
                STATE["issue"].extend(data)
            elif self.path == "/_ctl/faults":
                STATE["faults"].extend(data)
        self.send(200, "{}")

    def creds_reply(self, f, token_key="Token"):
        c = issue(self.server.dir)
        if f and f["kind"] == "expired":
            c["Expiration"] = iso(now() - datetime.timedelta(seconds=60))
        if token_key != "Token":
            c[token_key] = c.pop("Token")
        if f and f["kind"] == "malformed":
            return self.send(200, json.dumps(c)[:40])
        if f and f["kind"] == "empty":
            return self.send(200, "{}")
        self.note(issued=c["AccessKeyId"])
        self.send(200, json.dumps(c))

    # --- STS ---
    def sts(self):
        raw = self.body()
        form = dict(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))
        action = form.get("Action")
        f = self.fault("sts")
        if f and f["kind"] == "status":
            return
        err = self.sts_check(action, form, raw)
        self.note(action=action, role=form.get("RoleArn"),
                  session=form.get("RoleSessionName"), error=err,
                  signed_by=self.signer())
        if err:
            return self.send(403 if err[0] != "InvalidParameterValue" else 400,
                             "<ErrorResponse><Error><Type>Sender</Type><Code>%s"
                             "</Code><Message>%s</Message></Error><RequestId>"
                             "req-1</RequestId></ErrorResponse>" % err,
                             "text/xml")
        c = issue(self.server.dir)
        self.note(issued=c["AccessKeyId"])
        if f and f["kind"] == "expired":
            c["Expiration"] = iso(now() - datetime.timedelta(seconds=60))
        doc = ("<%sResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
               "<%sResult><Credentials><AccessKeyId>%s</AccessKeyId>"
               "<SecretAccessKey>%s</SecretAccessKey><SessionToken>%s"
               "</SessionToken><Expiration>%s</Expiration></Credentials>"
               "<AssumedRoleUser><Arn>%s/%s</Arn></AssumedRoleUser></%sResult>"
               "<ResponseMetadata><RequestId>req-2</RequestId>"
               "</ResponseMetadata></%sResponse>" %
               (action, action, c["AccessKeyId"], c["SecretAccessKey"],
                c["Token"], c["Expiration"], form.get("RoleArn"),
                form.get("RoleSessionName"), action, action))
        if f and f["kind"] == "malformed":
            doc = doc[:len(doc) // 2]
        self.send(200, doc, "text/xml")

    def signer(self):
        a = self.headers.get("Authorization") or ""
        if "Credential=" not in a:
            return None
        return a.split("Credential=")[1].split("/")[0]

    def sts_check(self, action, form, raw):
        if not form.get("RoleArn", "").startswith("arn:aws:iam::"):
            return ("InvalidParameterValue", "bad RoleArn")
        if not form.get("RoleSessionName"):
            return ("InvalidParameterValue", "no RoleSessionName")
        if action == "AssumeRoleWithWebIdentity":
            if self.headers.get("Authorization"):
                return ("InvalidParameterValue", "must not be signed")
            if form.get("WebIdentityToken") != self.server.token:
                return ("InvalidIdentityToken", "the token is not valid")
            return None
        if action == "AssumeRole":
            return self.check_sigv4(raw)
        return ("InvalidAction", "unknown action")

    def check_sigv4(self, raw):
        """Recomputes the signature with botocore's signer."""
        ak = self.signer()
        with LOCK:
            sk = self.server.static.get(ak) or STATE["keys"].get(ak)
        if not sk:
            return ("InvalidClientTokenId", "unknown access key id")
        auth = self.headers["Authorization"]
        signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
        scope = auth.split("Credential=")[1].split(",")[0].split("/")
        if scope[3] != "sts":
            return ("SignatureDoesNotMatch", "not signed for sts")
        req = AWSRequest(method="POST", url="http://%s/" % self.headers["host"],
                         data=raw,
                         headers={h: self.headers[h] for h in signed})
        req.context["timestamp"] = self.headers["x-amz-date"]
        s = SigV4Auth(Credentials(ak, sk, self.headers.get(
            "x-amz-security-token")), "sts", scope[2])
        canonical = s.canonical_request(req)
        sig = s.signature(s.string_to_sign(req, canonical), req)
        if auth.split("Signature=")[1] != sig:
            return ("SignatureDoesNotMatch", "signature mismatch")
        return None

    # --- IMDS ---
    def imds(self):
        f = self.fault("imds")
        if f and f["kind"] == "status":
            return
        if self.command == "PUT" and self.path == "/latest/api/token":
            tf = self.fault("token")
            if tf and tf["kind"] == "status":
                return
            if not self.headers.get("x-aws-ec2-metadata-token-ttl-seconds"):
                return self.send(400, "no ttl")
            t = "imdstok-" + secrets.token_urlsafe(16)
            with LOCK:
                STATE["imds_tokens"].add(t)
                with open(os.path.join(self.server.dir, "imds_tokens"), "a") as f:
                    f.write(t + "\n")
            self.note(imds="token")
            return self.send(200, t, "text/plain")
        with LOCK:
            ok = self.headers.get("x-aws-ec2-metadata-token") in STATE["imds_tokens"]
        if not ok:
            self.note(imds="no token")
            return self.send(401, "no token")
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == base:
            return self.send(200, ROLE, "text/plain")
        if self.path == base + ROLE:
            return self.creds_reply(f)
        self.send(404, "not found")

    # --- container ---
    def container(self):
        f = self.fault("container")
        if f and f["kind"] == "status":
            return
        want = self.server.container_auth
        got = self.headers.get("Authorization")
        self.note(container=True, auth_ok=(want is None or got == want))
        if want is not None and got != want:
            return self.send(401, "bad authorization")
        self.creds_reply(f)

    def route(self):
        try:
            if self.path.startswith("/_ctl/"):
                return self.control()
            if self.path.startswith("/latest/"):
                return self.imds()
            if self.path.startswith("/container"):
                return self.container()
            if self.command == "POST":
                return self.sts()
            self.send(404, "not found")
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_PUT = do_POST = do_DELETE = route


def main():
    args = sys.argv[1:]
    directory = args.pop(0)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.dir = directory
    srv.token = None
    srv.container_auth = None
    srv.static = {}
    while args:
        opt, val = args.pop(0), args.pop(0)
        if opt == "--token":
            srv.token = val
        elif opt == "--container-auth":
            srv.container_auth = val
        elif opt == "--key":
            ak, sk = val.split(":", 1)
            srv.static[ak] = sk
    open(os.path.join(directory, "keys"), "a").close()
    with open(os.path.join(directory, "port.tmp"), "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(os.path.join(directory, "port.tmp"),
              os.path.join(directory, "port"))
    srv.serve_forever()


if __name__ == "__main__":
    main()
