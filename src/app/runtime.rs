//! The event loop: the one task that owns `State`. It turns terminal events, task results,
//! deadlines and signals into messages, runs the commands `update` returns as tokio tasks, and
//! redraws only when something changed, at most once per frame.

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
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;
use tokio::time::sleep_until;

use super::account_walks::{FullCount, background_options, collect_matching_ids};
use super::filters::FriendlyNames;
use super::keymap::Keymap;
use super::local::{self, SnapshotOptions};
use super::msg::{Account, Cmd, ExportFinished, Msg, PickList, Purpose, ViewStoreError};
use super::state::{Connection, LocalSnapshot, SavedView, State};
use super::update::{restore_filters, start, update};
use crate::api::walk::Background;
use crate::api::{ApiError, Client, Contact, Page, Query, RetryNotice};
use crate::export::{self, CsvColumns, CsvStyle, Destination, ExportFormat, ExportJob, Progress};
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

/// Where saved views are kept (the config file). Calls block on file I/O, so the event loop
/// runs them on the blocking pool.
pub trait ViewStore: Send + Sync {
    /// Saves `query` as `name`, replacing a view of that name; returns every view.
    fn save(&self, name: &str, query: &Query) -> Result<Vec<SavedView>, Box<ViewStoreError>>;
    /// Deletes the view `name`; returns the views left.
    fn delete(&self, name: &str) -> Result<Vec<SavedView>, Box<ViewStoreError>>;
}

/// The config's profiles, which the browser switches between in place (`profile NAME`).
/// Connecting one may read its token from a file, so the event loop calls it on the blocking
/// pool.
pub trait Profiles: Send + Sync {
    /// Every profile's name.
    fn names(&self) -> Vec<String>;
    /// The account of the profile `name`, or why it cannot be used, in a message that never
    /// holds the token.
    fn connect(&self, name: &str) -> Result<Account, String>;
}

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

/// Every task in flight, kept so a superseded one can be aborted and all of them stopped when
/// the browser ends.
#[derive(Default)]
struct Tasks {
    show: Option<JoinHandle<()>>,
    prefetch: Option<JoinHandle<()>>,
    refresh: Option<JoinHandle<()>>,
    count: Option<JoinHandle<()>>,
    select_all: Option<JoinHandle<()>>,
    export: Option<JoinHandle<()>>,
    /// The walk that fixes a write's set, then the write itself.
    write: Option<JoinHandle<()>>,
    /// The background sync of the local snapshot.
    sync: Option<JoinHandle<()>>,
    /// Pick-list loads and view writes: short, never superseded, finished ones dropped.
    others: Vec<JoinHandle<()>>,
}

impl Tasks {
    fn replace(slot: &mut Option<JoinHandle<()>>, handle: JoinHandle<()>) {
        if let Some(previous) = slot.replace(handle) {
            previous.abort();
        }
    }

    fn keep(&mut self, handle: JoinHandle<()>) {
        self.others.retain(|other| !other.is_finished());
        self.others.push(handle);
    }

