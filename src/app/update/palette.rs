//! The command palette (`:`): a line of text with completion and history, whose commands go
//! through the same functions as the keys that do the same thing.

use crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keys::unless_text;
use super::{copy, counts, export_dialog, filters, paging, profile, views};
use crate::app::filters::FilterItem;
use crate::app::keymap::Action;
use crate::app::msg::Cmd;
use crate::app::palette::{self, PaletteCommand};
use crate::app::state::{Mode, State};

/// The most commands the history keeps.
const HISTORY: usize = 100;

/// Opens the palette with `line` typed, as the keys for its commands that need an argument
/// do (`#`: `page `, `@`: `profile `).
pub(super) fn open_with(state: &mut State, line: &str) {
    state.mode = Mode::Palette(crate::app::state::PaletteInput {
        input: Input::new(line.to_owned()),
        ..Default::default()
    });
}

pub(super) fn on_key(state: &mut State, key: KeyEvent, action: Option<Action>) -> Vec<Cmd> {
    let Mode::Palette(palette) = &mut state.mode else {
        return vec![];
    };
    match unless_text(&key, action) {
        Some(Action::Back) => {
            state.mode = Mode::Browse;
            vec![]
        }
        Some(Action::Activate) => {
            let line = palette.input.value().trim().to_owned();
            match palette::parse(&line) {
                Ok(command) => {
                    remember(&mut state.palette_history, line);
                    state.mode = Mode::Browse;
                    run(state, command)
                }
                Err(error) => {
                    palette.error = Some(error);
                    vec![]
                }
            }
        }
        Some(Action::FocusNext) => {
            let line = palette.input.value().to_owned();
            let completed = palette::complete(&line, |word| arguments(state, word));
            if let (Some(completed), Mode::Palette(palette)) = (completed, &mut state.mode) {
                palette.input = Input::new(completed);
            }
            vec![]
        }
        Some(step @ (Action::MoveUp | Action::MoveDown)) => {
            let history = &state.palette_history;
            let back = match (palette.history, step) {
                (None, Action::MoveUp) => Some(0),
                (Some(back), Action::MoveUp) => {
                    Some((back + 1).min(history.len().saturating_sub(1)))
                }
                (Some(0) | None, _) => None,
                (Some(back), _) => Some(back - 1),
            }
            .filter(|back| *back < history.len());
            palette.history = back;
            let line = back
                .and_then(|back| history.get(history.len() - 1 - back))
                .cloned()
                .unwrap_or_default();
            palette.input = Input::new(line);
            vec![]
        }
        _ => {
            palette.error = None;
            palette.input.handle_event(&Event::Key(key));
            vec![]
        }
    }
}

fn remember(history: &mut Vec<String>, line: String) {
    history.retain(|earlier| *earlier != line);
    history.push(line);
    if history.len() > HISTORY {
        history.remove(0);
    }
}

/// What completes the argument of `word`: the tags seen, the agents' and the views' names.
fn arguments(state: &State, word: &str) -> Vec<String> {
    match word {
        "tag" => state.choices.seen_tags.iter().cloned().collect(),
        "agent" => state
            .choices
            .agents
            .iter()
            .map(|agent| agent.name.clone())
            .collect(),
        "view" => state.views.iter().map(|view| view.name.clone()).collect(),
        "profile" => state.profiles.clone(),
        _ => Vec::new(),
    }
}

fn run(state: &mut State, command: PaletteCommand) -> Vec<Cmd> {
    match command {
        PaletteCommand::Page(page) => paging::show_page(state, page),
        PaletteCommand::Status(status) => toggle(state, FilterItem::Status(status)),
        PaletteCommand::Tag(tag) => toggle(state, FilterItem::Tag(tag)),
        PaletteCommand::Agent(name) => {
            let wanted = name.to_lowercase();
            let found =
                state.choices.agents.iter().find(|agent| {
                    agent.id == name || agent.name.to_lowercase().starts_with(&wanted)
                });
            match found.map(|agent| agent.id.clone()) {
                Some(id) => toggle(state, FilterItem::Agent(id)),
                None => {
                    state.status.notice = Some(format!("no agent named {name:?}"));
                    vec![]
                }
            }
        }
        PaletteCommand::Search(text) => {
            state.search = Input::new(text);
            state.search_deadline = None;
            filters::apply_search(state)
        }
        PaletteCommand::Clear => filters::clear(state),
        PaletteCommand::View(name) => {
            let position = state
                .views
                .iter()
                .position(|view| view.name.eq_ignore_ascii_case(&name));
            match position.and_then(|index| u8::try_from(index + 1).ok()) {
                Some(number) => views::apply_numbered(state, number),
                None => {
                    state.status.notice = Some(format!("no saved view {name:?}"));
                    vec![]
                }
            }
        }
        PaletteCommand::Export(path) => {
            export_dialog::open_with_path(state, &path);
            vec![]
        }
        PaletteCommand::Copy(field) => copy::copy_field(state, field),
        PaletteCommand::Open => copy::open_in_web_panel(state),
        PaletteCommand::Profile(name) => profile::switch(state, &name),
        PaletteCommand::Count => counts::count_all(state),
    }
}

/// Switches a filter item as Space on it in the panel would, and shows page 1 of the result.
fn toggle(state: &mut State, item: FilterItem) -> Vec<Cmd> {
    crate::app::filters::toggle(&mut state.query, &item);
    filters::query_changed(state)
}
