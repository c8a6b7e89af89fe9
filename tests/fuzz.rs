//! Property tests in place of a fuzzer (stable toolchain, no `cargo fuzz`): page decoding takes
//! any bytes without panicking, and the terminal rule lets no hazard through, however the text
//! is cut into writes. `PROPTEST_CASES=100000 cargo test --test fuzz` runs a longer campaign.

use std::io::Write;

use inbox_tui::api::{ContactKey, RawContact, decode_contacts_page, decode_page_items};
use inbox_tui::export::FlatRow;
use inbox_tui::text::{
    EscapeStyle, TerminalWriter, is_terminal_hazard, single_line, terminal_safe,
};
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
    #![proptest_config(ProptestConfig::with_cases(2000))]

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
}
