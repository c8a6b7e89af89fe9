"""The script users write today: page through POST /inbox/users one page at a time with
`requests` (as issue 8's baseline does) and write the same 22 CSV columns as `inbox-tui export`.
Without `requests` installed it falls back to the standard library's urllib, which is lighter,
so the comparison only gets harder for inbox-tui. The first stderr line says which one ran.

usage: sequential_export.py BASE_URL TOKEN OUTPUT.csv
"""

import csv
import gzip
import json
import sys
import urllib.request

try:
    import requests
except ImportError:
    requests = None

BODY = {
    "searchText": "", "tags": [], "status": [], "isOnline": False,
    "_botWebsite": [], "_botWhatsapp": [], "_botTelegram": [], "_botFacebook": [],
    "_agentAssigned": [], "segments": [], "applicableFilters": [],
    "lastSeenAt": {"startAt": "", "endsAt": ""}, "createdAt": {"startAt": "", "endsAt": ""},
    "userInteracted": False, "lastMessageBy": [], "isLiveChatActive": False,
    "hasOrdered": {"status": False, "lastAt": ""}, "page": 1, "isExport": "none",
    "isContact": False,
}

COLUMNS = ["id", "uuid", "name", "email", "phone", "channel", "bot_id", "status", "agent_id",
           "agent_name", "tags", "segments", "attributes", "last_message_by", "last_message_at",
           "last_message_text", "last_seen_at", "created_at", "online", "live_chat", "ordered",
           "interacted"]
BOTS = ["_botWebsite", "_botWhatsapp", "_botTelegram", "_botFacebook"]


def row(c):
    details = (c.get("profile") or {}).get("userDetails") or {}
    reach = details.get("contact") or {}
    phone = reach.get("phone") or {}
    number = phone.get("number") or ""
    prefix = (phone.get("prefix") or "").lstrip("+")
    name = (details.get("name") or details.get("userProvidedName") or reach.get("email")
            or (f"+{prefix} {number}" if number else "") or c.get("uuid") or "")
    message = c.get("lastMessage") or {}
    attributes = {a.get("key"): a.get("value") for a in details.get("attributes") or []}
    return [
        c.get("_id", ""), c.get("uuid", ""), name, reach.get("email", ""),
        f"+{prefix}{number}" if number else "", (c.get("platform") or [""])[0],
        next((c[b] for b in BOTS if c.get(b)), ""), c.get("status", ""),
        c.get("_agentAssigned", ""), "", ";".join(details.get("tags") or []),
        ";".join(c.get("segments") or []), json.dumps(attributes) if attributes else "",
        message.get("by", ""), message.get("at", ""), message.get("text", ""),
        c.get("lastSeenAt", ""), c.get("createdAt", ""), bool(c.get("isOnline")),
        bool(c.get("isLiveChatActive")), bool((c.get("hasOrdered") or {}).get("status")),
        bool(c.get("userInteracted")),
    ]


def fetch_with_requests(session, base, token, body):
    response = session.post(f"{base}/inbox/users", json=body, timeout=30,
                            headers={"Authorization": f"Bearer {token}", "authtype": "Key"})
    response.raise_for_status()
    return response.json()["data"]


def fetch_with_urllib(base, token, body):
    request = urllib.request.Request(
        f"{base}/inbox/users", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "authtype": "Key",
                 "Content-Type": "application/json", "Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
    return json.loads(raw)["data"]


def main():
    base, token, output = sys.argv[1:4]
    print(f"sequential loop with {'requests' if requests else 'urllib'}", file=sys.stderr)
    session = requests.Session() if requests else None
    with open(output, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        page = 1
        while True:
            body = dict(BODY, page=page)
            if session:
                contacts = fetch_with_requests(session, base, token, body)
            else:
                contacts = fetch_with_urllib(base, token, body)
            if not contacts:
                break
            writer.writerows(row(c) for c in contacts)
            page += 1


if __name__ == "__main__":
    main()
