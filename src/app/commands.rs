//! Running what `update` asks for: one small function per `Cmd`, each starting a tokio task
//! (or doing one quick thing) and turning its result into a `Msg` on the loop's channel. No
//! decision is made here: what to export where, what to say and what to do next are the
//! model's (`update`) and the engines' (`export`, `api::walk`, `write`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use super::account_walks::{FullCount, background_options, collect_matching_ids};
use super::local::{self, SnapshotOptions};
use super::msg::{Account, Cmd, CountSoFar, ExportFinished, Msg, Purpose, ViewStoreError};
use super::state::{CountRun, FetchGeneration, PickList, SavedView, SelectAllRun};
use super::update::{deleted_notice, saved_notice};
use crate::api::walk::{Background, WalkError};
use crate::api::{ApiError, Client, Contact, Page, Query, RetryNotice};
use crate::export::{self, ExportRequest, Progress, would_replace_a_file};
use crate::write::Change;

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

/// Every task in flight, kept so a superseded one can be aborted and all of them stopped when
/// the browser ends.
#[derive(Default)]
pub(super) struct Tasks {
    show: Option<JoinHandle<()>>,
    prefetch: Option<JoinHandle<()>>,
    refresh: Option<JoinHandle<()>>,
    count: Option<JoinHandle<()>>,
    select_all: Option<JoinHandle<()>>,
    export: Option<JoinHandle<()>>,
    /// The walk that fixes a write's set, then the write itself.
    write: Option<JoinHandle<()>>,
    /// The background sync of the local snapshot.
    pub(super) sync: Option<JoinHandle<()>>,
    /// Pick-list loads and view writes: short, never superseded, finished ones dropped.
    others: Vec<JoinHandle<()>>,
}

impl Tasks {
    fn replace(slot: &mut Option<JoinHandle<()>>, handle: JoinHandle<()>) {
        if let Some(previous) = slot.replace(handle) {
            previous.abort();
        }
    }

    fn cancel(slot: &mut Option<JoinHandle<()>>) {
        if let Some(handle) = slot.take() {
            handle.abort();
        }
    }

    fn keep(&mut self, handle: JoinHandle<()>) {
        self.others.retain(|other| !other.is_finished());
        self.others.push(handle);
    }

