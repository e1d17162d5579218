#!/usr/bin/env python3
"""The best simple script for what `zisctl audit -o json --no-bundles` does (issue 16): a
yardstick for zisctl's speed, standard library only.

THREADS threads, each with one keep-alive http.client connection, take integrations from a
queue: for each, mint a ZIS OAuth token with the admin's credentials (POST
/api/v2/oauth/tokens with the integration's OAuth client id), list its connections
(GET .../connections/all?page[size]=100, following meta.after while meta.has_more) and its
OAuth clients (GET /api/services/zis/connections/oauth/clients/{integration}, following
next links), as docs/api (ZIS_API.md) says. The registry listing comes first: the mints need
its client ids. Then every connection (and OAuth client) is written as one JSON row with
zisctl's keys, age and staleness, sorted by integration then name, to stdout.

Reads ZISCTL_BASE_URL, ZENDESK_EMAIL and ZENDESK_API_TOKEN (the lines `zisctl sandbox`
prints). Usage: python3 benches/audit_script.py [--threads 8] [--stale-days 90]
[--no-oauth-clients] > rows.json
"""
import argparse
import base64
import datetime
import http.client
import json
import os
import queue
import sys
import threading
import urllib.parse

KINDS = ("basic_auth", "api_key", "bearer_token", "oauth")


class Conn:
    """One keep-alive HTTP connection of one thread."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
        self.http = cls(u.hostname, u.port)

    def call(self, method, path, auth, body=None):
        headers = {"Authorization": auth, "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.http.request(method, path, body=data, headers=headers)
        r = self.http.getresponse()
        text = r.read()
        if r.status >= 300:
            raise RuntimeError(f"{method} {path}: {r.status} {text[:200]!r}")
        return json.loads(text) if text else None


def parse_time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")) if s else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--stale-days", type=int, default=90)
    ap.add_argument("--no-oauth-clients", action="store_true")
    args = ap.parse_args()
    base = os.environ["ZISCTL_BASE_URL"].rstrip("/")
    admin = "Basic " + base64.b64encode(
        f"{os.environ['ZENDESK_EMAIL']}/token:{os.environ['ZENDESK_API_TOKEN']}".encode()
    ).decode()

    first = Conn(base)
    registry = first.call("GET", "/api/services/zis/registry/integrations", admin)["integrations"]
    work = queue.Queue()
    for i in registry:
        work.put(i)
    rows, clients, errors = [], [], []
    lock = threading.Lock()

    def worker(conn):
        while True:
            try:
                i = work.get_nowait()
            except queue.Empty:
                return
            name = i["name"]
            q = urllib.parse.quote(name, safe="")
            try:
                minted = conn.call(
                    "POST",
                    "/api/v2/oauth/tokens",
                    admin,
                    {"token": {"client_id": i["zendesk_oauth_client"]["id"], "scopes": ["read", "write"]}},
                )
                zis = "Bearer " + minted["token"]["full_token"]
                mine = []
                after = None
                while True:
                    path = f"/api/services/zis/integrations/{q}/connections/all?page%5Bsize%5D=100"
                    if after:
                        path += "&page%5Bafter%5D=" + urllib.parse.quote(after, safe="")
                    page = conn.call("GET", path, zis)
                    for kind in KINDS:
                        for c in page.get(kind) or []:
                            mine.append((name, kind, c))
                    meta = page.get("meta") or {}
                    if not meta.get("has_more") or not meta.get("after"):
                        break
                    after = meta["after"]
                theirs = []
                if not args.no_oauth_clients:
                    after = None
                    while True:
                        path = f"/api/services/zis/connections/oauth/clients/{q}"
                        if after:
                            path += "?page%5Bafter%5D=" + urllib.parse.quote(after, safe="")
                        page = conn.call("GET", path, zis)
                        theirs.extend((name, c) for c in page.get("clients") or [])
                        meta = page.get("meta") or {}
                        after = meta.get("after") if meta.get("has_more") else None
                        if not after:
                            break
                with lock:
                    rows.extend(mine)
                    clients.extend(theirs)
            except Exception as e:  # noqa: BLE001 - a bench: say it and go on
                with lock:
                    errors.append(f"{name}: {e}")

    threads = [threading.Thread(target=worker, args=(first if n == 0 else Conn(base),)) for n in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    now = datetime.datetime.now(datetime.timezone.utc)
    out = []
    for integration, kind, c in rows:
        updated = parse_time(c.get("updated_at"))
        age = (now - updated).days if updated else None
        stale = age is not None and age >= args.stale_days
        out.append(
            {
                "integration": integration,
                "kind": kind,
                "name": c.get("name"),
                "allowed_domain": c.get("allowed_domain"),
                "username": c.get("username"),
                "header_name": c.get("header_name"),
                "created_at": c.get("created_at"),
                "updated_at": c.get("updated_at"),
                "age_days": age,
                "stale": stale,
                "findings": [f"not rotated in {age} days"] if stale else [],
            }
        )
    for integration, c in clients:
        updated = parse_time(c.get("updated_at"))
        age = (now - updated).days if updated else None
        out.append(
            {
                "integration": integration,
                "kind": "oauth_client",
                "name": c.get("name"),
                "client_id": c.get("client_id"),
                "token_url": c.get("token_url"),
                "updated_at": c.get("updated_at"),
                "age_days": age,
                "stale": age is not None and age >= args.stale_days,
            }
        )
    out.sort(key=lambda r: (r["integration"], r["name"] or ""))
    # One compact string from the C encoder, one write (indent= would take the pure-Python
    # encoder and half a million writes: a second more).
    sys.stdout.write(json.dumps(out) + "\n")
    for e in errors:
        print(f"audit_script: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
