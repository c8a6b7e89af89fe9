//! The files the program writes, where an unusual or hostile file system could bite: export
//! destinations that are not regular files (devices, a FIFO, a socket, symlinks). Through the
//! real binary, as a user would meet them.
#![cfg(unix)]

mod common;

use std::fs;
use std::io::Read;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{run_binary_async, start_server, text};
use inbox_tui::demo::DEFAULT_TOKEN;

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
    let output = export_to(&server.url(), &link).await;
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
