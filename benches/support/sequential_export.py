"""The script users write today: page through POST /inbox/users one page at a time and write the
same 22 CSV columns as `inbox-tui export`. Standard library only (urllib, gzip, json, csv), so
the comparison needs nothing installed; urllib is lighter than `requests`, which keeps the
comparison conservative.

usage: sequential_export.py BASE_URL TOKEN OUTPUT.csv
"""

import csv
import gzip
import json
import sys
import urllib.request

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


def main():
    base, token, output = sys.argv[1:4]
    with open(output, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        page = 1
        while True:
            body = dict(BODY, page=page)
            request = urllib.request.Request(
                f"{base}/inbox/users", data=json.dumps(body).encode(), method="POST",
                headers={"Authorization": f"Bearer {token}", "authtype": "Key",
                         "Content-Type": "application/json", "Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                if response.headers.get("Content-Encoding") == "gzip":
                    raw = gzip.decompress(raw)
            contacts = json.loads(raw)["data"]
            if not contacts:
                break
            writer.writerows(row(c) for c in contacts)
            page += 1


if __name__ == "__main__":
    main()
