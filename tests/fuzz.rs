//! Property tests in place of a fuzzer (stable toolchain, no `cargo fuzz`): page decoding takes
//! any bytes without panicking; the terminal rule lets no hazard through, however the text is
//! cut into writes; TSV and JSON escapes let none through and lose nothing; a lone surrogate
//! is repaired and nothing else changed; the spreadsheet rule quotes everything that could run.
//! `PROPTEST_CASES=100000 cargo test --test fuzz` runs a longer campaign (2,000 cases each by
//! default).

use std::io::Write;

use inbox_tui::api::{
    ContactKey, RawContact, decode_contacts_page, decode_page_items, repair_lone_surrogates,
};
use inbox_tui::export::{FlatRow, spreadsheet_safe};
use inbox_tui::text::{
    EscapeStyle, TerminalWriter, is_terminal_hazard, json_safe, single_line, terminal_safe,
    tsv_escaped,
};

/// Cases per property: `PROPTEST_CASES` when set, else 2,000. (`ProptestConfig::with_cases`
/// alone would ignore the variable.)
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(2000)
}

/// Reads a TSV cell back: the inverse of `tsv_escaped`, written independently of it.
fn tsv_unescaped(cell: &str) -> Option<String> {
    let mut out = String::new();
    let mut characters = cell.chars();
    while let Some(character) = characters.next() {
        if character != '\\' {
            out.push(character);
            continue;
        }
        match characters.next()? {
            '\\' => out.push('\\'),
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            'x' => {
                let hex: String = characters.by_ref().take(2).collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            'u' => {
                if characters.next()? != '{' {
                    return None;
                }
                let hex: String = characters.by_ref().take_while(|c| *c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            _ => return None,
        }
    }
    Some(out)
}
use proptest::prelude::*;

/// Text that leans on what servers and visitors send: controls, C1, bidi, quotes, escapes.
fn hostile_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            any::<char>(),
            Just('\u{1b}'),
            Just('\u{9b}'),
            Just('\u{202e}'),
            Just('\u{200b}'),
            Just('\u{2028}'),
            Just('\r'),
            Just('\n'),
            Just('"'),
            Just('\\'),
            Just('\t'),
            Just('\u{7f}'),
            Just('\u{2029}'),
            Just('\u{feff}'),
            Just('+'),
            Just('='),
            Just('1'),
            Just(' '),
        ],
        0..64,
    )
    .prop_map(|characters| characters.into_iter().collect())
}

