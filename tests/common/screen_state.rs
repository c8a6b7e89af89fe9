//! The screens the snapshot tests draw and the frame bench times, built by hand from the seeded
//! demo data set and a fixed clock, so they are the same on every machine and in every time
//! zone. Shared (by `#[path]` from `benches/render.rs`) so the bench times the screen the
//! snapshots check.

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use inbox_tui::api::{Agent, Contact, Segment, WhatsappBot};
use inbox_tui::app::state::Connection;
use inbox_tui::app::{Keymap, Load, PageEnd, State};
use inbox_tui::demo::Dataset;
use inbox_tui::ui::Clock;
use serde_json::Value;

pub static DATASET: LazyLock<Dataset> = LazyLock::new(|| Dataset::generate(60, 42));

pub fn clock() -> Clock {
    Clock {
        now: "2026-11-02T12:00:00Z".parse().expect("fixed test time"),
        instant: Instant::now(),
    }
}

fn decode<T: serde::de::DeserializeOwned>(values: Vec<Value>) -> Vec<T> {
    values
        .into_iter()
        .map(|value| serde_json::from_value(value).expect("demo pick-list entry"))
        .collect()
}

pub fn contact(index: usize) -> Contact {
    Contact::from_value(DATASET.contact_json(index)).expect("demo contacts are objects")
}

/// A fresh browser with the demo pick-lists loaded, before any page arrived.
pub fn fresh_state() -> State {
    let mut state = State::new(
        Connection {
            host: "demo".into(),
        },
        Keymap::default(),
        Some(PathBuf::from("/tmp/inbox-tui.log")),
    );
    state.choices.agents = decode::<Agent>(DATASET.agents_json());
    state.choices.segments = decode::<Segment>(DATASET.segments_json());
    state.choices.whatsapp_bots = decode::<WhatsappBot>(DATASET.whatsapp_bots_json());
    state
}

/// Page 1 of 50 demo contacts, the third one selected.
pub fn populated_state() -> State {
    let mut state = fresh_state();
    let contacts: Vec<Contact> = (0..50).map(contact).collect();
    state.choices.learn_from(&contacts);
    state.list.contacts = Arc::from(contacts);
    state.list.page = 1;
    state.list.end = PageEnd::More;
    state.list.selected = 2;
    state.list.load = Load::Idle;
    state.status.latency = Some(Duration::from_millis(123));
    state
}
