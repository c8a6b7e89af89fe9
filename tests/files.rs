//! The files the program writes, where an unusual or hostile file system could bite: export
//! destinations that are not regular files (devices, a FIFO, a socket, symlinks), the log, and
//! the config file. Through the real binary, as a user would meet them.
#![cfg(unix)]

mod common;

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{FakeServer, json_reply, run_binary_async, start_server, text};
use inbox_tui::demo::{DEFAULT_TOKEN, DemoConfig};

const CONTACTS: usize = 120;
const SEED: u64 = 5;

/// `inbox-tui export --base-url URL -o PATH` (CSV) with the demo's token.
async fn export_to(url: &str, output: &Path) -> Output {
    let args = ["export", "--base-url", url, "--format", "csv", "--output"]
        .iter()
        .map(|arg| (*arg).to_owned())
        .chain([output.display().to_string()])
        .collect();
    run_binary_async(args, Some(DEFAULT_TOKEN.into())).await
}

/// The contacts in an exported CSV, failing the test if it is not one.
fn csv_rows(bytes: &[u8]) -> usize {
    let mut reader = csv::Reader::from_reader(bytes);
    let rows: Vec<_> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("every row is CSV");
    rows.len()
}

fn assert_char_device(path: &str) {
    let metadata = fs::symlink_metadata(path).expect("the device exists");
    assert!(
        metadata.file_type().is_char_device(),
        "{path} is a character device"
    );
}

/// No temporary export file was left in `dir`.
fn assert_no_partial(dir: &Path) {
    let leftovers: Vec<_> = fs::read_dir(dir)
        .expect("the directory lists")
        .map(|entry| entry.expect("an entry").file_name())
        .filter(|name| name.to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_null_is_written_to_not_replaced() {
    assert_char_device("/dev/null");
    let server = start_server(CONTACTS, SEED).await;
    let output = export_to(&server.url(), Path::new("/dev/null")).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains(&format!("exported {CONTACTS} contacts")));
    assert_char_device("/dev/null");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_full_fails_clearly_and_stays_a_device() {
    assert_char_device("/dev/full");
    let server = start_server(CONTACTS, SEED).await;
    let output = export_to(&server.url(), Path::new("/dev/full")).await;
    let stderr = text(&output.stderr);
    assert!(!output.status.success(), "writing to /dev/full failed");
    assert!(stderr.contains("/dev/full"), "the error names it: {stderr}");
    assert!(
        stderr.contains("No space left on device"),
        "the error says why: {stderr}"
    );
    assert_char_device("/dev/full");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_is_streamed_to_and_stays_a_fifo() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let fifo = dir.path().join("contacts.csv");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "the FIFO is made");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            fs::File::open(fifo)
                .expect("the FIFO opens for reading")
                .read_to_end(&mut bytes)
                .expect("the FIFO reads");
            bytes
        })
    };
    let server = start_server(CONTACTS, SEED).await;
    let output = export_to(&server.url(), &fifo).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let bytes = reader.join().expect("the reader finishes");
    assert_eq!(csv_rows(&bytes), CONTACTS);
    let metadata = fs::symlink_metadata(&fifo).expect("the FIFO is there");
    assert!(metadata.file_type().is_fifo(), "still a FIFO");
    assert_no_partial(dir.path());
}

fn make_fifo(path: &Path) {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "the FIFO is made");
}

/// `inbox-tui export` to `fifo` from the demo, started in the background.
fn spawn_export_to(fifo: &Path, dir: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
        .args(["--demo", "export", "--format", "csv", "-o"])
        .arg(fifo)
        .env_remove("INBOX_TUI_TOKEN")
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// The export's standard error, read on a thread of its own.
struct Stderr(std::thread::JoinHandle<String>, String);

impl Stderr {
    /// Everything the export wrote to standard error, once it has ended.
    fn finish(self) -> String {
        self.1 + &self.0.join().expect("the stderr reader ends")
    }
}

/// Reads the export's standard error up to its note that the FIFO is written once something
/// reads it (said before it starts waiting, with its signals already watched), then keeps
/// reading the rest on a thread so the export never blocks on a full pipe.
fn read_note_then_the_rest(child: &mut std::process::Child) -> Stderr {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::new(child.stderr.take().expect("piped stderr"));
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let read = reader.read_line(&mut line).expect("stderr reads");
        assert!(read > 0, "the export ended without its note: {seen}");
        seen.push_str(&line);
        if line.contains("once something reads it") {
            break;
        }
    }
    let rest = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = reader.read_to_string(&mut rest);
        rest
    });
    Stderr(rest, seen)
}

