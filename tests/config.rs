//! The config file, profiles and the token, through the real binary where a user would see them:
//! each test gets its own HOME and XDG directories, and `--config` points into them.

mod common;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{CANARY_TOKEN, start_server_with, text};
use inbox_tui::api::{Query, Status};
use inbox_tui::app::keymap::{KeyCombo, action_table};
use inbox_tui::app::{Action, Layer};
use inbox_tui::config::{Config, ConfigError, LastFilters};
use inbox_tui::dates::ZoneSetting;
use inbox_tui::demo::{DemoConfig, DemoServer};

/// A private HOME with its config and state directories; the config file is `config.toml` in it.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    /// A sandbox with an empty config file, which `--config` names: a `--config` file that
    /// does not exist is an error.
    fn new() -> Sandbox {
        let sandbox = Sandbox {
            dir: tempfile::tempdir().expect("a temporary directory"),
        };
        sandbox.write_config("");
        sandbox
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn config_path(&self) -> PathBuf {
        self.path("config.toml")
    }

    /// Writes the config, private as a config holding a token should be.
    fn write_config(&self, text: &str) {
        std::fs::write(self.config_path(), text).expect("the config is written");
        set_mode(&self.config_path(), 0o600);
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.path("state/inbox-tui/inbox-tui.log")).unwrap_or_default()
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        run_in(self.dir.path(), args, env, "")
    }

    fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        run_in(self.dir.path(), args, &[], stdin)
    }

    /// `run` off the async runtime, so an in-process demo server keeps serving meanwhile.
    async fn run_async(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let dir = self.dir.path().to_owned();
        let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let env: Vec<(&str, &str)> = env
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            run_in(&dir, &args, &env, "")
        })
        .await
        .expect("the binary's thread finishes")
    }
}

/// Runs the binary with `--config DIR/config.toml` first, HOME and the XDG directories in `dir`,
/// no inherited token, debug logging (so the log is worth searching), and `stdin` piped in.
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
        .arg("--config")
        .arg(dir.join("config.toml"))
        .args(args)
        .env_remove("INBOX_TUI_TOKEN")
        .env_remove("NO_COLOR")
        .env("INBOX_TUI_LOG", "debug")
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(stdin.as_bytes()).expect("stdin is written");
    }
    child.wait_with_output().expect("the binary runs")
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .expect("permissions are set");
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("the file exists")
        .permissions()
        .mode()
        & 0o777
}

fn everything(output: &Output) -> String {
    format!("{}{}", text(&output.stdout), text(&output.stderr))
}

/// A small demo server that accepts only the canary token.
async fn canary_server() -> DemoServer {
    start_server_with(DemoConfig {
        contacts: 60,
        token: CANARY_TOKEN.into(),
        ..DemoConfig::default()
    })
    .await
}

