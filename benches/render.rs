//! Drawing one full frame: what every keypress and every spinner tick costs while the browser
//! is open. A frame must stay far below the 16 ms frame budget.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use inbox_tui::api::{Agent, Contact, Segment, WhatsappBot};
use inbox_tui::app::state::Connection;
use inbox_tui::app::{Keymap, Load, PageEnd, State};
use inbox_tui::demo::Dataset;
use inbox_tui::ui::{self, Clock, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;

fn main() {
    divan::main();
}

fn decode<T: serde::de::DeserializeOwned>(values: Vec<Value>) -> Vec<T> {
    values
        .into_iter()
        .map(|value| serde_json::from_value(value).expect("demo pick-list entry"))
        .collect()
}

/// A 50-contact page with pick-lists loaded and a contact selected, as after browsing a while.
fn browsing_state() -> State {
    let dataset = Dataset::generate(50, 42);
    let mut state = State::new(
        Connection {
            host: "demo".into(),
        },
        Keymap::default(),
        Some(PathBuf::from("/tmp/inbox-tui.log")),
    );
    state.choices.agents = decode::<Agent>(dataset.agents_json());
    state.choices.segments = decode::<Segment>(dataset.segments_json());
    state.choices.whatsapp_bots = decode::<WhatsappBot>(dataset.whatsapp_bots_json());
    let contacts: Vec<Contact> = (0..dataset.len())
        .map(|index| Contact::from_value(dataset.contact_json(index)).expect("a contact object"))
        .collect();
    state.choices.learn_from(&contacts);
    state.list.contacts = Arc::from(contacts);
    state.list.page = 1;
    state.list.end = PageEnd::More;
    state.list.selected = 25;
    state.list.load = Load::Idle;
    state.status.latency = Some(Duration::from_millis(123));
    state
}

fn clock() -> Clock {
    Clock {
        now: "2026-11-02T12:00:00Z".parse().expect("fixed time"),
        instant: Instant::now(),
    }
}

/// The same frame again: layout, rows, detail and the buffer diff, with nothing to write.
#[divan::bench]
fn draw_full_frame_200x50(bencher: divan::Bencher) {
    let state = browsing_state();
    let (theme, clock) = (Theme::default_colors(), clock());
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("test terminal");
    bencher.bench_local(|| {
        terminal
            .draw(|frame| ui::draw(frame, &state, &theme, &clock))
            .map(|_| ())
            .expect("drawing into a TestBackend cannot fail");
    });
}

/// The cursor moving down the page: every frame differs, as when holding `j`.
#[divan::bench]
fn draw_moving_cursor_200x50(bencher: divan::Bencher) {
    let mut state = browsing_state();
    let (theme, clock) = (Theme::default_colors(), clock());
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("test terminal");
    bencher.bench_local(|| {
        state.list.selected = (state.list.selected + 1) % state.list.contacts.len();
        terminal
            .draw(|frame| ui::draw(frame, &state, &theme, &clock))
            .map(|_| ())
            .expect("drawing into a TestBackend cannot fail");
    });
}
