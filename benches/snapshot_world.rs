//! The snapshot's figures (issue 24) at a realistic size: a full sync from the demo server (in
//! its own process, so its data set is not counted) with this process's peak memory, the file's
//! size per contact, counts with every facet for a few filter combinations, select-all (the
//! ids of every matching contact), a CSV export from the snapshot, and the requests and time
//! of an incremental sync on a still account. Linux only for memory: it reads `VmHWM`.
//!
//! `SNAPSHOT_CONTACTS=N` sets the size (default 100,000; the targets are at 1,000,000).
//! `SNAPSHOT_FILE=PATH` keeps the snapshot there: a second run finds it and skips the full
//! sync, so its peak memory is that of the reads alone (counts, select-all, export).
//! Run with `cargo bench --bench snapshot_world`.

use std::time::Instant;

#[path = "../tests/common/demo_process.rs"]
mod demo_process;

use demo_process::DemoProcess;
use inbox_tui::api::walk::WalkOptions;
use inbox_tui::api::{Client, ClientConfig, IdSet, Query, Status, Token};
use inbox_tui::demo::DEFAULT_TOKEN;
use inbox_tui::export::{self, CsvColumns, CsvStyle, Destination, ExportFormat, ExportJob, Scope};
use inbox_tui::snapshot::{self, Facet, LocalQuery, Needs, OnBusy, Snapshot, SyncMode};

const DEFAULT_CONTACTS: u64 = 100_000;

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

fn main() {
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    let contacts = std::env::var("SNAPSHOT_CONTACTS")
        .ok()
        .and_then(|value| value.parse::<u64>().ok())
        .unwrap_or(DEFAULT_CONTACTS);
    let server = DemoProcess::start(&["--contacts", &contacts.to_string()]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = std::env::var_os("SNAPSHOT_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("snapshots").join("bench.sqlite"));
    let reused = path.exists();
    let client = Client::new(ClientConfig::new(
        server.url.clone(),
        Token::new(DEFAULT_TOKEN),
    ))
    .expect("a client");
    let mut snapshot = Snapshot::create(&path).expect("created");

    let started = Instant::now();
    let outcome = if reused {
        None
    } else {
        Some(
            runtime
                .block_on(snapshot::sync(
                    &client,
                    &mut snapshot,
                    SyncMode::Full,
                    OnBusy::Skip,
                    &WalkOptions::default(),
                    &|_, _| {},
                ))
                .expect("the full sync"),
        )
    };
    let status = snapshot.status().expect("status");
    if let Some(outcome) = outcome {
        println!(
            "full sync of {} contacts: {:.1} s, {} requests, peak RSS {:.1} MiB (target < 150 MiB)",
            status.contacts,
            started.elapsed().as_secs_f64(),
            outcome.requests,
            peak_kib() as f64 / 1024.0
        );
    } else {
        println!("reusing {} ({} contacts)", path.display(), status.contacts);
    }
    println!(
        "snapshot size: {:.1} MB, {:.0} bytes a contact, {:.2} GB at 1,000,000 (target < 1.5 GB)",
        status.size_bytes as f64 / 1e6,
        status.size_bytes as f64 / status.contacts.max(1) as f64,
        status.size_bytes as f64 / status.contacts.max(1) as f64 * 1e6 / 1e9
    );

    let queries = [
        ("no filter", Query::default()),
        (
            "status open or closed",
            Query {
                status: vec![Status::Open, Status::Closed],
                ..Query::default()
            },
        ),
        (
            "tag vip, online, interacted",
            Query {
                tags: vec!["vip".into()],
                is_online: true,
                user_interacted: true,
                ..Query::default()
            },
        ),
    ];
    for (name, query) in &queries {
        let local = LocalQuery::new(query).expect("answerable");
        let started = Instant::now();
        let tally = snapshot.tally(&local, &[]).expect("a tally");
        println!(
            "count alone, {name}: {} matching, {:.0} ms",
            tally.total,
            started.elapsed().as_secs_f64() * 1000.0
        );
        let started = Instant::now();
        let tally = snapshot.tally(&local, &Facet::ALL).expect("a tally");
        println!(
            "count and all 6 facets, {name}: {} matching, {:.0} ms (target < 300 ms at 1,000,000)",
            tally.total,
            started.elapsed().as_secs_f64() * 1000.0
        );
        let started = Instant::now();
        let count = inbox_tui::app::local::count(&path, query).expect("the browser's count");
        println!(
            "the browser's count with the filter panel's facets, {name}: {} matching, {:.0} ms",
            count.counted,
            started.elapsed().as_secs_f64() * 1000.0
        );
    }

    let started = Instant::now();
    let mut ids = IdSet::new();
    let all = LocalQuery::default();
    snapshot
        .scan(
            false,
            Needs {
                id: true,
                ..all.needs()
            },
            |_, row| {
                if all.matches(row) {
                    ids.insert(row.id);
                }
                Ok(true)
            },
        )
        .expect("a scan");
    println!(
        "select-all (the id set of every matching contact): {} ids, {:.2} s, peak RSS so far \
         {:.1} MiB (target < 1 s and < 100 MiB at 1,000,000)",
        ids.len(),
        started.elapsed().as_secs_f64(),
        peak_kib() as f64 / 1024.0
    );

    let csv = dir.path().join("all.csv");
    let job = ExportJob {
        query: Query::default(),
        scope: Scope::Matching,
        format: ExportFormat::Csv,
        destination: Destination::File(csv.clone()),
        walk: WalkOptions::default(),
        agent_names: Default::default(),
        csv: CsvStyle::default(),
        columns: CsvColumns::default(),
        limit: None,
    };
    let started = Instant::now();
    let summary = runtime
        .block_on(export::run_from_json(&job, |each| {
            snapshot
                .for_each_matching(&all, |json| {
                    each(json).map_err(|source| inbox_tui::snapshot::SnapshotError::Io {
                        context: "write".into(),
                        source,
                    })
                })
                .map_err(std::io::Error::other)
        }))
        .expect("the export");
    println!(
        "CSV export of {} contacts from the snapshot: {:.1} s, {:.1} MB (target < 20 s at 1,000,000)",
        summary.contacts,
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&csv).map(|meta| meta.len()).unwrap_or(0) as f64 / 1e6
    );

    let started = Instant::now();
    let outcome = runtime
        .block_on(snapshot::sync(
            &client,
            &mut snapshot,
            SyncMode::Incremental,
            OnBusy::Skip,
            &WalkOptions::default(),
            &|_, _| {},
        ))
        .expect("the incremental sync");
    println!(
        "incremental sync on a still account: {} request(s) (target 1), {:.2} s (no column \
         block is rewritten when nothing changed)",
        outcome.requests,
        started.elapsed().as_secs_f64()
    );
    println!(
        "peak RSS of the whole run: {:.1} MiB",
        peak_kib() as f64 / 1024.0
    );
}