fn profile_config(base_url: &str, token_line: &str) -> String {
    format!(
        "default_profile = \"main\"\n\n[profiles.main]\nbase_url = \"{base_url}\"\n{token_line}\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_comes_from_the_environment_first_then_the_profile() {
    let server = canary_server().await;
    let url = server.url();
    let sandbox = Sandbox::new();
    let list = ["list", "--format", "ndjson"];
    let succeeds = |output: &Output, case: &str| {
        assert!(output.status.success(), "{case}: {}", text(&output.stderr));
        assert_eq!(text(&output.stdout).lines().count(), 50, "{case}");
    };
    let rejected = |output: &Output, case: &str| {
        assert_eq!(
            output.status.code(),
            Some(4),
            "{case}: {}",
            everything(output)
        );
        assert!(text(&output.stderr).contains("token rejected"), "{case}");
    };

    // An inline token works; INBOX_TUI_TOKEN beats it, whichever of the two is right.
    sandbox.write_config(&profile_config(
        &url,
        &format!("token = \"{CANARY_TOKEN}\""),
    ));
    succeeds(&sandbox.run_async(&list, &[]).await, "token");
    rejected(
        &sandbox
            .run_async(&list, &[("INBOX_TUI_TOKEN", "wrong-token")])
            .await,
        "the environment beats token",
    );
    sandbox.write_config(&profile_config(&url, "token = \"wrong-token\""));
    succeeds(
        &sandbox
            .run_async(&list, &[("INBOX_TUI_TOKEN", CANARY_TOKEN)])
            .await,
        "the environment beats a wrong token",
    );

    // token_env names the variable that holds it.
    sandbox.write_config(&profile_config(&url, "token_env = \"MY_BOT_TOKEN\""));
    succeeds(
        &sandbox
            .run_async(&list, &[("MY_BOT_TOKEN", CANARY_TOKEN)])
            .await,
        "token_env",
    );
    let unset = sandbox.run_async(&list, &[]).await;
    assert_eq!(unset.status.code(), Some(2));
    let stderr = text(&unset.stderr);
    assert!(
        stderr.contains("MY_BOT_TOKEN") && stderr.contains("config set-token --profile main"),
        "{stderr}"
    );

    // token_file, with ~ expanded and the content trimmed.
    std::fs::write(sandbox.path("main.token"), format!("{CANARY_TOKEN}\n")).expect("written");
    set_mode(&sandbox.path("main.token"), 0o600);
    sandbox.write_config(&profile_config(&url, "token_file = \"~/main.token\""));
    succeeds(&sandbox.run_async(&list, &[]).await, "token_file");

    // A profile without a token says how to give it one.
    sandbox.write_config(&profile_config(&url, ""));
    let missing = sandbox.run_async(&list, &[]).await;
    assert_eq!(missing.status.code(), Some(2));
    let stderr = text(&missing.stderr);
    assert!(
        stderr.contains("\"main\"")
            && stderr.contains("INBOX_TUI_TOKEN")
            && stderr.contains("inbox-tui config set-token --profile main"),
        "{stderr}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_are_picked_by_flag_then_default_and_base_url_overrides() {
    let server = canary_server().await;
    let url = server.url();
    let sandbox = Sandbox::new();
    sandbox.write_config(&format!(
        "default_profile = \"broken\"\n\n\
         [profiles.broken]\nbase_url = \"http://127.0.0.1:1\"\ntoken = \"{CANARY_TOKEN}\"\n\n\
         [profiles.good]\nbase_url = \"{url}\"\ntoken = \"{CANARY_TOKEN}\"\n"
    ));
    let by_flag = sandbox
        .run_async(&["--profile", "good", "list", "--format", "ndjson"], &[])
        .await;
    assert!(by_flag.status.success(), "{}", text(&by_flag.stderr));

    let overridden = sandbox
        .run_async(&["list", "--base-url", &url, "--format", "ndjson"], &[])
        .await;
    assert!(overridden.status.success(), "{}", text(&overridden.stderr));

    let unknown = sandbox.run_async(&["--profile", "nope", "list"], &[]).await;
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = text(&unknown.stderr);
    assert!(
        stderr.contains("\"nope\"") && stderr.contains("broken, good"),
        "{stderr}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn set_token_writes_a_private_file_that_works() {
    let server = canary_server().await;
    let sandbox = Sandbox::new();
    let saved = sandbox.run_with_stdin(
        &["config", "set-token", "--profile", "work"],
        &format!("{CANARY_TOKEN}\n"),
    );
    assert!(saved.status.success(), "{}", text(&saved.stderr));
    assert!(!everything(&saved).contains(CANARY_TOKEN));

    let token_file = sandbox.path("work.token");
    assert_eq!(mode(&token_file), 0o600);
    assert_eq!(
        std::fs::read_to_string(&token_file)
            .expect("the token file")
            .trim(),
        CANARY_TOKEN
    );
    let config = std::fs::read_to_string(sandbox.config_path()).expect("the config");
    assert!(
        config.contains("[profiles.work]") && config.contains("token_file"),
        "{config}"
    );
    assert!(!config.contains(CANARY_TOKEN), "{config}");

    // The new profile became the default, and the token works with another base URL.
    let listed = sandbox
        .run_async(
            &["list", "--base-url", &server.url(), "--format", "ndjson"],
            &[],
        )
        .await;
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    assert_eq!(text(&listed.stdout).lines().count(), 50);

    // Nothing on stdin is refused without writing anything.
    let empty = sandbox.run_with_stdin(&["config", "set-token"], "  \n");
    assert_eq!(empty.status.code(), Some(2));
    assert!(text(&empty.stderr).contains("no token given"));
    server.shutdown().await;
}

#[test]
fn a_token_file_others_can_read_is_warned_about() {
    let sandbox = Sandbox::new();
    let token_file = sandbox.path("main.token");
    std::fs::write(&token_file, CANARY_TOKEN).expect("written");
    set_mode(&token_file, 0o644);
    sandbox.write_config(&profile_config(
        "https://api.example.com",
        &format!("token_file = \"{}\"", token_file.display()),
    ));
    let output = sandbox.run(&["config", "check"], &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let expected = format!(
        "warning: {path} holds an API token and is readable by others (mode 0644): run chmod 600 {path}",
        path = token_file.display()
    );
    assert!(
        text(&output.stderr).contains(&expected),
        "{}",
        text(&output.stderr)
    );

    // The config file itself, when it holds the token.
    sandbox.write_config(&profile_config(
        "https://api.example.com",
        &format!("token = \"{CANARY_TOKEN}\""),
    ));
    set_mode(&sandbox.config_path(), 0o640);
    let output = sandbox.run(&["config", "check"], &[]);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("warning: {}", sandbox.config_path().display()))
            && stderr.contains("(mode 0640)"),
        "{stderr}"
    );
    assert!(!everything(&output).contains(CANARY_TOKEN));

    set_mode(&sandbox.config_path(), 0o600);
    let quiet = sandbox.run(&["config", "check"], &[]);
    assert!(
        !text(&quiet.stderr).contains("warning"),
        "{}",
        text(&quiet.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_canary_token_never_shows_in_output_logs_or_debug() {
    let server = canary_server().await;
    let url = server.url();
    let sandbox = Sandbox::new();
    let good = profile_config(&url, &format!("token = \"{CANARY_TOKEN}\""));
    sandbox.write_config(&good);

    let mut outputs = vec![
        sandbox.run(&["config", "path"], &[]),
        sandbox.run(&["config", "check"], &[]),
        sandbox.run_async(&["list"], &[]).await,
        // Failing: the server is gone for this one, and the filters are bad for export.
        sandbox
            .run_async(
                &[
                    "list",
                    "--base-url",
                    "http://127.0.0.1:1",
                    "--attempts",
                    "1",
                ],
                &[],
            )
            .await,
        sandbox
            .run_async(
                &["export", "--output", "-", "--created-after", "never"],
                &[],
            )
            .await,
        sandbox.run_with_stdin(&["config", "set-token", "--profile", "other"], CANARY_TOKEN),
    ];
    assert!(outputs[2].status.success(), "{}", text(&outputs[2].stderr));
    assert!(!outputs[3].status.success());
    assert!(!outputs[4].status.success());

    // A broken config must not quote the token back, wherever the mistake is.
    let broken = [
        format!("[profiles.main]\ntoken = \"{CANARY_TOKEN}\"\ntoken_env = \"X\"\n"),
        format!("[profiles.main]\ntoken = \"{CANARY_TOKEN}\nbase_url = 5\n"),
        format!("[profiles.main]\ntoken = [\"{CANARY_TOKEN}\"]\n"),
        format!("[profiles.main]\ntokn = \"{CANARY_TOKEN}\"\n"),
        format!("[profiles]\nmain = \"{CANARY_TOKEN}\"\n"),
    ];
    for config in &broken {
        sandbox.write_config(config);
        let output = sandbox.run(&["config", "check"], &[]);
        assert_eq!(output.status.code(), Some(1), "{config}");
        outputs.push(output);
    }
    for output in &outputs {
        let all = everything(output);
        assert!(!all.contains(CANARY_TOKEN), "the token was printed: {all}");
    }
    let log = sandbox.log();
    assert!(!log.is_empty(), "the commands logged something");
    assert!(!log.contains(CANARY_TOKEN), "the token was logged: {log}");

    let loaded = Config::parse(&good, Path::new("config.toml")).expect("a valid config");
    let debug = format!("{loaded:?}");
    assert!(
        debug.contains("redacted") && !debug.contains(CANARY_TOKEN),
        "{debug}"
    );
    server.shutdown().await;
}

#[test]
fn plain_http_is_refused_except_on_loopback_or_when_allowed() {
    let sandbox = Sandbox::new();
    let refusal = "refusing to send the API token over plain http to api.example.com";
    // The bad date stops each command after the connection is set up and before any request.
    let args = [
        "list",
        "--base-url",
        "http://api.example.com",
        "--created-after",
        "never",
    ];
    let refused = sandbox.run(&args, &[("INBOX_TUI_TOKEN", CANARY_TOKEN)]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains(refusal) && stderr.contains("--allow-insecure-http"),
        "{stderr}"
    );

    let allowed = sandbox.run(
        &[&["--allow-insecure-http"], &args[..]].concat(),
        &[("INBOX_TUI_TOKEN", CANARY_TOKEN)],
    );
    assert!(
        !text(&allowed.stderr).contains(refusal),
        "{}",
        text(&allowed.stderr)
    );
    assert!(text(&allowed.stderr).contains("--created-after"));

    // A profile's http:// base is held to the same rule; loopback is fine.
    sandbox.write_config(&profile_config(
        "http://api.example.com",
        "token_env = \"T\"",
    ));
    let from_profile = sandbox.run(&["list", "--created-after", "never"], &[("T", "x")]);
    assert!(text(&from_profile.stderr).contains(refusal));
    for loopback in ["http://127.0.0.5:9", "http://[::1]:9", "http://localhost:9"] {
        let output = sandbox.run(
            &["list", "--base-url", loopback, "--created-after", "never"],
            &[("T", "x")],
        );
        assert!(!text(&output.stderr).contains("refusing"), "{loopback}");
    }
}

#[test]
fn key_conflicts_unknown_actions_and_bad_keys_are_reported_with_their_lines() {
    let sandbox = Sandbox::new();
    sandbox.write_config(
        "theme = \"light\"\n\
         \n\
         [keys.global]\n\
         export = [\"n\"]\n\
         frobnicate = [\"z\"]\n\
         next_page = [\"pagedwn\"]\n\
         quit = [\"q\", \"q\", \"ctrl-q\"]\n\
         [keys.views]\n\
         next_page = [\"x\"]\n\
         [keys.lists]\n\
         move_down = [\"j\"]\n",
    );
    let check = sandbox.run(&["config", "check"], &[]);
    assert_eq!(check.status.code(), Some(1));
    let stderr = text(&check.stderr);
    let path = sandbox.config_path().display().to_string();
    // next_page lost "n" by being rebound, so "n" is export's alone; "pagedwn" is not a key.
    for expected in [
        format!("{path}:6: keys.global.next_page: unknown key \"pagedwn\""),
        format!("{path}:5: keys.global.frobnicate: not an action of [keys.global]"),
        format!(
            "{path}:9: keys.views.next_page: not an action of [keys.views]; next_page is bound \
             under [keys.global]; its actions are:"
        ),
        format!("{path}:11: keys.lists.move_down: unknown layer \"lists\"; the layers are"),
    ] {
        assert!(
            stderr.contains(&expected),
            "{expected:?} missing from:\n{stderr}"
        );
    }
    assert!(
        !stderr.contains("keys.global.quit"),
        "a key listed twice for one action is fine"
    );

    // A rebinding that takes another action's default key in the same layer is a conflict
    // naming both.
    sandbox.write_config("[keys.global]\n\nexport = [\"n\", \"E\"]\n");
    let conflict = sandbox.run(&["config", "check"], &[]);
    let stderr = text(&conflict.stderr);
    assert!(
        stderr.contains(&format!("{path}:3: keys.global.export:"))
            && stderr.contains("global.export (line 3)")
            && stderr.contains("global.next_page (a default key)"),
        "{stderr}"
    );

    // A pane falls back to the global keys, so a list key that is also a global one clashes.
    sandbox.write_config("[keys.list]\ntoggle = [\"e\"]\n");
    let stderr = text(&sandbox.run(&["config", "check"], &[]).stderr);
    assert!(
        stderr.contains(&format!("{path}:2: keys.list.toggle:"))
            && stderr.contains("global.export"),
        "{stderr}"
    );

    // The browser refuses to start with the same list, before it needs a terminal.
    let browser = sandbox.run(&["--demo"], &[]);
    assert_eq!(browser.status.code(), Some(2));
    assert!(text(&browser.stderr).contains(&format!("{path}:2: keys.list.toggle:")));

    // Rebinding both sides is no conflict, and the same key in two layers that never share
    // the keyboard is fine: `d` deletes in the views list and marks in the list.
    sandbox.write_config(
        "[keys.global]\nexport = [\"n\"]\nnext_page = [\"e\", \"pagedown\"]\n\
         [keys.list]\ntoggle = [\"space\", \"d\"]\n",
    );
    let swapped = Config::load(Some(&sandbox.config_path())).expect("a valid config");
    let keymap = swapped.config.keymap().expect("no conflicts");
    assert_eq!(keymap.keys_for(Layer::Global, Action::Export), ["n"]);
    assert_eq!(
        keymap.keys_for(Layer::Global, Action::NextPage),
        ["e", "PgDn"]
    );
    assert_eq!(keymap.keys_for(Layer::List, Action::Toggle), ["Space", "d"]);
    assert_eq!(
        keymap.keys_for(Layer::Views, Action::DeleteView),
        ["d", "Delete"],
        "rebinding in the list leaves the views list alone"
    );
    assert_eq!(
        keymap.keys_for(Layer::Filters, Action::Toggle),
        ["Space"],
        "nor the filter panel's toggle"
    );
}

/// Every action the browser has can be bound from the config file: for each one, a config that
/// binds it to F5 in a layer that has it loads, and the keymap then has F5, and only F5, there.
#[test]
fn every_action_can_be_bound_from_the_config() {
    let sandbox = Sandbox::new();
    let f5 = KeyCombo::parse("f5").expect("F5 parses").label();
    let table = action_table();
    let mut checked = 0;
    for action in Action::all() {
        let layer = table
            .iter()
            .find(|entry| entry.action == action)
            .map(|entry| entry.layer)
            .unwrap_or_else(|| panic!("{} has no row in the action table", action.name()));
        sandbox.write_config(&format!(
            "[keys.{}]\n{} = [\"f5\"]\n",
            layer.name(),
            action.name()
        ));
        let loaded = Config::load(Some(&sandbox.config_path())).expect("a valid config");
        let keymap = loaded
            .config
            .keymap()
            .unwrap_or_else(|problems| panic!("{}: {problems:?}", action.name()));
        assert_eq!(
            keymap.keys_for(layer, action),
            std::slice::from_ref(&f5),
            "{}",
            action.name()
        );
        checked += 1;
    }
    assert!(checked > 60, "only {checked} actions were tried");
}

#[test]
fn the_old_flat_keys_table_says_where_each_line_goes() {
    let sandbox = Sandbox::new();
    sandbox.write_config("[keys]\nnext_page = [\"n\"]\nmove_down = [\"j\"]\n");
    let output = sandbox.run(&["config", "check"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    let path = sandbox.config_path().display().to_string();
    assert!(
        stderr.contains(&format!(
            "{path}:2: keys.next_page: key bindings now go in one table per layer"
        )) && stderr.contains("this action belongs under [keys.global]"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{path}:3: keys.move_down:"))
            && stderr.contains("[keys.list], [keys.filters], [keys.detail]"),
        "{stderr}"
    );
}

#[test]
fn check_names_the_line_and_key_of_each_mistake() {
    let sandbox = Sandbox::new();
    sandbox.write_config(
        "default_profile = \"missing\"\n\
         theme = \"purple\"\n\
         \n\
         [theme_colors]\n\
         border = \"octarine\"\n\
         \n\
         [profiles.main]\n\
         base_url = \"not a url\"\n\
         \n\
         [[views]]\n\
         name = \"VIPs\"\n\
         [views.filters]\n\
         page = 3\n\
         status = \"open\"\n",
    );
    let output = sandbox.run(&["config", "check"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    for expected in [
        ":1: default_profile: there is no profile \"missing\"",
        ":2: theme: unknown theme \"purple\"",
        ":5: theme_colors.border: unknown colour \"octarine\"",
        ":8: profiles.main.base_url:",
        ":13: views[1].filters.page: `page` is set for each request by inbox-tui",
        ":14: views[1].filters.status:",
    ] {
        assert!(
            stderr.contains(expected),
            "{expected:?} missing from:\n{stderr}"
        );
    }

    // Filters and values inbox-tui does not know are sent as given, with a warning.
    sandbox.write_config(
        "[[views]]\n\
         name = \"Subscribers\"\n\
         [views.filters]\n\
         isSubscriber = true\n\
         tagsV2 = [\"vip\"]\n\
         status = [\"dependency\", \"ARCHIVED\"]\n\
         applicableFilters = [\"isSubscriber\"]\n",
    );
    let output = sandbox.run(&["config", "check"], &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    for expected in [
        "warning: view \"Subscribers\": filter `isSubscriber` is not one inbox-tui knows",
        "warning: view \"Subscribers\": filter `tagsV2` is not one inbox-tui knows",
        "warning: view \"Subscribers\": status \"ARCHIVED\" is not one inbox-tui knows",
    ] {
        assert!(
            stderr.contains(expected),
            "{expected:?} missing from:\n{stderr}"
        );
    }
    assert_eq!(stderr.matches("warning:").count(), 3, "{stderr}");

    // Syntax and shape errors carry the line too, and commands refuse to start on them.
    sandbox.write_config("[profiles.main]\nbase_url = \"https://x.example\"\ntokn = \"abc\"\n");
    let typo = sandbox.run(&["--demo", "list"], &[]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        text(&typo.stderr).contains(":3: profiles.main.tokn: unknown field `tokn`"),
        "{}",
        text(&typo.stderr)
    );
    sandbox.write_config("[keys.global]\nquit = [\"q\"\n");
    let syntax = sandbox.run(&["config", "check"], &[]);
    assert_eq!(syntax.status.code(), Some(1));
    assert!(
        text(&syntax.stderr).contains("config.toml:2:"),
        "{}",
        text(&syntax.stderr)
    );
}

#[test]
fn the_example_config_is_valid() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let contents = std::fs::read_to_string(&example).expect("config.example.toml exists");
    let config = Config::parse(&contents, &example).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(config.default_profile(), Some("main"));
    assert_eq!(config.profile_names(), ["flowmatix", "main"]);
    assert_eq!(config.views()[0].name, "Open VIPs");
    assert_eq!(config.views()[0].query.status, [Status::Open]);
    assert_eq!(config.names().tags["vip"], "VIP customers");
    config.keymap().expect("the example's keys are valid");
    let reference = inbox_tui::app::keymap::config_reference();
    assert!(
        contents.contains(&reference),
        "config.example.toml's key reference is out of date; it should read:\n{reference}"
    );
    config.theme(false).expect("the example's theme is valid");

    let output = Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
        .arg("--config")
        .arg(&example)
        .args(["config", "check"])
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("config OK: "));
}

#[test]
fn config_path_follows_xdg_and_a_missing_file_is_the_defaults() {
    let sandbox = Sandbox::new();
    let output = Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
        .args(["config", "path"])
        .env("HOME", sandbox.dir.path())
        .env("XDG_CONFIG_HOME", sandbox.path("xdg"))
        .output()
        .expect("the binary runs");
    assert_eq!(
        text(&output.stdout).trim(),
        sandbox
            .path("xdg/inbox-tui/config.toml")
            .display()
            .to_string()
    );

    let check = Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
        .args(["config", "check"])
        .env("HOME", sandbox.dir.path())
        .env("XDG_CONFIG_HOME", sandbox.path("xdg"))
        .output()
        .expect("the binary runs");
    assert!(check.status.success());
    assert!(text(&check.stdout).contains("the defaults are in use"));
    assert!(
        !sandbox.path("xdg/inbox-tui/config.toml").exists(),
        "checking creates no file"
    );

    // A file named with --config must be there: a typo is not the defaults.
    std::fs::remove_file(sandbox.config_path()).expect("the sandbox's config is removed");
    let named = sandbox.run(&["config", "check"], &[]);
    assert_eq!(named.status.code(), Some(2));
    assert!(text(&named.stderr).contains("does not exist"));
    let loaded = Config::load(Some(&sandbox.config_path())).expect("defaults");
    assert!(loaded.config.views().is_empty() && loaded.warnings.is_empty());
    assert!(loaded.config.profile(None).expect("no profile").is_none());
}

#[test]
fn views_are_saved_and_deleted_keeping_the_rest_of_the_file() {
    let sandbox = Sandbox::new();
    let original = "# my settings\ntheme = \"dark\" # the dark one\n\n[[views]]\nname = \"Old\"\n[views.filters]\ntags = [\"a\"]\n";
    sandbox.write_config(original);
    let path = sandbox.config_path();
    let query = Query {
        status: vec![Status::Open, Status::OnHold],
        tags: vec!["vip".into()],
        is_online: true,
        ..Query::default()
    };
    Config::save_view(&path, "Open VIPs", &query).expect("saved");
    Config::save_view(&path, "Old", &Query::default()).expect("replaced");

    let text = std::fs::read_to_string(&path).expect("the config");
    assert!(
        text.starts_with("# my settings\ntheme = \"dark\" # the dark one\n"),
        "{text}"
    );
    assert_eq!(mode(&path), 0o600, "the file keeps its permissions");
    let config = Config::load(Some(&path)).expect("still valid").config;
    let views: Vec<(&str, &Query)> = config
        .views()
        .iter()
        .map(|view| (view.name.as_str(), &view.query))
        .collect();
    assert_eq!(views, [("Old", &Query::default()), ("Open VIPs", &query)]);

    assert!(Config::delete_view(&path, "Old").expect("deleted"));
    assert!(!Config::delete_view(&path, "Old").expect("nothing to delete"));
    let config = Config::load(Some(&path)).expect("still valid").config;
    assert_eq!(config.views().len(), 1);
    assert_eq!(config.views()[0].query, query);

    // A broken file is not overwritten.
    std::fs::write(&path, "theme = \n").expect("written");
    let error = Config::save_view(&path, "x", &query).expect_err("refused");
    assert!(matches!(error, ConfigError::Invalid { .. }), "{error}");
    assert_eq!(
        std::fs::read_to_string(&path).expect("the config"),
        "theme = \n"
    );
}

#[test]
fn last_filters_round_trip_and_survive_a_corrupt_file() {
    let sandbox = Sandbox::new();
    let path = sandbox.path("state/inbox-tui/last-filters.json");
    assert_eq!(LastFilters::load_from(&path), None);
    let query = Query {
        search_text: "jane".into(),
        status: vec![Status::Closed],
        ..Query::default()
    };
    LastFilters::save_to(&path, &query).expect("saved");
    assert_eq!(LastFilters::load_from(&path), Some(query));
    std::fs::write(&path, "{ not json").expect("written");
    assert_eq!(LastFilters::load_from(&path), None);
}

#[test]
fn themes_come_from_the_config_and_no_color_wins() {
    use inbox_tui::ui::Theme;
    use ratatui::style::Color;
    let config = Config::parse(
        "theme = \"light\"\n[theme_colors]\nborder = \"red\"\nselected = \"black on yellow\"\n",
        Path::new("config.toml"),
    )
    .expect("valid");
    let theme = config.theme(false).expect("a theme");
    assert_eq!(theme.border.fg, Some(Color::Red));
    assert_eq!(theme.selected.fg, Some(Color::Black));
    assert_eq!(theme.selected.bg, Some(Color::Yellow));
    assert_eq!(theme.header, Theme::light().header);
    assert_eq!(config.theme(true).expect("a theme"), Theme::mono());
    let default = Config::default().theme(false).expect("a theme");
    assert_eq!(default, Theme::default_colors());
}

#[test]
fn a_view_sends_its_unknown_filters_as_given() {
    let config = inbox_tui::config::Config::parse(
        "[[views]]\n\
         name = \"Subscribers\"\n\
         [views.filters]\n\
         isSubscriber = true\n\
         isOnline = true\n\
         ctwaNewUsers = { from = \"2025-01-01\" }\n\
         applicableFilters = [\"isSubscriber\"]\n",
        std::path::Path::new("config.toml"),
    )
    .expect("a valid config");
    let body = serde_json::to_value(config.views()[0].query.page(1)).expect("serializes");
    assert_eq!(body["isSubscriber"], serde_json::json!(true));
    assert_eq!(
        body["ctwaNewUsers"],
        serde_json::json!({"from": "2025-01-01"})
    );
    assert_eq!(
        body["applicableFilters"],
        serde_json::json!(["isOnline", "isSubscriber"])
    );
}

#[test]
fn a_web_url_needs_an_id_and_an_http_address() {
    let sandbox = Sandbox::new();
    sandbox.write_config(
        "[profiles.a]\nweb_url = \"https://panel.example.com/inbox\"\n\
         [profiles.b]\nweb_url = \"javascript:alert({id})\"\n",
    );
    let output = sandbox.run(&["config", "check"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(":2: profiles.a.web_url:") && stderr.contains("has no {id}"),
        "{stderr}"
    );
    assert!(
        stderr.contains(":4: profiles.b.web_url:") && stderr.contains("not an http(s) URL"),
        "{stderr}"
    );
}

#[test]
fn the_time_zone_is_local_or_utc_and_a_bad_one_names_its_line() {
    let path = Path::new("config.toml");
    let zone = |text: &str| Config::parse(text, path).map(|config| config.time_zone());
    assert_eq!(zone("").expect("valid"), ZoneSetting::Local);
    assert_eq!(
        zone("[ui]\ntime_zone = \"utc\"\n").expect("valid"),
        ZoneSetting::Utc
    );
    assert_eq!(
        zone("[ui]\ntime_zone = \"local\"\n").expect("valid"),
        ZoneSetting::Local
    );

    let sandbox = Sandbox::new();
    sandbox.write_config("theme = \"dark\"\n\n[ui]\ntime_zone = \"Europe/Paris\"\n");
    let output = sandbox.run(&["config", "check"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(":4: ui.time_zone: unknown time zone setting \"Europe/Paris\"")
            && stderr.contains(r#""local" or "utc""#),
        "{stderr}"
    );

    sandbox.write_config("[ui]\ntimezone = \"utc\"\n");
    let output = sandbox.run(&["config", "check"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(":2: ui.timezone: unknown field `timezone`"),
        "{stderr}"
    );
}

/// Without the `keyring` feature (the default build, and CI's), the keychain is refused with
/// how to get it, and nothing is written.
#[cfg(not(feature = "keyring"))]
#[test]
fn the_keychain_needs_the_keyring_feature_and_says_so() {
    let sandbox = Sandbox::new();
    let refused = sandbox.run_with_stdin(&["config", "set-token", "--keyring"], CANARY_TOKEN);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("--features keyring"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.config_path()).expect("the config"),
        "",
        "the config is untouched"
    );
    assert!(!everything(&refused).contains(CANARY_TOKEN));

    sandbox.write_config("default_profile = \"main\"\n[profiles.main]\ntoken_keyring = true\n");
    let listed = sandbox.run(&["list", "--base-url", "http://127.0.0.1:9"], &[]);
    assert_eq!(listed.status.code(), Some(2));
    let stderr = text(&listed.stderr);
    assert!(
        stderr.contains("OS keychain") && stderr.contains("--features keyring"),
        "{stderr}"
    );
}

#[test]
fn a_keychain_token_is_one_source_among_the_others() {
    let sandbox = Sandbox::new();
    sandbox.write_config("[profiles.main]\ntoken_keyring = true\ntoken_env = \"T\"\n");
    let output = sandbox.run(&["config", "check"], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr)
            .contains("give only one of token, token_file, token_env and token_keyring"),
        "{}",
        text(&output.stderr)
    );
    // `false` is no source: the variable is the token.
    sandbox.write_config("[profiles.main]\ntoken_keyring = false\ntoken_env = \"T\"\n");
    let output = sandbox.run(&["config", "check"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

/// `[snapshot] full_every` sets how old the snapshot's last full read may get (none leaves the
/// default to the command); a value that is not a duration names its line and key.
#[test]
fn the_snapshot_full_read_period_is_a_config_key() {
    let path = Path::new("config.toml");
    let every = |text: &str| Config::parse(text, path).map(|config| config.snapshot_full_every());
    assert_eq!(every("").expect("valid"), None);
    assert_eq!(
        every("[snapshot]\nfull_every = \"12h\"\n").expect("valid"),
        Some(std::time::Duration::from_secs(12 * 3600))
    );

    let sandbox = Sandbox::new();
    sandbox.write_config("theme = \"dark\"\n\n[snapshot]\nfull_every = \"soon\"\n");
    let output = sandbox.run(&["config", "check"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(":4: snapshot.full_every: \"soon\" is not a duration"),
        "{stderr}"
    );
}
