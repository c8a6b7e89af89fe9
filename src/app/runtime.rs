//! The event loop: the one task that owns `State`. It turns terminal events, task results,
//! deadlines and signals into messages, hands the commands `update` returns to `commands.rs`,
//! and redraws only when something changed, at most once per frame.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event, EventStream, MouseButton, MouseEventKind,
};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use ratatui::layout::Rect;
use tokio::sync::mpsc::unbounded_channel;
use tokio::time::sleep_until;

use super::commands::{
    CommandContext, Profiles, Tasks, ViewStore, run_command, start_background_sync,
};
use super::filters::FriendlyNames;
use super::keymap::Keymap;
use super::local::{self, SnapshotOptions};
use super::msg::Msg;
use super::state::{Connection, LocalSnapshot, SavedView, State};
use super::update::{restore_filters, start, update};
use crate::api::walk::Background;
use crate::api::{Client, Query};
use crate::export::CsvStyle;
use crate::signals::{Stop, StopSignals};
use crate::ui::{self, Clock, Theme};

/// The shortest time between two frames (about 60 per second).
const FRAME: Duration = Duration::from_millis(16);
/// How often the spinner turns while a request is in flight.
const SPINNER_STEP: Duration = Duration::from_millis(100);
/// How often the screen is redrawn for the relative ages ("5m ago") to move on.
const AGE_TICK: Duration = Duration::from_secs(15);
/// How often the back-off countdown is redrawn.
const COUNTDOWN_STEP: Duration = Duration::from_secs(1);

/// What the browser needs from the command line.
pub struct BrowserOptions {
    pub client: Client,
    /// The config profile in use, if any.
    pub profile: Option<String>,
    /// The config's profiles to switch between; `None` when there is no config to read them
    /// from.
    pub profiles: Option<Arc<dyn Profiles>>,
    /// The filters to start with: the last ones used, restored from the state file.
    pub initial_query: Query,
    pub views: Vec<SavedView>,
    /// `None` when there is nowhere to save views.
    pub view_store: Option<Arc<dyn ViewStore>>,
    pub names: FriendlyNames,
    pub theme: Theme,
    /// Start-up problems for the status bar, such as a token file others can read.
    pub warnings: Vec<String>,
    /// Shown in the status bar, e.g. `api.v7.botpenguin.com` or `demo on 127.0.0.1:PORT`.
    pub host_label: String,
    /// Capture the mouse: wheel scrolls, click selects. Off by default because capturing breaks
    /// selecting text in the terminal.
    pub mouse: bool,
    pub log_path: Option<PathBuf>,
    pub keymap: Keymap,
    /// How the export dialog starts writing CSV cells: the config's `[export]` table.
    pub csv_style: CsvStyle,
    /// Where the web panel shows a contact, `{id}` standing for its id.
    pub web_url: Option<String>,
    /// Live refresh of page 1, this often; `None` is off.
    pub refresh: Option<Duration>,
    /// The zone times are shown in and typed dates read in: `[ui] time_zone`.
    pub time_zone: jiff::tz::TimeZone,
    /// The account's local snapshot, when it has one (or `--offline` asks for it).
    pub snapshot: Option<SnapshotOptions>,
}

/// How the browser ended: the filters in use then, and the signal that ended it, if one did
/// (the command then exits non-zero, as a killed program should).
#[derive(Debug)]
pub struct BrowserExit {
    pub query: Query,
    pub stopped_by: Option<Stop>,
}

/// Runs the full-screen browser until the user quits or a signal arrives, and returns the
/// filters in use then, so they can be restored next time. The terminal is restored on every
/// way out: return, error, panic, SIGTERM and SIGHUP.
pub async fn run_browser(options: BrowserOptions) -> io::Result<BrowserExit> {
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        return Err(io::Error::other(
            "the browser needs an interactive terminal; for scripts use `inbox-tui list`",
        ));
    }
    let mut terminal = TerminalSession::enter(options.mouse)?;
    let panics = Arc::clone(&terminal.panics);
    let result = event_loop(terminal.terminal(), options, &panics).await;
    terminal.leave();
    result
}

