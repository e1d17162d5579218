#!/usr/bin/env python3
"""An example rotation `set_command` for zisctl: sets a connection's new password at the
sandbox's stand-in target system (`zisctl sandbox`, `/_sandbox/target/passwords`).

    set_command = "python3 assets/sandbox-target-set.py http://127.0.0.1:8080"

zisctl runs it with one JSON object on stdin (integration, name, kind, username,
allowed_domain, new_password, and old_password when the admin gave it) and nothing secret on
its command line or in its environment. The exit status is the outcome (0: set), and the first
line on stderr is what zisctl shows. A real recipe does the same against the target's own API:
read stdin, never echo the password, say in one line what happened.
"""
import json
import sys
import urllib.error
import urllib.request


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: sandbox-target-set.py BASE_URL (the sandbox's, e.g. http://127.0.0.1:8080)",
              file=sys.stderr)
        return 2
    base = sys.argv[1].rstrip("/")
    try:
        subject = json.load(sys.stdin)
        body = {"username": subject["username"], "new_password": subject["new_password"]}
    except (ValueError, KeyError, TypeError):
        print("stdin is not zisctl's rotation object (username, new_password, ...)",
              file=sys.stderr)
        return 2
    if subject.get("old_password"):
        body["old_password"] = subject["old_password"]
    req = urllib.request.Request(
        base + "/_sandbox/target/passwords",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=20) as answer:
            status = answer.status
    except urllib.error.HTTPError as e:
        try:
            why = json.load(e).get("error", "")
        except ValueError:
            why = ""
        print(f"the target refused the change ({e.code}) {why}".strip(), file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError) as e:
        print(f"cannot reach the target at {base}: {getattr(e, 'reason', e)}", file=sys.stderr)
        return 1
    print(f"set the password of {subject['username']} at the target ({status})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
