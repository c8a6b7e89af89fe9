//! The real binary in a pseudo-terminal, driven by keys and read back through a terminal
//! emulator, as a person would use it.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use inbox_tui::api::{Contact, Status};
use inbox_tui::demo::{Dataset, DemoConfig};
use inbox_tui::text::thousands;
use portable_pty::{Child, MasterPty, PtySize};

#[path = "common/terminal.rs"]
mod terminal;

const ROWS: u16 = 45;
const COLUMNS: u16 = 160;
const PATIENCE: Duration = Duration::from_secs(20);

/// The browser running in a pseudo-terminal.
struct Tui {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    /// The screen's text each time the program was between two frames (outside a synchronized
    /// update): a test reading the screen mid-frame would see half of two frames.
    whole_frame: Arc<Mutex<String>>,
    /// Every byte the program wrote to the terminal, to look for escapes it must never send.
    raw: Arc<Mutex<Vec<u8>>>,
    _master: Box<dyn MasterPty + Send>,
    home: tempfile::TempDir,
}

impl Tui {
    fn start(args: &[&str]) -> Tui {
        Tui::start_with_env(args, &[])
    }

    /// Starts the binary with `args`, in a fresh home, with extra environment variables.
    fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Tui {
        let pty = terminal::open(ROWS, COLUMNS);
        let home = tempfile::tempdir().expect("a temp dir");
        let mut command = terminal::binary_in(home.path(), args);
        command.env("TERM", "xterm-256color");
        command.env_remove("INBOX_TUI_TOKEN");
        command.env_remove("NO_COLOR");
        for (name, value) in env {
            command.env(name, value);
        }
        let child = pty.slave.spawn_command(command).expect("the binary starts");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("a reader");
        let writer = pty.master.take_writer().expect("a writer");
        let size = |cells: u16| std::num::NonZeroU16::new(cells).expect("a non-zero size");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(size(ROWS), size(COLUMNS), 0)));
        let sink = Arc::clone(&parser);
        let raw = Arc::new(Mutex::new(Vec::new()));
        let raw_sink = Arc::clone(&raw);
        let whole_frame = Arc::new(Mutex::new(String::new()));
        let frame_sink = Arc::clone(&whole_frame);
        thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            let mut frames = FrameBoundaries::default();
            while let Ok(read) = reader.read(&mut buffer) {
                if read == 0 {
                    break;
                }
                for (bytes, between_frames) in frames.split(&buffer[..read]) {
                    let Ok(mut parser) = sink.lock() else { return };
                    parser.process(bytes);
                    if between_frames && let Ok(mut frame) = frame_sink.lock() {
                        *frame = parser.screen().contents();
                    }
                }
                if let Ok(mut raw) = raw_sink.lock() {
                    raw.extend_from_slice(&buffer[..read]);
                }
            }
        });
        Tui {
            child,
            writer,
            parser,
            whole_frame,
            raw,
            _master: pty.master,
            home,
        }
    }

    fn raw_output(&self) -> Vec<u8> {
        self.raw.lock().map(|raw| raw.clone()).unwrap_or_default()
    }

    /// The screen as of the last whole frame: never a frame half drawn.
    fn screen(&self) -> String {
        self.whole_frame
            .lock()
            .map(|frame| frame.clone())
            .unwrap_or_default()
    }

    /// Waits until the screen satisfies `ready`, or fails showing the screen.
    fn wait_until(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the screen was:\n{screen}"
            );
            thread::sleep(Duration::from_millis(25));
        }
    }

    fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |screen| screen.contains(text))
    }

    fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .expect("keys are written");
        self.writer.flush().expect("keys are flushed");
    }

    /// Sends each character as its own key press, as a person types, then waits until the
    /// field echoes the text's end: the keys are then read and typed where they were meant.
    fn type_text(&mut self, text: &str) {
        for character in text.chars() {
            self.send(&character.to_string());
        }
        let tail: String = {
            let reversed: Vec<char> = text.chars().rev().take(12).collect();
            reversed.into_iter().rev().collect()
        };
        self.wait_for(&tail);
    }

    fn quit(mut self) {
        self.send("q");
        self.wait_exit_restored(0);
    }

    /// Waits for the program to end with `code` and checks the terminal is restored.
    fn wait_exit_restored(mut self, code: u32) {
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("the child can be polled") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "q did not quit; the screen was:\n{}",
                self.screen()
            );
            thread::sleep(Duration::from_millis(25));
        };
        assert_eq!(status.exit_code(), code, "exit status {status:?}");
        // The reader thread may still be parsing the final restore sequences: wait for them.
        let restored = loop {
            let (alternate, hidden) = {
                let parser = self.parser.lock().expect("the parser");
                let screen = parser.screen();
                (screen.alternate_screen(), screen.hide_cursor())
            };
            if (!alternate && !hidden) || Instant::now() >= deadline {
                break (alternate, hidden);
            }
            thread::sleep(Duration::from_millis(10));
        };
        assert!(!restored.0, "the alternate screen was left");
        assert!(!restored.1, "the cursor is visible again");
    }
}

