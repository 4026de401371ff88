"""The OpenAPI document (api/openapi.yaml) kept true to the code.

It is valid OpenAPI 3.1; its paths and methods are exactly those of the route
table in web/routes.c, with a bearer token and a body cap exactly where the
table has them; and a live l2w_webalerts, on databases seeded with realistic
rows (findings with responses and alert deliveries, silences, dead letters,
channel states taken through the real intake, bridges, DA, liveness,
committees) and on an unreachable database, answers every documented
operation with every documented status, each answer's content type and body
matching the document's schema for that route and status. An answer with a
status the document does not list fails, and so does a documented status no
request here provoked."""
import hashlib
import http.client
import json
import os
import re
import urllib.parse

import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import test_web_analytics
import test_web_bridges
import test_web_committees
import test_web_da
import test_web_fees_page
from test_web_alerts import insert_chain_facts, insert_finding
from webalerts_util import closed_port, dbtool, wait_until

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC_PATH = os.path.join(REPO, "api", "openapi.yaml")
with open(DOC_PATH) as _f:
    DOC = yaml.safe_load(_f)

DOC_URI = "urn:l2watch:openapi"
REGISTRY = Registry().with_resource(DOC_URI, Resource.from_contents(DOC, default_specification=DRAFT202012))
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def pointer(*parts):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def validator(ptr):
    """A JSON Schema 2020-12 validator for the schema at ptr in the document, its $refs resolved in it."""
    return Draft202012Validator({"$ref": DOC_URI + "#" + urllib.parse.quote(ptr, safe="/~")}, registry=REGISTRY)


def schema_errors(ptr, instance):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(ptr).iter_errors(instance)]