/// Waits for a reader as a shell's `>` would, saying so, and writes everything once one comes.
#[test]
fn a_fifo_without_a_reader_is_waited_for() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let fifo = dir.path().join("contacts.csv");
    make_fifo(&fifo);
    let mut child = spawn_export_to(&fifo, dir.path());
    let stderr = read_note_then_the_rest(&mut child);
    assert!(
        child.try_wait().expect("the export's status").is_none(),
        "the export waits for a reader"
    );
    let mut bytes = Vec::new();
    fs::File::open(&fifo)
        .expect("the FIFO opens for reading")
        .read_to_end(&mut bytes)
        .expect("the FIFO reads");
    let status = child.wait().expect("the export ends");
    let stderr = stderr.finish();
    assert!(status.success(), "{stderr}");
    assert_eq!(csv_rows(&bytes), DemoConfig::default().contacts);
}

/// The wait for a reader ends on SIGTERM as the export would: a blocking open inside the
/// kernel would ignore it.
#[test]
fn a_signal_ends_the_wait_for_a_fifo_reader() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let fifo = dir.path().join("contacts.csv");
    make_fifo(&fifo);
    let mut child = spawn_export_to(&fifo, dir.path());
    let stderr = read_note_then_the_rest(&mut child);
    // The shell's built-in kill: a minimal machine may lack /usr/bin/kill.
    let killed = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .expect("sh runs");
    assert!(killed.success());
    let waited = std::time::Instant::now();
    while child.try_wait().expect("the export's status").is_none() {
        if waited.elapsed() > std::time::Duration::from_secs(10) {
            let _ = child.kill();
            panic!("SIGTERM did not end the wait for a reader");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let status = child.wait().expect("the export ends");
    assert_eq!(status.code(), Some(143), "{}", stderr.finish());
    let metadata = fs::symlink_metadata(&fifo).expect("the FIFO is there");
    assert!(metadata.file_type().is_fifo(), "still a FIFO");
}

/// Started with standard output closed (`>&-`), the runtime puts `/dev/null` in its place:
/// writing "succeeds" into nothing, so the command must fail instead of saying it exported.
#[test]
fn a_closed_standard_output_fails_instead_of_reporting_success() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (command, closing) in [
        ("export -o -", ">&-"),
        ("list", ">&-"),
        ("export -o -", ">/dev/null"),
    ] {
        let output = Command::new("sh")
            .args([
                "-c",
                &format!("exec \"$0\" --demo {command} {closing}"),
                env!("CARGO_BIN_EXE_inbox-tui"),
            ])
            .env_remove("INBOX_TUI_TOKEN")
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .output()
            .expect("sh runs");
        let stderr = text(&output.stderr);
        if closing == ">&-" {
            assert_eq!(output.status.code(), Some(1), "{command}: {stderr}");
            assert!(stderr.contains("closed"), "{command}: {stderr}");
            assert!(!stderr.contains("exported"), "{command}: {stderr}");
        } else {
            assert!(output.status.success(), "{command} {closing}: {stderr}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_is_streamed_to() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let socket = dir.path().join("contacts.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).expect("the socket binds");
    let reader = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("a connection");
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).expect("the socket reads");
        bytes
    });
    let server = start_server(CONTACTS, SEED).await;
    let output = export_to(&server.url(), &socket).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let bytes = reader.join().expect("the reader finishes");
    assert_eq!(csv_rows(&bytes), CONTACTS);
    assert!(
        fs::symlink_metadata(&socket)
            .expect("the socket is there")
            .file_type()
            .is_socket()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symlink_to_a_file_is_kept_and_its_target_replaced() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let real_dir = dir.path().join("real");
    fs::create_dir(&real_dir).expect("a directory");
    let target = real_dir.join("contacts.csv");
    fs::write(&target, "old contents\n").expect("an old export");
    let link = dir.path().join("latest.csv");
    std::os::unix::fs::symlink("real/contacts.csv", &link).expect("a link");

    let server = start_server(CONTACTS, SEED).await;
    // An existing file is replaced only with --force.
    let refused = export_to(&server.url(), &link).await;
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(text(&refused.stderr).contains("--force"));
    assert_eq!(fs::read(&target).expect("kept"), b"old contents\n");
    let args = ["export", "--base-url", &server.url(), "--force", "--output"]
        .iter()
        .map(|arg| (*arg).to_string())
        .chain([link.display().to_string()])
        .collect();
    let output = run_binary_async(args, Some(DEFAULT_TOKEN.into())).await;
    assert!(output.status.success(), "{}", text(&output.stderr));

    let metadata = fs::symlink_metadata(&link).expect("the link is there");
    assert!(metadata.file_type().is_symlink(), "the link is kept");
    assert_eq!(
        fs::read_link(&link).expect("the link reads"),
        PathBuf::from("real/contacts.csv")
    );
    let contents = fs::read(&target).expect("the target reads");
    assert_eq!(csv_rows(&contents), CONTACTS);
    assert_no_partial(dir.path());
    assert_no_partial(&real_dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symlink_to_dev_null_is_kept() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let link = dir.path().join("discard.csv");
    std::os::unix::fs::symlink("/dev/null", &link).expect("a link");
    let server = start_server(CONTACTS, SEED).await;
    let output = export_to(&server.url(), &link).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        fs::symlink_metadata(&link)
            .expect("the link is there")
            .file_type()
            .is_symlink()
    );
    assert_char_device("/dev/null");
    assert_no_partial(dir.path());
}