    /// Stops every task; dropping an export's future removes its temporary file.
    fn abort_all(&mut self) {
        let slots = [
            self.show.take(),
            self.prefetch.take(),
            self.refresh.take(),
            self.count.take(),
            self.select_all.take(),
            self.export.take(),
            self.write.take(),
            self.sync.take(),
        ];
        for handle in slots.into_iter().flatten().chain(self.others.drain(..)) {
            handle.abort();
        }
    }
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
    if let Some(snapshot) = context
        .snapshot
        .clone()
        .filter(|snapshot| !snapshot.offline)
    {
        tasks.sync = Some(tokio::spawn(local::keep_fresh(
            Arc::clone(&context.client),
            snapshot,
            background_options(&context.background),
            context.sender.clone(),
        )));
    }
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

/// What commands run with, and the channel their tasks answer on.
struct CommandContext {
    /// The account in use; switching profiles replaces it.
    client: Arc<Client>,
    sender: UnboundedSender<Msg>,
    receiver: UnboundedReceiver<Msg>,
    view_store: Option<Arc<dyn ViewStore>>,
    profiles: Option<Arc<dyn Profiles>>,
    /// Shared by select-all, the count, exports and writes: the pages the user waits for go
    /// first.
    background: Background,
    /// Set to stop the running write between two requests.
    write_stop: Arc<std::sync::atomic::AtomicBool>,
    /// The account's local snapshot, if it has one; `None` after a switch of account.
    snapshot: Option<SnapshotOptions>,
}

/// A live refresh is tried once: the next refresh, due in a few seconds, is its retry. Behind
/// back-offs, each cut short by the next refresh, an outage would never be said, and refreshing
/// would resume only when a back-off happened to end.
async fn refresh_once(client: &Client, query: &Query, page: u32) -> Result<Page, ApiError> {
    let started = Instant::now();
    let body = serde_json::to_vec(&query.page(page)).map_err(|error| ApiError::Decode {
        what: format!("the request could not be encoded: {error}"),
    })?;
    let (decoded, _sent) = client.fetch_items_once::<Contact>(&body).await?;
    Ok(Page {
        number: page,
        contacts: decoded.items,
        unreadable: decoded.skipped,
        elapsed: started.elapsed(),
    })
}

/// Starts the task for one command; it reports back over the context's sender.
fn run_command(command: Cmd, context: &mut CommandContext, tasks: &mut Tasks) {
    let client = &context.client;
    let sender = &context.sender;
    match command {
        Cmd::FetchPage {
            generation,
            purpose,
            query,
            page,
        } if context
            .snapshot
            .as_ref()
            .is_some_and(|snapshot| snapshot.offline) =>
        {
            let path = context
                .snapshot
                .as_ref()
                .map(|snapshot| snapshot.path.clone())
                .unwrap_or_default();
            let sender = sender.clone();
            let handle = tokio::spawn(async move {
                let read_query = query.clone();
                let result =
                    tokio::task::spawn_blocking(move || local::page(&path, &read_query, page))
                        .await
                        .unwrap_or_else(|error| {
                            Err(ApiError::Offline {
                                what: error.to_string(),
                            })
                        });
                let _ = sender.send(Msg::PageLoaded {
                    generation,
                    purpose,
                    page,
                    query,
                    result,
                });
            });
            match purpose {
                Purpose::Show => Tasks::replace(&mut tasks.show, handle),
                Purpose::Prefetch => Tasks::replace(&mut tasks.prefetch, handle),
                Purpose::Refresh => Tasks::replace(&mut tasks.refresh, handle),
            }
        }
        Cmd::FetchPage {
            generation,
            purpose,
            query,
            page,
        } => {
            let client = Arc::clone(client);
            let sender = sender.clone();
            let waiting = (purpose == Purpose::Show).then(|| context.background.foreground_wait());
            let handle = tokio::spawn(async move {
                let _waiting = waiting;
                let retry_sender = sender.clone();
                let on_retry = move |notice: &RetryNotice| {
                    if purpose == Purpose::Show {
                        let _ = retry_sender.send(Msg::Retrying {
                            generation,
                            wait: notice.wait,
                            error: notice.error.clone(),
                            at: Instant::now(),
                        });
                    }
                };
                let result = if purpose == Purpose::Refresh {
                    refresh_once(&client, &query, page).await
                } else {
                    client.fetch_page_observed(&query, page, &on_retry).await
                };
                let _ = sender.send(Msg::PageLoaded {
                    generation,
                    purpose,
                    page,
                    query,
                    result,
                });
            });
            match purpose {
                Purpose::Show => {
                    if let Some(prefetch) = tasks.prefetch.take() {
                        prefetch.abort();
                    }
                    Tasks::replace(&mut tasks.show, handle);
                }
                Purpose::Prefetch => Tasks::replace(&mut tasks.prefetch, handle),
                Purpose::Refresh => Tasks::replace(&mut tasks.refresh, handle),
            }
        }
        Cmd::SelectAllMatching { run, query } => {
            let client = Arc::clone(client);
            let sender = sender.clone();
            let options = background_options(&context.background);
            let handle = tokio::spawn(async move {
                let progress_sender = sender.clone();
                let pace_client = Arc::clone(&client);
                let on_progress = move |progress: Progress| {
                    let _ = progress_sender.send(Msg::Pace(pace_client.pace().pace()));
                    let _ = progress_sender.send(Msg::SelectAllProgress { run, progress });
                };
                let result = collect_matching_ids(&client, &query, &options, &on_progress).await;
                let _ = sender.send(Msg::SelectAllDone {
                    run,
                    result: result.map(|(ids, _)| ids).map_err(Arc::new),
                });
            });
            Tasks::replace(&mut tasks.select_all, handle);
        }
        Cmd::SelectAllLocal { run, query } => {
            let sender = sender.clone();
            let path = context
                .snapshot
                .as_ref()
                .map(|snapshot| snapshot.path.clone())
                .unwrap_or_default();
            let handle = tokio::spawn(async move {
                let result =
                    tokio::task::spawn_blocking(move || local::matching_ids(&path, &query))
                        .await
                        .unwrap_or_else(|error| Err(error.to_string()));
                let _ = sender.send(Msg::SelectAllDone {
                    run,
                    result: result.map_err(|error| {
                        Arc::new(crate::api::walk::WalkError::Fetch {
                            page: 0,
                            source: ApiError::Offline {
                                what: format!("the snapshot could not select: {error}"),
                            },
                        })
                    }),
                });
            });
            Tasks::replace(&mut tasks.select_all, handle);
        }
        Cmd::CancelSelectAll => {
            if let Some(handle) = tasks.select_all.take() {
                handle.abort();
            }
        }
        Cmd::StartExport(request) => {
            let client = Arc::clone(client);
            let sender = sender.clone();
            let walk = background_options(&context.background);
            let snapshot = context.snapshot.clone();
            let handle = tokio::spawn(async move {
                let path = if request.path.is_empty() {
                    default_export_path(request.format, request.folder.as_deref())
                } else {
                    crate::paths::expand_home(&request.path)
                };
                // Messages name the file absolutely: a relative path says little later.
                let path = std::path::absolute(&path).unwrap_or(path);
                if !request.overwrite && is_a_file(&path).await {
                    let _ = sender.send(Msg::ExportWouldOverwrite {
                        path: path.display().to_string(),
                    });
                    return;
                }
                let job = ExportJob {
                    csv: request.csv,
                    columns: CsvColumns::default(),
                    limit: None,
                    query: request.query,
                    scope: request.scope,
                    format: request.format,
                    destination: Destination::File(path.clone()),
                    walk: walk.clone(),
                    agent_names: request.agent_names,
                };
                let progress_sender = sender.clone();
                let pace_client = Arc::clone(&client);
                let on_progress = move |progress: Progress| {
                    let _ = progress_sender.send(Msg::Pace(pace_client.pace().pace()));
                    let _ = progress_sender.send(Msg::ExportProgress(progress));
                };
                let exported = match snapshot.filter(|_| request.from_snapshot) {
                    Some(snapshot) => {
                        local::export(client, snapshot, walk, job, Arc::new(on_progress))
                            .await
                            .map_err(|error| export::ExportError::Io {
                                context: "the export from the snapshot failed".into(),
                                source: io::Error::other(error),
                            })
                    }
                    None => export::run(&client, job, &on_progress).await,
                };
                let outcome = exported
                    .map(|summary| ExportFinished {
                        path: path.display().to_string(),
                        contacts: summary.contacts,
                    })
                    .map_err(Arc::new);
                let _ = sender.send(Msg::ExportDone(outcome));
            });
            Tasks::replace(&mut tasks.export, handle);
        }
        Cmd::CancelExport => {
            // Dropping the export's future removes its temporary file.
            if let Some(handle) = tasks.export.take() {
                handle.abort();
            }
        }
        Cmd::SaveView { name, query } => {
            let store = context.view_store.clone();
            let done = format!("saved view {:?}", crate::text::single_line(&name));
            tasks.keep(write_views(sender.clone(), done, move || match store {
                Some(store) => store.save(&name, &query),
                None => Err(NO_VIEW_STORE.into()),
            }));
        }
        Cmd::DeleteView { name } => {
            let store = context.view_store.clone();
            let done = format!("deleted view {:?}", crate::text::single_line(&name));
            tasks.keep(write_views(sender.clone(), done, move || match store {
                Some(store) => store.delete(&name),
                None => Err(NO_VIEW_STORE.into()),
            }));
        }
        Cmd::Copy { text } => {
            // OSC 52: the terminal puts the text on the clipboard, over ssh too. Base64 keeps
            // whatever the text holds from reaching the terminal as anything but data.
            use base64::Engine as _;
            let encoded = base64::engine::general_purpose::STANDARD.encode(text);
            let mut stdout = io::stdout();
            let written = write!(stdout, "\x1b]52;c;{encoded}\x07").and_then(|()| stdout.flush());
            if let Err(error) = written {
                tracing::warn!(%error, "could not write the clipboard sequence");
            }
        }
        Cmd::Count {
            run,
            query,
            max_pages,
            resume,
        } => {
            let client = Arc::clone(client);
            let sender = sender.clone();
            let options = background_options(&context.background);
            let handle = tokio::spawn(async move {
                let resume = resume.map(|resume| *resume).unwrap_or_default();
                let count = FullCount {
                    client: &client,
                    run,
                    query: &query,
                    max_pages,
                    sender: &sender,
                    options,
                };
                count.run(resume).await;
            });
            Tasks::replace(&mut tasks.count, handle);
        }
        Cmd::CountLocal { run, query } => {
            let sender = sender.clone();
            let path = context
                .snapshot
                .as_ref()
                .map(|snapshot| snapshot.path.clone())
                .unwrap_or_default();
            let handle = tokio::spawn(async move {
                let result = tokio::task::spawn_blocking(move || local::count(&path, &query))
                    .await
                    .unwrap_or_else(|error| Err(error.to_string()));
                let _ = sender.send(Msg::CountedLocally {
                    run,
                    at: Instant::now(),
                    result,
                });
            });
            Tasks::replace(&mut tasks.count, handle);
        }
        Cmd::CancelCount => {
            if let Some(handle) = tasks.count.take() {
                handle.abort();
            }
        }
        Cmd::PlanWrite { target, status } => {
            let client = Arc::clone(client);
            let sender = sender.clone();
            let options = background_options(&context.background);
            let handle = tokio::spawn(async move {
                let progress_sender = sender.clone();
                let on_progress = move |seen: u64| {
                    let _ = progress_sender.send(Msg::WritePlanProgress(seen));
                };
                let planned = crate::app::writes::plan_target(
                    &client,
                    &target,
                    &status,
                    &options,
                    &on_progress,
                )
                .await;
                let _ = sender.send(Msg::WritePlanned(planned.map(Arc::new)));
            });
            Tasks::replace(&mut tasks.write, handle);
        }
        Cmd::CancelWritePlan => {
            if let Some(handle) = tasks.write.take() {
                handle.abort();
            }
        }
        Cmd::StartWrite { changes, describe } => {
            let client = Arc::clone(client);
            let sender = sender.clone();
            let options = background_options(&context.background);
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            context.write_stop = Arc::clone(&stop);
            let handle = tokio::spawn(async move {
                let progress_sender = sender.clone();
                let on_progress = move |progress| {
                    let _ = progress_sender.send(Msg::WriteProgress(progress));
                };
                let summary = crate::app::writes::run_changes(
                    &client,
                    &changes,
                    &describe,
                    &options,
                    &stop,
                    &on_progress,
                )
                .await;
                let _ = sender.send(Msg::WriteDone(summary));
            });
            Tasks::replace(&mut tasks.write, handle);
        }
        Cmd::StopWrite => {
            context
                .write_stop
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
        Cmd::Open { url } => {
            let sender = sender.clone();
            tasks.keep(tokio::spawn(async move {
                let opened = tokio::task::spawn_blocking({
                    let url = url.clone();
                    move || open_url(&url)
                })
                .await
                .unwrap_or_else(|error| Err(io::Error::other(error)));
                if let Err(reason) = opened {
                    let _ = sender.send(Msg::OpenFailed {
                        url,
                        reason: Arc::new(reason),
                    });
                }
            }));
        }
        Cmd::ConnectProfile { name } => {
            let sender = sender.clone();
            let profiles = context.profiles.clone();
            tasks.keep(tokio::spawn(async move {
                let result = match profiles {
                    Some(profiles) => tokio::task::spawn_blocking({
                        let name = name.clone();
                        move || profiles.connect(&name)
                    })
                    .await
                    .unwrap_or_else(|error| Err(error.to_string())),
                    None => Err("there is no config file to read profiles from".to_owned()),
                };
                match &result {
                    Ok(account) => tracing::info!(
                        profile = %crate::text::single_line(&name),
                        host = %account.client.base_url(),
                        "switching to profile"
                    ),
                    Err(reason) => tracing::warn!(
                        profile = %crate::text::single_line(&name),
                        %reason,
                        "could not switch to profile"
                    ),
                }
                let _ = sender.send(Msg::ProfileConnected { name, result });
            }));
        }
        Cmd::UseAccount(client) => {
            // Nothing of the old account may reach the new one: its tasks stop, and a new
            // channel leaves behind whatever they had already sent.
            tasks.abort_all();
            let (sender, receiver) = unbounded_channel();
            context.sender = sender;
            context.receiver = receiver;
            context.client = client;
            context.snapshot = None;
            // Another account has a rate limit of its own: what was learnt of the old one's
            // does not apply.
            context.background = Background::default();
        }
        Cmd::LoadChoices(lists) => {
            for list in lists {
                let client = Arc::clone(client);
                let sender = sender.clone();
                tasks.keep(tokio::spawn(async move {
                    panic_if_a_test_asks();
                    let loaded = match list {
                        PickList::Agents => Msg::AgentsLoaded(client.agents().await),
                        PickList::Segments => Msg::SegmentsLoaded(client.segments().await),
                        PickList::WhatsappBots => {
                            Msg::WhatsappBotsLoaded(client.whatsapp_bots().await)
                        }
                    };
                    let _ = sender.send(loaded);
                }));
            }
        }
    }
}

/// Opens `url` with the system's opener (`open` on macOS, `xdg-open` elsewhere), its output
/// kept off the screen, and waits for the opener (not the browser) to finish.
fn open_url(url: &str) -> io::Result<()> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let status = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|error| io::Error::new(error.kind(), format!("{opener}: {error}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("{opener} failed ({status})")))
    }
}

/// Writes the views on the blocking pool, off the event loop, and reports the views after.
fn write_views(
    sender: UnboundedSender<Msg>,
    done: String,
    write: impl FnOnce() -> Result<Vec<SavedView>, Box<ViewStoreError>> + Send + 'static,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let result = match tokio::task::spawn_blocking(write).await {
            Ok(result) => result.map_err(Arc::from),
            Err(error) => Err(Arc::new(error) as Arc<ViewStoreError>),
        };
        let _ = sender.send(Msg::ViewsChanged { result, done });
    })
}