def operations():
    for path, item in DOC["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def template_regex(path):
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$")


TEMPLATES = [(p, template_regex(p)) for p in DOC["paths"]]


def template_of(path):
    """The documented path a request path falls under, literal paths before templated ones."""
    if path in DOC["paths"]:
        return path
    hits = [p for p, rx in TEMPLATES if rx.match(path)]
    assert len(hits) == 1, f"{path}: documented as {hits}"
    return hits[0]


# Every (documented path, method, status) some request here was answered with.
SEEN = set()


class Api:
    """Requests to a live l2w_webalerts, each answer checked against the document: the status is one the
    operation lists, the Content-Type one of that response's media types, the body valid against its
    schema, and its documented headers present."""

    def __init__(self, w):
        self.w = w

    def call(self, method, target, body=None, headers=None, expect=None, declared_length=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        conn = http.client.HTTPConnection("127.0.0.1", self.w.port, timeout=30)
        try:
            if declared_length is None:
                conn.request(method, target, body=body, headers=headers or {})
            else:
                # Only the headers: the server refuses from Content-Length before any body byte.
                conn.putrequest(method, target)
                for k, v in (headers or {}).items():
                    conn.putheader(k, v)
                conn.putheader("Content-Length", str(declared_length))
                conn.endheaders()
            r = conn.getresponse()
            status, hdrs, raw = r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()
        where = f"{method} {target}"
        assert expect is None or status == expect, f"{where}: {status} {raw[:500]!r}, expected {expect}"
        path = urllib.parse.urlsplit(target).path
        template = template_of(path)
        op = DOC["paths"][template].get(method.lower())
        assert op is not None, f"{where}: {method} is not documented for {template}"
        responses = op["responses"]
        assert str(status) in responses, f"{where}: status {status} is not documented ({raw[:300]!r})"
        resp = resolve(responses[str(status)])
        ctype = hdrs.get("content-type")
        assert ctype in resp.get("content", {}), f"{where}: {status} with Content-Type {ctype!r}, documented" \
                                                 f" {sorted(resp.get('content', {}))}"
        for name in resp.get("headers", {}):
            assert name.lower() in hdrs, f"{where}: {status} without its documented header {name}"
        text = raw.decode()
        doc = json.loads(text) if ctype == "application/json" else text
        ptr = pointer("paths", template, method.lower(), "responses", str(status), "content", ctype, "schema")
        if "$ref" in responses[str(status)]:
            ptr = responses[str(status)]["$ref"][1:] + pointer("content", ctype, "schema")
        errors = schema_errors(ptr, doc)
        assert not errors, f"{where}: {status} body does not match the document:\n" + "\n".join(errors[:20]) + \
                           f"\nbody: {text[:2000]}"
        SEEN.add((template, method.lower(), status))
        return status, hdrs, doc

    def get(self, target, expect=200):
        return self.call("GET", target, expect=expect)[2]


def resolve(obj):
    while "$ref" in obj:
        node = DOC
        for part in obj["$ref"][2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        obj = node
    return obj


def request_errors(template, method, body):
    """Errors of body against the operation's request schema."""
    return schema_errors(pointer("paths", template, method, "requestBody", "content", "application/json",
                                 "schema"), body)


# ---- the document itself ----

def test_the_document_is_valid_openapi_3_1():
    assert DOC["openapi"].startswith("3.1.")
    OpenAPIV31SpecValidator(DOC).validate()
    ids = [op["operationId"] for _, _, op in operations()]
    assert len(ids) == len(set(ids)), "operationIds repeat"
    for path, method, op in operations():
        for status, resp in op["responses"].items():
            for media in resolve(resp).get("content", {}).values():
                assert "schema" in media, f"{method} {path} {status}: a media type without a schema"


def test_the_schemas_catch_drift():
    """The schemas are strict enough to fail on a changed document: a key more or less, a wrong type or
    spelling of a value."""
    finding = {"id": 3, "kind": "invalid_output_root", "severity": "critical", "chain": "op", "title": "t",
               "summary": "s", "evidence": {}, "block_number": "12", "block_chain": "op", "tx_hash": "0x" + "ab" * 32,
               "tx_chain": "l1", "detected_at": "2026-11-22T14:05:00.123Z", "status": "open", "acknowledgement": None,
               "response": None}
    ptr = "/components/schemas/Finding"
    assert schema_errors(ptr, finding) == []
    drifted = [dict(finding, extra=1), {k: v for k, v in finding.items() if k != "response"},
               dict(finding, block_number=12), dict(finding, detected_at="2026-11-22 14:05:00"),
               dict(finding, severity="warning"), dict(finding, tx_hash="0x" + "AB" * 32), dict(finding, id=0),
               {k: v for k, v in finding.items() if k != "tx_chain"}, dict(finding, block_chain=""),
               dict(finding, acknowledgement={"at": "2026-11-22T14:05:00.123Z", "author": "a", "client": "c"})]
    for d in drifted:
        assert schema_errors(ptr, d), d
    assert schema_errors("/components/schemas/Error", {"code": "not_found", "message": "x", "param": "id"}) == []
    assert schema_errors("/components/schemas/Error", {"code": "not_found", "error": "x"})
    assert schema_errors("/components/schemas/Silence", {})


# ---- the document against the route table ----

# {"METHOD", "path", prefix, "label", handler, max_body, write}
ROUTE = re.compile(r'\{\s*"([A-Z]+)",\s*"([^"]*)",\s*(true|false),\s*"([^"]*)",\s*(\w+),\s*([^,{}]+?),'
                   r'\s*(true|false)\s*\}')


def route_table():
    with open(os.path.join(REPO, "web", "routes.c")) as f:
        text = f.read()
    table = text[text.index("l2w_web_routes[] = {"):text.index("};", text.index("l2w_web_routes[] = {"))]
    with open(os.path.join(REPO, "web", "routes.h")) as f:
        macros = dict(re.findall(r"#define (L2W_\w+_MAX_BODY) \(([^)]*)\)", f.read()))

    def size(expr):
        expr = macros.get(expr.strip(), expr.strip())
        assert re.fullmatch(r"[0-9u *()]+", expr), expr
        return eval(expr.replace("u", ""))  # digits, spaces, * and parentheses only, checked above

    routes = [dict(method=m, path=p, prefix=pre == "true", label=label, max_body=size(mb), write=wr == "true")
              for m, p, pre, label, _, mb, wr in ROUTE.findall(table)]
    assert len(routes) == table.count('{"'), "a route the pattern did not read"
    return routes


def first_route(routes, method, path):
    """web/server.c's find_route: the first route whose path (exact, or prefix) and method match."""
    for r in routes:
        if r["prefix"]:
            hit = path.startswith(r["path"])
        elif "*" in r["path"]:  # one path segment, as web/server.c's segment_matches
            head, _, rest = r["path"].partition("*")
            hit = bool(re.fullmatch(re.escape(head) + r"[^/]+" + re.escape(rest), path))
        else:
            hit = path == r["path"]
        if hit and r["method"] == method:
            return r
    return None


def test_the_document_and_the_route_table_agree():
    routes = route_table()
    assert len(routes) >= 30
    for r in routes:
        item = DOC["paths"].get(r["label"])
        assert item is not None, f"{r['label']} is in web/routes.c but not in the document"
        op = item.get(r["method"].lower())
        assert op is not None, f"{r['method']} {r['label']} is in web/routes.c but not in the document"
        bearer = {"bearer": []} in op.get("security", [])
        assert bearer == r["write"], f"{r['method']} {r['label']}: bearer security {bearer}, table write {r['write']}"
        if r["write"]:
            assert {"401", "429"} <= set(op["responses"]), f"{r['method']} {r['label']}: 401 and 429 documented"
        if r["max_body"]:
            assert "requestBody" in op, f"{r['method']} {r['label']} takes a body"
            assert op.get("x-max-body-bytes") == r["max_body"], f"{r['method']} {r['label']}: body cap"
            assert "413" in op["responses"]
        else:
            assert "requestBody" not in op and "x-max-body-bytes" not in op, \
                f"{r['method']} {r['label']} takes no body"
    for path, method, op in operations():
        assert method != "head", "HEAD is served by every GET route; the document does not list it"
        r = first_route(routes, method.upper(), path)
        assert r is not None, f"{method.upper()} {path} is documented but no route in web/routes.c serves it"
        assert path == r["label"] or (r["prefix"] and path.startswith(r["label"] + "/")), \
            f"{method.upper()} {path} is served by the route labelled {r['label']}"
        assert path.startswith("/api/v1/") == (op["tags"][0] not in ("probes", "dashboard")), path


# ---- live: findings, chains, channels, silences, dead letters ----

TOKEN, TINY_TOKEN, SLOW_TOKEN = "openapi-ops-token", "openapi-tiny-token", "openapi-slow-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
TINY = {"Authorization": f"Bearer {TINY_TOKEN}", "Content-Type": "application/json"}
SLOW = {"Authorization": f"Bearer {SLOW_TOKEN}", "Content-Type": "application/json"}
JSON_ONLY = {"Content-Type": "application/json"}
L1_CHAIN_ID = 900
# Fixed test keys: the channel's participants, an outsider, the tower.
ALICE_KEY, BOB_KEY, MALLORY_KEY, TOWER_KEY = ("0x" + f"{n:064x}" for n in (0xA11CE, 0xB0B, 0x3A11, 0x70E7))
NITRO_APP = "0x" + "cc" * 20
WEB_CLIENTS = "\n".join(
    f'    - name: {name}\n      token_sha256: "{hashlib.sha256(tok.encode()).hexdigest()}"\n'
    f"      requests_per_minute: {rpm}\n      max_channels: {maxc}"
    for name, tok, rpm, maxc in [("ops-console", TOKEN, 6000, 1000), ("tiny", TINY_TOKEN, 6000, 1),
                                 ("slow", SLOW_TOKEN, 1, 1000)])


def full_config(tmp_path, database_url, hook_url):
    """Clients, a failing-then-accepting webhook and the channel watchtower with its receipt key."""
    key = tmp_path / "tower.key"
    key.write_text(TOWER_KEY + "\n")
    os.chmod(key, 0o600)
    addr = test_web_bridges.addr
    text = f"""log_level: debug
database:
  url: "{database_url}"
web:
  listen: 127.0.0.1:0
  clients:
{WEB_CLIENTS}
alerts:
  max_backoff_ms: 200
  max_attempts: 1
  webhooks:
    - name: ops
      url: "{hook_url}"
      timeout_ms: 2000
chains:
  - name: l1
    role: l1
    chain_id: {L1_CHAIN_ID}
    rpc: ["http://127.0.0.1:9"]
signers:
  - name: tower
    key_file: "{key}"
channels:
  chain: l1
  receipt_signer: tower
  vector_channel_factory: "{addr('f1')}"
  vector_mastercopy: "{addr('f2')}"
  nitro_adjudicator: "{addr('f3')}"
"""
    path = tmp_path / "openapi.yaml"
    path.write_text(text)
    return str(path)


def seeded(webalerts, db, tmp_path, module):
    """A server on the config and seed of another web test module (config_text(url) and seed(db))."""
    module.seed(db)
    path = tmp_path / f"{module.__name__}.yaml"
    path.write_text(module.config_text(db.url))
    return Api(webalerts(config=str(path), name=module.__name__))


def sql_text(v):
    return "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"


def seed_responses(db, fid, dry_fid):
    """A sent response (every field set) and a dry run (the optional ones NULL)."""
    db.rows("INSERT INTO responses (idempotency_key, finding_id, action, chain, mode, signer, sender, to_addr,"
            " calldata, params, status, nonce, gas_limit, tx_hash, mined_block, bumps, note) VALUES"
            f" ('r1', {fid}, 'challenge_output', 'l1', 'on', 'tower', decode(repeat('aa', 20), 'hex'),"
            " decode(repeat('bb', 20), 'hex'), decode('deadbeef', 'hex'), '{\"output_index\": \"7\"}', 'mined', 4,"
            " 210000, decode(repeat('cd', 32), 'hex'), 123, 1, 'bumped once')")
    db.rows("INSERT INTO responses (idempotency_key, finding_id, action, chain, mode, to_addr, calldata, status)"
            f" VALUES ('r2', {dry_fid}, 'pause_bridge', 'l1', 'dry-run', decode(repeat('bb', 20), 'hex'), '\\x',"
            " 'dry_run')")


def cast_address(key):
    from tests.world.world import cast
    return cast("wallet", "address", "--private-key", key).lower()


def nitro_submission(turn, keys=(ALICE_KEY, BOB_KEY), signers=None, channel_nonce=7, chain_id=L1_CHAIN_ID,
                     app_data=None):
    """A Nitro state signed off-chain as ForceMove checks it (tests/world/channels.py's hashing, by cast)."""
    from tests.world import channels
    from tests.world.world import keccak
    participants = [cast_address(k) for k in keys]
    channel_id = channels.nitro_channel_id(chain_id, participants, channel_nonce)
    app_data = app_data or "0x" + f"{turn:064x}"
    outcome = channels.nitro_outcome([(participants[0], 600), (participants[1], 400)])
    app_part = channels.nitro_app_part_hash(3600, NITRO_APP, app_data)
    state_hash = channels.nitro_state_hash(turn, False, channel_id, app_part, keccak(outcome))
    sigs = [channels.nitro_sign(state_hash, k) for k in (signers or keys)]
    return channel_id, {
        "protocol": "nitro",
        "fixedPart": {"chainId": str(chain_id), "participants": participants, "channelNonce": channel_nonce,
                      "appDefinition": NITRO_APP, "challengeDuration": 3600},
        "state": {"turnNum": turn, "isFinal": False, "appData": app_data, "outcome": outcome},
        "signatures": [s["r"] + s["s"][2:] + format(s["v"], "02x") for s in sigs]}


def dead_ids(db):
    return [int(r[0]) for r in db.rows("SELECT id FROM alert_outbox WHERE dead_at IS NOT NULL ORDER BY id")]


def check_refusals(api, target, cases):
    """Each (query, param) answers 400 naming param."""
    for query, param in cases:
        _, _, err = api.call("GET", f"{target}?{query}", expect=400)
        assert err["param"] == param, (target, query, err)


def test_findings_chains_channels_silences_and_dead_letters(migrated, receivers, webalerts, tmp_path):
    db = migrated
    hook = receivers([("status", 500)] * 3)
    config = full_config(tmp_path, db.url, hook.url)
    insert_chain_facts(db)
    old = insert_finding(db, key="old", title="older finding", severity="medium", status="resolved")
    main = insert_finding(db, key="main")
    other = insert_finding(db, key="other", title="another", severity="high")
    sup = insert_finding(db, key="sup", title="superseded alert", severity="low")
    bare = insert_finding(db, key="bare", title="no block", severity="info")
    db.rows(f"UPDATE findings SET block_number = NULL, tx_hash = NULL, block_chain = NULL, tx_chain = NULL,"
            f" kind = 'liveness_gap', chain = 'op'"
            f" WHERE id = {bare}")
    quiet = insert_finding(db, key="quiet")
    db.rows(f"UPDATE findings SET chain = 'l1', subject = 'output:quiet-1' WHERE id = {quiet}")
    stale = insert_finding(db, key="stale", title="stale close")
    db.rows(f"UPDATE findings SET kind = 'stale_channel_close', chain = 'l1' WHERE id = {stale}")
    seed_responses(db, main, stale)

    w = webalerts(config=config, name="full")
    api = Api(w)

    # Probes, assets, pages.
    assert api.get("/healthz") == "ok\n"
    assert api.get("/readyz?scope=database") == "ready\n"
    assert api.get("/readyz") == "ready\n"
    db.rows("UPDATE chains SET head_seen_at = now() - interval '1 hour' WHERE name = 'l1'")
    assert api.get("/readyz", expect=503).startswith("not ready: chain l1: last head seen ")
    assert api.call("GET", "/readyz?scope=chains", expect=400)[2]["param"] == "scope"
    assert "l2watch_build_info" in api.get("/metrics")
    api.get("/static/dashboard.css")
    api.get("/static/alerts.js")
    api.get("/static/nope.css", expect=404)
    for page in ("/", "/da", "/alerts", "/findings", f"/findings/{main}", "/findings?status=open&chain=op-local",
                 "/bridges", "/fees"):
        api.get(page)
    api.get("/findings?severity=warning", expect=400)
    for page in ("/rollups", "/rollups?chain=op-local&check=mismatch&before=100-0", "/channels",
                 "/channels?after=l1:vector:0x" + "00" * 20):
        api.get(page)
    api.get("/rollups?check=bogus", expect=400)
    api.get("/channels?after=l1:lightning:0x00", expect=400)
    api.get("/findings/999999", expect=404)

    # Chains and proposals.
    chains = api.get("/api/v1/chains")
    assert [c["name"] for c in chains] == ["l1", "op-local"]
    assert len(api.get("/api/v1/output-proposals?limit=5")) == 1
    check_refusals(api, "/api/v1/output-proposals", [("limit=0", "limit"), ("limit=01", "limit")])

    # Findings: filters, one, its alerts.
    assert [f["id"] for f in api.get("/api/v1/findings")] == [stale, quiet, bare, sup, other, main, old]
    assert api.get(f"/api/v1/findings/{main}")["response"]["status"] == "mined"
    assert api.get(f"/api/v1/findings/{stale}")["response"]["mode"] == "dry-run"
    assert api.get(f"/api/v1/findings/{bare}")["block_number"] is None
    for query in ("kind=liveness_gap&chain=op", "severity=critical&status=open&limit=2", f"before={main}",
                  "since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00%2B02:00"):
        assert api.get(f"/api/v1/findings?{query}"), query
    check_refusals(api, "/api/v1/findings", [
        ("kind=Bad", "kind"), ("chain=", "chain"), ("severity=warning", "severity"), ("status=closed", "status"),
        ("since=yesterday", "since"), ("until=2026-02-30T00:00:00Z", "until"), ("before=0", "before"),
        ("limit=1001", "limit")])
    for missing in ("999999", "0", "abc", "07"):
        api.get(f"/api/v1/findings/{missing}", expect=404)
    api.get("/api/v1/findings/999999/alerts", expect=404)

    # Acknowledgements: made, refused, taken back; the list filtered on them.
    acked = api.call("POST", f"/api/v1/findings/{other}/ack", {"author": "bob", "note": "looking"}, headers=AUTH,
                     expect=200)[2]
    assert acked["acknowledgement"]["client"] == "ops-console"
    assert request_errors("/api/v1/findings/{id}/ack", "post", {"author": "bob", "note": "looking"}) == []
    assert [f["id"] for f in api.get("/api/v1/findings?acknowledged=true")] == [other]
    check_refusals(api, "/api/v1/findings", [("acknowledged=yes", "acknowledged")])
    assert api.call("POST", f"/api/v1/findings/{other}/ack", None, headers=AUTH, expect=409)[2]["code"] == \
        "already_acknowledged"
    assert api.call("POST", f"/api/v1/findings/{old}/ack", None, headers=AUTH, expect=409)[2]["code"] == \
        "finding_not_open"
    api.call("POST", "/api/v1/findings/999999/ack", None, headers=AUTH, expect=404)
    api.call("POST", f"/api/v1/findings/{main}/ack", '{"note": ', headers=AUTH, expect=400)
    for bad in ({"note": ""}, {"by": "x"}):
        api.call("POST", f"/api/v1/findings/{main}/ack", bad, headers=AUTH, expect=422)
        assert request_errors("/api/v1/findings/{id}/ack", "post", bad), bad
    assert api.call("DELETE", f"/api/v1/findings/{other}/ack", headers=AUTH, expect=200)[2]["acknowledgement"] is None
    assert api.call("DELETE", f"/api/v1/findings/{other}/ack", headers=AUTH, expect=409)[2]["code"] == \
        "not_acknowledged"
    api.call("DELETE", "/api/v1/findings/999999/ack", headers=AUTH, expect=404)

    # Alerts: three raised alerts die (the webhook fails, max_attempts 1); sup's later "resolved" is
    # delivered, which supersedes its dead "raised"; one to a sink not configured waits; quiet's is
    # silenced; one dead letter of a sink no longer configured.
    status, _, live = api.call("POST", "/api/v1/silences",
                               {"matchers": {"chain": "l1", "subject": "output:quiet*"}, "duration_s": 3600,
                                "author": "alice <on call>", "reason": "replaying a known incident\nsee ticket 7"},
                               headers=AUTH, expect=201)
    assert live["state"] == "live" and live["created_by"] == "ops-console"
    for fid in (main, other, sup):
        dbtool("enqueue", config, str(fid), "raised")
    wait_until(lambda: len(dead_ids(db)) == 3, 30, what="three dead letters")
    dbtool("enqueue", config, str(sup), "resolved")
    dbtool("enqueue", config, str(quiet), "raised")
    wait_until(lambda: db.rows(f"SELECT count(*) FROM alert_outbox WHERE finding_id = {sup}"
                               " AND delivered_at IS NOT NULL") == [["1"]], 30, what="the resolved alert")
    db.rows("INSERT INTO alert_outbox (finding_id, event, sink, payload, next_attempt_at, kind, chain, severity)"
            f" VALUES ({main}, 'escalated', 'pager-later', '{{}}', now() + interval '1 day', 'invalid_output_root',"
            " 'op-local', 'critical')")
    db.rows("INSERT INTO alert_outbox (finding_id, event, sink, payload, attempts, dead_at, last_error)"
            f" VALUES ({old}, 'resolved', 'gone', '{{}}', 5, now(), 'HTTP 410')")
    states = {a["state"] for f in (main, sup, quiet) for a in api.get(f"/api/v1/findings/{f}/alerts")}
    assert states == {"dead", "delivered", "pending", "silenced"}, states
    assert api.get(f"/api/v1/findings/{bare}/alerts") == []

    dead = api.get("/api/v1/alerts/dead")
    assert len(dead) == 4 and any(d["superseded"] for d in dead) and any(d["kind"] is None for d in dead)
    assert api.get("/api/v1/alerts/dead?sink=ops&limit=1&before=999999")
    check_refusals(api, "/api/v1/alerts/dead", [("limit=x", "limit"), ("before=-1", "before")])
    by_finding = {d["finding_id"]: d["id"] for d in dead}
    delivered = int(db.rows(f"SELECT id FROM alert_outbox WHERE finding_id = {sup} AND event = 'resolved'")[0][0])
    body = {"ids": [by_finding[main], by_finding[sup], by_finding[old], delivered, 999999]}
    assert request_errors("/api/v1/alerts/requeue", "post", body) == []
    _, _, res = api.call("POST", "/api/v1/alerts/requeue", body, headers=AUTH, expect=200)
    assert [r["result"] for r in res["results"]] == ["requeued", "superseded", "sink_unknown", "not_dead",
                                                      "not_found"]
    _, _, res = api.call("POST", "/api/v1/alerts/requeue", {"sink": "ops", "force": False}, headers=AUTH,
                         expect=200)
    api.call("POST", "/api/v1/alerts/requeue", "{not json", headers=AUTH, expect=400)
    for bad in ({"ids": []}, {"ids": [0]}, {"ids": ["1"]}, {"sink": "nope"}, {"ids": [1], "sink": "ops"}, {},
                {"ids": [1], "force": "yes"}, {"ids": [1], "all": True}, [1]):
        _, _, err = api.call("POST", "/api/v1/alerts/requeue", bad, headers=AUTH, expect=422)
        assert err["code"] == "invalid_requeue"
        if bad != {"sink": "nope"}:  # a sink name is only known to the config
            assert request_errors("/api/v1/alerts/requeue", "post", bad), bad

    # Silences: list, one, delete, ended ones, refusals.
    status, _, doomed = api.call("POST", "/api/v1/silences",
                                 {"matchers": {"kind": "invalid_output_root", "severity": "critical"},
                                  "expires_at": "2099-01-01T00:00:00Z", "reason": "r"}, headers=AUTH)
    assert status == 422 and doomed["param"] == "expires_at"  # more than 90 days away
    good = {"matchers": {"kind": "invalid_output_root", "severity": "critical"}, "duration_s": 600, "reason": "r"}
    assert request_errors("/api/v1/silences", "post", good) == []
    _, _, doomed = api.call("POST", "/api/v1/silences", good, headers=AUTH, expect=201)
    assert doomed["author"] == "ops-console"
    _, _, ended = api.call("DELETE", f"/api/v1/silences/{doomed['id']}", headers=AUTH, expect=200)
    assert ended["state"] == "deleted" and ended["deleted_by"] == "ops-console"
    assert api.call("DELETE", f"/api/v1/silences/{doomed['id']}", headers=AUTH, expect=409)[2]["code"] == \
        "silence_ended"
    api.call("DELETE", "/api/v1/silences/999999", headers=AUTH, expect=404)
    api.call("DELETE", "/api/v1/silences/x1", headers=AUTH, expect=404)
    db.rows("INSERT INTO alert_silences (chain, author, reason, created_at, expires_at) VALUES"
            " ('l1', 'bob', 'made in SQL', now() - interval '2 hours', now() - interval '1 hour')")
    assert {s["state"] for s in api.get("/api/v1/silences")} == {"live", "deleted", "expired"}
    for state in ("live", "expired", "deleted", "all"):
        assert api.get(f"/api/v1/silences?state={state}&limit=10"), state
    assert api.get(f"/api/v1/silences?before={live['id']}") == []
    check_refusals(api, "/api/v1/silences", [("state=open", "state"), ("limit=0", "limit"), ("before=x", "before")])
    held = api.get(f"/api/v1/silences/{live['id']}")
    assert held["alerts_held"] == 1 and held["findings_held"] == 1
    api.get("/api/v1/silences/999999", expect=404)
    api.get("/api/v1/silences/abc", expect=404)
    api.call("POST", "/api/v1/silences", "[1, 2", headers=AUTH, expect=400)
    api.call("POST", "/api/v1/silences", '{"reason": "a", "reason": "b"}', headers=AUTH, expect=400)
    bad_silences = [
        ({"matchers": {}, "duration_s": 600, "reason": "r"}, "matchers"),
        ({"matchers": {"kind": "Bad Kind"}, "duration_s": 600, "reason": "r"}, "matchers.kind"),
        ({"matchers": {"severity": "warning"}, "duration_s": 600, "reason": "r"}, "matchers.severity"),
        ({"matchers": {"subject": "a*b"}, "duration_s": 600, "reason": "r"}, "matchers.subject"),
        ({"matchers": {"team": "x"}, "duration_s": 600, "reason": "r"}, "matchers.team"),
        ({"matchers": {"kind": "x"}, "duration_s": 30, "reason": "r"}, "duration_s"),
        ({"matchers": {"kind": "x"}, "duration_s": 600, "expires_at": "2030-01-01T00:00:00Z", "reason": "r"},
         "expires_at"),
        ({"matchers": {"kind": "x"}, "reason": "r"}, "expires_at"),
        ({"matchers": {"kind": "x"}, "duration_s": 600}, "reason"),
        ({"matchers": {"kind": "x"}, "duration_s": 600, "reason": ""}, "reason"),
        ({"matchers": {"kind": "x"}, "duration_s": 600, "reason": "r", "author": "a" * 201}, "author"),
        ({"matchers": {"kind": "x"}, "duration_s": 600, "reason": "r", "note": 1}, "note"),
        ([], ""),
    ]
    for bad, field in bad_silences:
        _, _, err = api.call("POST", "/api/v1/silences", bad, headers=AUTH, expect=422)
        assert err["code"] == "invalid_silence" and err["param"] == field, (bad, err)
        assert request_errors("/api/v1/silences", "post", bad), bad
    _, _, err = api.call("POST", "/api/v1/silences", {"matchers": {"chain": "mars"}, "duration_s": 600,
                                                      "reason": "r"}, headers=AUTH, expect=422)
    assert err["param"] == "matchers.chain"

    # Channels: the intake, with receipts signed by the tower's key.
    channel, sub5 = nitro_submission(5)
    assert request_errors("/api/v1/channels/states", "post", sub5) == []
    _, _, acc = api.call("POST", "/api/v1/channels/states", sub5, headers=AUTH, expect=200)
    assert acc["status"] == "new" and acc["receipt"]["tower"] == cast_address(TOWER_KEY)
    assert api.call("POST", "/api/v1/channels/states", sub5, headers=AUTH, expect=200)[2] == dict(acc,
                                                                                                   status="duplicate")
    _, sub6 = nitro_submission(6)
    assert api.call("POST", "/api/v1/channels/states", sub6, headers=AUTH, expect=200)[2]["status"] == "newer"
    _, sub3 = nitro_submission(3)
    assert api.call("POST", "/api/v1/channels/states", sub3, headers=AUTH, expect=409)[2]["code"] == "stale_nonce"
    _, other6 = nitro_submission(6, app_data="0x" + "ee" * 32)
    assert api.call("POST", "/api/v1/channels/states", other6, headers=AUTH, expect=409)[2]["code"] == \
        "conflicting_state"
    _, wrong_chain = nitro_submission(1, chain_id=1)
    assert api.call("POST", "/api/v1/channels/states", wrong_chain, headers=AUTH, expect=422)[2]["code"] == \
        "unknown_channel"
    _, outsider = nitro_submission(2, channel_nonce=8, signers=(ALICE_KEY, MALLORY_KEY))
    assert api.call("POST", "/api/v1/channels/states", outsider, headers=AUTH, expect=422)[2]["code"] == \
        "not_participant"
    _, mine = nitro_submission(1, channel_nonce=9)
    assert api.call("POST", "/api/v1/channels/states", mine, headers=TINY, expect=200)[2]["status"] == "new"
    _, second = nitro_submission(1, channel_nonce=10)
    assert api.call("POST", "/api/v1/channels/states", second, headers=TINY, expect=403)[2]["code"] == \
        "channel_quota_exceeded"
    malformed = {"protocol": "nitro", "state": {}}
    assert api.call("POST", "/api/v1/channels/states", malformed, headers=AUTH, expect=400)[2]["code"] == \
        "malformed_json"
    assert request_errors("/api/v1/channels/states", "post", malformed)
    vector_bad = {"protocol": "vector", "state": {"nonce": "1"}, "signatures": ["0x", "0x"]}
    assert api.call("POST", "/api/v1/channels/states", vector_bad, headers=AUTH, expect=400)[2]["accepted"] is False
    assert api.call("POST", "/api/v1/channels/states", "nope", headers=AUTH, expect=400)[2]["code"] == \
        "malformed_json"
    assert api.call("POST", "/api/v1/channels/states", {"states": []}, headers=AUTH, expect=400)[2]["param"] == \
        "states"
    _, fresh = nitro_submission(1, channel_nonce=11)
    batch = {"states": [fresh, sub3, fresh]}
    assert request_errors("/api/v1/channels/states", "post", batch) == []
    _, _, res = api.call("POST", "/api/v1/channels/states", batch, headers=AUTH, expect=200)
    assert (res["accepted"], res["refused"]) == (2, 1) and [r["accepted"] for r in res["results"]] == \
        [True, False, True]

    # Disputes: one stale (answered by a finding with a dry-run response), one of a channel nobody
    # submitted, one pending.
    for n, (ch, verdict, finding, held) in enumerate([(channel, 2, stale, 6), ("0x" + "77" * 32, 3, None, None),
                                                       (channel, 0, None, None)]):
        db.rows("INSERT INTO channel_disputes (chain, block_hash, log_index, block_number, block_timestamp,"
                " tx_hash, protocol, channel, version, deadline, check_status, held_version, finding_id) VALUES"
                f" ('l1', decode(repeat('{n + 1}a', 32), 'hex'), {n}, {500 + n}, {1_700_000_000 + n},"
                f" decode(repeat('{n + 1}b', 32), 'hex'), 'nitro', decode('{ch[2:]}', 'hex'), {3 + n},"
                f" {1_700_090_000 + n}, {verdict}, {sql_text(held)}, {sql_text(finding)})")
    listing = api.get("/api/v1/channels")
    assert listing["summary"] == {"watched": 3, "vector": 0, "nitro": 3, "disputes": 3, "stale_disputes": 1}
    assert api.get("/api/v1/channels?protocol=vector&limit=5")["channels"] == []
    check_refusals(api, "/api/v1/channels", [("protocol=lightning", "protocol"), ("limit=0", "limit")])
    one = api.get(f"/api/v1/channels/nitro/{channel.upper().replace('0X', '0x')}")
    assert one["version"] == "6" and [d["verdict"] for d in one["disputes"]] == ["pending", "stale"]
    assert one["disputes"][1]["finding"]["response"]["mode"] == "dry-run"
    api.get("/api/v1/channels/nitro/0x" + "00" * 32, expect=404)
    api.get("/api/v1/channels/lightning/" + channel, expect=404)
    api.get("/api/v1/channels/nitro/xyz", expect=404)
    assert [d["verdict"] for d in api.get("/api/v1/channel-disputes")] == ["pending", "not_watched", "stale"]
    check_refusals(api, "/api/v1/channel-disputes", [("limit=x", "limit")])

    # This config has no bridges, DA, liveness or committees: empty documents (the seeded ones follow).
    assert api.get("/api/v1/bridges") == [] and api.get("/api/v1/da")["da"] == []
    assert api.get("/api/v1/da/commitments") == {"commitments": [], "next_before": None}
    assert api.get("/api/v1/liveness")["series"] == [] and api.get("/api/v1/committees")["committees"] == []
    assert api.get("/api/v1/committees/checks") == {"checks": [], "next_before": None}
    api.get("/api/v1/bridges/ronin/escrow", expect=404)
    assert api.call("GET", "/api/v1/liveness/intervals?chain=l1&kind=l2_head", expect=404)[2]["param"] == "chain"

    # Writes: the token, its quota, the body cap.
    writes = [("POST", "/api/v1/silences", good), ("DELETE", f"/api/v1/silences/{live['id']}", None),
              ("POST", "/api/v1/alerts/requeue", {"ids": [1]}), ("POST", "/api/v1/channels/states", sub5),
              ("POST", f"/api/v1/findings/{main}/ack", {}), ("DELETE", f"/api/v1/findings/{main}/ack", None)]
    for method, target, body in writes:
        for headers in (JSON_ONLY, dict(JSON_ONLY, Authorization="Basic b3BzOng="),
                        dict(JSON_ONLY, Authorization="Bearer not-a-token")):
            _, hdrs, err = api.call(method, target, body, headers=headers, expect=401)
            assert err["code"] == "unauthorized" and hdrs["www-authenticate"].startswith("Bearer realm=")
    api.call("POST", "/api/v1/alerts/requeue", {"ids": [999999]}, headers=SLOW, expect=200)  # the one request
    for method, target, body in writes:
        _, hdrs, err = api.call(method, target, body, headers=SLOW, expect=429)
        assert err["code"] == "rate_limited" and int(hdrs["retry-after"]) >= 1
    for method, target, _ in writes:
        cap = DOC["paths"][template_of(target)][method.lower()].get("x-max-body-bytes", 0)
        _, _, err = api.call(method, target, headers=AUTH, declared_length=cap + 1, expect=413)
        assert err["code"] == "body_too_large"
    assert api.get(f"/api/v1/silences/{live['id']}")["state"] == "live"


# ---- live: the seeded stores of the bridge, DA and committee tests ----

def test_bridges(migrated, webalerts, tmp_path):
    api = seeded(webalerts, migrated, tmp_path, test_web_bridges)
    bridges = api.get("/api/v1/bridges")
    assert [b["name"] for b in bridges] == ["op-main", "ronin"] and bridges[0]["paused"] is True
    assert any(t["backing_ratio"] and t["drawdown"]["fall_percent"] for b in bridges for t in b["tokens"])
    page = api.get("/api/v1/bridges/op-main/escrow?token=native&limit=3")
    assert len(page["samples"]) == 3 and page["next_after_block"] is not None
    api.get(f"/api/v1/bridges/op-main/escrow?token=native&after_block={page['next_after_block']}&since=0")
    api.get(f"/api/v1/bridges/ronin/escrow?token={test_web_bridges.WETH.upper().replace('0X', '0x')}")
    api.get("/api/v1/bridges/ronin/escrow?token=ETH")
    check_refusals(api, "/api/v1/bridges/ronin/escrow", [
        ("token=DAI", "token"), ("token=WETH&since=-1", "since"), ("token=WETH&after_block=x", "after_block"),
        ("token=WETH&limit=1001", "limit")])
    api.get("/")


def test_data_availability_and_liveness(migrated, webalerts, tmp_path):
    api = seeded(webalerts, migrated, tmp_path, test_web_da)
    da = api.get("/api/v1/da")["da"]
    assert [e["chain"] for e in da] == ["op", "alt"] and da[0]["last_posting"] and da[0]["challenge_contract"]
    page = api.get("/api/v1/da/commitments?chain=op&limit=4")
    assert len(page["commitments"]) == 4 and page["next_before"]
    api.get(f"/api/v1/da/commitments?before={page['next_before']}&limit=1000")
    assert {c["status"] for c in api.get("/api/v1/da/commitments?status=withheld")["commitments"]} == {"withheld"}
    statuses = {c["challenge_status"] for c in api.get("/api/v1/da/commitments?limit=1000")["commitments"]}
    assert statuses == {None, "active", "resolved", "expired"}
    check_refusals(api, "/api/v1/da/commitments", [("chain=l1", "chain"), ("status=lost", "status"),
                                                   ("limit=0", "limit"), ("before=0", "before")])
    series = api.get("/api/v1/liveness")["series"]
    assert any(s["open_finding"] for s in series) and any(s["limits_defaulted"] for s in series)
    assert any(s["band"]["statistical"] for s in series)
    for chain, kind in (("op", "batches"), ("op", "proposals"), ("op", "l2_head"), ("alt", "batches")):
        api.get(f"/api/v1/liveness/intervals?chain={chain}&kind={kind}&limit=1024")
    check_refusals(api, "/api/v1/liveness/intervals", [("kind=batches", "chain"), ("chain=op", "kind"),
                                                       ("chain=op&kind=proofs", "kind"),
                                                       ("chain=op&kind=batches&limit=1025", "limit")])
    assert api.call("GET", "/api/v1/liveness/intervals?chain=l1&kind=batches", expect=404)[2]["param"] == "chain"
    assert api.call("GET", "/api/v1/liveness/intervals?chain=alt&kind=l2_head", expect=404)[2]["param"] == "kind"
    api.get("/da")


def test_committees(migrated, webalerts, tmp_path):
    test_web_committees.seed(migrated)
    path = str(tmp_path / "committees.yaml")
    test_web_committees.write_committees_config(path, migrated.url)
    api = Api(webalerts(config=path, name="committees"))
    committees = api.get("/api/v1/committees")["committees"]
    assert len(committees) == 3 and committees[0]["last_check"] and committees[2]["last_check"] is None
    batches = set()
    before = ""
    while True:
        page = api.get(f"/api/v1/committees/checks?limit=7{before}")
        batches |= {type(c["batch"]) for c in page["checks"]}
        if page["next_before"] is None:
            break
        before = f"&before={page['next_before']}"
    assert batches == {int, str}  # a uint64 past int64 is given as digits
    api.get("/api/v1/committees/checks?chain=val-a&result=unreadable")
    check_refusals(api, "/api/v1/committees/checks", [("chain=gone", "chain"), ("result=fine", "result"),
                                                      ("limit=501", "limit"), ("before=1.5", "before")])


def test_analytics(migrated, webalerts, tmp_path):
    db = migrated
    test_web_analytics.seed_fees(db)
    samples = test_web_analytics.seed_tvl(db)
    for status, updated in (("fresh", 100), ("stale", 5000)):
        test_web_analytics.insert_read(db, "ETH", test_web_analytics.ETH_FEED, test_web_analytics.NOW - 10,
                                       test_web_analytics.NOW - updated, 301245000000, 8, status)
    path = tmp_path / "analytics.yaml"
    path.write_text(test_web_analytics.config_text(db.url))
    api = Api(webalerts(config=str(path), name="analytics"))
    for route in ("fees", "batch-costs"):
        assert len(api.get(f"/api/v1/{route}")["chains"]) == (2 if route == "fees" else 1)
        api.get(f"/api/v1/{route}?chain=op&end=2026-01-31")
        check_refusals(api, f"/api/v1/{route}", [("end=2026-02-30", "end"), ("end=yesterday", "end")])
        assert api.call("GET", f"/api/v1/{route}?chain=gone", expect=404)[2]["param"] == "chain"
        days = api.get(f"/api/v1/{route}/daily?chain=op&limit=2")
        assert len(days["days"]) == 2 and days["next_until"]
        api.get(f"/api/v1/{route}/daily?chain=op&until={days['next_until']}&since=2000-01-01&limit=1000")
        check_refusals(api, f"/api/v1/{route}/daily", [("", "chain"), ("chain=op&since=2026-1-1", "since"),
                                                       ("chain=op&until=x", "until"), ("chain=op&limit=0", "limit")])
        assert api.call("GET", f"/api/v1/{route}/daily?chain=gone", expect=404)[2]["param"] == "chain"
    for rows, key in (("fees/blocks", "blocks"), ("batch-costs/postings", "postings")):
        page = api.get(f"/api/v1/{rows}?chain=op&limit=3")
        assert len(page[key]) >= 3 and page["next_before"]
        api.get(f"/api/v1/{rows}?chain=op&before={page['next_before']}&limit=1000")
        check_refusals(api, f"/api/v1/{rows}", [("", "chain"), ("chain=op&before=0", "before"),
                                                ("chain=op&limit=1001", "limit")])
        assert api.call("GET", f"/api/v1/{rows}?chain=gone", expect=404)[2]["param"] == "chain"
    tvl = api.get("/api/v1/tvl")["tvl"]
    assert {t["latest"]["price_status"] if t["latest"] else None for t in tvl} == {"fresh", "unpriced", None}
    api.get("/api/v1/tvl?bridge=lr&at=2000-01-01T00:00:00Z")
    check_refusals(api, "/api/v1/tvl", [("at=now", "at")])
    assert api.call("GET", "/api/v1/tvl?bridge=gone", expect=404)[2]["param"] == "bridge"
    page = api.get("/api/v1/tvl/series?bridge=lr&token=ETH&limit=2")
    assert len(page["samples"]) == 2 and page["next_after"]
    api.get(f"/api/v1/tvl/series?bridge=lr&token=ETH&after={page['next_after']}"
            "&since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z")
    check_refusals(api, "/api/v1/tvl/series", [("", "bridge"), ("bridge=lr", "token"), ("bridge=lr&token=DAI", "token"),
                                               ("bridge=lr&token=ETH&since=x", "since"),
                                               ("bridge=lr&token=ETH&after=-1", "after"),
                                               ("bridge=lr&token=ETH&limit=0", "limit")])
    assert api.call("GET", "/api/v1/tvl/series?bridge=gone", expect=404)[2]["param"] == "bridge"
    gone = [s for s in samples if s["bridge"] == "gone"][0]["id"]
    assert api.call("GET", f"/api/v1/tvl/series?bridge=lr&token=ETH&after={gone}", expect=404)[2]["param"] == \
        "after"
    assert [p["verdict"] for p in api.get("/api/v1/prices")["prices"]] == ["stale", "no_reading"]


# ---- live: the database unreachable ----

def test_when_the_database_is_down(receivers, webalerts, tmp_path):
    down = f"postgresql://l2watch@127.0.0.1:{closed_port()}/l2watch"
    api = Api(webalerts(config=full_config(tmp_path, down, receivers().url), name="down"))
    # The bridge and liveness routes reach the database only for a configured bridge or series,
    # the Bridges & TVL and fees pages only for configured bridges and analytics.
    others = {}
    for path, module in (("/api/v1/bridges/{name}/escrow", test_web_bridges),
                         ("/api/v1/liveness/intervals", test_web_da), ("/bridges", test_web_bridges),
                         ("/fees", test_web_fees_page)):
        cfg = tmp_path / f"down-{module.__name__}.yaml"
        cfg.write_text(module.config_text(down))
        others[path] = Api(webalerts(config=str(cfg), name=f"down-{module.__name__}-{len(others)}"))
    # The analytics routes of one chain, bridge or token reach it only for a configured one.
    cfg = tmp_path / "down-analytics.yaml"
    cfg.write_text(test_web_analytics.config_text(down))
    analytics = Api(webalerts(config=str(cfg), name="down-analytics"))
    for path in ("/api/v1/fees/daily", "/api/v1/fees/blocks", "/api/v1/batch-costs/daily",
                 "/api/v1/batch-costs/postings", "/api/v1/tvl/series"):
        others[path] = analytics
    targets = {"/api/v1/findings/{id}": "/api/v1/findings/1", "/api/v1/findings/{id}/ack": "/api/v1/findings/1/ack",
               "/api/v1/findings/{id}/alerts":
               "/api/v1/findings/1/alerts", "/api/v1/bridges/{name}/escrow": "/api/v1/bridges/ronin/escrow?token=ETH",
               "/api/v1/channels/{protocol}/{channel}": "/api/v1/channels/vector/0x" + "11" * 20,
               "/api/v1/liveness/intervals": "/api/v1/liveness/intervals?chain=op&kind=l2_head",
               "/api/v1/silences/{id}": "/api/v1/silences/1", "/findings/{id}": "/findings/1",
               "/api/v1/fees/daily": "/api/v1/fees/daily?chain=op",
               "/api/v1/fees/blocks": "/api/v1/fees/blocks?chain=op",
               "/api/v1/batch-costs/daily": "/api/v1/batch-costs/daily?chain=op",
               "/api/v1/batch-costs/postings": "/api/v1/batch-costs/postings?chain=op",
               "/api/v1/tvl/series": "/api/v1/tvl/series?bridge=lr&token=ETH"}
    _, sub = nitro_submission(1)
    bodies = {("/api/v1/silences", "post"): {"matchers": {"kind": "x"}, "duration_s": 600, "reason": "r"},
              ("/api/v1/alerts/requeue", "post"): {"ids": [1]}, ("/api/v1/channels/states", "post"): sub}
    for path, method, op in operations():
        if "503" not in op["responses"]:
            continue
        server = others.get(path, api)
        _, _, doc = server.call(method.upper(), targets.get(path, path), bodies.get((path, method)),
                                headers=AUTH if "security" in op else None, expect=503)
        if isinstance(doc, dict):
            assert doc == {"code": "unavailable", "message": "database unavailable"}
    assert api.get("/healthz") == "ok\n"

    # Without a channels: section the intake is not there, whoever asks.
    w2 = webalerts(down, [], name="nochannels", web_extra="  clients:\n" + WEB_CLIENTS)
    _, _, err = Api(w2).call("POST", "/api/v1/channels/states", sub, headers=AUTH, expect=404)
    assert err["code"] == "channels_disabled"


# ---- every documented answer was seen ----

LIVE_TESTS = {"test_findings_chains_channels_silences_and_dead_letters", "test_bridges",
              "test_data_availability_and_liveness", "test_committees", "test_analytics",
              "test_when_the_database_is_down"}


def test_every_documented_answer_was_provoked(request):
    """Runs last: every (path, method, status) the document lists was answered to some request above."""
    ran = {item.name for item in request.session.items}
    # Selected alone, it cannot judge, and says so as a failure rather than
    # a skip that would count as passing.
    assert LIVE_TESTS <= ran, f"run it with the live tests of this module: {sorted(LIVE_TESTS - ran)} not selected"
    assert not request.session.testsfailed, "a live test failed before it: the answers it would provoke are unseen"
    documented = {(path, method, int(status)) for path, method, op in operations() for status in op["responses"]}
    missing = sorted(documented - SEEN)
    assert not missing, "documented answers no request provoked:\n" + "\n".join(map(str, missing))
