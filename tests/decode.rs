//! Decoding real and hostile responses: errors or defaults, never a panic.

use inbox_tui::api::{ApiError, decode_contacts_page};
use serde_json::{Value, json};

fn sample_contact() -> Value {
    serde_json::from_str(include_str!("fixtures/sample-contact.json")).expect("the fixture is JSON")
}

fn envelope(data: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"success": true, "message": "", "data": data, "code": 200}))
        .expect("serializes")
}

#[test]
fn the_sample_contact_decodes_with_every_field() {
    let contacts = decode_contacts_page(200, &envelope(json!([sample_contact()])))
        .expect("decodes")
        .items;
    let [contact] = contacts.as_slice() else {
        panic!("one contact expected, got {}", contacts.len());
    };
    assert_eq!(contact.id(), Some("65a000000000000000000001"));
    assert_eq!(contact.display_name(), "Jane");
    assert_eq!(contact.user_provided_name(), Some("Jane Doe"));
    assert_eq!(contact.email(), Some("jane@example.com"));
    let phone = contact.phone().expect("has a phone");
    assert_eq!(phone.e164().as_deref(), Some("+447700900123"));
    assert_eq!(phone.display(), "+44 7700900123");
    assert_eq!(contact.channel(), Some("WEBSITE"));
    assert_eq!(contact.bot_id(), Some("65a0000000000000000000b1"));
    assert_eq!(contact.status(), Some("OPEN"));
    assert_eq!(contact.agent_id(), None);
    assert_eq!(contact.tags(), vec!["vip"]);
    assert_eq!(
        contact.attributes(),
        vec![("plan".to_owned(), "pro".to_owned())]
    );
    let message = contact.last_message().expect("has a last message");
    assert_eq!(message.by, Some("bot"));
    assert_eq!(message.text, Some("Thanks! What is your email?"));
    assert!(contact.user_interacted() && contact.is_contact() && !contact.is_online());
    assert!(!contact.has_ordered());
    assert_eq!(contact.to_value(), sample_contact(), "nothing is lost");
}

#[test]
fn display_name_falls_back_in_the_documented_order() {
    let mut contact = sample_contact();
    let details = "/profile/userDetails";
    let set = |contact: &mut Value, path: &str, value: Value| {
        *contact.pointer_mut(path).expect("path exists") = value;
    };
    let name_of = |contact: &Value| {
        decode_contacts_page(200, &envelope(json!([contact])))
            .expect("decodes")
            .items
            .remove(0)
            .display_name()
    };
    set(&mut contact, &format!("{details}/name"), json!(""));
    assert_eq!(name_of(&contact), "Jane Doe");
    set(
        &mut contact,
        &format!("{details}/userProvidedName"),
        json!(""),
    );
    assert_eq!(name_of(&contact), "jane@example.com");
    set(&mut contact, &format!("{details}/contact/email"), json!(""));
    assert_eq!(name_of(&contact), "+44 7700900123");
    set(
        &mut contact,
        &format!("{details}/contact/phone/prefix"),
        json!("91"),
    );
    assert_eq!(name_of(&contact), "+91 7700900123");
    set(
        &mut contact,
        &format!("{details}/contact/phone/number"),
        json!(""),
    );
    assert_eq!(name_of(&contact), "0b6f1c2e-1111-4a4a-9999-123456789abc");
}

#[test]
fn both_prefix_styles_give_the_same_e164() {
    for prefix in ["+91", "91", " 91 "] {
        let contact = json!({"_id": "x", "profile": {"userDetails": {"contact": {"phone": {"number": "98765 43210", "prefix": prefix}}}}});
        let contacts = decode_contacts_page(200, &envelope(json!([contact])))
            .expect("decodes")
            .items;
        let phone = contacts[0].phone().expect("has a phone");
        assert_eq!(
            phone.e164().as_deref(),
            Some("+919876543210"),
            "prefix {prefix:?}"
        );
    }
}