impl Tui {
    fn resize(&mut self, rows: u16, columns: u16) {
        self._master
            .resize(PtySize {
                rows,
                cols: columns,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("the pty resizes");
        let size = |cells: u16| std::num::NonZeroU16::new(cells).expect("a non-zero size");
        if let Ok(mut parser) = self.parser.lock() {
            parser.set_size(size(rows), size(columns));
        }
    }

    fn signal(&self, name: &str) {
        let pid = self.child.process_id().expect("the child has a pid");
        // The shell's built-in kill: a minimal machine may lack /usr/bin/kill.
        let status = std::process::Command::new("sh")
            .args(["-c", &format!("kill -{name} {pid}")])
            .status()
            .expect("sh runs");
        assert!(status.success());
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// The demo's data as the browser will see it.
fn demo_contacts() -> Vec<Contact> {
    let config = DemoConfig::default();
    let dataset = Dataset::generate(config.contacts, config.seed);
    (0..dataset.len())
        .map(|index| Contact::from_value(dataset.contact_json(index)).expect("an object"))
        .collect()
}

/// The first few characters of a plain-ASCII name, safe to look for on screen.
fn ascii_name(contact: &Contact) -> Option<String> {
    let name = contact.display_name();
    (name.is_ascii() && name.len() >= 6 && !name.contains('"'))
        .then(|| name.chars().take(12).collect())
}

/// A name from the first screenful that can be looked for on screen.
fn name_near_the_top(contacts: &[Contact]) -> String {
    contacts[..20]
        .iter()
        .find_map(ascii_name)
        .expect("an ASCII name near the top")
}

#[test]
fn the_browser_shows_pages_searches_filters_and_details() {
    let contacts = demo_contacts();
    let mut tui = Tui::start(&["--demo"]);

    let first = name_near_the_top(&contacts);
    tui.wait_for("page 1 ·");
    tui.wait_for(&first);

    // The detail pane shows the selected contact's email.
    let (row, email) = contacts[..20]
        .iter()
        .enumerate()
        .find_map(|(row, contact)| contact.email().map(|email| (row, email.to_owned())))
        .expect("a contact with an email near the top");
    for _ in 0..row {
        tui.send("j");
    }
    // The pane wraps long lines, so look for the part of the address up to the domain.
    let local_part = format!("{}@", email.split('@').next().unwrap_or(&email));
    tui.wait_until("the email in the detail pane", |screen| {
        screen.lines().any(|line| {
            line.rsplit('│')
                .nth(1)
                .is_some_and(|pane| pane.contains(&local_part))
        })
    });

    // The next page shows other contacts.
    tui.send("n");
    let second = contacts[50..70]
        .iter()
        .find_map(ascii_name)
        .expect("an ASCII name on page 2");
    let screen = tui.wait_for("page 2 ·");
    tui.wait_until("page 2's contacts", |screen| {
        screen.contains(&second) && !screen.contains(&first)
    });
    assert!(!screen.contains("Loading"), "{screen}");
    tui.send("p");
    tui.wait_for(&first);

    // A search narrows the list to the matching contact.
    let target = &contacts[123];
    let target_name = ascii_name(target)
        .or_else(|| target.email().map(str::to_owned))
        .unwrap_or_else(|| target.uuid().unwrap_or_default().to_owned());
    let uuid = target.uuid().expect("a uuid").to_owned();
    tui.send("/");
    tui.type_text(&uuid[..18]);
    tui.send("\r");
    // Frames drawn mid-update may show the new rows before the detail: wait for all of it.
    let target_prefix: String = target_name.chars().take(12).collect();
    tui.wait_until("the search result", |screen| {
        screen.contains("end") && !screen.contains(&first) && screen.contains(&target_prefix)
    });

    // Clearing and toggling a status filter changes the rows to that status's contacts.
    tui.send("x");
    tui.wait_for(&first);
    let open_first = contacts
        .iter()
        .filter(|contact| contact.status() == Some(Status::Open.as_str()))
        .take(10)
        .find_map(ascii_name)
        .expect("an OPEN contact with an ASCII name");
    // Enter left the keyboard on the list (issue 20): Shift-Tab goes to the filter panel,
    // still on the search field.
    tui.send("\x1b[Z");
    tui.wait_for("Space toggle"); // the panel's hints: it has the keyboard
    tui.send("j"); // down to the first status, OPEN
    tui.send(" ");
    tui.wait_for("1 active");
    // Other statuses then show only once, as panel items: no row has them.
    tui.wait_until("only OPEN rows", |screen| {
        screen.contains(&open_first)
            && ["INPROGRESS", "REVIEW", "ONHOLD", "DEPENDANCY", "CLOSED"]
                .iter()
                .all(|other| screen.matches(other).count() == 1)
    });

    tui.quit();
}

#[test]
fn a_key_pressed_while_a_fetch_is_pending_is_acted_on_first() {
    let mut tui = Tui::start(&["--demo", "--demo-latency-ms", "4000"]);
    tui.wait_for("Loading");
    tui.send("?");
    let screen = tui.wait_for("Help");
    assert!(
        !screen.contains("page 1 ·"),
        "the help showed before the page arrived:\n{screen}"
    );
    tui.send("\x1b");
    tui.wait_until("the help to close", |screen| !screen.contains("Help —"));
    tui.wait_for("page 1 ·");
    tui.quit();
}

#[test]
fn three_contacts_marked_across_two_pages_export_to_csv() {
    let contacts = demo_contacts();
    let mut tui = Tui::start(&["--demo"]);
    let first = name_near_the_top(&contacts);
    tui.wait_for(&first);
    tui.send(" ");
    tui.send(" ");
    tui.wait_for("2 selected");
    tui.send("n");
    tui.wait_for("page 2 ·");
    tui.send(" ");
    tui.wait_for("3 selected");

    let output = tempfile::tempdir().expect("a temp dir");
    let path = output.path().join("picked.csv");
    tui.send("e");
    tui.wait_for("Export");
    tui.send("\x1b[B\x1b[B"); // down twice, to the path
    tui.type_text(&path.display().to_string());
    tui.send("\r");
    tui.wait_for("exported 3 contacts");

    let mut reader = csv::Reader::from_path(&path).expect("the CSV exists");
    let ids: Vec<String> = reader
        .records()
        .map(|record| record.expect("a valid record")[0].to_owned())
        .collect();
    let expected: Vec<String> = [0, 1, 50]
        .iter()
        .map(|index| contacts[*index].id().expect("an id").to_owned())
        .collect();
    assert_eq!(ids, expected);
    tui.quit();
}

#[test]
fn select_all_with_one_row_unmarked_exports_every_match_but_that_one() {
    let contacts = demo_contacts();
    let open: Vec<&Contact> = contacts
        .iter()
        .filter(|contact| contact.status() == Some(Status::Open.as_str()))
        .collect();
    let open_first = open[..10]
        .iter()
        .copied()
        .find_map(ascii_name)
        .expect("an OPEN contact with an ASCII name");
    let mut tui = Tui::start(&["--demo"]);
    tui.wait_for("page 1 ·");
    tui.send("\x1b[Z"); // Shift-Tab: to the filter panel, on the search field
    tui.wait_for("Space toggle"); // the panel's hints: it has the keyboard
    tui.send("j"); // OPEN
    tui.send(" ");
    tui.wait_for("1 active");
    tui.wait_until("only OPEN rows", |screen| {
        screen.contains(&open_first)
            && ["INPROGRESS", "REVIEW", "ONHOLD", "DEPENDANCY", "CLOSED"]
                .iter()
                .all(|other| screen.matches(other).count() == 1)
    });
    tui.send("\t"); // back to the list, on its first row
    tui.send("A");
    let everyone = thousands(open.len() as u64);
    tui.wait_for(&format!("{everyone} selected: all matching status OPEN"));
    tui.send(" "); // the first row leaves the selection
    let all_but_one = thousands(open.len() as u64 - 1);
    tui.wait_for(&format!("{all_but_one} selected: all matching status OPEN"));
    // Clearing the filters changes the list, not the selection.
    tui.send("x");
    tui.wait_until("the filters cleared", |screen| !screen.contains("1 active"));

    let output = tempfile::tempdir().expect("a temp dir");
    let path = output.path().join("everyone-open.csv");
    tui.send("e");
    tui.wait_for(&format!("the selection ({all_but_one} contacts)"));
    tui.send("\x1b[B\x1b[B"); // down twice, to the path
    tui.type_text(&path.display().to_string());
    tui.send("\r");
    tui.wait_for(&format!("exported {all_but_one} contacts"));

    let mut reader = csv::Reader::from_path(&path).expect("the CSV exists");
    let mut exported: Vec<String> = reader
        .records()
        .map(|record| record.expect("a valid record")[0].to_owned())
        .collect();
    exported.sort();
    let mut expected: Vec<String> = open[1..]
        .iter()
        .map(|contact| contact.id().expect("an id").to_owned())
        .collect();
    expected.sort();
    assert_eq!(exported, expected);
    tui.quit();
}

#[test]
fn resizing_relayouts_and_a_tiny_terminal_says_so() {
    let mut tui = Tui::start(&["--demo"]);
    tui.wait_for("page 1 ·");
    // A key round-trip first: a resize right after the first frame can be lost.
    tui.send("j");
    tui.wait_for("2 of 50");
    tui.resize(30, 100);
    tui.wait_until("the narrow layout, detail below the table", |screen| {
        let lines: Vec<&str> = screen.lines().collect();
        lines.len() <= 30
            && lines.iter().all(|line| line.chars().count() <= 100)
            && lines.iter().skip(4).any(|line| line.contains("Detail"))
    });
    tui.resize(12, 50);
    tui.wait_for("terminal too small");
    tui.resize(40, 160);
    tui.wait_for("page 1 ·");
    tui.quit();
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    // Killed, the browser exits as shells expect (128 + the signal), not with success.
    for (signal, code) in [("TERM", 143), ("HUP", 129)] {
        let tui = Tui::start(&["--demo"]);
        tui.wait_for("page 1 ·");
        tui.signal(signal);
        tui.wait_exit_restored(code);
    }
}

#[test]
fn views_are_saved_applied_and_the_last_filters_come_back() {
    let home = tempfile::tempdir().expect("a temp dir");
    let config = home.path().join("config.toml");
    std::fs::write(&config, "# views land here\n").expect("writable");
    let config_arg = config.display().to_string();
    let state_dir = home.path().join("state");
    let state_arg = state_dir.display().to_string();

    let mut tui = Tui::start_with_env(
        &["--demo", "--config", &config_arg],
        &[("XDG_STATE_HOME", &state_arg)],
    );
    tui.wait_for("page 1 ·");
    tui.send("\x1b[Z"); // Shift-Tab: to the filter panel, on the search field
    tui.wait_for("Space toggle"); // the panel's hints: it has the keyboard
    tui.send("j"); // OPEN
    tui.send(" ");
    tui.wait_for("1 active");
    tui.send("s");
    tui.wait_for("Save the filters as a view");
    tui.type_text("Open ones");
    tui.send("\r");
    tui.wait_for("saved view");
    tui.send("x");
    tui.wait_until("the filters cleared", |screen| !screen.contains("1 active"));
    tui.send("1");
    tui.wait_for("1 active");
    tui.wait_for("status OPEN");
    tui.quit();

    let saved = std::fs::read_to_string(&config).expect("the config is readable");
    assert!(
        saved.contains("# views land here"),
        "the rest of the file is kept:\n{saved}"
    );
    assert!(
        saved.contains("[[views]]") && saved.contains("Open ones") && saved.contains("OPEN"),
        "{saved}"
    );

    let tui = Tui::start_with_env(
        &["--demo", "--config", &config_arg],
        &[("XDG_STATE_HOME", &state_arg)],
    );
    tui.wait_for("1 active");
    tui.wait_for("status OPEN");
    tui.quit();
}

/// Against the demo's hostile mode, where a quarter of the contacts carry terminal escapes,
/// bidi and invisible characters: on pages 1 and 2 the cursor walks down 25 rows and the raw JSON
/// of the row it stops on is opened and closed, then page 3 shows hostile names. None of it
/// reaches the terminal: the browser's own output has CSI sequences (cursor, colour) but never
/// an OSC (title, clipboard), a C1 control, NUL, CR, DEL, or a bidi, zero-width or
/// line-separator character.
#[test]
fn a_hostile_inbox_cannot_drive_the_terminal() {
    let mut tui = Tui::start(&["--demo", "--demo-hostile"]);
    tui.wait_for("page 1 ·");
    for page in 1..=2 {
        for row in 2..=26 {
            tui.send("j");
            tui.wait_for(&format!(" {row} of 50 "));
        }
        tui.send("J");
        tui.wait_for("Detail · raw JSON");
        tui.send("J");
        tui.wait_until("the raw JSON to close", |screen| {
            !screen.contains("Detail · raw JSON")
        });
        tui.send("n");
        tui.wait_for(&format!("page {} ·", page + 1));
    }
    let screen = tui.screen();
    let raw = tui.raw_output();
    tui.quit();
    assert!(
        screen.contains("=1+1") || screen.contains("-2+3") || screen.contains("@SUM"),
        "hostile contacts were on screen:\n{screen}"
    );
    let shown = String::from_utf8_lossy(&raw);
    for (hazard, what) in [
        ("\u{1b}]", "an OSC sequence (window title, clipboard)"),
        ("\u{9b}", "a C1 control (CSI)"),
        ("\u{85}", "a C1 control (NEL)"),
        ("\u{0}", "a NUL"),
        ("\r", "a carriage return"),
        ("\u{7f}", "a DEL"),
        ("\u{202e}", "a bidi override"),
        ("\u{2066}", "a bidi isolate"),
        ("\u{200b}", "a zero-width space"),
        ("\u{2028}", "a line separator"),
        ("\u{1b}[5m", "a contact's blink escape"),
        ("\u{1b}[8m", "a contact's hidden-text escape"),
    ] {
        assert!(!shown.contains(hazard), "{what} reached the terminal");
    }
}

/// A panic in a background task ends the browser instead of leaving it running under a
/// restored terminal: the terminal is restored, the exit is non-zero, the panic is named.
#[test]
fn a_panic_in_a_task_ends_the_browser_with_the_terminal_restored() {
    let tui = Tui::start_with_env(&["--demo"], &[("INBOX_TUI_TEST_PANIC", "task")]);
    tui.wait_until("the browser to stop", |screen| {
        screen.contains("a background task failed")
    });
    let screen = tui.screen();
    assert!(screen.contains("INBOX_TUI_TEST_PANIC"), "{screen}");
    tui.wait_exit_restored(1);
}

/// The OSC 52 sequence that puts `text` on the clipboard.
fn clipboard_sequence(text: &str) -> String {
    use base64::Engine as _;
    format!(
        "\u{1b}]52;c;{}\u{7}",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

#[test]
fn y_copies_a_field_and_big_y_the_selected_ids_through_the_terminal() {
    let contacts = demo_contacts();
    let mut tui = Tui::start(&["--demo"]);
    tui.wait_for("page 1 ·");
    tui.send("y");
    tui.wait_for("Copy");
    tui.send("i");
    let id = contacts[0].id().expect("an id");
    tui.wait_for(&format!("copied the id: {id}"));

    let with_email = contacts[..10]
        .iter()
        .position(|contact| contact.email().is_some())
        .expect("an email near the top");
    for _ in 0..with_email {
        tui.send("j");
    }
    tui.send("y");
    tui.send("e");
    let email = contacts[with_email].email().expect("an email");
    tui.wait_for("copied the email");

    tui.send("g");
    tui.send("  ");
    tui.send("Y");
    tui.wait_for("copied 2 ids");
    let raw = String::from_utf8_lossy(&tui.raw_output()).into_owned();
    let two = format!(
        "{}\n{}",
        contacts[0].id().expect("an id"),
        contacts[1].id().expect("an id")
    );
    for (what, text) in [("the id", id), ("the email", email), ("two ids", &two)] {
        assert!(
            raw.contains(&clipboard_sequence(text)),
            "{what} was not put on the clipboard"
        );
    }
    tui.quit();
}

#[test]
fn y_in_the_detail_copies_the_field_under_its_cursor_through_the_terminal() {
    let contacts = demo_contacts();
    let first = &contacts[0];
    let uuid = first.uuid().expect("the first contact has a uuid");
    // Where the uuid is among the detail's fields, as the browser lists them for this contact.
    let mut state = inbox_tui::app::State::new(
        inbox_tui::app::state::Connection::default(),
        inbox_tui::app::Keymap::default(),
        None,
    );
    state.list.contacts = std::sync::Arc::from(vec![first.clone()]);
    let steps = inbox_tui::ui::detail_fields(&state)
        .iter()
        .position(|field| field.label == "uuid")
        .expect("a uuid field");

    let mut tui = Tui::start(&["--demo"]);
    tui.wait_for("page 1 ·");
    tui.send("\r");
    tui.wait_for("copy it");
    for _ in 0..steps {
        tui.send("j");
    }
    tui.send("y");
    tui.wait_for(&format!("copied the uuid: {uuid}"));
    let raw = String::from_utf8_lossy(&tui.raw_output()).into_owned();
    assert!(
        raw.contains(&clipboard_sequence(uuid)),
        "the uuid was not put on the clipboard"
    );
    tui.quit();
}

#[test]
fn o_opens_the_contact_in_the_web_panel_or_shows_the_link() {
    let contacts = demo_contacts();
    let id = contacts[0].id().expect("an id").to_owned();
    let bin = tempfile::tempdir().expect("a temp dir");
    let opened = bin.path().join("opened.txt");
    let opener = bin.path().join("xdg-open");
    std::fs::write(
        &opener,
        // Written aside and renamed, so the file exists only once it holds the whole URL.
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{0}.part' && mv '{0}.part' '{0}'\n",
            opened.display()
        ),
    )
    .expect("a fake opener");
    std::fs::set_permissions(&opener, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("executable");
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    let mut tui = Tui::start_with_env(&["--demo"], &[("PATH", &path)]);
    tui.wait_for("page 1 ·");
    tui.send("o");
    let started = Instant::now();
    while !opened.exists() {
        assert!(started.elapsed() < PATIENCE, "the opener never ran");
        thread::sleep(Duration::from_millis(25));
    }
    let url = std::fs::read_to_string(&opened).expect("the URL");
    assert!(url.ends_with(&format!("/panel/contacts/{id}")), "{url}");
    tui.quit();

    // Without an opener, the link is copied to the clipboard (whole), and `!` shows it.
    let empty = tempfile::tempdir().expect("a temp dir");
    let mut tui = Tui::start_with_env(
        &["--demo"],
        &[("PATH", &empty.path().display().to_string())],
    );
    tui.wait_for("page 1 ·");
    tui.send("o");
    tui.wait_for("the link is copied to the clipboard");
    let raw = String::from_utf8_lossy(&tui.raw_output()).into_owned();
    let copied = raw
        .split("\u{1b}]52;c;")
        .nth(1)
        .and_then(|rest| rest.split('\u{7}').next())
        .map(|encoded| {
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .expect("base64");
            String::from_utf8(bytes).expect("UTF-8")
        })
        .expect("the link was put on the clipboard");
    assert!(
        copied.starts_with("http://127.0.0.1")
            && copied.ends_with(&format!("/panel/contacts/{id}")),
        "{copied}"
    );
    tui.send("!");
    tui.wait_for("open it yourself: http://127.0.0.1");
    tui.wait_for(&format!("/panel/contacts/{id}"));
    tui.send("\x1b");
    tui.wait_until("the error closed", |screen| {
        !screen.contains("open it yourself")
    });
    tui.quit();
}

#[test]
fn exporting_over_an_existing_file_asks_first_and_names_the_file_absolutely() {
    let mut tui = Tui::start(&["--demo"]);
    tui.wait_for("page 1 ·");
    let home = tui.home.path().to_owned();
    let taken = home.join("taken.csv");
    std::fs::write(&taken, "keep me\n").expect("an existing file");
    tui.send("e");
    tui.wait_for("Export");
    tui.send("\x1b[B\x1b[B"); // down twice, to the path
    tui.type_text("taken.csv");
    tui.send("\r");
    tui.wait_for("exists");
    assert_eq!(
        std::fs::read_to_string(&taken).expect("the file"),
        "keep me\n",
        "nothing is replaced before the answer"
    );
    tui.send("\r");
    let absolute = taken.display().to_string();
    tui.wait_for(&format!("exported 50 contacts to {absolute}"));
    let written = std::fs::read_to_string(&taken).expect("the file");
    assert!(written.starts_with("id,"), "{written}");
    tui.quit();
}

/// The ids on `screen`'s `id` lines: only the detail pane has one, the selected contact's.
fn ids_on(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|line| line.split("│  id ").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .filter(|id| id.len() == 24 && id.chars().all(|c| c.is_ascii_hexdigit()))
        .map(str::to_owned)
        .collect()
}

/// Against the demo's live mode: page 1 is read again while the user is idle, and contacts that
/// moved to it are marked `+`; the cursor, put on the fourth row first, stays on its contact
/// (the detail pane still shows its id).
#[test]
fn live_refresh_marks_contacts_that_moved_to_page_one() {
    let mut tui = Tui::start(&["--demo", "--demo-live-rate", "5", "--refresh", "1"]);
    tui.wait_for("page 1 ·");
    tui.send("jjj");
    let before = tui.wait_for(" 4 of 50 ");
    let selected = ids_on(&before);
    assert_eq!(selected.len(), 1, "one id, the detail's:\n{before}");
    let screen = tui.wait_until("a contact marked new by a refresh", |screen| {
        screen.lines().any(|line| line.contains("││+ "))
    });
    assert!(screen.contains("page 1 ·"), "{screen}");
    assert_eq!(
        ids_on(&screen),
        selected,
        "the cursor stayed on its contact:\n{screen}"
    );
    tui.quit();
}

#[test]
fn the_palette_jumps_to_a_page_and_copies_an_id() {
    let mut tui = Tui::start(&["--demo"]);
    tui.wait_for("page 1 ·");
    tui.send(":");
    tui.type_text("page 7");
    tui.send("\r");
    tui.wait_for("page 7 ·");
    let contacts = demo_contacts();
    let id = contacts[300].id().expect("an id");
    tui.send(":");
    tui.type_text("copy id");
    tui.send("\r");
    tui.wait_for(&format!("copied the id: {id}"));
    let raw = String::from_utf8_lossy(&tui.raw_output()).into_owned();
    assert!(raw.contains(&clipboard_sequence(id)));
    tui.quit();
}

#[test]
fn the_matches_are_counted_and_c_counts_them_all() {
    let mut tui = Tui::start(&["--demo"]);
    tui.wait_for("≥ 1,000 matching");
    tui.send("c");
    tui.wait_for("5,000 matching");
    tui.send("S");
    tui.wait_until("the chart by status, channel and last sender", |screen| {
        [
            "By status",
            "By channel",
            "By last sender",
            "5,000 matching",
        ]
        .iter()
        .all(|part| screen.contains(part))
    });
    tui.send("\x1b");
    tui.wait_until("the chart to close", |screen| !screen.contains("By status"));
    tui.quit();
}

/// Writes, in `folder`, a config with the profiles `first` (the default, token from
/// `FIRST_TOKEN`) at `first_url` and `second` (token from `SECOND_TOKEN`) at `second_url`, and
/// returns its path.
fn two_profiles_config(folder: &std::path::Path, first_url: &str, second_url: &str) -> String {
    let config = folder.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default_profile = \"first\"\n\n\
             [profiles.first]\nbase_url = \"{first_url}\"\ntoken_env = \"FIRST_TOKEN\"\n\n\
             [profiles.second]\nbase_url = \"{second_url}\"\ntoken_env = \"SECOND_TOKEN\"\n"
        ),
    )
    .expect("the config is written");
    config.display().to_string()
}

/// `profile NAME` in the palette moves the browser to another account without a restart: the
/// second profile's server gets the requests from then on, with the second profile's own token
/// (not `INBOX_TUI_TOKEN`, set for the first account: the second server would refuse it), and
/// the first gets none; the status bar names the profile in use.
#[test]
fn the_palette_switches_to_another_profiles_account_in_place() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime for the demo servers");
    let start = |seed: u64, token: &str| {
        runtime
            .block_on(inbox_tui::demo::DemoServer::start(DemoConfig {
                seed,
                token: token.into(),
                ..DemoConfig::default()
            }))
            .expect("a demo server starts")
    };
    let first = start(1, "first-token");
    let second = start(2, "second-token");
    let second_contacts = {
        let config = DemoConfig::default();
        let dataset = Dataset::generate(config.contacts, 2);
        (0..50)
            .map(|index| Contact::from_value(dataset.contact_json(index)).expect("an object"))
            .collect::<Vec<_>>()
    };
    let name = second_contacts
        .iter()
        .find_map(ascii_name)
        .expect("an ASCII name on the second account's page 1");

    let folder = tempfile::tempdir().expect("a temp dir");
    let config = two_profiles_config(folder.path(), &first.url(), &second.url());
    let mut tui = Tui::start_with_env(
        &["--config", &config],
        &[
            ("INBOX_TUI_TOKEN", "first-token"),
            ("SECOND_TOKEN", "second-token"),
            ("INBOX_TUI_LOG", "debug"),
        ],
    );
    tui.wait_for("page 1 ·");
    tui.wait_for("first · 127.0.0.1");
    assert_eq!(
        second.requests_served(),
        0,
        "nothing went to the second yet"
    );

    tui.send(":");
    tui.type_text("profile second");
    tui.send("\r");
    tui.wait_for("switched to profile \"second\"");
    tui.wait_for(&name);
    tui.wait_for("second · 127.0.0.1");
    assert!(
        second.requests_served() > 0,
        "the second account's server was asked for its page"
    );
    // The first account's requests in flight at the switch have long arrived; from now on it
    // must get none, whatever the browser does.
    let first_served = first.requests_served();
    tui.send("n");
    tui.wait_for("page 2 ·");
    assert_eq!(
        first.requests_served(),
        first_served,
        "the old account was asked after the switch"
    );
    let screen = tui.screen();
    assert!(
        !screen.contains("second-token") && !screen.contains("first-token"),
        "{screen}"
    );
    let log = std::fs::read_to_string(tui.home.path().join("state/inbox-tui/inbox-tui.log"))
        .expect("the browser logs");
    assert!(
        log.contains("switching to profile")
            && !log.contains("second-token")
            && !log.contains("first-token"),
        "a token in the log:\n{log}"
    );
    tui.quit();
}

/// A tag no page has shown can be typed in the panel's tag field: it is ticked and named as a
/// filter, and the list the demo sends back under it is empty (no contact has that tag).
#[test]
fn a_tag_typed_in_the_panel_filters_the_list() {
    let mut tui = Tui::start(&["--demo"]);
    tui.wait_for("page 1 ·");
    tui.send("\x1b[Z"); // Shift-Tab: the filter panel
    tui.send("]]"); // the Status section, then the Tags section, whose first item is the field
    tui.wait_for("tag: type any tag");
    tui.send("\r");
    tui.type_text("zz-typed");
    tui.send("\r");
    let screen = tui.wait_for("no contacts match");
    assert!(screen.contains("[x] zz-typed"), "{screen}");
    assert!(screen.contains("tag zz-typed"), "{screen}");
    tui.quit();
}

/// Finds where the program's frames end in its output, across reads: each frame is drawn inside
/// a synchronized update, `CSI ? 2026 h` … `CSI ? 2026 l`.
#[derive(Default)]
struct FrameBoundaries {
    /// How much of `CSI ? 2026` the last bytes matched.
    matched: usize,
    inside_frame: bool,
}

impl FrameBoundaries {
    const PREFIX: &'static [u8] = b"\x1b[?2026";

    /// Splits `bytes` after each frame's end; each piece says whether it ends between frames.
    fn split<'a>(&mut self, bytes: &'a [u8]) -> Vec<(&'a [u8], bool)> {
        let mut pieces = Vec::new();
        let mut start = 0;
        for (index, &byte) in bytes.iter().enumerate() {
            if self.matched == Self::PREFIX.len() {
                self.matched = 0;
                match byte {
                    b'h' => self.inside_frame = true,
                    b'l' => {
                        self.inside_frame = false;
                        pieces.push((&bytes[start..=index], true));
                        start = index + 1;
                        continue;
                    }
                    _ => {}
                }
            }
            if byte == Self::PREFIX[self.matched] {
                self.matched += 1;
            } else {
                self.matched = usize::from(byte == Self::PREFIX[0]);
            }
        }
        pieces.push((&bytes[start..], !self.inside_frame));
        pieces
    }
}

/// The screen as a fresh terminal shows `bytes`: what a full repaint alone draws.
fn fresh_render(bytes: &[u8]) -> String {
    let size = |cells: u16| std::num::NonZeroU16::new(cells).expect("a non-zero size");
    let mut parser = vt100::Parser::new(size(ROWS), size(COLUMNS), 0);
    parser.process(bytes);
    parser.screen().contents()
}

/// The filter panel scrolled row by row past the segment `India 🇮🇳` leaves no fragment of
/// the flag: the screen drawn a change at a time is the screen that Ctrl-L's full repaint
/// draws on a fresh terminal, cell for cell.
#[test]
fn a_flag_scrolled_through_the_panel_leaves_no_fragment() {
    let mut tui = Tui::start(&["--demo"]);
    tui.wait_for("≥ 1,000 matching");
    // Shift-Tab: from the list to the filter panel; then `]` from section to section, the
    // segments (the flag among them) scrolling up the panel and out of it, a frame each.
    tui.send("\x1b[Z");
    for title in [
        "Status",
        "Tags",
        "Website bots",
        "WhatsApp bots",
        "Telegram bots",
        "Facebook bots",
        "Agents",
        "Segments",
        "Only",
    ] {
        tui.send("]");
        let row = format!("│{title}");
        tui.wait_until(&row, |screen| {
            screen.lines().any(|line| line.starts_with(&row))
        });
    }
    tui.wait_until("the flag in the panel", |screen| {
        screen.lines().any(|line| line.starts_with("│[ ] India 🇮🇳"))
    });
    tui.send("]]G");
    let scrolled = tui.wait_for("seen before: YYYY");
    let before = tui.raw_output().len();
    tui.send("\x0c");
    let repainted = tui.wait_until("a full repaint", |_| {
        let screen = fresh_render(&tui.raw_output()[before..]);
        screen.contains("seen before: YYYY") && screen.contains("q quit")
    });
    let fresh = fresh_render(&tui.raw_output()[before..]);
    // The screen before Ctrl-L: the emulator's screen after it would match the fresh render
    // whatever fragments were left, the repaint blanking them first. Blanks written at a
    // line's end look as none written do.
    let visible = |screen: &str| {
        screen
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        visible(&scrolled),
        visible(&fresh),
        "drawn a change at a time:\n{scrolled}\nrepainted:\n{repainted}"
    );
    assert!(
        !fresh.contains('\u{1F1F3}') || fresh.contains("🇮🇳"),
        "{fresh}"
    );
    tui.quit();
}

/// Live refresh against a live inbox survives an outage: while the server is down the list is
/// marked stale and the failure said; once it is back, refreshing resumes by itself and both
/// clear, with no key pressed.
#[test]
fn live_refresh_recovers_from_an_outage_and_the_error_clears() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let config = DemoConfig {
        live_rate: 5.0,
        ..DemoConfig::default()
    };
    let server = runtime
        .block_on(inbox_tui::demo::DemoServer::start(config.clone()))
        .expect("the demo server starts");
    let addr = server.local_addr();
    let url = server.url();
    let tui = Tui::start_with_env(
        &["--base-url", &url, "--refresh", "1"],
        &[("INBOX_TUI_TOKEN", inbox_tui::demo::DEFAULT_TOKEN)],
    );
    tui.wait_for("page 1 ·");
    runtime.block_on(server.shutdown());
    tui.wait_for("live refresh failed");
    tui.wait_for("STALE");
    let server = runtime
        .block_on(inbox_tui::demo::DemoServer::start(DemoConfig {
            addr,
            ..config
        }))
        .expect("the demo server starts again on its port");
    let screen = tui.wait_until("refreshing resumed and the error cleared", |screen| {
        !screen.contains("live refresh failed") && !screen.contains("STALE")
    });
    assert!(screen.contains("page 1 ·"), "{screen}");
    tui.quit();
    runtime.block_on(server.shutdown());
}

/// The journals of writes the browser in `tui` made: their contents, one string each.
fn journals(tui: &Tui) -> Vec<String> {
    let runs = tui
        .home
        .path()
        .join("state")
        .join("inbox-tui")
        .join("writes");
    std::fs::read_dir(runs)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| std::fs::read_to_string(entry.path()).expect("a journal"))
                .collect()
        })
        .unwrap_or_default()
}