/// A panic in a background task while the browser runs. The task dies but the loop would go
/// on, so the hook logs it and tells the loop, which ends the browser: the terminal is restored
/// and the command exits non-zero, instead of a restored terminal under a running app.
struct PanicWatch {
    /// The event loop's thread: a panic there unwinds the loop itself, so the terminal is
    /// restored at once for the panic message to be readable.
    loop_thread: std::thread::ThreadId,
    message: std::sync::Mutex<Option<String>>,
    notify: tokio::sync::Notify,
}

impl PanicWatch {
    fn record(&self, message: String) {
        if let Ok(mut slot) = self.message.lock() {
            slot.get_or_insert(message);
        }
        self.notify.notify_one();
    }

    /// Waits for a task's panic and says what it was.
    async fn panicked(&self) -> String {
        self.notify.notified().await;
        self.message
            .lock()
            .ok()
            .and_then(|slot| slot.clone())
            .unwrap_or_default()
    }
}

/// Raw mode, the alternate screen and (optionally) mouse capture, undone on drop and on panic.
struct TerminalSession {
    terminal: Option<DefaultTerminal>,
    mouse: bool,
    panics: Arc<PanicWatch>,
}

impl TerminalSession {
    fn enter(mouse: bool) -> io::Result<TerminalSession> {
        let terminal = ratatui::try_init()?;
        let panics = Arc::new(PanicWatch {
            loop_thread: std::thread::current().id(),
            message: std::sync::Mutex::new(None),
            notify: tokio::sync::Notify::new(),
        });
        // ratatui's hook restores the terminal, then prints the panic.
        let previous_hook = std::panic::take_hook();
        let watch = Arc::clone(&panics);
        std::panic::set_hook(Box::new(move |info| {
            tracing::error!("panic: {info}");
            if std::thread::current().id() == watch.loop_thread {
                undo_mouse_and_cursor();
                previous_hook(info);
            } else {
                watch.record(info.to_string());
            }
        }));
        if mouse {
            crossterm::execute!(io::stdout(), EnableMouseCapture)?;
        }
        Ok(TerminalSession {
            terminal: Some(terminal),
            mouse,
            panics,
        })
    }

    fn terminal(&mut self) -> &mut DefaultTerminal {
        self.terminal
            .as_mut()
            .unwrap_or_else(|| unreachable!("the terminal is present until leave()"))
    }

    fn leave(&mut self) {
        if self.terminal.take().is_some() {
            if self.mouse {
                let _ = crossterm::execute!(io::stdout(), DisableMouseCapture);
            }
            ratatui::restore();
            undo_mouse_and_cursor();
        }
    }
}

impl Drop for TerminalSession {
    fn drop(&mut self) {
        self.leave();
    }
}

