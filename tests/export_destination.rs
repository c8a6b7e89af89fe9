//! Where an export goes, through the library's `Destination` and `Output`: a file staged
//! beside its destination and renamed into place whole, nothing left by an export that is not
//! committed, and the messages that name what was wrong. No server of their own (a few run the
//! binary with `--demo`): the file takes under a second, so a mutation run of
//! `src/export/destination.rs` can afford it for every mutant.
#![cfg(unix)]

use std::fs;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use inbox_tui::export::{Destination, Output};

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("the directory lists")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// An export over an existing file is written to a hidden `.partial` file beside it: the old
/// file stays whole until the commit, which puts the new one in its place and leaves nothing
/// else behind.
#[tokio::test]
async fn an_existing_file_is_replaced_whole_only_at_the_commit() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("out.csv");
    fs::write(&path, "old").expect("the old export");
    let destination = Destination::File(path.clone());
    assert_eq!(destination.direct_write_note(), None);
    let mut output = Output::open(&destination).await.expect("it opens");
    output.write_all(b"id\n1\n").expect("written");
    output.flush().expect("flushed");
    assert_eq!(fs::read_to_string(&path).expect("readable"), "old");
    let staged: Vec<String> = names(dir.path())
        .into_iter()
        .filter(|name| name != "out.csv")
        .collect();
    assert_eq!(staged.len(), 1, "{staged:?}");
    assert!(
        staged[0].starts_with(".inbox-tui-export-") && staged[0].ends_with(".partial"),
        "{staged:?}"
    );
    assert_eq!(
        fs::read(dir.path().join(&staged[0])).expect("the staged file"),
        b"id\n1\n",
        "flushed into the staged file"
    );
    output.commit().expect("committed");
    assert_eq!(fs::read_to_string(&path).expect("readable"), "id\n1\n");
    assert_eq!(names(dir.path()), ["out.csv"]);
}

/// An export dropped before its commit (an error, a cancel) leaves no file and no staged one.
#[tokio::test]
async fn an_export_never_committed_leaves_nothing() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let destination = Destination::File(dir.path().join("out.csv"));
    let mut output = Output::open(&destination).await.expect("it opens");
    output.write_all(b"id\n1\n").expect("written");
    drop(output);
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
}

/// A folder that does not exist is named, with what to do; a directory given as the file is
/// refused, asking for a file name.
#[tokio::test]
async fn a_missing_folder_or_a_directory_is_named() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let missing = dir.path().join("missing");
    let error = Output::open(&Destination::File(missing.join("out.csv")))
        .await
        .err()
        .expect("no folder");
    assert_eq!(
        error.to_string(),
        format!(
            "the folder {} does not exist; create it or choose another path",
            missing.display()
        )
    );
    let error = Output::open(&Destination::File(dir.path().to_owned()))
        .await
        .err()
        .expect("a directory");
    assert!(
        error
            .to_string()
            .ends_with("is a directory; give a file name"),
        "{error}"
    );
    assert!(names(dir.path()).is_empty());
}

/// A link to nowhere is followed: the export is created where it points, and the link stays.
#[tokio::test]
async fn a_dangling_link_gets_its_target_created() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("real.csv", &link).expect("a link");
    let mut output = Output::open(&Destination::File(link.clone()))
        .await
        .expect("it opens");
    output.write_all(b"x").expect("written");
    output.commit().expect("committed");
    assert_eq!(
        fs::read(dir.path().join("real.csv")).expect("created"),
        b"x"
    );
    assert!(
        fs::symlink_metadata(&link)
            .expect("the link")
            .file_type()
            .is_symlink()
    );
}

/// `/dev/full` is written directly and a full device's error names it, when the bytes are
/// flushed, not only at the end.
#[tokio::test]
async fn a_full_device_fails_naming_it() {
    let destination = Destination::File("/dev/full".into());
    let note = destination.direct_write_note().expect("a note");
    assert!(
        note.starts_with("/dev/full is a character device"),
        "{note}"
    );
    let mut output = Output::open(&destination).await.expect("it opens");
    output.write_all(b"x").expect("buffered");
    let error = output.flush().expect_err("the device is full");
    assert!(
        error.to_string().starts_with("cannot write to /dev/full: "),
        "{error}"
    );
}