/// `D` on the row under the cursor asks for `delete 1` typed: `y` and Enter on other text send
/// nothing (no journal is written); the phrase deletes it, the journal records the request, and
/// the page is read again.
#[test]
fn a_deletion_in_the_browser_needs_the_typed_phrase() {
    let contacts = demo_contacts();
    let mut tui = Tui::start(&["--demo"]);
    tui.wait_for(&name_near_the_top(&contacts));
    let row = contacts[..20]
        .iter()
        .position(|contact| contact.status() != Some("DELETED"))
        .expect("a contact not deleted near the top");
    let id = contacts[row].id().expect("an id").to_owned();
    tui.send(&"j".repeat(row));
    tui.send("D");
    tui.wait_for("Type \"delete 1\"");
    // One key does not delete, nor does Enter on the wrong text.
    tui.send("y");
    tui.send("\r");
    tui.wait_for("> y");
    assert!(
        journals(&tui).is_empty(),
        "a write was journaled unconfirmed"
    );
    tui.send("\x7f");
    tui.type_text("delete 1");
    tui.wait_for("> delete 1");
    tui.send("\r");
    tui.wait_for("1 deleted");
    // The page is read again: the row now shows the status the server has.
    tui.wait_until("the row to show DELETED", |screen| {
        screen
            .lines()
            .nth(2 + row)
            .is_some_and(|line| line.contains("DELETED"))
    });
    let journals = journals(&tui);
    assert_eq!(journals.len(), 1);
    assert!(
        journals[0].contains(&format!(
            "\"kind\":\"sending\",\"chunk\":0,\"ids\":[\"{id}\"]"
        )),
        "{}",
        journals[0]
    );
    assert!(journals[0].contains("\"status\":\"DELETED\""));
    tui.quit();
}