/// Leaves the terminal usable even if we never enabled mouse capture: both are harmless then.
fn undo_mouse_and_cursor() {
    let mut stdout = io::stdout();
    let _ = crossterm::execute!(stdout, DisableMouseCapture, crossterm::cursor::Show);
    let _ = stdout.flush();
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    options: BrowserOptions,
    panics: &PanicWatch,
) -> io::Result<BrowserExit> {
    let theme = options.theme;
    let client = Arc::new(options.client);
    let view_store = options.view_store;
    let (sender, receiver) = unbounded_channel::<Msg>();
    let mut state = State::new(
        Connection {
            host: options.host_label,
        },
        options.keymap,
        options.log_path,
    );
    state.views = options.views;
    state.csv_defaults = options.csv_style;
    state.web_url = options.web_url;
    state.refresh_every = options.refresh;
    state.next_refresh = options.refresh.map(|every| Instant::now() + every);
    state.time_zone = options.time_zone;
    state.choices.names = options.names;
    state.status.warnings = options.warnings;
    state.profile = options.profile;
    state.profiles = options
        .profiles
        .as_ref()
        .map(|profiles| profiles.names())
        .unwrap_or_default();
    let snapshot = options.snapshot;
    if let Some(snapshot) = &snapshot {
        let path = snapshot.path.clone();
        state.snapshot = Some(LocalSnapshot {
            as_of: tokio::task::spawn_blocking(move || local::synced_at(&path))
                .await
                .ok()
                .flatten(),
            offline: snapshot.offline,
            ..LocalSnapshot::default()
        });
    }
    restore_filters(&mut state, options.initial_query);
    let mut context = CommandContext {
        client,
        sender,
        receiver,
        view_store,
        profiles: options.profiles,
        background: Background::default(),
        write_stop: Arc::default(),
        snapshot,
    };
    let mut tasks = Tasks::default();
    start_background_sync(&context, &mut tasks);
    for command in start(&mut state) {
        run_command(command, &mut context, &mut tasks);
    }

    let mut events = EventStream::new();
    // SIGTERM and SIGHUP end the browser the same way `q` does, so the terminal is restored.
    let mut shutdown = StopSignals::new(false)?;
    let mut stopped_by = None;
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    loop {
        let now = Instant::now();
        let frame_due = last_draw.is_none_or(|drawn| now >= drawn + FRAME);
        if dirty && frame_due {
            // The terminal shows the frame whole or not at all: no torn half-frame while the
            // bytes arrive (over ssh, or in a test reading the screen). Terminals without
            // synchronized output ignore the two escapes.
            crossterm::queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
            if std::mem::take(&mut state.repaint) {
                // Blanks the screen and forgets the last frame, so that every cell is written.
                // Not `Terminal::clear`, which asks the terminal where its cursor is and fails
                // on one that does not answer.
                ratatui::backend::Backend::clear(terminal.backend_mut())?;
                terminal.swap_buffers();
            }
            let clock = Clock::now();
            let area = terminal
                .draw(|frame| ui::draw(frame, &state, &theme, &clock))?
                .area;
            crossterm::execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
            last_draw = Some(now);
            dirty = false;
            let limits = ui::scroll_limits(area, &state, &clock);
            if limits != state.limits {
                for command in update(&mut state, Msg::Layout(limits)) {
                    run_command(command, &mut context, &mut tasks);
                }
                dirty = true;
            }
        }
        if state.should_quit {
            break;
        }
        let wake_at = next_wake(&state, dirty, last_draw);
        let message = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => {
                    dirty = true;
                    translate(event, &state, terminal.size().ok().map(Rect::from))
                }
                Some(Err(error)) => return Err(error),
                None => break,
            },
            Some(message) = context.receiver.recv() => Some(message),
            () = sleep_or_never(wake_at) => Some(Msg::Tick { at: Instant::now() }),
            stop = shutdown.next() => {
                stopped_by = Some(stop);
                break;
            }
            message = panics.panicked() => {
                tasks.abort_all();
                return Err(io::Error::other(format!(
                    "a background task failed, so the browser stopped: {message}"
                )));
            }
        };
        if let Some(message) = message {
            for command in update(&mut state, message) {
                run_command(command, &mut context, &mut tasks);
            }
            dirty = true;
        }
    }
    tasks.abort_all();
    Ok(BrowserExit {
        query: state.query,
        stopped_by,
    })
}

/// The next moment the loop must wake up without an event: a deadline of `update`'s, the next
/// spinner or countdown step, or a frame that was held back.
fn next_wake(state: &State, dirty: bool, last_draw: Option<Instant>) -> Option<Instant> {
    let now = Instant::now();
    let spinner = state.is_busy().then(|| now + SPINNER_STEP);
    let countdown = state.status.backoff_until.map(|_| now + COUNTDOWN_STEP);
    let frame = dirty.then(|| last_draw.map_or(now, |drawn| drawn + FRAME));
    // "5m ago" has to become "6m ago" without a key being pressed.
    let ages = last_draw.map(|drawn| drawn + AGE_TICK);
    [state.next_deadline(), spinner, countdown, frame, ages]
        .into_iter()
        .flatten()
        .min()
}

async fn sleep_or_never(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline.into()).await,
        None => std::future::pending().await,
    }
}

/// Turns a terminal event into a message; resizes need only a redraw.
fn translate(event: Event, state: &State, area: Option<Rect>) -> Option<Msg> {
    match event {
        Event::Key(key) => Some(Msg::Key {
            key,
            at: Instant::now(),
        }),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::ScrollDown => Some(Msg::Scroll { rows: 3 }),
            MouseEventKind::ScrollUp => Some(Msg::Scroll { rows: -3 }),
            MouseEventKind::Down(MouseButton::Left) => {
                let area = area?;
                ui::list_row_at(area, state, mouse.column, mouse.row)
                    .map(|row| Msg::ClickRow { row })
                    .or_else(|| {
                        ui::pane_at(area, state, mouse.column, mouse.row)
                            .map(|focus| Msg::ClickPane { focus })
                    })
            }
            _ => None,
        },
        _ => None,
    }
}