/// `/dev/stdout` is a link to `/proc/self/fd/1`: with standard output a pipe, the export goes
/// down the pipe, as `-o -` would, instead of failing to rename a file into `/proc`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_stdout_writes_to_standard_output() {
    let server = start_server(CONTACTS, SEED).await;
    let output = export_to(&server.url(), Path::new("/dev/stdout")).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(csv_rows(&output.stdout), CONTACTS);
}

/// A private HOME and state directory for runs that look at the log.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn log_dir(&self) -> PathBuf {
        self.path("state/inbox-tui")
    }

    fn log_path(&self) -> PathBuf {
        self.log_dir().join("inbox-tui.log")
    }

    /// The binary with debug logging, the sandbox as HOME and state, `--config` inside it (an
    /// empty file unless the test put one there: a `--config` file must exist), and no
    /// inherited token.
    fn command(&self, args: &[&str]) -> Command {
        if fs::symlink_metadata(self.path("config.toml")).is_err() {
            fs::write(self.path("config.toml"), "").expect("an empty config");
        }
        let mut command = self.bare_command(&["--config"]);
        command.arg(self.path("config.toml")).args(args);
        command
    }

    /// `command` without `--config`, run in the sandbox.
    fn bare_command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_inbox-tui"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("INBOX_TUI_TOKEN")
            .env("INBOX_TUI_LOG", "debug")
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.path("state"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .stdin(Stdio::null());
        command
    }
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path)
        .expect("the path exists")
        .permissions()
        .mode()
        & 0o777
}

fn run(mut command: Command) -> Output {
    command.output().expect("the binary runs")
}