/// The text of the last clipboard sequence (OSC 52) the program wrote.
fn last_clipboard(raw: &[u8]) -> String {
    use base64::Engine as _;
    let raw = String::from_utf8_lossy(raw);
    let start = raw.rfind("\u{1b}]52;c;").expect("a clipboard sequence") + "\u{1b}]52;c;".len();
    let end = raw[start..].find('\u{7}').expect("the sequence ends") + start;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&raw[start..end])
        .expect("base64");
    String::from_utf8(bytes).expect("UTF-8")
}

/// With a snapshot of a demo account (`snapshot sync` first): the count of everything is exact
/// at once and labelled with the snapshot's age, as is the status bar; `A` on status OPEN
/// selects from the snapshot (its notice says so) exactly the ids of the account's OPEN
/// contacts, which a walk selects (read back through `Y`), and the export dialog's "from the
/// snapshot" writes exactly those contacts to the CSV. Then, with the server shut down,
/// `--offline` still shows the pages and the count from the snapshot, marked OFFLINE.
#[test]
fn with_a_snapshot_counts_and_select_all_come_from_it_labelled_with_its_age() {
    let contacts = demo_contacts();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime for the demo server");
    let server = runtime
        .block_on(inbox_tui::demo::DemoServer::start(DemoConfig::default()))
        .expect("a demo server starts");
    let url = server.url();
    let token = server.token().to_owned();
    let state = tempfile::tempdir().expect("a temp dir");
    let state_dir = state.path().join("state");
    let synced = std::process::Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
        .args(["snapshot", "sync", "--base-url", &url])
        .env("HOME", state.path())
        .env("XDG_STATE_HOME", &state_dir)
        .env("XDG_CONFIG_HOME", state.path().join("config"))
        .env("INBOX_TUI_TOKEN", &token)
        .output()
        .expect("the binary runs");
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    let state_env = state_dir.display().to_string();
    let env = [
        ("XDG_STATE_HOME", state_env.as_str()),
        ("INBOX_TUI_TOKEN", token.as_str()),
    ];
    let mut tui = Tui::start_with_env(&["--base-url", &url], &env);
    tui.wait_for("5,000 matching as of ");
    tui.wait_for("snapshot as of ");

    let mut open: Vec<String> = contacts
        .iter()
        .filter(|contact| contact.status() == Some(Status::Open.as_str()))
        .map(|contact| contact.id().expect("an id").to_owned())
        .collect();
    open.sort();
    tui.send("\x1b[Z"); // Shift-Tab: to the filter panel, on the search field
    tui.wait_for("Space toggle");
    tui.send("j"); // OPEN
    tui.send(" ");
    tui.wait_for("1 active");
    let everyone = thousands(open.len() as u64);
    tui.wait_for(&format!("{everyone} matching as of "));
    tui.send("\t");
    tui.send("A");
    tui.wait_for(&format!("{everyone} selected: all matching status OPEN"));
    tui.wait_for("the snapshot as of "); // the notice's end: where the ids came from
    tui.send("Y");
    tui.wait_for(&format!("copied {everyone} ids"));
    let mut copied: Vec<String> = last_clipboard(&tui.raw_output())
        .lines()
        .map(str::to_owned)
        .collect();
    copied.sort();
    assert_eq!(copied, open);

    // The export dialog offers the snapshot: everything matching, written from it.
    let output = tempfile::tempdir().expect("a temp dir");
    let path = output.path().join("open-from-snapshot.csv");
    tui.send("e");
    tui.wait_for("the selection (");
    tui.send("\x1b[C\x1b[C\x1b[C"); // right three times: the selection, page, matching, snapshot
    tui.wait_for("everything matching, from the snapshot");
    tui.send("\x1b[B\x1b[B"); // down twice, to the path
    tui.type_text(&path.display().to_string());
    tui.send("\r");
    tui.wait_for(&format!("exported {everyone} contacts"));
    let mut reader = csv::Reader::from_path(&path).expect("the CSV exists");
    let mut exported: Vec<String> = reader
        .records()
        .map(|record| record.expect("a valid record")[0].to_owned())
        .collect();
    exported.sort();
    assert_eq!(exported, open);
    tui.quit();

    // No server any more: the browser comes back on the last filters (status OPEN), from the
    // snapshot alone.
    runtime.block_on(server.shutdown());
    let open_first = contacts
        .iter()
        .filter(|contact| contact.status() == Some(Status::Open.as_str()))
        .take(10)
        .find_map(ascii_name)
        .expect("an OPEN contact with an ASCII name");
    let tui = Tui::start_with_env(&["--base-url", &url, "--offline"], &env);
    tui.wait_for("OFFLINE: snapshot as of ");
    tui.wait_for(&open_first);
    tui.wait_for(&format!("{everyone} matching as of "));
    tui.quit();
}