/// An open descriptor (`/proc/self/fd/N` or `/dev/fd/N`, as a shell's redirection is) is written through,
/// added to what its file holds; its note says what it is: a file's descriptor, or a FIFO.
#[tokio::test]
async fn an_open_descriptor_is_written_through_and_named() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("redirected.csv");
    fs::write(&path, "before\n").expect("a file");
    let file = fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("it opens");
    let descriptor = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
    let destination = Destination::File(descriptor.clone());
    let note = destination.direct_write_note().expect("a note");
    assert!(
        note.starts_with(&format!(
            "{} is an open file descriptor, not a file",
            descriptor.display()
        )),
        "{note}"
    );
    let dev_fd = Destination::File(format!("/dev/fd/{}", file.as_raw_fd()).into());
    let note = dev_fd.direct_write_note().expect("a note");
    assert!(
        note.contains(" is an open file descriptor, not a file"),
        "{note}"
    );
    let mut output = Output::open(&destination).await.expect("it opens");
    output.write_all(b"after\n").expect("written");
    output.commit().expect("committed");
    assert_eq!(
        fs::read_to_string(&path).expect("readable"),
        "before\nafter\n"
    );

    let (reader, writer) = std::io::pipe().expect("a pipe");
    let pipe = Destination::File(format!("/proc/self/fd/{}", writer.as_raw_fd()).into());
    let note = pipe.direct_write_note().expect("a note");
    assert!(
        note.contains(" is a FIFO, not a file") && note.ends_with(", once something reads it"),
        "{note}"
    );
    drop((reader, writer));
}

/// `-` is standard output, anything else a path; each is named as messages name it.
#[test]
fn a_destination_is_parsed_and_named() {
    assert_eq!(Destination::parse("-"), Destination::Stdout);
    assert_eq!(Destination::Stdout.describe(), "standard output");
    let file = Destination::parse("out/-.csv");
    assert_eq!(file, Destination::File("out/-.csv".into()));
    assert_eq!(file.describe(), "out/-.csv");
}

/// Standard output opened read-write on a device that is not `/dev/null` (as `1<>/dev/zero`
/// does) is not taken for a closed one: the export goes there and succeeds.
#[test]
fn standard_output_on_another_device_is_not_taken_for_closed() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let output = std::process::Command::new("sh")
        .args([
            "-c",
            "exec \"$0\" --demo export --limit 5 -o - 1<>/dev/zero",
            env!("CARGO_BIN_EXE_inbox-tui"),
        ])
        .env_remove("INBOX_TUI_TOKEN")
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("closed"), "{stderr}");
}

/// Standard output closed (`>&-`, which the runtime fills with `/dev/null` opened read-write)
/// fails the export, saying so; `>/dev/null` (write-only) is a choice and succeeds; and
/// standard output as the test harness has it opens.
#[tokio::test]
async fn only_a_closed_standard_output_is_refused() {
    assert!(Output::open(&Destination::Stdout).await.is_ok());
    let dir = tempfile::tempdir().expect("a temp dir");
    for (redirection, closed) in [(">&-", true), (">/dev/null", false)] {
        let output = std::process::Command::new("sh")
            .args([
                "-c",
                &format!("exec \"$0\" --demo export --limit 2 -o - {redirection}"),
                env!("CARGO_BIN_EXE_inbox-tui"),
            ])
            .env_remove("INBOX_TUI_TOKEN")
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .output()
            .expect("sh runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(!output.status.success(), closed, "{redirection}: {stderr}");
        assert_eq!(
            stderr.contains("it was closed when inbox-tui started"),
            closed,
            "{stderr}"
        );
    }
}

/// A directory that is sticky and anyone can write to (`/tmp`), with the given mode and owner.
fn shared_directory(mode: u32, owner: u32) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("a temp dir");
    std::os::unix::fs::chown(dir.path(), Some(owner), None).expect("owned");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(mode)).expect("its mode");
    dir
}

/// Plants `name` in `dir`, a link to `target` owned by `owner`; `false` where the test cannot
/// give a link another owner (not root).
fn plant(dir: &Path, name: &str, target: &Path, owner: u32) -> bool {
    let link = dir.join(name);
    std::os::unix::fs::symlink(target, &link).expect("a link");
    std::os::unix::fs::lchown(&link, Some(owner), Some(owner)).is_ok()
}

