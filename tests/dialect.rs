//! The API's dialect as the real client speaks it, against servers that are not the demo: the
//! body it sends (`applicableFilters`, raw fields, statuses), the error texts it makes of what
//! gateways answer, the pick-lists it pages through, and a contact with exactly the key set of
//! the real capture, from decoding to the exported bytes.

mod common;

use common::{FakeServer, Received, export_to, json_reply, run_binary_async, text};
use inbox_tui::api::{Client, ClientConfig, Token, decode_contacts_page};
use serde_json::{Value, json};

const FIXTURE: &str = include_str!("fixtures/real-capture-contact.json");

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).expect("the fixture is JSON")
}

fn page(contacts: Value) -> Value {
    json!({"success": true, "message": "", "data": contacts, "code": 200})
}

/// Contacts on page 1, then the end; no agents.
fn serve_contacts(contacts: Value) -> impl Fn(&Received) -> common::Reply {
    move |request| {
        if request.target.starts_with("/custom-user") {
            return json_reply(200, &page(json!([])));
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        match body["page"].as_u64() {
            Some(1) => json_reply(200, &page(contacts.clone())),
            _ => json_reply(200, &page(json!([]))),
        }
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|arg| (*arg).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn booleans_raw_fields_and_unknown_values_reach_the_server_as_given() {
    let server = FakeServer::start(serve_contacts(json!([]))).await;
    let output = run_binary_async(
        args(&[
            "list",
            "--base-url",
            &server.url,
            "--online",
            "--ordered",
            "--contacts-only",
            "--applicable",
            "tagsV2",
            "--field",
            r#"tagsV2=["vip"]"#,
            "--field",
            "isSubscriber=true",
            "--status",
            "dependency",
            "--status",
            "archived",
            "--last-message-by",
            "system",
        ]),
        Some("fake-token".into()),
    )
    .await;
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let requests = server.received();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let body: Value = serde_json::from_slice(&requests[0].body).expect("a JSON body");
    assert_eq!(
        body["applicableFilters"],
        json!(["isOnline", "hasOrdered", "tagsV2"])
    );
    assert_eq!(body["isOnline"], json!(true));
    assert_eq!(body["hasOrdered"]["status"], json!(true));
    assert_eq!(body["isContact"], json!(true));
    assert_eq!(body["tagsV2"], json!(["vip"]));
    assert_eq!(body["isSubscriber"], json!(true));
    assert_eq!(body["status"], json!(["DEPENDANCY", "archived"]));
    assert_eq!(body["lastMessageBy"], json!(["system"]));
    assert_eq!(body["page"], json!(1));
    assert!(
        stderr.contains(r#"warning: status "archived" is not one inbox-tui knows"#),
        "{stderr}"
    );
    assert!(
        stderr.contains(r#"warning: last-message sender "system""#),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("warning:").count(),
        2,
        "a known alias (dependency) is no warning: {stderr}"
    );
}

/// A sender inbox-tui knows (any case) is sent without a warning; a typo of one is sent as
/// given with one.
#[tokio::test(flavor = "multi_thread")]
async fn a_known_sender_is_sent_without_a_warning_and_a_typo_with_one() {
    let server = FakeServer::start(serve_contacts(json!([]))).await;
    let output = run_binary_async(
        args(&[
            "list",
            "--base-url",
            &server.url,
            "--last-message-by",
            "user",
            "--last-message-by",
            "Bot",
            "--last-message-by",
            "agnet",
        ]),
        Some("fake-token".into()),
    )
    .await;
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let requests = server.received();
    let body: Value = serde_json::from_slice(&requests[0].body).expect("a JSON body");
    assert_eq!(body["lastMessageBy"], json!(["user", "bot", "agnet"]));
    assert!(
        stderr.contains(r#"warning: last-message sender "agnet" is not one inbox-tui knows"#),
        "{stderr}"
    );
    assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_field_that_is_not_json_is_refused_before_anything_is_sent() {
    let server = FakeServer::start(serve_contacts(json!([]))).await;
    let output = run_binary_async(
        args(&["list", "--base-url", &server.url, "--field", "note=hello"]),
        Some("fake-token".into()),
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not JSON"), "{stderr}");
    assert!(stderr.contains(r#"'note="text"'"#), "{stderr}");
    assert!(server.received().is_empty());
}

/// Runs `list` against a server that answers every request with `reply`; its stderr.
async fn list_error(reply: common::Reply, token: &str) -> String {
    let server = FakeServer::start(move |_| reply.clone()).await;
    let output = run_binary_async(
        args(&["list", "--base-url", &server.url, "--attempts", "1"]),
        Some(token.into()),
    )
    .await;
    assert!(!output.status.success());
    text(&output.stderr)
}

#[tokio::test(flavor = "multi_thread")]
async fn error_messages_are_read_as_servers_and_gateways_write_them() {
    let listed = list_error(
        json_reply(
            400,
            &json!({"message": ["searchText must be a string", "page must be positive"],
                    "error": "Bad Request", "statusCode": 400}),
        ),
        "fake-token",
    )
    .await;
    assert!(
        listed.contains("searchText must be a string; page must be positive"),
        "{listed}"
    );

    let object = list_error(
        json_reply(
            422,
            &json!({"success": false, "message": {"en": "filter rejected"}, "code": 422}),
        ),
        "fake-token",
    )
    .await;
    assert!(object.contains("filter rejected"), "{object}");

    let empty_message = list_error(
        json_reply(400, &json!({"error": "Bad Request", "statusCode": 400})),
        "fake-token",
    )
    .await;
    assert!(empty_message.contains("Bad Request"), "{empty_message}");

    let html = "<!DOCTYPE html>\n<html><head><title>502 Bad\n Gateway</title></head><body>\
                <script>alert(1)</script><h1>nginx</h1></body></html>";
    let gateway = list_error(
        (
            502,
            vec![("content-type".into(), "text/html".into())],
            html.into(),
        ),
        "fake-token",
    )
    .await;
    assert!(
        gateway.contains(r#"an HTML page titled "502 Bad Gateway""#),
        "{gateway}"
    );
    assert!(
        !gateway.contains("<script") && !gateway.contains("nginx"),
        "{gateway}"
    );

    let portal = list_error(
        (
            200,
            vec![("content-type".into(), "text/html".into())],
            b"<html><body>Please log in</body></html>".to_vec(),
        ),
        "fake-token",
    )
    .await;
    assert!(portal.contains("an HTML page, not JSON"), "{portal}");
    assert!(!portal.contains("log in"), "{portal}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_token_names_where_it_came_from() {
    let rejected = json_reply(
        401,
        &json!({"success": false, "message": "Unauthorized", "code": 401}),
    );
    let from_env = list_error(rejected.clone(), "fake-token").await;
    assert!(
        from_env.contains("the token came from INBOX_TUI_TOKEN"),
        "{from_env}"
    );

    let server = FakeServer::start(move |_| rejected.clone()).await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let token_file = directory.path().join("work.token");
    std::fs::write(&token_file, "fake-token\n").expect("the token file is written");
    let config = directory.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.work]\nbase_url = \"{}\"\ntoken_file = \"work.token\"\n",
            server.url
        ),
    )
    .expect("the config is written");
    #[cfg(unix)]
    for path in [&token_file, &config] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .expect("private files");
    }
    let output = run_binary_async(
        args(&[
            "list",
            "--config",
            &config.display().to_string(),
            "--profile",
            "work",
            "--attempts",
            "1",
        ]),
        None,
    )
    .await;
    let stderr = text(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains(&format!(
            "the token came from profile \"work\"'s `token_file` {}",
            token_file.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("fake-token"), "{stderr}");
}

fn client(url: &str) -> Client {
    Client::new(ClientConfig::new(url, Token::new("fake-token"))).expect("a valid base URL")
}

fn agent(id: &str, name: &str) -> Value {
    json!({"_id": id, "name": name, "liveAvailability": "ONLINE", "status": "ACTIVE"})
}

#[tokio::test(flavor = "multi_thread")]
async fn pick_lists_keep_their_good_entries_and_agents_are_read_on_every_page() {
    let server = FakeServer::start(|request| {
        let target = request.target.as_str();
        let entries = if target.starts_with("/custom-user") && target.contains("page=1&") {
            json!([{"name": "Former agent", "status": "DELETED"},
                   agent("65a0000000000000000000a1", "Ann"),
                   {"_id": "65a0000000000000000000a9", "name": 7},
                   agent("65a0000000000000000000a2", "Bo")])
        } else if target.starts_with("/custom-user") && target.contains("page=2&") {
            json!([agent("65a0000000000000000000a3", "Cy")])
        } else if target.starts_with("/inbox/segments") {
            json!([{"segmentName": "no id"},
                   {"_id": "65a0000000000000000000f1", "segmentName": "Leads"}])
        } else {
            json!([])
        };
        json_reply(200, &page(entries))
    })
    .await;
    let client = client(&server.url);
    let agents = client.agents().await.expect("the agents");
    let names: Vec<&str> = agents.iter().map(|agent| agent.name.as_str()).collect();
    assert_eq!(names, ["Ann", "Bo", "Cy"]);
    let segments = client.segments().await.expect("the segments");
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0].name, "Leads");
    let pages: Vec<String> = server
        .received()
        .into_iter()
        .filter(|request| request.target.starts_with("/custom-user"))
        .map(|request| request.target)
        .collect();
    assert_eq!(
        pages.len(),
        3,
        "pages 1 and 2, then the empty page 3: {pages:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_ignores_the_agent_page_is_not_read_forever() {
    let server = FakeServer::start(|_| {
        json_reply(
            200,
            &page(json!([agent("65a0000000000000000000a1", "Ann")])),
        )
    })
    .await;
    let agents = client(&server.url).agents().await.expect("the agents");
    assert_eq!(agents.len(), 1);
    assert_eq!(server.received().len(), 2, "page 2 brought nothing new");
}

#[test]
fn the_real_capture_decodes_and_shows_as_clients_do() {
    let body = page(json!([fixture()])).to_string();
    let contacts = decode_contacts_page(200, body.as_bytes())
        .expect("a page")
        .items;
    let contact = &contacts[0];
    assert_eq!(contact.id(), Some("65b00000000000000000a001"));
    assert_eq!(contact.display_name(), r#"Tomás "Tom" O'Neil, Jr."#);
    assert_eq!(contact.email(), Some("tom@example.org"));
    let phone = contact.phone().expect("a phone");
    assert_eq!(phone.display(), "+44 7700 900456");
    assert_eq!(phone.e164().as_deref(), Some("+447700900456"));
    assert_eq!(contact.channel(), Some("WEBSITE"));
    assert_eq!(contact.bot_id(), Some("65a0000000000000000000b1"));
    assert_eq!(contact.status(), Some("INPROGRESS"));
    assert_eq!(contact.tags(), ["vip", "=cmd"]);
    assert_eq!(
        contact.attributes(),
        [
            ("plan".to_owned(), "team".to_owned()),
            ("seats".to_owned(), "12".to_owned())
        ]
    );
    assert_eq!(contact.to_value(), fixture(), "nothing is lost");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_real_capture_exports_to_csv_and_ndjson_without_loss() {
    let server = FakeServer::start(serve_contacts(json!([fixture()]))).await;
    let directory = tempfile::tempdir().expect("a temp dir");
    let csv_path = directory.path().join("out.csv");
    let ndjson_path = directory.path().join("out.ndjson");
    for path in [&csv_path, &ndjson_path] {
        let output = export_to(&server.url, &path.display().to_string(), &[], "fake-token").await;
        assert!(output.status.success(), "{}", text(&output.stderr));
    }

    let mut reader = csv::Reader::from_path(&csv_path).expect("a CSV file");
    let header = reader.headers().expect("a header").clone();
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("CSV rows");
    assert_eq!(rows.len(), 1);
    let cell = |name: &str| {
        let column = header
            .iter()
            .position(|column| column == name)
            .expect("a known column");
        rows[0][column].to_owned()
    };
    assert_eq!(cell("id"), "65b00000000000000000a001");
    assert_eq!(cell("name"), r#"Tomás "Tom" O'Neil, Jr."#);
    assert_eq!(
        cell("phone"),
        "+447700900456",
        "a phone number runs nothing in a spreadsheet, so it gets no quote (issue 21)"
    );
    assert_eq!(cell("channel"), "WEBSITE");
    assert_eq!(cell("status"), "INPROGRESS");
    assert!(cell("tags").starts_with("vip;"), "{}", cell("tags"));
    assert_eq!(cell("attributes"), r#"{"plan":"team","seats":"12"}"#);
    assert_eq!(cell("last_message_text"), "Hi,\nwhere is my order #42?");
    assert_eq!(cell("last_message_by"), "user");
    assert_eq!(cell("interacted"), "true");

    let exported = std::fs::read_to_string(&ndjson_path).expect("the NDJSON file");
    assert_eq!(
        exported,
        format!("{}\n", fixture()),
        "each contact's bytes as the server sent them"
    );
}
