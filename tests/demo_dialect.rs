//! The demo API speaking the platform's dialect as the public material reads it: boolean filters
//! gated by `applicableFilters`, partial bodies, unknown values, paged and imperfect pick-lists,
//! and contacts from channels no filter covers. Black-box: raw HTTP with hand-written bodies,
//! compared with the generator's data filtered here, independently of the server.

mod common;

use std::collections::HashSet;

use common::demo_process::DemoProcess;
use common::{run_binary, start_server_with, text};
use inbox_tui::demo::{DEFAULT_TOKEN, Dataset, DemoConfig, DemoServer};
use serde_json::{Map, Value, json};

const CONTACTS: usize = 600;
const SEED: u64 = 9;

/// Every documented key of the body, in the doc's order.
const DOCUMENTED_KEYS: [&str; 20] = [
    "searchText",
    "tags",
    "status",
    "isOnline",
    "_botWebsite",
    "_botWhatsapp",
    "_botTelegram",
    "_botFacebook",
    "_agentAssigned",
    "segments",
    "applicableFilters",
    "lastSeenAt",
    "createdAt",
    "userInteracted",
    "lastMessageBy",
    "isLiveChatActive",
    "hasOrdered",
    "page",
    "isExport",
    "isContact",
];

/// Whether a contact passes a filter.
type ContactTest = fn(&Value) -> bool;

/// The boolean filters `applicableFilters` gates, each with a test of a contact against it.
const GATED: [(&str, ContactTest); 4] = [
    ("isOnline", |c| c["isOnline"] == json!(true)),
    ("userInteracted", |c| c["userInteracted"] == json!(true)),
    ("isLiveChatActive", |c| c["isLiveChatActive"] == json!(true)),
    ("hasOrdered", |c| c["hasOrdered"]["status"] == json!(true)),
];

fn config(contacts: usize, seed: u64) -> DemoConfig {
    DemoConfig {
        contacts,
        seed,
        ..DemoConfig::default()
    }
}

/// The body the doc shows, every filter off.
fn full_body() -> Value {
    json!({
        "searchText": "", "tags": [], "status": [], "isOnline": false,
        "_botWebsite": [], "_botWhatsapp": [], "_botTelegram": [], "_botFacebook": [],
        "_agentAssigned": [], "segments": [], "applicableFilters": [],
        "lastSeenAt": { "startAt": "", "endsAt": "" },
        "createdAt": { "startAt": "", "endsAt": "" },
        "userInteracted": false, "lastMessageBy": [], "isLiveChatActive": false,
        "hasOrdered": { "status": false, "lastAt": "" },
        "page": 1, "isExport": "none", "isContact": false
    })
}

/// The full body with `changes` written over it.
fn body_with(changes: Value) -> Value {
    let mut body = full_body();
    if let (Some(fields), Some(changes)) = (body.as_object_mut(), changes.as_object()) {
        fields.extend(changes.clone());
    }
    body
}

fn http() -> reqwest::Client {
    inbox_tui::api::http_client_builder()
        .no_proxy()
        .build()
        .expect("an HTTP client")
}

async fn post(url: &str, body: &Value) -> (u16, Value) {
    let response = http()
        .post(format!("{url}/inbox/users"))
        .bearer_auth(DEFAULT_TOKEN)
        .header("authtype", "Key")
        .json(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("an envelope"))
}

async fn get(server: &DemoServer, path_and_query: &str) -> Value {
    let response = http()
        .get(format!("{}{path_and_query}", server.url()))
        .bearer_auth(DEFAULT_TOKEN)
        .header("authtype", "Key")
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200, "{path_and_query}");
    response.json().await.expect("an envelope")
}

fn messages(envelope: &Value) -> Vec<String> {
    envelope["data"]
        .as_array()
        .expect("validation messages")
        .iter()
        .filter_map(|message| message.as_str().map(str::to_owned))
        .collect()
}