/// In debug builds only, `INBOX_TUI_TEST_PANIC=task` makes a background task panic, for the
/// test that a failed task ends the browser cleanly; nothing in the program can panic there
/// on purpose otherwise.
fn panic_if_a_test_asks() {
    if cfg!(debug_assertions) && std::env::var("INBOX_TUI_TEST_PANIC").as_deref() == Ok("task") {
        panic!("INBOX_TUI_TEST_PANIC asked a background task to panic");
    }
}

const NO_VIEW_STORE: &str = "there is no config file to keep views in; pass --config PATH";

/// `contacts-YYYYMMDD-HHMMSS.<ext>` in local time, in `folder` (the last export's) or the
/// current directory.
fn default_export_path(format: ExportFormat, folder: Option<&str>) -> PathBuf {
    let stamp = jiff::Zoned::now().strftime("%Y%m%d-%H%M%S").to_string();
    let name = format!("contacts-{stamp}.{}", format.extension());
    match folder {
        Some(folder) => PathBuf::from(folder).join(name),
        None => PathBuf::from(name),
    }
}

/// Whether `path` is an existing regular file (through symlinks), which an export would
/// replace; a device or a FIFO is written to, not replaced, so it needs no asking.
async fn is_a_file(path: &std::path::Path) -> bool {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || std::fs::metadata(path).is_ok_and(|meta| meta.is_file()))
        .await
        .unwrap_or(false)
}
