//! The command palette (`:`): a line of text with completion and history, whose commands go
//! through the same functions as the keys that do the same thing.

use crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{copy, counts, export_dialog, filters, paging, profile, views, web_panel};
use crate::app::filters::FilterItem;
use crate::app::keymap::Action;
use crate::app::keymap::unless_text;
use crate::app::msg::Cmd;
use crate::app::palette::{self, FilterTarget, PaletteCommand};
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
                    remember(&mut state.palette_history, line.clone());
                    state.mode = Mode::Browse;
                    run(state, command).unwrap_or_else(|error| {
                        // A name that is not there keeps the line, to be corrected.
                        state.mode = Mode::Palette(crate::app::state::PaletteInput {
                            input: Input::new(line),
                            history: None,
                            error: Some(error),
                        });
                        vec![]
                    })
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
        "segment" => state
            .choices
            .segments
            .iter()
            .map(|segment| segment.name.clone())
            .collect(),
        "bot" => crate::app::filters::items(&state.query, &state.choices)
            .into_iter()
            .filter_map(|item| match item {
                FilterItem::Bot(channel, id) => Some(state.choices.bot_label(channel, &id)),
                _ => None,
            })
            .collect(),
        "profile" => state.profiles.clone(),
        _ => Vec::new(),
    }
}

/// Carries a command out; `Err` says why it could not (a name nothing matches), to be shown
/// under the line.
fn run(state: &mut State, command: PaletteCommand) -> Result<Vec<Cmd>, String> {
    Ok(match command {
        PaletteCommand::Page(page) => paging::show_page(state, page),
        PaletteCommand::Filter { target, on } => {
            let item = find(state, target)?;
            set(state, item, on)
        }
        PaletteCommand::Date(field, text) => {
            if !text.is_empty() {
                crate::dates::parse_when(&text, field.range_end(), &state.time_zone)?;
            }
            state.dates[field.index()].input = Input::new(text);
            let commands = filters::apply_date(state, field);
            if let Some(error) = state.dates[field.index()].error.take() {
                return Err(error);
            }
            commands
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
                None => return Err(format!("no saved view {name:?}")),
            }
        }
        PaletteCommand::Export(path) => {
            export_dialog::open_with_path(state, &path);
            vec![]
        }
        PaletteCommand::Copy(field) => copy::copy_field(state, field),
        PaletteCommand::Open => web_panel::open_in_web_panel(state),
        PaletteCommand::Profile(name) => profile::switch(state, &name),
        PaletteCommand::Count => counts::count_all(state),
        PaletteCommand::Help => {
            state.mode = Mode::Help { scroll: 0 };
            vec![]
        }
        PaletteCommand::Quit => {
            state.should_quit = true;
            vec![]
        }
    })
}

/// The panel item a command names: a pick-list entry whose name starts with what was typed
/// (any case), or whose id does; the panel lists every value that is on, so these are found
/// to unset too.
fn find(state: &State, target: FilterTarget) -> Result<FilterItem, String> {
    let starts = |name: &str, typed: &str| name.to_lowercase().starts_with(&typed.to_lowercase());
    let offered = crate::app::filters::items(&state.query, &state.choices);
    let pick = |kind: &str, typed: &str, matches: &dyn Fn(&FilterItem) -> bool| {
        let found: Vec<&FilterItem> = offered.iter().filter(|item| matches(item)).collect();
        match found.as_slice() {
            [item] => Ok((*item).clone()),
            [] => Err(format!("no {kind} {typed:?}")),
            several => {
                // An exact id or name wins over the names it starts.
                let exact = several.iter().find(|item| match item {
                    FilterItem::Agent(id) | FilterItem::Segment(id) | FilterItem::Bot(_, id) => {
                        id == typed
                    }
                    _ => false,
                });
                exact.map(|item| (*item).clone()).ok_or_else(|| {
                    format!(
                        "{} {kind}s start with {typed:?}: type more of the name",
                        several.len()
                    )
                })
            }
        }
    };
    match target {
        FilterTarget::Status(status) => Ok(FilterItem::Status(status)),
        FilterTarget::Tag(tag) => Ok(FilterItem::Tag(tag)),
        FilterTarget::Switch(switch) => Ok(FilterItem::Switch(switch)),
        FilterTarget::Agent(typed) => pick("agent", &typed, &|item| match item {
            FilterItem::Agent(id) => {
                id == &typed
                    || state
                        .choices
                        .agent_name(id)
                        .is_some_and(|name| starts(name, &typed))
            }
            _ => false,
        }),
        FilterTarget::Segment(typed) => pick("segment", &typed, &|item| match item {
            FilterItem::Segment(id) => {
                id == &typed
                    || state
                        .choices
                        .segment_name(id)
                        .is_some_and(|name| starts(name, &typed))
            }
            _ => false,
        }),
        FilterTarget::Bot(typed) => pick("bot", &typed, &|item| match item {
            FilterItem::Bot(channel, id) => {
                starts(id, &typed) || starts(&state.choices.bot_label(*channel, id), &typed)
            }
            _ => false,
        }),
    }
}

/// Turns `item` on or off, as the panel would, and shows page 1 of the result; a filter
/// already as asked is left alone, and says so.
fn set(state: &mut State, item: FilterItem, on: bool) -> Vec<Cmd> {
    if crate::app::filters::is_active(&state.query, &item) == on {
        let what = crate::app::filters::describe_item(&item, &state.choices);
        state.status.notice = Some(if on {
            format!("{what} is already on")
        } else {
            format!("{what} is not on")
        });
        return vec![];
    }
    crate::app::filters::toggle(&mut state.query, &item);
    filters::query_changed(state)
}

/// `:` opens the palette empty; `#` and `@` open it with `page ` or `profile ` typed.
pub(super) fn opens(state: &mut State, action: Action) -> Option<Vec<Cmd>> {
    let line = match action {
        Action::Palette => "",
        Action::GoToPage => "page ",
        Action::SwitchProfile => "profile ",
        _ => return None,
    };
    open_with(state, line);
    Some(vec![])
}