/// `--offline` needs no token: with no `INBOX_TUI_TOKEN`, no config and the server shut down,
/// the browser opens on the snapshot that `--base-url` names, shows its contacts and count,
/// marked OFFLINE.
#[test]
fn offline_needs_no_token() {
    let contacts = demo_contacts();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime for the demo server");
    let server = runtime
        .block_on(inbox_tui::demo::DemoServer::start(DemoConfig::default()))
        .expect("a demo server starts");
    let url = server.url();
    let state = tempfile::tempdir().expect("a temp dir");
    let state_dir = state.path().join("state");
    let synced = std::process::Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
        .args(["snapshot", "sync", "--base-url", &url])
        .env("HOME", state.path())
        .env("XDG_STATE_HOME", &state_dir)
        .env("XDG_CONFIG_HOME", state.path().join("config"))
        .env("INBOX_TUI_TOKEN", server.token())
        .output()
        .expect("the binary runs");
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    runtime.block_on(server.shutdown());

    let state_env = state_dir.display().to_string();
    let tui = Tui::start_with_env(
        &["--base-url", &url, "--offline"],
        &[("XDG_STATE_HOME", state_env.as_str())],
    );
    tui.wait_for("OFFLINE: snapshot as of ");
    tui.wait_for(&name_near_the_top(&contacts));
    tui.wait_for("5,000 matching as of ");
    tui.quit();
}