    /// Stops every task; dropping an export's future removes its temporary file.
    pub(super) fn abort_all(&mut self) {
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

/// What commands run with, and the channel their tasks answer on.
pub(super) struct CommandContext {
    /// The account in use; switching profiles replaces it.
    pub(super) client: Arc<Client>,
    pub(super) sender: UnboundedSender<Msg>,
    pub(super) receiver: UnboundedReceiver<Msg>,
    pub(super) view_store: Option<Arc<dyn ViewStore>>,
    pub(super) profiles: Option<Arc<dyn Profiles>>,
    /// Shared by select-all, the count, exports and writes: the pages the user waits for go
    /// first.
    pub(super) background: Background,
    /// Set to stop the running write between two requests.
    pub(super) write_stop: Arc<AtomicBool>,
    /// The account's local snapshot, if it has one; `None` after a switch of account.
    pub(super) snapshot: Option<SnapshotOptions>,
}

impl CommandContext {
    /// The snapshot file, for the commands `update` sends only when there is one.
    fn snapshot_path(&self) -> PathBuf {
        self.snapshot
            .as_ref()
            .map(|snapshot| snapshot.path.clone())
            .unwrap_or_default()
    }

    fn offline(&self) -> bool {
        self.snapshot
            .as_ref()
            .is_some_and(|snapshot| snapshot.offline)
    }
}

/// Starts the task for one command; it reports back over the context's sender.
pub(super) fn run_command(command: Cmd, context: &mut CommandContext, tasks: &mut Tasks) {
    match command {
        Cmd::FetchPage {
            generation,
            purpose,
            query,
            page,
        } => {
            let read = PageRead {
                generation,
                purpose,
                query,
                page,
            };
            if context.offline() {
                read_local_page(read, context, tasks);
            } else {
                fetch_page(read, context, tasks);
            }
        }
        Cmd::SelectAllMatching { run, query } => select_all(run, *query, context, tasks),
        Cmd::SelectAllLocal { run, query } => select_all_locally(run, *query, context, tasks),
        Cmd::CancelSelectAll => Tasks::cancel(&mut tasks.select_all),
        Cmd::StartExport(request) => start_export(*request, context, tasks),
        // Dropping the export's future removes its temporary file.
        Cmd::CancelExport => Tasks::cancel(&mut tasks.export),
        Cmd::SaveView { name, query } => {
            let store = context.view_store.clone();
            let done = saved_notice(&name);
            tasks.keep(write_views(context.sender.clone(), done, move || {
                store.ok_or(NO_VIEW_STORE)?.save(&name, &query)
            }));
        }
        Cmd::DeleteView { name } => {
            let store = context.view_store.clone();
            let done = deleted_notice(&name);
            tasks.keep(write_views(context.sender.clone(), done, move || {
                store.ok_or(NO_VIEW_STORE)?.delete(&name)
            }));
        }
        Cmd::Copy { text } => copy_to_clipboard(&text),
        Cmd::Count {
            run,
            query,
            max_pages,
            resume,
        } => count(run, *query, max_pages, resume, context, tasks),
        Cmd::CountLocal { run, query } => count_locally(run, *query, context, tasks),
        Cmd::CancelCount => Tasks::cancel(&mut tasks.count),
        Cmd::PlanWrite { target, status } => plan_write(*target, status, context, tasks),
        Cmd::CancelWritePlan => Tasks::cancel(&mut tasks.write),
        Cmd::StartWrite { changes, describe } => start_write(changes, describe, context, tasks),
        Cmd::StopWrite => context.write_stop.store(true, Ordering::SeqCst),
        Cmd::Open { url } => tasks.keep(open_in_browser(url, context.sender.clone())),
        Cmd::ConnectProfile { name } => tasks.keep(connect_profile(name, context)),
        Cmd::UseAccount(account) => use_account(*account, context, tasks),
        Cmd::LoadChoices(lists) => {
            for list in lists {
                tasks.keep(load_choices(list, context));
            }
        }
    }
}

/// A page to read, and what it is for.
struct PageRead {
    generation: FetchGeneration,
    purpose: Purpose,
    query: Box<Query>,
    page: u32,
}

impl PageRead {
    fn loaded(self, result: Result<Page, ApiError>) -> Msg {
        Msg::PageLoaded {
            generation: self.generation,
            purpose: self.purpose,
            page: self.page,
            query: self.query,
            result,
        }
    }
}

/// A page from the snapshot, offline: no request is sent.
fn read_local_page(read: PageRead, context: &CommandContext, tasks: &mut Tasks) {
    let path = context.snapshot_path();
    let sender = context.sender.clone();
    let purpose = read.purpose;
    let handle = tokio::spawn(async move {
        let (query, page) = (Query::clone(&read.query), read.page);
        let result = tokio::task::spawn_blocking(move || local::page(&path, &query, page))
            .await
            .unwrap_or_else(|error| {
                Err(ApiError::Offline {
                    what: error.to_string(),
                })
            });
        let _ = sender.send(read.loaded(result));
    });
    match purpose {
        Purpose::Show => Tasks::replace(&mut tasks.show, handle),
        Purpose::Prefetch => Tasks::replace(&mut tasks.prefetch, handle),
        Purpose::Refresh => Tasks::replace(&mut tasks.refresh, handle),
    }
}

/// A page from the API. The page shown goes ahead of background work and says when it waits
/// to retry; a new page to show stops the prefetch it would compete with.
fn fetch_page(read: PageRead, context: &CommandContext, tasks: &mut Tasks) {
    let client = Arc::clone(&context.client);
    let sender = context.sender.clone();
    let purpose = read.purpose;
    let waiting = (purpose == Purpose::Show).then(|| context.background.foreground_wait());
    let handle = tokio::spawn(async move {
        let _waiting = waiting;
        let retry_sender = sender.clone();
        let generation = read.generation;
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
            refresh_once(&client, &read.query, read.page).await
        } else {
            client
                .fetch_page_observed(&read.query, read.page, &on_retry)
                .await
        };
        let _ = sender.send(read.loaded(result));
    });
    match purpose {
        Purpose::Show => {
            Tasks::cancel(&mut tasks.prefetch);
            Tasks::replace(&mut tasks.show, handle);
        }
        Purpose::Prefetch => Tasks::replace(&mut tasks.prefetch, handle),
        Purpose::Refresh => Tasks::replace(&mut tasks.refresh, handle),
    }
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

/// Reports progress the way every background walk does: the account's pace, then the step.
fn with_pace<P: Send + 'static>(
    client: &Arc<Client>,
    sender: &UnboundedSender<Msg>,
    step: impl Fn(P) -> Msg + Send + Sync + 'static,
) -> impl Fn(P) + Send + Sync + 'static {
    let client = Arc::clone(client);
    let sender = sender.clone();
    move |progress| {
        let _ = sender.send(Msg::Pace(client.pace().pace()));
        let _ = sender.send(step(progress));
    }
}