/// In a sticky directory anyone can write to, a link owned by another user than this one and
/// the directory's owner is refused, naming it and its owner (by name where the user
/// database has one); links owned by this user or by the directory's owner are followed, and so is
/// any link in a directory that is not both sticky and writable by anyone.
/// Skipped where the test cannot give a link another owner (not root).
#[tokio::test]
async fn only_a_link_planted_by_another_user_in_a_shared_directory_is_refused() {
    let private = tempfile::tempdir().expect("a temp dir");
    let victim = private.path().join("precious.txt");
    let me = fs::metadata(private.path())
        .map(|metadata| std::os::unix::fs::MetadataExt::uid(&metadata))
        .expect("the temp dir's owner");
    let shared = shared_directory(0o1777, 4243);
    if !plant(shared.path(), "planted.csv", &victim, 4242) {
        eprintln!("skipped: a link's owner cannot be changed here");
        return;
    }
    let planted = shared.path().join("planted.csv");
    let error = Output::open(&Destination::File(planted.clone()))
        .await
        .err()
        .expect("refused");
    assert!(
        error.to_string().starts_with(&format!(
            "{} is a symbolic link owned by uid 4242, in {}, a shared directory",
            planted.display(),
            shared.path().display()
        )),
        "{error}"
    );
    assert!(plant(shared.path(), "daemons.csv", &victim, 1));
    let error = Output::open(&Destination::File(shared.path().join("daemons.csv")))
        .await
        .err()
        .expect("refused");
    assert!(
        error
            .to_string()
            .contains("owned by user \"daemon\" (uid 1), in "),
        "{error}"
    );
    for owner in [me, 4243] {
        let name = format!("owned-by-{owner}.csv");
        assert!(plant(shared.path(), &name, &victim, owner));
        let output = Output::open(&Destination::File(shared.path().join(&name))).await;
        assert!(output.is_ok(), "a link owned by {owner} is followed");
    }
    for mode in [0o0777, 0o1770] {
        let other = shared_directory(mode, 4243);
        assert!(plant(other.path(), "planted.csv", &victim, 4242));
        let output = Output::open(&Destination::File(other.path().join("planted.csv"))).await;
        assert!(output.is_ok(), "followed in a directory of mode {mode:o}");
    }
    assert!(!victim.exists(), "nothing was committed");
}

/// A bare file name is the working directory's: the export is staged and written there, and
/// a link planted there by another user, in a shared working directory, is refused.
/// The link's half is skipped where the test cannot give a link another owner (not root).
#[test]
fn a_bare_file_name_is_in_the_working_directory() {
    let export = |cwd: &Path, name: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
            .args(["--demo", "export", "--limit", "2", "-o", name])
            .current_dir(cwd)
            .env_remove("INBOX_TUI_TOKEN")
            .env("XDG_STATE_HOME", cwd.join(".state"))
            .env("XDG_CONFIG_HOME", cwd.join(".config"))
            .output()
            .expect("the binary runs")
    };
    let plain = tempfile::tempdir().expect("a temp dir");
    let output = export(plain.path(), "out.csv");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let csv = fs::read_to_string(plain.path().join("out.csv")).expect("exported");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(
        !names(plain.path())
            .iter()
            .any(|name| name.ends_with(".partial"))
    );

    let private = tempfile::tempdir().expect("a temp dir");
    let victim = private.path().join("precious.txt");
    let shared = shared_directory(0o1777, 4243);
    if !plant(shared.path(), "contacts.csv", &victim, 4242) {
        eprintln!("skipped: a link's owner cannot be changed here");
        return;
    }
    let output = export(shared.path(), "contacts.csv");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("owned by uid 4242, in ., a shared directory"),
        "{stderr}"
    );
    assert!(!victim.exists());
}

/// Paths shaped like a descriptor's but not one (another directory, a name that is not a
/// number) are files like any other: no note, and only `/dev/fd/N` and `/proc/{self,PID}/fd/N`
/// are taken for descriptors.
#[test]
fn only_real_descriptor_paths_are_taken_for_descriptors() {
    for path in [
        "/dev/null/1",
        "/tmp/inbox-tui-no-such/1",
        "/tmp/self/fd/1",
        "/tmp/inbox-tui-no-such/fd/1",
        "/tmp/inbox-tui-no-such/x/1",
        "/proc/x/fd/1",
    ] {
        assert_eq!(
            Destination::File(path.into()).direct_write_note(),
            None,
            "{path}"
        );
    }
}

