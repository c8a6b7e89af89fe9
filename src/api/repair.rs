//! Making a hostile body readable: a contact may carry bytes that are not UTF-8 and lone
//! surrogate escapes, which strict JSON refuses. The decoders repair them rather than lose the
//! page, and tell a body that is only cut short from one that is malformed.

use std::borrow::Cow;

/// `text` with every lone surrogate escape (`"\ud800"` without its pair) inside a JSON string
/// replaced by `\ufffd`, as other JSON readers do: one broken character must not make a whole
/// contact unreadable. Escaped backslashes (`"\\ud800"`) are left alone.
pub fn repair_lone_surrogates(text: &str) -> Cow<'_, str> {
    if !text.contains("\\u") && !text.contains("\\U") {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let hex_at = |at: usize| -> Option<u16> {
        let digits = bytes.get(at..at + 4)?;
        u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    let escape_at = |at: usize| -> Option<u16> {
        (bytes.get(at) == Some(&b'\\') && matches!(bytes.get(at + 1), Some(b'u' | b'U')))
            .then(|| hex_at(at + 2))
            .flatten()
    };
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut in_string = false;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                in_string = !in_string;
                at += 1;
            }
            b'\\' if in_string => {
                let Some(unit) = escape_at(at) else {
                    at += 2;
                    continue;
                };
                let paired = (0xD800..=0xDBFF).contains(&unit)
                    && escape_at(at + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low));
                if paired {
                    at += 12;
                } else if (0xD800..=0xDFFF).contains(&unit) {
                    let repaired = out.get_or_insert_with(|| String::with_capacity(text.len()));
                    repaired.push_str(&text[copied..at]);
                    repaired.push_str("\\ufffd");
                    at += 6;
                    copied = at;
                } else {
                    at += 6;
                }
            }
            _ => at += 1,
        }
    }
    match out {
        Some(mut repaired) => {
            repaired.push_str(&text[copied..]);
            Cow::Owned(repaired)
        }
        None => Cow::Borrowed(text),
    }
}

/// Whether `body` is JSON that ends early once repaired. serde stops at the first error, which
/// in a hostile page may be a broken character well before the cut: read alone, such a page
/// looks malformed and would not be retried.
pub(crate) fn ends_early_once_repaired(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    serde_json::from_str::<serde::de::IgnoredAny>(&repair_lone_surrogates(&text))
        .is_err_and(|error| error.is_eof())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_replacement_characters_and_nothing_else_changes() {
        let repaired = |text: &str| repair_lone_surrogates(text).into_owned();
        assert_eq!(repaired(r#"{"a":"x\ud800y"}"#), r#"{"a":"x\ufffdy"}"#);
        assert_eq!(
            repaired(r#"{"a":"\uDC00\ud800"}"#),
            r#"{"a":"\ufffd\ufffd"}"#
        );
        assert_eq!(
            repaired(r#"{"a":"\ud800\u0041"}"#),
            r#"{"a":"\ufffd\u0041"}"#
        );
        assert_eq!(
            repaired(r#"{"a":"\ud83d\ude00 \ud800"}"#),
            r#"{"a":"\ud83d\ude00 \ufffd"}"#,
            "a lone surrogate after a pair"
        );
        assert_eq!(
            repaired(r#"{"a":"x\UD800y"}"#),
            r#"{"a":"x\ufffdy"}"#,
            "an upper-case escape, in a text without a lower-case one"
        );
        for unchanged in [
            r#"{"a":"\ud83d\ude00 \u00e9"}"#,
            r#"{"a":"\\ud800"}"#,
            r#"{"\\":"\\\\ud800"}"#,
            r#"{"a":"\ud80"}"#,
            r#"{"a":"\u00e9 \"D800 \\DC00"}"#,
        ] {
            assert!(
                matches!(repair_lone_surrogates(unchanged), Cow::Borrowed(_)),
                "{unchanged}"
            );
        }
        let value: serde_json::Value =
            serde_json::from_str(&repaired(r#"{"a":"\ud800\ud800\udc00"}"#)).expect("JSON");
        assert_eq!(value["a"], "\u{fffd}\u{10000}");
    }
}