/// A profile switch keeps each account's snapshot: the first account (300 contacts) counts
/// from its snapshot, `profile second` counts from the second's (200), and switching back
/// finds the first one's again, each labelled with its age. Then, with both servers shut down
/// and no token, `--offline` switches between the two snapshots the same way.
#[test]
fn a_profile_switch_answers_from_each_accounts_own_snapshot() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime for the demo servers");
    let start = |contacts: usize, seed: u64, token: &str| {
        runtime
            .block_on(inbox_tui::demo::DemoServer::start(DemoConfig {
                contacts,
                seed,
                token: token.into(),
                ..DemoConfig::default()
            }))
            .expect("a demo server starts")
    };
    let first = start(300, 1, "first-token");
    let second = start(200, 2, "second-token");
    let folder = tempfile::tempdir().expect("a temp dir");
    let config = two_profiles_config(folder.path(), &first.url(), &second.url());
    let state_dir = folder.path().join("state");
    for profile in ["first", "second"] {
        let synced = std::process::Command::new(env!("CARGO_BIN_EXE_inbox-tui"))
            .args([
                "snapshot",
                "sync",
                "--config",
                &config,
                "--profile",
                profile,
            ])
            .env("HOME", folder.path())
            .env("XDG_STATE_HOME", &state_dir)
            .env_remove("INBOX_TUI_TOKEN")
            .env("FIRST_TOKEN", "first-token")
            .env("SECOND_TOKEN", "second-token")
            .output()
            .expect("the binary runs");
        assert!(
            synced.status.success(),
            "{}",
            String::from_utf8_lossy(&synced.stderr)
        );
    }
    let state_env = state_dir.display().to_string();
    let switch = |tui: &mut Tui, profile: &str| {
        tui.send(":");
        tui.type_text(&format!("profile {profile}"));
        tui.send("\r");
        tui.wait_for(&format!("switched to profile \"{profile}\""));
    };
    let mut tui = Tui::start_with_env(
        &["--config", &config],
        &[
            ("XDG_STATE_HOME", state_env.as_str()),
            ("FIRST_TOKEN", "first-token"),
            ("SECOND_TOKEN", "second-token"),
        ],
    );
    tui.wait_for("300 matching as of ");
    switch(&mut tui, "second");
    tui.wait_for("200 matching as of ");
    tui.wait_for("snapshot as of ");
    switch(&mut tui, "first");
    tui.wait_for("300 matching as of ");
    tui.quit();

    runtime.block_on(first.shutdown());
    runtime.block_on(second.shutdown());
    let mut tui = Tui::start_with_env(
        &["--config", &config, "--offline"],
        &[("XDG_STATE_HOME", state_env.as_str())],
    );
    tui.wait_for("300 matching as of ");
    switch(&mut tui, "second");
    tui.wait_for("200 matching as of ");
    tui.wait_for("OFFLINE: snapshot as of ");
    tui.quit();
}