/// A FIFO is waited on until something reads it, then streamed to: the reader gets every
/// byte, and the FIFO stays a FIFO.
#[tokio::test]
async fn a_fifo_is_waited_for_then_streamed_to() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("a temp dir");
    let fifo = dir.path().join("contacts.fifo");
    make_fifo(&fifo);
    let destination = Destination::File(fifo.clone());
    let note = destination.direct_write_note().expect("a note");
    assert!(note.ends_with(", once something reads it"), "{note}");
    let first_try =
        tokio::time::timeout(std::time::Duration::ZERO, Output::open(&destination)).await;
    assert!(first_try.is_err(), "without a reader, the open waits");
    let reading = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            fs::File::open(&fifo)
                .and_then(|mut file| file.read_to_end(&mut bytes))
                .expect("the FIFO reads");
            bytes
        })
    };
    let mut output = Output::open(&destination)
        .await
        .expect("it opens once read");
    output.write_all(b"id\n1\n").expect("written");
    output.commit().expect("committed");
    assert_eq!(reading.join().expect("the reader"), b"id\n1\n");
    assert!(
        fs::symlink_metadata(&fifo)
            .expect("there")
            .file_type()
            .is_fifo()
    );
}

/// A socket is connected to and streamed to, not opened.
#[tokio::test]
async fn a_socket_is_connected_to() {
    use std::io::Read;
    let dir = tempfile::tempdir().expect("a temp dir");
    let socket = dir.path().join("contacts.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).expect("it binds");
    let destination = Destination::File(socket);
    let note = destination.direct_write_note().expect("a note");
    assert!(note.contains(" is a socket, not a file"), "{note}");
    let mut output = Output::open(&destination).await.expect("it connects");
    output.write_all(b"id\n1\n").expect("written");
    output.commit().expect("committed");
    let (mut stream, _) = listener.accept().expect("the connection");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read");
    assert_eq!(bytes, b"id\n1\n");
}

/// Makes a FIFO only its owner may open, as `mkfifo -m 600` does.
fn make_fifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .args(["-m", "600"])
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "the FIFO is made");
}

/// A file name longer than the file system allows is refused when the export opens, before
/// any contact is fetched, and nothing is staged: not found out at the end, when the finished
/// export would be renamed onto it.
#[tokio::test]
async fn a_name_too_long_is_refused_before_the_export() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let destination = Destination::File(dir.path().join(format!("{}.csv", "x".repeat(300))));
    let error = Output::open(&destination)
        .await
        .err()
        .expect("the name is too long");
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidFilename, "{error}");
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
}

/// A FIFO the user may not open is refused at once, naming it and why, instead of being waited
/// on as if no reader had come yet. Root may open anything, so as root the binary runs as
/// `nobody` (through `setpriv`, from a copy in a folder `nobody` can reach).
#[test]
fn a_fifo_the_user_may_not_open_is_refused_not_waited_on() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::process::{Command, Stdio};
    let dir = tempfile::Builder::new()
        .tempdir_in("/var/tmp")
        .expect("a temp dir in /var/tmp");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    let home = dir.path().join("home");
    fs::create_dir(&home).expect("a home");
    fs::set_permissions(&home, fs::Permissions::from_mode(0o777)).expect("chmod");
    let fifo = dir.path().join("contacts.fifo");
    make_fifo(&fifo);
    let as_root = fs::metadata(&fifo).expect("the FIFO").uid() == 0;
    let mut command = if as_root {
        let binary = dir.path().join("inbox-tui");
        // Copied by `cp`, not by this process: a test on another thread that forks while this
        // one holds the copy open for writing hands the open file to its child, and running
        // the copy then fails with "Text file busy" (seen once in 20 loaded rounds).
        let copied = Command::new("cp")
            .arg(env!("CARGO_BIN_EXE_inbox-tui"))
            .arg(&binary)
            .status()
            .expect("cp runs");
        assert!(copied.success(), "the binary is copied");
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(binary);
        command
    } else {
        fs::set_permissions(&fifo, fs::Permissions::from_mode(0o000)).expect("chmod");
        Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
    };
    let mut child = command
        .args(["--demo", "export", "--output"])
        .arg(&fifo)
        .env_remove("INBOX_TUI_TOKEN")
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", &home)
        .env("XDG_STATE_HOME", &home)
        .current_dir(&home)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts (as root, through setpriv from util-linux)");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child's state") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("after 60 s the export still waits on a FIFO it may not open");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr reads");
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "cannot open {} (a FIFO): Permission denied",
            fifo.display()
        )),
        "{stderr}"
    );
}