#[test]
fn a_national_trunk_zero_after_the_country_code_is_dropped() {
    // (prefix, number, E.164, shown)
    let cases = [
        (
            "+44",
            "07700 900123",
            Some("+447700900123"),
            "+44 7700 900123",
        ),
        (
            "44",
            "7700 900123",
            Some("+447700900123"),
            "+44 7700 900123",
        ),
        (
            "49",
            "0151 23456789",
            Some("+4915123456789"),
            "+49 151 23456789",
        ),
        (
            "+91",
            "09876543210",
            Some("+919876543210"),
            "+91 9876543210",
        ),
        // Italian numbers keep their 0 after +39.
        (
            "+39",
            "06 6982 1234",
            Some("+390669821234"),
            "+39 06 6982 1234",
        ),
        // No country code: the 0 is all we know, and no E.164 can be made.
        ("", "07700 900123", None, "07700 900123"),
        ("+44", "0", None, "+44 0"),
    ];
    for (prefix, number, e164, shown) in cases {
        let contact = json!({"_id": "x", "profile": {"userDetails": {"contact": {"phone": {"number": number, "prefix": prefix}}}}});
        let contacts = decode_contacts_page(200, &envelope(json!([contact])))
            .expect("decodes")
            .items;
        let phone = contacts[0].phone().expect("has a phone");
        assert_eq!(phone.e164().as_deref(), e164, "{prefix:?} {number:?}");
        assert_eq!(phone.display(), shown, "{prefix:?} {number:?}");
    }
}