fn ids(contacts: &[Value]) -> Vec<String> {
    contacts
        .iter()
        .map(|contact| contact["_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The ids of every contact `body` matches, paging from 1 to the first empty page.
async fn matched(server: &DemoServer, body: &Value) -> Vec<String> {
    let mut all = Vec::new();
    for page in 1.. {
        let mut body = body.clone();
        body["page"] = json!(page);
        let (status, envelope) = post(&server.url(), &body).await;
        assert_eq!(status, 200, "{body}: {envelope}");
        let contacts = envelope["data"].as_array().expect("a page of contacts");
        if contacts.is_empty() {
            break;
        }
        all.extend(ids(contacts));
    }
    all
}

fn dataset(contacts: usize, seed: u64) -> Vec<Value> {
    let dataset = Dataset::generate(contacts, seed);
    (0..dataset.len())
        .map(|i| dataset.contact_json(i))
        .collect()
}

/// The ids of the contacts `keep` keeps, in served order.
fn expected(all: &[Value], keep: impl Fn(&Value) -> bool) -> Vec<String> {
    ids(&all.iter().filter(|c| keep(c)).cloned().collect::<Vec<_>>())
}

fn narrows(ids: &[String], what: &str) {
    assert!(
        !ids.is_empty() && ids.len() < CONTACTS,
        "{what} matched {} of {CONTACTS}",
        ids.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_boolean_applies_only_when_applicable_filters_lists_it() {
    let server = start_server_with(config(CONTACTS, SEED)).await;
    let all = dataset(CONTACTS, SEED);
    let everyone = expected(&all, |_| true);

    for (key, test) in GATED {
        let on = if key == "hasOrdered" {
            json!({ key: { "status": true, "lastAt": "" } })
        } else {
            json!({ key: true })
        };
        let mut listed = body_with(on.clone());
        listed["applicableFilters"] = json!([key]);
        let want = expected(&all, test);
        narrows(&want, key);
        assert_eq!(matched(&server, &listed).await, want, "{key} listed");
        // Names the demo does not know are accepted and change nothing.
        listed["applicableFilters"] = json!(["ctwaNewUsers", key, "noSuchFilter"]);
        assert_eq!(matched(&server, &listed).await, want, "{key} with others");

        let unlisted = body_with(on);
        assert_eq!(
            matched(&server, &unlisted).await,
            everyone,
            "{key} unlisted"
        );
    }

    // All four on and listed: AND of them.
    let all_on = body_with(json!({
        "isOnline": true, "userInteracted": true, "isLiveChatActive": true,
        "hasOrdered": { "status": true, "lastAt": "" },
        "applicableFilters": ["isOnline", "userInteracted", "isLiveChatActive", "hasOrdered"],
    }));
    let want = expected(&all, |c| GATED.iter().all(|(_, test)| test(c)));
    assert_eq!(matched(&server, &all_on).await, want, "all four");
    // Two of them on and all four on, but only two listed: those two.
    let mut two_listed = all_on.clone();
    two_listed["applicableFilters"] = json!(["userInteracted", "hasOrdered"]);
    let want = expected(&all, |c| GATED[1].1(c) && GATED[3].1(c));
    narrows(&want, "userInteracted and hasOrdered");
    assert_eq!(matched(&server, &two_listed).await, want, "two listed");

    // isContact applies unlisted, and listed too.
    let want = expected(&all, |c| c["isContact"] == json!(true));
    narrows(&want, "isContact");
    let contact = body_with(json!({ "isContact": true }));
    assert_eq!(matched(&server, &contact).await, want, "isContact unlisted");
    let mut contact_listed = contact.clone();
    contact_listed["applicableFilters"] = json!(["isContact"]);
    assert_eq!(matched(&server, &contact_listed).await, want);
    // The doc's sample: userInteracted listed, isContact not; both apply.
    let sample = body_with(json!({
        "userInteracted": true, "isContact": true, "applicableFilters": ["userInteracted"],
    }));
    let want = expected(&all, |c| {
        c["userInteracted"] == json!(true) && c["isContact"] == json!(true)
    });
    assert_eq!(matched(&server, &sample).await, want, "the doc's sample");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_unlisted_booleans_applies_them_listed_or_not() {
    let server = start_server_with(DemoConfig {
        apply_unlisted_booleans: true,
        ..config(CONTACTS, SEED)
    })
    .await;
    let all = dataset(CONTACTS, SEED);
    for (key, test) in GATED {
        let on = if key == "hasOrdered" {
            json!({ key: { "status": true, "lastAt": "" } })
        } else {
            json!({ key: true })
        };
        let want = expected(&all, test);
        assert_eq!(
            matched(&server, &body_with(on.clone())).await,
            want,
            "{key}"
        );
        let mut listed = body_with(on);
        listed["applicableFilters"] = json!([key]);
        assert_eq!(matched(&server, &listed).await, want, "{key} listed");
    }
    let combined = body_with(json!({ "isOnline": true, "userInteracted": true }));
    let want = expected(&all, |c| GATED[0].1(c) && GATED[1].1(c));
    assert_eq!(matched(&server, &combined).await, want);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn partial_bodies_are_filters_that_are_off_unless_strict() {
    let lenient = start_server_with(config(CONTACTS, SEED)).await;
    let strict = start_server_with(DemoConfig {
        strict_body: true,
        ..config(CONTACTS, SEED)
    })
    .await;
    let all = dataset(CONTACTS, SEED);
    let everyone = expected(&all, |_| true);

    let (status, page_one) = post(&lenient.url(), &json!({})).await;
    assert_eq!(status, 200, "{page_one}");
    assert_eq!(
        ids(page_one["data"].as_array().expect("a page")),
        everyone[..50]
    );
    let (status, page_two) = post(&lenient.url(), &json!({ "page": 2 })).await;
    assert_eq!(status, 200, "{page_two}");
    assert_eq!(
        ids(page_two["data"].as_array().expect("a page")),
        everyone[50..100]
    );
    // `null` reads as off, so does a range or hasOrdered without its inner keys.
    let nulls = json!({
        "searchText": null, "tags": null, "status": null, "isOnline": null, "page": null,
        "lastSeenAt": {}, "createdAt": null, "hasOrdered": { "status": false },
        "applicableFilters": null,
    });
    assert_eq!(matched(&lenient, &nulls).await, everyone);
    // A partial body still filters by what it holds.
    let statuses = json!({ "status": ["OPEN", "REVIEW"] });
    let want = expected(&all, |c| {
        ["OPEN", "REVIEW"].contains(&c["status"].as_str().unwrap_or_default())
    });
    narrows(&want, "a partial status filter");
    assert_eq!(matched(&lenient, &statuses).await, want);

    // Strict: one message per missing key, in the doc's order.
    let (status, refused) = post(&strict.url(), &json!({})).await;
    assert_eq!(status, 400, "{refused}");
    let required: Vec<String> = DOCUMENTED_KEYS
        .iter()
        .map(|key| format!("{key} is required"))
        .collect();
    assert_eq!(messages(&refused), required);
    let (status, refused) = post(&strict.url(), &json!({ "page": 2 })).await;
    assert_eq!(status, 400, "{refused}");
    let without_page: Vec<String> = required
        .iter()
        .filter(|message| !message.starts_with("page "))
        .cloned()
        .collect();
    assert_eq!(messages(&refused), without_page);
    let (status, refused) = post(&strict.url(), &body_with(json!({ "tags": null }))).await;
    assert_eq!(status, 400);
    assert_eq!(messages(&refused), ["tags must be an array of strings"]);
    // The documented body passes strict reading too.
    assert_eq!(matched(&strict, &full_body()).await, everyone);

    lenient.shutdown().await;
    strict.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_types_are_refused_one_message_per_field_in_both_readings() {
    for strict_body in [false, true] {
        let server = start_server_with(DemoConfig {
            strict_body,
            ..config(100, 1)
        })
        .await;
        let wrong = body_with(json!({
            "tags": "vip",
            "isOnline": "true",
            "_agentAssigned": [7],
            "applicableFilters": "isOnline",
            "createdAt": { "startAt": "last week", "endsAt": "" },
            "hasOrdered": { "status": 1, "lastAt": "" },
            "page": -1,
        }));
        let (status, refused) = post(&server.url(), &wrong).await;
        assert_eq!(status, 400, "strict {strict_body}: {refused}");
        assert_eq!(refused["success"], json!(false));
        assert_eq!(
            messages(&refused),
            [
                "tags must be an array of strings",
                "isOnline must be a boolean",
                "_agentAssigned must be an array of strings",
                "applicableFilters must be an array of strings",
                "createdAt.startAt must be an ISO-8601 timestamp or empty",
                "hasOrdered.status must be a boolean",
                "page must be an integer >= 1",
            ],
            "strict {strict_body}"
        );
        // A wrong type in a partial body is named just the same.
        if !strict_body {
            let (status, refused) = post(&server.url(), &json!({ "segments": {} })).await;
            assert_eq!(status, 400);
            assert_eq!(messages(&refused), ["segments must be an array of strings"]);
        }
        server.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_keys_are_ignored_and_unknown_values_match_nobody_unless_strict() {
    let lenient = start_server_with(config(CONTACTS, SEED)).await;
    let strict = start_server_with(DemoConfig {
        strict_body: true,
        ..config(CONTACTS, SEED)
    })
    .await;
    let all = dataset(CONTACTS, SEED);
    let everyone = expected(&all, |_| true);

    let extra = body_with(json!({
        "isSubscriber": true, "tagsV2": [{ "name": "vip" }], "_botAutomation": ["x"],
        "ctwaNewUsers": true, "ctwaOldUsers": false,
    }));
    assert_eq!(matched(&lenient, &extra).await, everyone);
    assert_eq!(matched(&strict, &extra).await, everyone);

    for (key, unknown, known) in [
        ("status", "ARCHIVED", "OPEN"),
        ("lastMessageBy", "system", "user"),
    ] {
        let pointer = if key == "status" {
            "/status"
        } else {
            "/lastMessage/by"
        };
        let only_unknown = body_with(json!({ key: [unknown] }));
        assert_eq!(matched(&lenient, &only_unknown).await, Vec::<String>::new());
        let mixed = body_with(json!({ key: [unknown, known] }));
        let want = expected(&all, |c| c.pointer(pointer) == Some(&json!(known)));
        narrows(&want, known);
        assert_eq!(matched(&lenient, &mixed).await, want);

        let (status, refused) = post(&strict.url(), &mixed).await;
        assert_eq!(status, 400, "{refused}");
        assert_eq!(
            messages(&refused),
            [format!("{key} contains an unknown value: {unknown}")]
        );
    }
    // `DEPENDENCY` is not how the platform spells it: unknown, so nobody.
    let misspelt = body_with(json!({ "status": ["DEPENDENCY"] }));
    assert_eq!(matched(&lenient, &misspelt).await, Vec::<String>::new());

    lenient.shutdown().await;
    strict.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deleted_contacts_exist_and_the_status_filter_finds_them() {
    let contacts = 3000;
    let server = start_server_with(config(contacts, SEED)).await;
    let all = dataset(contacts, SEED);
    let want = expected(&all, |c| c["status"] == json!("DELETED"));
    assert!(
        (10..=60).contains(&want.len()),
        "about 1% of {contacts} are DELETED: {}",
        want.len()
    );
    let deleted = body_with(json!({ "status": ["DELETED"] }));
    assert_eq!(matched(&server, &deleted).await, want);
    let strict = start_server_with(DemoConfig {
        strict_body: true,
        ..config(100, 1)
    })
    .await;
    let (status, _) = post(&strict.url(), &deleted).await;
    assert_eq!(status, 200, "DELETED is a known status");
    server.shutdown().await;
    strict.shutdown().await;
}

const BOT_FILTERS: [&str; 4] = [
    "_botWebsite",
    "_botWhatsapp",
    "_botTelegram",
    "_botFacebook",
];

#[tokio::test(flavor = "multi_thread")]
async fn instagram_and_sms_contacts_carry_their_own_bot_key_and_no_bot_filter_finds_them() {
    let contacts = 2000;
    let server = start_server_with(config(contacts, SEED)).await;
    let all = dataset(contacts, SEED);
    let mut unknown_bots = HashSet::new();
    for (platform, key) in [("INSTAGRAM", "_botInstagram"), ("SMS", "_botSms")] {
        let on_channel: Vec<&Value> = all
            .iter()
            .filter(|c| c["platform"] == json!([platform]))
            .collect();
        assert!(
            (contacts / 100..=contacts / 20).contains(&on_channel.len()),
            "about 3% on {platform}: {}",
            on_channel.len()
        );
        for contact in on_channel {
            let bot = contact[key].as_str().unwrap_or_default();
            assert!(
                bot.len() == 24 && bot.bytes().all(|b| b.is_ascii_hexdigit()),
                "{key} in {contact}"
            );
            unknown_bots.insert(bot.to_owned());
            for filter in BOT_FILTERS {
                assert!(contact.get(filter).is_none(), "{filter} in {contact}");
            }
        }
    }
    assert!(
        all.iter()
            .filter(|c| c["platform"] == json!(["SMS"]))
            .all(|c| c
                .pointer("/profile/userDetails/contact/phone/number")
                .and_then(Value::as_str)
                .is_some_and(|number| !number.is_empty())),
        "an SMS contact has a number"
    );

    // Every bot id of every channel, Instagram's and SMS's included, in each bot filter: each
    // finds exactly the contacts that carry that filter's key, never an Instagram or SMS one.
    let mut every_bot: Vec<String> = unknown_bots.into_iter().collect();
    for filter in BOT_FILTERS {
        every_bot.extend(
            all.iter()
                .filter_map(|c| c[filter].as_str().map(str::to_owned))
                .collect::<HashSet<_>>(),
        );
    }
    for filter in BOT_FILTERS {
        let body = body_with(json!({ filter: every_bot }));
        let want = expected(&all, |c| c.get(filter).is_some());
        assert!(
            (1..contacts).contains(&want.len()),
            "{filter}: {}",
            want.len()
        );
        let got = matched(&server, &body).await;
        assert_eq!(got, want, "{filter}");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn phones_that_keep_their_trunk_zero_are_served_and_searchable() {
    let contacts = 3000;
    let server = start_server_with(config(contacts, SEED)).await;
    let all = dataset(contacts, SEED);
    let phone = |c: &Value, key: &str| {
        c.pointer(&format!("/profile/userDetails/contact/phone/{key}"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let trunk: Vec<&Value> = all
        .iter()
        .filter(|c| phone(c, "number").starts_with('0'))
        .collect();
    assert!(
        (contacts / 100..=contacts * 4 / 100).contains(&trunk.len()),
        "about 2% keep their trunk 0: {}",
        trunk.len()
    );
    let uk: Vec<&&Value> = trunk
        .iter()
        .filter(|c| phone(c, "prefix") == "+44")
        .collect();
    assert!(!uk.is_empty(), "some are UK numbers after +44");
    for contact in uk {
        let number = phone(contact, "number");
        assert!(
            number.len() == 12 && number.starts_with("07700 900"),
            "written as people do: {number:?}"
        );
    }
    assert!(
        trunk.iter().any(|c| phone(c, "prefix") == "49"),
        "some are German numbers after 49"
    );

    // The served number is what search looks in, space and all.
    let search = body_with(json!({ "searchText": "07700 900" }));
    let want = expected(&all, |c| phone(c, "number").contains("07700 900"));
    assert!(!want.is_empty());
    assert_eq!(matched(&server, &search).await, want);
    server.shutdown().await;
}

fn has_id(entry: &Value) -> bool {
    entry
        .get("_id")
        .and_then(Value::as_str)
        .is_some_and(|id| id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_user_pages_by_ten_and_holds_an_entry_without_an_id() {
    let server = start_server_with(config(CONTACTS, SEED)).await;
    let page = |n: u32| format!("/custom-user?page={n}&ispagination=true&searchText=");
    let first = get(&server, &page(1)).await;
    let first = first["data"].as_array().expect("a list").clone();
    assert_eq!(first.len(), 10);
    let malformed: Vec<&Value> = first.iter().filter(|entry| !has_id(entry)).collect();
    assert_eq!(malformed.len(), 1, "one entry without an _id on page 1");
    assert!(malformed[0].get("_id").is_none());
    assert_eq!(malformed[0]["name"], json!("Former agent"));
    let second = get(&server, &page(2)).await;
    let second = second["data"].as_array().expect("a list").clone();
    assert!(
        !second.is_empty() && second.len() < 10 && second.iter().all(has_id),
        "the rest, all well-formed: {second:?}"
    );
    let third = get(&server, &page(3)).await;
    assert_eq!(third["data"], json!([]), "past the end");
    assert_eq!(third.as_object().map(Map::len), Some(4));

    let unpaged = get(&server, "/custom-user").await;
    let unpaged = unpaged["data"].as_array().expect("a list").clone();
    assert_eq!(unpaged, [first.clone(), second.clone()].concat());
    assert!(unpaged.len() > 10);

    // Search pages as well; the entry without an id is found by its name.
    let searched = get(
        &server,
        "/custom-user?page=1&ispagination=true&searchText=former",
    )
    .await;
    assert_eq!(searched["data"].as_array().map(Vec::len), Some(1));

    // Every assigned agent is a listed one, and some are only on page 2.
    let all = dataset(CONTACTS, SEED);
    let listed: HashSet<&str> = unpaged.iter().filter_map(|a| a["_id"].as_str()).collect();
    let on_page_two: HashSet<&str> = second.iter().filter_map(|a| a["_id"].as_str()).collect();
    let assigned: Vec<&str> = all
        .iter()
        .filter_map(|c| c["_agentAssigned"].as_str())
        .collect();
    assert!(assigned.iter().all(|id| listed.contains(id)));
    assert!(
        assigned.iter().any(|id| on_page_two.contains(id)),
        "a client reading page 1 only misses some agents"
    );

    // Not a number is refused; without ispagination the page is ignored.
    let response = http()
        .get(format!(
            "{}/custom-user?page=x&ispagination=true",
            server.url()
        ))
        .bearer_auth(DEFAULT_TOKEN)
        .header("authtype", "Key")
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 400);
    let ignored = get(&server, "/custom-user?page=x").await;
    assert_eq!(
        ignored["data"].as_array().map(Vec::len),
        Some(unpaged.len())
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn segments_hold_an_entry_without_an_id_that_no_contact_is_in() {
    let server = start_server_with(config(CONTACTS, SEED)).await;
    let segments = get(&server, "/inbox/segments").await;
    let segments = segments["data"].as_array().expect("a list").clone();
    let malformed: Vec<&Value> = segments.iter().filter(|entry| !has_id(entry)).collect();
    assert_eq!(malformed.len(), 1);
    assert!(malformed[0]["segmentName"].is_string());
    let listed: HashSet<&str> = segments.iter().filter_map(|s| s["_id"].as_str()).collect();
    assert!(listed.len() >= 2);
    for contact in dataset(CONTACTS, SEED) {
        for segment in contact["segments"].as_array().expect("a list") {
            assert!(listed.contains(segment.as_str().unwrap_or_default()));
        }
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_server_command_takes_both_readings() {
    let help = text(&run_binary(&["demo-server", "--help"], None).stdout);
    assert!(help.contains("--strict-body"), "{help}");
    assert!(help.contains("--apply-unlisted-booleans"), "{help}");
    assert!(help.contains("applicableFilters"), "{help}");

    let plain = DemoProcess::start(&["--contacts", "120"]);
    let both = DemoProcess::start(&[
        "--contacts",
        "120",
        "--strict-body",
        "--apply-unlisted-booleans",
    ]);
    let online = body_with(json!({ "isOnline": true }));
    let (plain_status, plain_page) = post(&plain.url, &online).await;
    let (both_status, both_page) = post(&both.url, &online).await;
    let (partial_status, partial) = post(&both.url, &json!({ "page": 1 })).await;
    drop((plain, both));

    assert_eq!((plain_status, both_status), (200, 200));
    let online_count = |page: &Value| {
        let contacts = page["data"].as_array().expect("a page");
        (
            contacts.len(),
            contacts
                .iter()
                .filter(|c| c["isOnline"] == json!(true))
                .count(),
        )
    };
    let (served, online_served) = online_count(&plain_page);
    assert_eq!(served, 50, "unlisted, isOnline is ignored");
    assert!(online_served < served);
    let (served, online_served) = online_count(&both_page);
    assert_eq!(
        served, online_served,
        "--apply-unlisted-booleans applies it"
    );
    assert_eq!(partial_status, 400, "--strict-body refuses a partial body");
    assert_eq!(messages(&partial).len(), DOCUMENTED_KEYS.len() - 1);
}
