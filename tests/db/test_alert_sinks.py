"""The sinks that have a real server to talk to, started by the test: a
Prometheus Alertmanager (Debian's prometheus-alertmanager) and an SMTP
server with STARTTLS and AUTH (aiosmtpd). The alert worker runs as
l2w_webalerts against a real PostgreSQL."""
import email
import email.policy
import json
import os
import socket
import ssl
import subprocess
import threading
import time
import urllib.request

import pytest

from test_web_alerts import insert_finding
from webalerts_util import dbtool, wait_until


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def alertmanager(tmp_path):
    port = free_port()
    cfg = tmp_path / "alertmanager.yml"
    cfg.write_text("route:\n  receiver: nobody\n  group_wait: 1s\nreceivers:\n  - name: nobody\n")
    log = open(tmp_path / "alertmanager.log", "wb")
    proc = subprocess.Popen(["prometheus-alertmanager", f"--config.file={cfg}", f"--storage.path={tmp_path}/am",
                             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def ready():
        assert proc.poll() is None, (tmp_path / "alertmanager.log").read_text()
        try:
            with urllib.request.urlopen(url + "/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    wait_until(ready, 30, what="Alertmanager to start")
    yield url
    proc.terminate()
    proc.wait(10)
    log.close()


def am_alerts(url, **filters):
    q = "&".join(f"{k}={v}" for k, v in filters.items())
    with urllib.request.urlopen(f"{url}/api/v2/alerts?{q}", timeout=5) as r:
        return json.loads(r.read())


def test_alertmanager_receives_lists_and_resolves(migrated, webalerts, alertmanager):
    sinks = f"""  dashboard_url: "https://l2watch.example"
  sinks:
    - name: am
      kind: alertmanager
      url: "{alertmanager}"
      timeout_ms: 3000"""
    w = webalerts(migrated.url, [], alerts_extra=sinks)
    fid = insert_finding(migrated)
    dbtool("enqueue", w.config_path, str(fid), "raised")
    listed = wait_until(lambda: [a for a in am_alerts(alertmanager) if a["labels"].get("finding_id") == str(fid)],
                        30, what="Alertmanager to list the alert")
    a = listed[0]
    assert a["labels"] == {"alertname": "l2watch_invalid_output_root", "kind": "invalid_output_root",
                           "severity": "critical", "chain": "op-local", "finding_id": str(fid), "source": "l2watch"}
    assert a["annotations"]["summary"] == migrated.rows(f"SELECT title FROM findings WHERE id = {fid}")[0][0]
    assert a["status"]["state"] == "active"
    assert a["generatorURL"] == f"https://l2watch.example/findings/{fid}"

    migrated.rows(f"UPDATE findings SET status = 'retracted' WHERE id = {fid}")
    dbtool("enqueue", w.config_path, str(fid), "retracted")
    wait_until(lambda: not [x for x in am_alerts(alertmanager, active="true")
                            if x["labels"].get("finding_id") == str(fid)],
               30, what="the retraction to resolve the alert in Alertmanager")
    rows = migrated.rows(f"SELECT event, delivered_at IS NOT NULL FROM alert_outbox WHERE finding_id = {fid} "
                         "ORDER BY id")
    assert rows == [["raised", "t"], ["retracted", "t"]]


class Mailbox:
    """An SMTP server (aiosmtpd) that requires STARTTLS and AUTH, keeping what it accepts."""

    def __init__(self, tmp_path, user, password):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        cert, key = tmp_path / "smtp.crt", tmp_path / "smtp.key"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out",
                        str(cert)], check=True, capture_output=True)
        self.ca_file = str(cert)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(cert), str(key))
        self.messages, self.logins = [], []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                outer.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                       "data": envelope.original_content or envelope.content})
                return "250 OK"

        def auth(server, session, envelope, mechanism, data):
            ok = data.login.decode() == user and data.password.decode() == password
            outer.logins.append((data.login.decode(), ok))
            return AuthResult(success=ok)

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, tls_context=ctx,
                                     require_starttls=True, authenticator=auth, auth_required=True,
                                     auth_require_tls=True)
        self.controller.start()

    def close(self):
        self.controller.stop()


def test_email_over_starttls_with_auth(migrated, webalerts, tmp_path):
    password = "smtp password from a file"
    secret = tmp_path / "smtp.pass"
    secret.write_text(password + "\n")
    os.chmod(secret, 0o600)
    box = Mailbox(tmp_path, "l2watch", password)
    try:
        sinks = f"""  sinks:
    - name: mail
      kind: email
      url: "smtp://127.0.0.1:{box.port}"
      from: "l2watch@example.org"
      to: ["oncall@example.org", "security@example.org"]
      username: l2watch
      secret_file: "{secret}"
      ca_file: "{box.ca_file}"
      timeout_ms: 5000"""
        w = webalerts(migrated.url, [], alerts_extra=sinks)
        fid = insert_finding(migrated, title="Output root 7 differs")
        dbtool("enqueue", w.config_path, str(fid), "raised")
        wait_until(lambda: box.messages, 30, what="the email")
        m = box.messages[0]
        assert m["from"] == "l2watch@example.org"
        assert m["to"] == ["oncall@example.org", "security@example.org"]
        assert box.logins == [("l2watch", True)]
        msg = email.message_from_bytes(m["data"], policy=email.policy.default)
        assert msg["Subject"] == "[l2watch] CRITICAL raised: Output root 7 differs"
        assert msg["Message-ID"] == f"<{fid}-raised-mail@l2watch>"
        body = msg.get_content()
        for want in ("Output root 7 differs", "invalid_output_root", "op-local", "output_index", "0x" + "ab" * 32):
            assert want in body, want
        time.sleep(1)
        assert len(box.messages) == 1
    finally:
        box.close()