#[test]
fn the_log_is_private() {
    let sandbox = Sandbox::new();
    let output = run(sandbox.command(&["--demo", "list"]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(mode(&sandbox.log_dir()), 0o700, "the state directory");
    assert_eq!(mode(&sandbox.log_path()), 0o600, "the log");
    let log = fs::read_to_string(sandbox.log_path()).expect("the log reads");
    assert!(log.contains("demo server listening"), "{log}");
}

#[test]
fn a_symlink_planted_at_the_log_path_is_not_followed() {
    let sandbox = Sandbox::new();
    fs::create_dir_all(sandbox.log_dir()).expect("the state directory");
    fs::set_permissions(sandbox.log_dir(), fs::Permissions::from_mode(0o700)).expect("chmod");
    let victim = sandbox.path("victim");
    fs::write(&victim, "precious\n").expect("the victim");
    std::os::unix::fs::symlink(&victim, sandbox.log_path()).expect("the planted link");

    let output = run(sandbox.command(&["--demo", "list"]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        fs::read_to_string(&victim).expect("the victim"),
        "precious\n"
    );
    let planted = fs::symlink_metadata(sandbox.log_path()).expect("the link is there");
    assert!(planted.file_type().is_symlink(), "the link was left alone");
}

#[test]
fn a_world_writable_state_directory_is_not_logged_to() {
    let sandbox = Sandbox::new();
    fs::create_dir_all(sandbox.log_dir()).expect("the state directory");
    fs::set_permissions(sandbox.log_dir(), fs::Permissions::from_mode(0o777)).expect("chmod");
    let output = run(sandbox.command(&["--demo", "list"]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(!sandbox.log_path().exists(), "nothing was logged there");
}

#[test]
fn without_a_home_nothing_is_logged_to_the_temp_directory() {
    let sandbox = Sandbox::new();
    let temp = sandbox.path("tmp");
    fs::create_dir(&temp).expect("a temp directory");
    let mut command = sandbox.command(&["--demo", "list"]);
    command
        .env_remove("HOME")
        .env_remove("XDG_STATE_HOME")
        .env("TMPDIR", &temp);
    let output = run(command);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let created: Vec<_> = fs::read_dir(&temp)
        .expect("the temp directory lists")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    assert!(
        created.is_empty(),
        "written to the temp directory: {created:?}"
    );
    assert!(!sandbox.path("state").exists());
}

/// A server's error text goes into the log (as the retry warning) with its controls escaped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_text_is_escaped_in_the_log() {
    let server = FakeServer::start(|_| {
        json_reply(
            500,
            &serde_json::json!({
                "success": false,
                "message": "boom \u{1b}]0;pwned\u{7} \u{1b}[2J \u{9b}31m\nforged line",
            }),
        )
    })
    .await;
    let sandbox = Sandbox::new();
    let mut command = sandbox.command(&["--attempts", "2", "list", "--base-url", &server.url]);
    command.env("INBOX_TUI_TOKEN", "token");
    let output = tokio::task::spawn_blocking(move || run(command))
        .await
        .expect("the binary's thread finishes");
    assert!(!output.status.success(), "the server only fails");
    let log = fs::read(sandbox.log_path()).expect("the log reads");
    let log = String::from_utf8(log).expect("the log is UTF-8");
    assert!(log.contains("retrying"), "the retry was logged: {log}");
    assert!(log.contains("boom \\x1b]0;pwned\\x07"), "{log}");
    assert!(log.contains("\\u{9b}31m"), "{log}");
    assert!(
        !log.chars().any(|c| c.is_control() && c != '\n'),
        "a raw control character is in the log: {log:?}"
    );
    assert!(
        !log.lines().any(|line| line.starts_with("forged line")),
        "a server newline started a record: {log}"
    );
}

/// Runs `command` with `stdin` piped in.
fn run_with_stdin(mut command: Command, stdin: &str) -> Output {
    let mut child = command
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

/// The `token_file` a profile names in the config at `path`, resolved as the loader does:
/// relative to the config file's directory.
fn token_file_of(path: &Path, profile: &str) -> PathBuf {
    let text = fs::read_to_string(path).expect("the config reads");
    let config: toml::Table = text.parse().expect("the config is TOML");
    let written = config["profiles"][profile]["token_file"]
        .as_str()
        .expect("a token_file");
    path.parent().expect("a directory").join(written)
}

#[test]
fn a_symlinked_config_is_written_through() {
    let sandbox = Sandbox::new();
    let dotfiles = sandbox.path("dotfiles");
    fs::create_dir(&dotfiles).expect("a directory");
    let real = dotfiles.join("inbox-tui.toml");
    fs::write(&real, "# my settings\ntheme = \"dark\"\n").expect("the config");
    std::os::unix::fs::symlink("dotfiles/inbox-tui.toml", sandbox.path("config.toml"))
        .expect("a link");

    let output = run_with_stdin(
        sandbox.command(&["config", "set-token", "--profile", "work"]),
        "secret-token",
    );
    assert!(output.status.success(), "{}", text(&output.stderr));

    let link = fs::symlink_metadata(sandbox.path("config.toml")).expect("the link is there");
    assert!(link.file_type().is_symlink(), "the config is still a link");
    let written = fs::read_to_string(&real).expect("the real config reads");
    assert!(written.starts_with("# my settings\n"), "{written}");
    assert!(written.contains("[profiles.work]"), "{written}");
    assert!(written.contains("default_profile = \"work\""), "{written}");
    let leftovers: Vec<_> = fs::read_dir(&dotfiles)
        .expect("the directory lists")
        .map(|entry| entry.expect("an entry").file_name())
        .filter(|name| name.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let token_file = token_file_of(&sandbox.path("config.toml"), "work");
    assert_eq!(
        fs::read_to_string(token_file).expect("the token file"),
        "secret-token\n"
    );
}

/// `--config cfg/config.toml`: the token file is found again from any working directory, both
/// for a new profile and for one whose `token_file` is written relative to the config.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_token_with_a_relative_config_path_writes_a_path_that_resolves() {
    let server = start_server(CONTACTS, SEED).await;
    let sandbox = Sandbox::new();
    fs::create_dir(sandbox.path("cfg")).expect("a directory");
    let config = sandbox.path("cfg/config.toml");
    fs::write(
        &config,
        format!(
            "[profiles.old]\nbase_url = \"{}\"\ntoken_file = \"old.token\"\n",
            server.url()
        ),
    )
    .expect("the config");

    for profile in ["old", "new"] {
        let output = run_with_stdin(
            sandbox.bare_command(&[
                "--config",
                "cfg/config.toml",
                "config",
                "set-token",
                "--profile",
                profile,
            ]),
            DEFAULT_TOKEN,
        );
        assert!(output.status.success(), "{}", text(&output.stderr));
        let token_file = token_file_of(&config, profile);
        assert_eq!(
            fs::read_to_string(&token_file).expect("the token file resolves"),
            format!("{DEFAULT_TOKEN}\n"),
            "{profile}: {}",
            token_file.display()
        );
    }
    let written = fs::read_to_string(&config).expect("the config reads");
    assert!(
        written.contains("token_file = \"old.token\""),
        "left as written: {written}"
    );

    // `old` became the default profile; its token is found from another directory.
    let config_arg = config.display().to_string();
    let mut list = sandbox.bare_command(&["--config", &config_arg, "list"]);
    list.current_dir("/");
    let output = tokio::task::spawn_blocking(move || run(list))
        .await
        .expect("the binary's thread finishes");
    assert!(output.status.success(), "{}", text(&output.stderr));
}

#[test]
fn a_world_writable_config_directory_is_warned_about() {
    let sandbox = Sandbox::new();
    let shared = sandbox.path("shared");
    fs::create_dir(&shared).expect("a directory");
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).expect("chmod");
    fs::write(shared.join("config.toml"), "theme = \"dark\"\n").expect("the config");
    let config_arg = shared.join("config.toml").display().to_string();
    let output = run(sandbox.bare_command(&["--config", &config_arg, "config", "check"]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "warning: the config directory {} is writable by every user (mode 1777)",
            shared.display()
        )),
        "{stderr}"
    );

    fs::set_permissions(&shared, fs::Permissions::from_mode(0o700)).expect("chmod");
    let output = run(sandbox.bare_command(&["--config", &config_arg, "config", "check"]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        !text(&output.stderr).contains("writable"),
        "{}",
        text(&output.stderr)
    );
}