/// A page body: a valid envelope around contacts with hostile fields, sometimes cut short or
/// with a byte flipped.
fn page_body() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec((hostile_text(), hostile_text(), any::<bool>()), 0..6),
        any::<Option<(usize, u8)>>(),
        any::<Option<usize>>(),
    )
        .prop_map(|(contacts, flip, cut)| {
            let data: Vec<serde_json::Value> = contacts
                .into_iter()
                .map(|(name, tag, odd)| {
                    if odd {
                        serde_json::json!([name])
                    } else {
                        serde_json::json!({"_id": tag, "profile": {"userDetails": {"name": name, "tags": [tag]}},
                                           "lastMessage": {"at": "2025-01-01T00:00:00.000Z", "text": name}})
                    }
                })
                .collect();
            let mut body = serde_json::json!({"success": true, "data": data})
                .to_string()
                .into_bytes();
            if let Some((at, byte)) = flip
                && !body.is_empty()
            {
                let at = at % body.len();
                body[at] = byte;
            }
            if let Some(cut) = cut {
                body.truncate(cut % (body.len() + 1));
            }
            body
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn decoding_any_page_never_panics(body in page_body()) {
        let _ = decode_page_items::<FlatRow>(200, &body);
        let _ = decode_page_items::<RawContact>(200, &body);
        let _ = decode_page_items::<ContactKey>(200, &body);
        let _ = decode_contacts_page(200, &body);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_page_items::<FlatRow>(200, &body);
        let _ = decode_contacts_page(200, &body);
    }

    #[test]
    fn no_hazard_survives_the_terminal_rule(text in hostile_text()) {
        let safe = terminal_safe(&text);
        prop_assert!(!safe.chars().any(is_terminal_hazard), "{safe:?}");
        let line = single_line(&text);
        prop_assert!(!line.chars().any(|c| c.is_control() || is_terminal_hazard(c)), "{line:?}");
    }

    #[test]
    fn the_terminal_writer_lets_no_hazard_through_however_it_is_cut(
        text in hostile_text(),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
        json in any::<bool>(),
    ) {
        let bytes = text.as_bytes();
        let mut points: Vec<usize> = cuts.into_iter().map(|cut| cut % (bytes.len() + 1)).collect();
        points.sort_unstable();
        let style = if json { EscapeStyle::Json } else { EscapeStyle::Visible };
        let mut writer = TerminalWriter::new(Vec::new(), style);
        let mut start = 0;
        for point in points.into_iter().chain([bytes.len()]) {
            writer.write_all(&bytes[start..point]).expect("in memory");
            start = point;
        }
        let shown = String::from_utf8(writer.into_inner().expect("in memory")).expect("UTF-8");
        let mut characters = shown.chars().peekable();
        while let Some(character) = characters.next() {
            let ends_record = character == '\r' && characters.peek() == Some(&'\n');
            prop_assert!(!is_terminal_hazard(character) || ends_record, "{shown:?}");
        }
    }

    #[test]
    fn tsv_cells_hold_no_hazard_and_read_back_whole(text in hostile_text()) {
        let cell = tsv_escaped(&text);
        prop_assert!(
            !cell.chars().any(|c| is_terminal_hazard(c) || matches!(c, '\t' | '\n' | '\r')),
            "{cell:?}"
        );
        prop_assert_eq!(tsv_unescaped(&cell), Some(text));
    }

    #[test]
    fn json_escapes_hold_no_hazard_and_read_back_as_the_same_data(text in hostile_text()) {
        let json = serde_json::to_string_pretty(&serde_json::json!({"n": text, "t": [text]}))
            .expect("serialisable");
        let safe = json_safe(&json);
        prop_assert!(
            !safe.chars().any(|c| is_terminal_hazard(c) && !matches!(c, '\n' | '\t')),
            "{safe:?}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        prop_assert_eq!(&back["n"], &serde_json::Value::String(text));
    }

    #[test]
    fn lone_surrogates_are_repaired_and_nothing_else_changes(
        parts in proptest::collection::vec((hostile_text(), 0xd800u16..=0xdfff), 0..4),
        tail in hostile_text(),
    ) {
        // Each part of the text, then a lone surrogate escape and a `|` (so no two pair up).
        let quoted = |text: &str| {
            let json = serde_json::to_string(text).expect("JSON");
            json[1..json.len() - 1].to_owned()
        };
        let mut json = String::from("{\"n\":\"");
        let mut expected = String::new();
        for (text, unit) in &parts {
            json.push_str(&format!("{}\\u{unit:04x}|", quoted(text)));
            expected.push_str(&format!("{text}\u{fffd}|"));
        }
        json.push_str(&quoted(&tail));
        json.push_str("\"}");
        expected.push_str(&tail);
        let repaired = repair_lone_surrogates(&json);
        let value: serde_json::Value = match serde_json::from_str(&repaired) {
            Ok(value) => value,
            Err(error) => return Err(TestCaseError::fail(format!("{error}: {repaired}"))),
        };
        prop_assert_eq!(value["n"].as_str(), Some(expected.as_str()));
        let whole = serde_json::to_string(&serde_json::json!({"n": expected})).expect("JSON");
        prop_assert_eq!(repair_lone_surrogates(&whole), whole.clone(), "valid JSON is unchanged");
    }

    #[test]
    fn the_spreadsheet_rule_quotes_whatever_could_run(text in hostile_text()) {
        let cell = spreadsheet_safe(&text);
        let phone = text.strip_prefix('+').is_some_and(|rest| {
            rest.chars().any(|c| c.is_ascii_digit())
                && rest.chars().all(|c| c.is_ascii_digit() || " -()".contains(c))
        });
        if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !phone {
            prop_assert_eq!(cell.as_ref(), format!("'{text}"));
        } else {
            prop_assert_eq!(cell.as_ref(), text.as_str());
        }
    }
}