#[test]
fn missing_and_mistyped_fields_become_defaults() {
    let hostile = json!([
        {},
        {"_id": 42, "profile": "nope", "platform": "WEBSITE", "status": ["OPEN"], "lastMessage": 3},
        {"_id": "a", "profile": {"userDetails": {"name": 7, "tags": "vip", "attributes": [{"key": "k", "value": {"deep": true}}, {"nokey": 1}], "contact": {"phone": {"number": 5}}}}},
        {"_id": "b", "isOnline": "yes", "hasOrdered": true, "lastMessage": {"at": "2025-01-02T10:05:00.000Z"}, "brandNewField": {"x": [1, 2]}}
    ]);
    let contacts = decode_contacts_page(200, &envelope(hostile.clone()))
        .expect("decodes")
        .items;
    assert_eq!(contacts.len(), 4);
    assert_eq!(contacts[0].display_name(), "(unnamed)");
    // Issue 21: a number where text is expected reads as its text, never as a blank.
    assert_eq!(contacts[1].id(), Some("42"));
    assert_eq!(contacts[1].channel(), None);
    assert_eq!(contacts[1].status(), None);
    assert!(
        contacts[1]
            .last_message()
            .is_some_and(|message| message.text.is_none())
    );
    assert_eq!(contacts[2].name(), Some("7"));
    assert!(contacts[2].tags().is_empty());
    assert_eq!(contacts[2].phone().map(|phone| phone.number), Some("5"));
    assert_eq!(
        contacts[2].attributes(),
        vec![("k".to_owned(), r#"{"deep":true}"#.to_owned())]
    );
    assert!(!contacts[3].is_online() && !contacts[3].has_ordered());
    let message = contacts[3].last_message().expect("present");
    assert_eq!((message.text, message.by), (None, None));
    assert_eq!(
        contacts[3].to_value(),
        hostile[3],
        "unknown fields are kept"
    );
}

#[test]
fn every_truncation_of_a_page_is_an_error_not_a_panic() {
    let body = envelope(json!([sample_contact(), sample_contact()]));
    for cut in 0..body.len() {
        match decode_contacts_page(200, &body[..cut]) {
            Err(ApiError::Truncated { .. }) | Err(ApiError::Decode { .. }) => {}
            other => panic!("cut at {cut} gave {other:?}"),
        }
    }
    assert!(matches!(
        decode_contacts_page(200, &body[..body.len() / 2]),
        Err(ApiError::Truncated { .. })
    ));
}

/// A page cut anywhere is reported as cut short, which the walk retries, and never as a
/// malformed reply, which it does not: even cut inside a multi-byte character, and even when a
/// hostile contact before the cut carries a byte that is not UTF-8 and a lone surrogate escape
/// (seen: the count failed on such a page in the hostile demo).
#[test]
fn a_page_cut_anywhere_is_cut_short_even_after_hostile_text() {
    let mut hostile = sample_contact();
    hostile["profile"]["userDetails"]["name"] = json!("HOSTILE");
    let mut contact = sample_contact();
    contact["profile"]["userDetails"]["name"] = json!("Zoë 🦜 دانا 日本");
    let clean = envelope(json!([hostile, contact]));
    let marker = clean
        .windows(7)
        .position(|window| window == b"HOSTILE")
        .expect("the marker is in the body");
    let body = [
        &clean[..marker],
        b"\\ud800 \xff\xfe".as_slice(),
        &clean[marker + 7..],
    ]
    .concat();
    assert!(
        decode_contacts_page(200, &body).is_ok(),
        "the whole page decodes"
    );
    let after_the_hostile_bytes = marker + 12;
    let inside_a_character = (after_the_hostile_bytes..body.len())
        .filter(|&cut| std::str::from_utf8(&body[after_the_hostile_bytes..cut]).is_err())
        .count();
    assert!(
        inside_a_character >= 10,
        "the name has multi-byte characters to cut into"
    );
    for cut in 0..body.len() {
        match decode_contacts_page(200, &body[..cut]) {
            Err(ApiError::Truncated { .. }) => {}
            other => panic!("cut at {cut} of {} gave {other:?}", body.len()),
        }
    }
}

/// A page broken in its middle, not at its end, is malformed and not retried, even when a
/// hostile contact before the break holds a lone surrogate and bytes that are not UTF-8: only a
/// page that ends early is cut short.
#[test]
fn a_page_broken_in_its_middle_is_malformed_not_cut_short() {
    let body = [
        br#"{"success":true,"code":200,"message":"","data":[{"_id":"a","name":"\ud800 "#.as_slice(),
        b"\xff\xfe",
        br#""}]]}"#.as_slice(),
    ]
    .concat();
    let error = decode_contacts_page(200, &body).expect_err("malformed");
    assert!(matches!(error, ApiError::Decode { .. }), "{error:?}");
    assert!(!error.is_retryable());
}

#[test]
fn envelopes_that_are_not_pages_are_errors() {
    let refused = br#"{"success": false, "message": "Validation failed", "data": ["tags is required"], "code": 400}"#;
    match decode_contacts_page(200, refused) {
        Err(ApiError::Api {
            status,
            message,
            details,
        }) => {
            assert_eq!((status, message.as_str()), (400, "Validation failed"));
            assert_eq!(details, vec!["tags is required"]);
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    assert!(matches!(
        decode_contacts_page(200, br#"{"success": false, "message": "no", "code": 401}"#),
        Err(ApiError::Unauthorized { status: 401, .. })
    ));
    for broken in [
        &br#"{"success": true, "data": {"a": 1}}"#[..],
        br#"{"success": true, "data": null}"#,
        br#"{"success": true, "message": ""}"#,
    ] {
        assert!(matches!(
            decode_contacts_page(200, broken),
            Err(ApiError::BrokenPage { .. })
        ));
    }
    assert!(
        matches!(
            decode_contacts_page(200, br#"{"success": true, "data": [1, 2]}"#),
            Ok(page) if page.items.is_empty() && page.skipped == 2
        ),
        "items that are not contacts are left out and counted, not taken for the end"
    );
    assert!(matches!(
        decode_contacts_page(200, b"<html>hi</html>"),
        Err(ApiError::Decode { .. })
    ));
    assert!(matches!(
        decode_contacts_page(502, b"<html>Bad gateway</html>"),
        Err(ApiError::Server { status: 502, .. })
    ));
    assert!(matches!(
        decode_contacts_page(200, br#"{"success": true, "data": []}"#),
        Ok(page) if page.items.is_empty() && page.skipped == 0
    ));
}
