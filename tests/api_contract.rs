//! The real client against the demo API over HTTP: every filter narrows exactly as the contract
//! says, compared with the generator's data filtered here, independently of the server.

mod common;

use std::collections::HashSet;

use common::{client_for, fetch_all, ids, start_server};
use inbox_tui::api::{ApiError, DateRange, HasOrdered, Query, Sender, Status};
use inbox_tui::demo::{DEFAULT_TOKEN, Dataset};
use serde_json::{Value, json};

const CONTACTS: usize = 700;
const SEED: u64 = 7;

fn dataset() -> Vec<Value> {
    let dataset = Dataset::generate(CONTACTS, SEED);
    (0..dataset.len())
        .map(|index| dataset.contact_json(index))
        .collect()
}

fn str_at<'a>(contact: &'a Value, pointer: &str) -> &'a str {
    contact
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn strings_at(contact: &Value, pointer: &str) -> Vec<String> {
    contact
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn flag(contact: &Value, key: &str) -> bool {
    contact.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn timestamp(text: &str) -> jiff::Timestamp {
    text.parse().expect("an ISO-8601 timestamp")
}

/// The contract's filter semantics, written from the API README, not from the server's code.
fn matches(contact: &Value, query: &Query) -> bool {
    let any_of = |wanted: &[String], have: &[String]| {
        wanted.is_empty() || have.iter().any(|item| wanted.contains(item))
    };
    let one_of =
        |wanted: &[String], have: &str| wanted.is_empty() || wanted.iter().any(|item| item == have);
    let search = query.search_text.trim().to_lowercase();
    let search_ok = search.is_empty() || {
        let prefix = str_at(contact, "/profile/userDetails/contact/phone/prefix");
        let number = str_at(contact, "/profile/userDetails/contact/phone/number");
        [
            str_at(contact, "/profile/userDetails/name").to_owned(),
            str_at(contact, "/profile/userDetails/userProvidedName").to_owned(),
            str_at(contact, "/profile/userDetails/contact/email").to_owned(),
            format!("{prefix}{number}"),
            number.to_owned(),
            str_at(contact, "/uuid").to_owned(),
        ]
        .iter()
        .any(|field| field.to_lowercase().contains(&search))
    };
    let in_range = |range: &DateRange, pointer: &str| {
        let value = str_at(contact, pointer);
        if range.is_open() {
            return true;
        }
        if value.is_empty() {
            return false;
        }
        let at = timestamp(value);
        (range.start_at.is_empty() || timestamp(&range.start_at) <= at)
            && (range.ends_at.is_empty() || at <= timestamp(&range.ends_at))
    };
    let statuses: Vec<String> = query
        .status
        .iter()
        .map(|status| status.as_str().to_owned())
        .collect();
    let senders: Vec<String> = query
        .last_message_by
        .iter()
        .map(|sender| sender.as_str().to_owned())
        .collect();
    search_ok
        && any_of(
            &query.tags,
            &strings_at(contact, "/profile/userDetails/tags"),
        )
        && one_of(&statuses, str_at(contact, "/status"))
        && (!query.is_online || flag(contact, "isOnline"))
        && one_of_present(&query.bot_website, str_at(contact, "/_botWebsite"))
        && one_of_present(&query.bot_whatsapp, str_at(contact, "/_botWhatsapp"))
        && one_of_present(&query.bot_telegram, str_at(contact, "/_botTelegram"))
        && one_of_present(&query.bot_facebook, str_at(contact, "/_botFacebook"))
        && one_of_present(&query.agent_assigned, str_at(contact, "/_agentAssigned"))
        && any_of(&query.segments, &strings_at(contact, "/segments"))
        && in_range(&query.last_seen_at, "/lastSeenAt")
        && in_range(&query.created_at, "/createdAt")
        && (!query.user_interacted || flag(contact, "userInteracted"))
        && one_of(&senders, str_at(contact, "/lastMessage/by"))
        && (!query.is_live_chat_active || flag(contact, "isLiveChatActive"))
        && (!query.has_ordered.status
            || contact
                .pointer("/hasOrdered/status")
                .and_then(Value::as_bool)
                .unwrap_or(false))
        && (!query.is_contact || flag(contact, "isContact"))
}

/// Any-of on a single id that a contact may lack: a contact without one never matches.
fn one_of_present(wanted: &[String], have: &str) -> bool {
    wanted.is_empty() || (!have.is_empty() && wanted.iter().any(|item| item == have))
}

/// Fetches every page for `query` and checks it is exactly what the data set says, in order.
/// Returns how many matched, so callers can check the filter actually narrowed something.
async fn assert_server_matches(
    client: &inbox_tui::api::Client,
    all: &[Value],
    query: Query,
) -> usize {
    let expected: Vec<Value> = all
        .iter()
        .filter(|contact| matches(contact, &query))
        .cloned()
        .collect();
    let fetched = fetch_all(client, &query).await;
    assert_eq!(ids(&fetched), ids(&expected), "query {query:?}");
    assert_eq!(fetched, expected, "the served JSON is the generator's JSON");
    expected.len()
}

fn narrows(count: usize, query: &str) {
    assert!(
        count > 0 && count < CONTACTS,
        "the filter must match some but not all, matched {count}: {query}"
    );
}

fn first_value(all: &[Value], pointer: &str) -> String {
    all.iter()
        .map(|contact| str_at(contact, pointer))
        .find(|value| !value.is_empty())
        .expect("some contact has the field")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_filter_narrows_as_the_contract_says() {
    let server = start_server(CONTACTS, SEED).await;
    let client = client_for(&server, DEFAULT_TOKEN);
    let all = dataset();

    assert_eq!(
        assert_server_matches(&client, &all, Query::default()).await,
        CONTACTS
    );

    let tags: Vec<String> = all
        .iter()
        .flat_map(|contact| strings_at(contact, "/profile/userDetails/tags"))
        .collect::<HashSet<_>>()
        .into_iter()
        .take(2)
        .collect();
    let agents = client.agents().await.expect("agents list");
    let agent_assigned: Vec<String> = agents
        .iter()
        .take(2)
        .map(|agent| agent.id.clone())
        .collect();
    let segments_list = client.segments().await.expect("segments list");
    let segments = vec![segments_list.first().expect("some segment").id.clone()];
    let mut seen: Vec<&str> = all
        .iter()
        .map(|contact| str_at(contact, "/lastSeenAt"))
        .collect();
    seen.sort_unstable();
    let last_seen_at = DateRange {
        start_at: seen[CONTACTS / 3].to_owned(),
        ends_at: String::new(),
    };
    // Each filter alone, then three together: each keeps some contacts but not all.
    let narrowing = [
        Query {
            tags,
            ..Query::default()
        },
        Query {
            status: vec![Status::Open, Status::Dependancy],
            ..Query::default()
        },
        Query {
            is_online: true,
            ..Query::default()
        },
        Query {
            user_interacted: true,
            ..Query::default()
        },
        Query {
            is_live_chat_active: true,
            ..Query::default()
        },
        Query {
            is_contact: true,
            ..Query::default()
        },
        Query {
            has_ordered: HasOrdered {
                status: true,
                last_at: String::new(),
            },
            ..Query::default()
        },
        Query {
            bot_website: vec![first_value(&all, "/_botWebsite")],
            ..Query::default()
        },
        Query {
            bot_whatsapp: vec![first_value(&all, "/_botWhatsapp")],
            ..Query::default()
        },
        Query {
            bot_telegram: vec![first_value(&all, "/_botTelegram")],
            ..Query::default()
        },
        Query {
            bot_facebook: vec![first_value(&all, "/_botFacebook")],
            ..Query::default()
        },
        Query {
            agent_assigned,
            ..Query::default()
        },
        Query {
            segments,
            ..Query::default()
        },
        Query {
            last_message_by: vec![Sender::Agent, Sender::User],
            ..Query::default()
        },
        Query {
            last_seen_at,
            ..Query::default()
        },
        Query {
            status: vec![Status::Open, Status::InProgress, Status::Review],
            user_interacted: true,
            last_message_by: vec![Sender::User, Sender::Bot],
            ..Query::default()
        },
    ];
    for query in narrowing {
        let described = format!("{query:?}");
        narrows(
            assert_server_matches(&client, &all, query).await,
            &described,
        );
    }

    // Inclusive on both ends: bounds equal to real timestamps keep those contacts.
    let mut created: Vec<&str> = all
        .iter()
        .map(|contact| str_at(contact, "/createdAt"))
        .collect();
    created.sort_unstable();
    let created_at = DateRange {
        start_at: created[CONTACTS / 4].to_owned(),
        ends_at: created[CONTACTS / 2].to_owned(),
    };
    let count = assert_server_matches(
        &client,
        &all,
        Query {
            created_at,
            ..Query::default()
        },
    )
    .await;
    assert!(
        count > CONTACTS / 4,
        "both ends are inclusive, matched {count}"
    );

    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn search_is_case_insensitive_over_every_documented_field() {
    let server = start_server(CONTACTS, SEED).await;
    let client = client_for(&server, DEFAULT_TOKEN);
    let all = dataset();

    let email = first_value(&all, "/profile/userDetails/contact/email");
    let local_part = email
        .split('@')
        .next()
        .expect("an email has a local part")
        .to_uppercase();
    let uuid = first_value(&all, "/uuid");
    let number = first_value(&all, "/profile/userDetails/contact/phone/number");
    let provided = first_value(&all, "/profile/userDetails/userProvidedName");
    let wide_name = all
        .iter()
        .map(|contact| str_at(contact, "/profile/userDetails/name"))
        .find(|name| !name.is_ascii())
        .expect("the data has non-ASCII names")
        .to_owned();
    for search_text in [
        local_part,
        uuid[..13].to_uppercase(),
        number,
        provided,
        wide_name,
    ] {
        let count = assert_server_matches(
            &client,
            &all,
            Query {
                search_text: search_text.clone(),
                ..Query::default()
            },
        )
        .await;
        assert!(
            (1..CONTACTS).contains(&count),
            "{search_text:?} matched {count}"
        );
    }
    let nothing = Query {
        search_text: "zz-no-such-contact-zz".into(),
        ..Query::default()
    };
    assert_eq!(assert_server_matches(&client, &all, nothing).await, 0);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_to_the_first_empty_page_yields_everyone_once_newest_first() {
    let server = start_server(1234, 3).await;
    let client = client_for(&server, DEFAULT_TOKEN);
    let fetched = fetch_all(&client, &Query::default()).await;
    assert_eq!(fetched.len(), 1234);
    let unique: HashSet<String> = ids(&fetched).into_iter().collect();
    assert_eq!(unique.len(), 1234, "no contact twice");
    let times: Vec<&str> = fetched
        .iter()
        .map(|contact| str_at(contact, "/lastMessage/at"))
        .collect();
    assert!(
        times.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest last message first"
    );
    let last = client
        .fetch_page(&Query::default(), 25)
        .await
        .expect("page 25");
    assert_eq!(last.contacts.len(), 34, "1234 = 24 full pages + 34");
    assert!(last.looks_last());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_token_is_unauthorized_and_never_echoed() {
    let server = start_server(100, 1).await;
    let client = client_for(&server, common::CANARY_TOKEN);
    let error = client
        .fetch_page(&Query::default(), 1)
        .await
        .expect_err("rejected");
    assert!(
        matches!(error, ApiError::Unauthorized { status: 401, .. }),
        "{error:?}"
    );
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(common::CANARY_TOKEN), "{shown}");
    assert!(
        shown.contains("INBOX_TUI_TOKEN"),
        "says where to set it: {shown}"
    );
    for pick_list in [
        client.agents().await.err(),
        client.segments().await.err(),
        client.whatsapp_bots().await.err(),
    ] {
        assert!(matches!(pick_list, Some(ApiError::Unauthorized { .. })));
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_checks_bearer_and_authtype_and_validates_the_body() {
    let server = start_server(100, 1).await;
    let http = inbox_tui::api::http_client_builder()
        .no_proxy()
        .build()
        .expect("client");
    let url = format!("{}/inbox/users", server.url());
    let full = serde_json::to_value(Query::default().page(1)).expect("serializes");

    let without_authtype = http
        .post(&url)
        .bearer_auth(DEFAULT_TOKEN)
        .json(&full)
        .send()
        .await
        .expect("answers");
    assert_eq!(without_authtype.status(), 401);
    let body: Value = without_authtype.json().await.expect("envelope");
    assert_eq!(body["success"], json!(false));

    // Missing keys are filters that are off (see tests/demo_dialect.rs); wrong types are not.
    let mut wrong = full.clone();
    let object = wrong.as_object_mut().expect("an object");
    object.insert("tags".into(), json!("vip"));
    object.insert("createdAt".into(), json!([]));
    object.insert("page".into(), json!(0));
    let response = http
        .post(&url)
        .bearer_auth(DEFAULT_TOKEN)
        .header("authtype", "Key")
        .json(&wrong)
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("envelope");
    let messages: Vec<&str> = body["data"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        messages.iter().any(|message| message.contains("tags")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|message| message.contains("createdAt")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|message| message.contains("page")),
        "{messages:?}"
    );
    assert_eq!(
        body.as_object().map(|object| object.len()),
        Some(4),
        "envelope has 4 keys: {body}"
    );

    let ok = http
        .post(&url)
        .bearer_auth(DEFAULT_TOKEN)
        .header("authtype", "Key")
        .json(&full)
        .send()
        .await
        .expect("answers");
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.expect("envelope");
    let keys: HashSet<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        HashSet::from(["success", "message", "data", "code"]),
        "no total, no meta"
    );
    assert_eq!(body["data"].as_array().map(Vec::len), Some(50));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pick_lists_come_back_named() {
    let server = start_server(100, 1).await;
    let client = client_for(&server, DEFAULT_TOKEN);
    let agents = client.agents().await.expect("agents");
    assert!(
        agents.len() >= 3
            && agents
                .iter()
                .all(|agent| agent.id.len() == 24 && !agent.name.is_empty())
    );
    assert!(
        agents.iter().any(|agent| agent.is_online())
            && agents.iter().any(|agent| !agent.is_online())
    );
    let segments = client.segments().await.expect("segments");
    assert!(!segments.is_empty() && segments.iter().all(|segment| !segment.name.is_empty()));
    let bots = client.whatsapp_bots().await.expect("bots");
    assert!(!bots.is_empty() && bots.iter().all(|bot| !bot.name.is_empty()));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_sends_the_documented_headers_and_body() {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let capture = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("a connection");
        let request = common::read_http_request(&mut stream)
            .await
            .expect("a whole request");
        let body = br#"{"success":true,"message":"","data":[],"code":200}"#;
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        stream
            .write_all(response.as_bytes())
            .await
            .expect("the response is sent");
        stream.write_all(body).await.expect("the body is sent");
        request
    });
    let client = inbox_tui::api::Client::new(inbox_tui::api::ClientConfig::new(
        url,
        inbox_tui::api::Token::new("t0ken-under-test"),
    ))
    .expect("a valid base URL");
    let query = Query {
        search_text: "jane".into(),
        status: vec![Status::Review],
        is_online: true,
        ..Query::default()
    };
    let page = client.fetch_page(&query, 3).await.expect("an empty page");
    assert!(page.contacts.is_empty());

    let common::Received { head, body, .. } = capture.await.expect("the capture finishes");
    let lines: Vec<String> = head.lines().map(str::to_ascii_lowercase).collect();
    assert_eq!(lines[0], "post /inbox/users http/1.1");
    for expected in [
        "authorization: bearer t0ken-under-test",
        "authtype: key",
        "content-type: application/json",
        &format!("user-agent: inbox-tui/{}", env!("CARGO_PKG_VERSION")),
    ] {
        assert!(
            lines.iter().any(|line| line == expected),
            "missing {expected:?} in\n{head}"
        );
    }
    let body: Value = serde_json::from_slice(&body).expect("a JSON body");
    let mut expected = serde_json::to_value(Query::default().page(3)).expect("serializes");
    expected["searchText"] = json!("jane");
    expected["status"] = json!(["REVIEW"]);
    expected["isOnline"] = json!(true);
    expected["applicableFilters"] = json!(["isOnline"]);
    assert_eq!(
        body, expected,
        "the full documented body, every field present"
    );
}