/// "Select every matching contact" by walking the API.
fn select_all(run: SelectAllRun, query: Query, context: &CommandContext, tasks: &mut Tasks) {
    let client = Arc::clone(&context.client);
    let sender = context.sender.clone();
    let options = background_options(&context.background);
    let on_progress = with_pace(&client, &sender, move |progress: Progress| {
        Msg::SelectAllProgress { run, progress }
    });
    let handle = tokio::spawn(async move {
        let result = collect_matching_ids(&client, &query, &options, &on_progress).await;
        let _ = sender.send(Msg::SelectAllDone {
            run,
            result: result.map(|(ids, _)| ids).map_err(Arc::new),
        });
    });
    Tasks::replace(&mut tasks.select_all, handle);
}

/// "Select every matching contact" from the snapshot.
fn select_all_locally(
    run: SelectAllRun,
    query: Query,
    context: &CommandContext,
    tasks: &mut Tasks,
) {
    let sender = context.sender.clone();
    let path = context.snapshot_path();
    let handle = tokio::spawn(async move {
        let result = read_snapshot(path, move |path| local::matching_ids(path, &query)).await;
        let _ = sender.send(Msg::SelectAllDone {
            run,
            result: result.map_err(|error| {
                Arc::new(WalkError::Fetch {
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

/// A read of the snapshot file, on the blocking pool: SQLite blocks. A read that panicked is
/// an error like any other.
async fn read_snapshot<T: Send + 'static>(
    path: PathBuf,
    read: impl FnOnce(&Path) -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(move || read(&path))
        .await
        .unwrap_or_else(|error| Err(error.to_string()))
}

/// The dialog's export: to its file, unless that would replace one the user did not agree to
/// replace; by walking the API, or from the snapshot after a catch-up.
fn start_export(request: ExportRequest, context: &CommandContext, tasks: &mut Tasks) {
    let client = Arc::clone(&context.client);
    let sender = context.sender.clone();
    let walk = background_options(&context.background);
    let snapshot = context.snapshot.clone().filter(|_| request.from_snapshot);
    let on_progress = with_pace(&client, &sender, Msg::ExportProgress);
    let handle = tokio::spawn(async move {
        let file = request.file();
        if !request.overwrite && would_replace_a_file(&file).await {
            let _ = sender.send(Msg::ExportWouldOverwrite {
                path: file.display().to_string(),
            });
            return;
        }
        let job = request.into_job(file.clone(), walk.clone());
        let exported = match snapshot {
            Some(snapshot) => local::export(client, snapshot, walk, job, Arc::new(on_progress))
                .await
                .map_err(|error| export::ExportError::Io {
                    context: "the export from the snapshot failed".into(),
                    source: io::Error::other(error),
                }),
            None => export::run(&client, job, &on_progress)
                .await
                .map(|summary| (summary, None)),
        };
        let outcome = exported
            .map(|(summary, as_of)| ExportFinished {
                path: file.display().to_string(),
                contacts: summary.contacts,
                as_of,
            })
            .map_err(Arc::new);
        let _ = sender.send(Msg::ExportDone(outcome));
    });
    Tasks::replace(&mut tasks.export, handle);
}

/// OSC 52: the terminal puts the text on the clipboard, over ssh too. Base64 keeps whatever
/// the text holds from reaching the terminal as anything but data.
fn copy_to_clipboard(text: &str) {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut stdout = io::stdout();
    let written = write!(stdout, "\x1b]52;c;{encoded}\x07").and_then(|()| stdout.flush());
    if let Err(error) = written {
        tracing::warn!(%error, "could not write the clipboard sequence");
    }
}

/// The full count by walking the API, from where a stopped one left off.
fn count(
    run: CountRun,
    query: Query,
    max_pages: Option<u32>,
    resume: Option<Box<CountSoFar>>,
    context: &CommandContext,
    tasks: &mut Tasks,
) {
    let client = Arc::clone(&context.client);
    let sender = context.sender.clone();
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

/// The count and its facets from the snapshot.
fn count_locally(run: CountRun, query: Query, context: &CommandContext, tasks: &mut Tasks) {
    let sender = context.sender.clone();
    let path = context.snapshot_path();
    let handle = tokio::spawn(async move {
        let result = read_snapshot(path, move |path| local::count(path, &query)).await;
        let _ = sender.send(Msg::CountedLocally {
            run,
            at: Instant::now(),
            result,
        });
    });
    Tasks::replace(&mut tasks.count, handle);
}

/// Walks a write's selection to fix the set it acts on, before anything is written.
fn plan_write(
    target: export::FrozenSelection,
    status: String,
    context: &CommandContext,
    tasks: &mut Tasks,
) {
    let client = Arc::clone(&context.client);
    let sender = context.sender.clone();
    let options = background_options(&context.background);
    let handle = tokio::spawn(async move {
        let progress_sender = sender.clone();
        let on_progress = move |seen: u64| {
            let _ = progress_sender.send(Msg::WritePlanProgress(seen));
        };
        let planned =
            super::writes::plan_target(&client, &target, &status, &options, &on_progress).await;
        let _ = sender.send(Msg::WritePlanned(planned.map(Arc::new)));
    });
    Tasks::replace(&mut tasks.write, handle);
}

/// Runs a planned write, which `Cmd::StopWrite` stops between two requests.
fn start_write(
    changes: Arc<Vec<Change>>,
    describe: String,
    context: &mut CommandContext,
    tasks: &mut Tasks,
) {
    let client = Arc::clone(&context.client);
    let sender = context.sender.clone();
    let options = background_options(&context.background);
    let stop = Arc::new(AtomicBool::new(false));
    context.write_stop = Arc::clone(&stop);
    let handle = tokio::spawn(async move {
        let progress_sender = sender.clone();
        let on_progress = move |progress| {
            let _ = progress_sender.send(Msg::WriteProgress(progress));
        };
        let summary =
            super::writes::run_changes(&client, &changes, &describe, &options, &stop, &on_progress)
                .await;
        let _ = sender.send(Msg::WriteDone(summary));
    });
    Tasks::replace(&mut tasks.write, handle);
}

/// Opens `url` in the system's browser, off the loop; only a failure is reported.
fn open_in_browser(url: String, sender: UnboundedSender<Msg>) -> JoinHandle<()> {
    tokio::spawn(async move {
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
    })
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

/// Reads another profile's account (its token may come from a file) off the loop.
fn connect_profile(name: String, context: &CommandContext) -> JoinHandle<()> {
    let sender = context.sender.clone();
    let profiles = context.profiles.clone();
    tokio::spawn(async move {
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
    })
}

/// Another account from now on. Nothing of the old one may reach the new one: its tasks
/// stop, and a new channel leaves behind whatever they had already sent. Its rate limit is
/// its own, so what was learnt of the old one's does not apply; its snapshot, if it has one,
/// is kept fresh from now on.
fn use_account(account: Account, context: &mut CommandContext, tasks: &mut Tasks) {
    tasks.abort_all();
    let (sender, receiver) = unbounded_channel();
    context.sender = sender;
    context.receiver = receiver;
    context.client = account.client;
    context.snapshot = account.snapshot;
    context.background = Background::default();
    start_background_sync(context, tasks);
}

/// Keeps the account's snapshot fresh in the background, when it has one and is online.
pub(super) fn start_background_sync(context: &CommandContext, tasks: &mut Tasks) {
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
}

/// Loads one pick-list of the filter panel.
fn load_choices(list: PickList, context: &CommandContext) -> JoinHandle<()> {
    let client = Arc::clone(&context.client);
    let sender = context.sender.clone();
    tokio::spawn(async move {
        panic_if_a_test_asks();
        let loaded = match list {
            PickList::Agents => Msg::AgentsLoaded(client.agents().await),
            PickList::Segments => Msg::SegmentsLoaded(client.segments().await),
            PickList::WhatsappBots => Msg::WhatsappBotsLoaded(client.whatsapp_bots().await),
        };
        let _ = sender.send(loaded);
    })
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
