//! Snapshots of whole frames drawn from hand-built states, plus cell-level checks of what a
//! text snapshot cannot show: highlight styles, unbroken borders, a colourless mono theme.
//!
//! Everything comes from a fixed clock and the seeded demo data set, so the frames are the same
//! on every machine and in every time zone.

use std::sync::Arc;
use std::time::{Duration, Instant};

use inbox_tui::api::IdSet;
use inbox_tui::api::{ApiError, Contact, Query, Status};
use inbox_tui::app::filters::FilterItem;
use inbox_tui::app::state::SelectAllRun;
use inbox_tui::app::{Focus, Load, Mode, PageEnd, State, TextField};
use inbox_tui::demo::Dataset;
use inbox_tui::export::Progress;
use inbox_tui::ui::{self, Clock, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

#[path = "common/screen_state.rs"]
mod screen_state;

use screen_state::{clock, contact, fresh_state, populated_state};

fn render_with(state: &State, width: u16, height: u16, theme: &Theme) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| ui::draw(frame, state, theme, &clock()))
        .expect("drawing into a TestBackend cannot fail");
    terminal
}

fn render(state: &State, width: u16, height: u16) -> Terminal<TestBackend> {
    render_with(state, width, height, &Theme::default_colors())
}

fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    terminal.backend().to_string()
}

#[test]
fn loading_first_page() {
    let mut state = fresh_state();
    state.list.load = Load::Loading { page: 1 };
    state.spinner_frame = 3;
    let terminal = render(&state, 160, 40);
    let text = screen_text(&terminal);
    assert!(text.contains("Loading contacts…"), "{text}");
    assert!(!text.contains("no contacts"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn populated_wide_with_detail_on_the_right() {
    let state = populated_state();
    insta::assert_snapshot!(render(&state, 160, 40).backend());
}

#[test]
fn populated_at_80x24() {
    insta::assert_snapshot!(render(&populated_state(), 80, 24).backend());
}

#[test]
fn populated_at_140x40() {
    insta::assert_snapshot!(render(&populated_state(), 140, 40).backend());
}

#[test]
fn populated_at_200x50() {
    insta::assert_snapshot!(render(&populated_state(), 200, 50).backend());
}

/// The detail pane with the keyboard, its cursor on the uuid, at each size the issue names.
fn detail_focused() -> State {
    let mut state = populated_state();
    state.focus = Focus::Detail;
    state.detail.cursor = ui::detail_fields(&state)
        .iter()
        .position(|field| field.label == "uuid")
        .expect("a uuid field");
    state
}

#[test]
fn detail_focused_at_80x24() {
    insta::assert_snapshot!(render(&detail_focused(), 80, 24).backend());
}

#[test]
fn detail_focused_at_140x40() {
    insta::assert_snapshot!(render(&detail_focused(), 140, 40).backend());
}

#[test]
fn detail_focused_at_200x50() {
    insta::assert_snapshot!(render(&detail_focused(), 200, 50).backend());
}

/// The counts chart of page 1's 50 contacts, counted exactly 90 seconds before the frame.
fn render_counts(width: u16, height: u16) -> Terminal<TestBackend> {
    use inbox_tui::app::state::{CountPhase, CountRun, Facets, MatchCount};
    let mut state = populated_state();
    let mut facets = Facets::default();
    for contact in state.list.contacts.iter() {
        facets.add(contact);
    }
    let counted_at = Instant::now();
    state.count = Some(MatchCount {
        query: state.query.clone(),
        run: CountRun::default(),
        counted: 50,
        pages: 1,
        phase: CountPhase::Exact,
        facets,
        at: Some(counted_at),
        as_of: None,
        resume: None,
    });
    state.mode = Mode::Counts;
    let clock = Clock {
        instant: counted_at + Duration::from_secs(90),
        ..clock()
    };
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| ui::draw(frame, &state, &Theme::default_colors(), &clock))
        .expect("drawing into a TestBackend cannot fail");
    let text = screen_text(&terminal);
    for part in ["50 matching", "counted 1m ago", "By status", "By channel"] {
        assert!(text.contains(part), "{part:?} at {width}x{height}:\n{text}");
    }
    terminal
}

#[test]
fn counts_chart_at_80x24() {
    insta::assert_snapshot!(render_counts(80, 24).backend());
}

#[test]
fn counts_chart_at_140x40() {
    insta::assert_snapshot!(render_counts(140, 40).backend());
}

#[test]
fn counts_chart_at_200x50() {
    insta::assert_snapshot!(render_counts(200, 50).backend());
}

/// The rows of the screen as text, one string per row.
fn screen_rows(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect()
        })
        .collect()
}

/// Beside the list, from 140 columns up, every id, uuid and email of every contact of the page
/// is on one row of the detail: whole, or cut with `…`, never carried over to the next row.
#[test]
fn detail_values_never_wrap_from_140_columns() {
    let mut state = populated_state();
    for width in [140, 160, 193, 200] {
        for index in 0..state.list.contacts.len() {
            state.list.selected = index;
            let terminal = render(&state, width, 50);
            let rows = screen_rows(&terminal);
            let contact = &state.list.contacts[index];
            let values = [contact.id(), contact.uuid(), contact.email()];
            for value in values.into_iter().flatten() {
                let head: String = value.chars().take(8).collect();
                let row = rows
                    .iter()
                    .find(|row| row.contains(&head))
                    .unwrap_or_else(|| panic!("{value:?} not shown at {width}:\n{rows:#?}"));
                let whole = row.contains(value);
                let cut = row.contains('…');
                assert!(
                    whole || cut,
                    "{value:?} wraps at {width} columns:\n{}",
                    rows.join("\n")
                );
                if value.chars().count() <= 36 {
                    assert!(whole, "{value:?} is cut at {width} columns:\n{row}");
                }
            }
        }
    }
}

#[test]
fn raw_json_is_pretty_printed_and_cut_beside_the_list() {
    let mut state = populated_state();
    state.detail.raw_json = true;
    let terminal = render(&state, 160, 60);
    let rows = screen_rows(&terminal);
    let detail_left = rows[0]
        .chars()
        .collect::<Vec<char>>()
        .iter()
        .rposition(|cell| *cell == '┌')
        .expect("the detail pane's corner");
    let detail: Vec<String> = rows[1..rows.len() - 3]
        .iter()
        .map(|row| {
            let inner: String = row.chars().skip(detail_left + 1).collect();
            inner.trim_end_matches(['│', ' ']).to_owned()
        })
        .collect();
    assert_eq!(detail[0], "{");
    assert!(
        detail.iter().any(|line| line.starts_with("  \"_id\": \"")),
        "{detail:#?}"
    );
    assert!(
        detail.iter().any(|line| line.starts_with("    \"")),
        "nested keys are indented: {detail:#?}"
    );
    assert!(detail.iter().any(|line| line.ends_with('…')), "{detail:#?}");
    assert!(
        detail.iter().all(|line| line.trim() != ","),
        "a comma alone on a line: {detail:#?}"
    );

    // In full screen the long lines are shown whole, wrapped under their key.
    state.detail.fullscreen = true;
    let text = screen_text(&render(&state, 160, 60));
    assert!(!text.contains('…'), "{text}");
}

#[test]
fn populated_narrow_with_detail_below() {
    let mut state = populated_state();
    state.query.tags = vec!["vip".into()];
    state.query.status = vec![Status::Open];
    state.focus = Focus::Filters;
    let items = state.filter_items();
    state.panel_cursor = items
        .iter()
        .position(|item| *item == FilterItem::Tag("vip".into()))
        .expect("the vip tag is offered");
    let terminal = render(&state, 100, 40);
    let text = screen_text(&terminal);
    assert!(text.contains("Filters (2 active)"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

/// Page 1 with a counted "select all" of OPEN contacts (rows 1 to 39), row 0 marked by hand,
/// row 3 unmarked from the set, and a second "select all" of vip contacts still counting; the
/// filters shown meanwhile are different again.
fn selecting_state() -> State {
    let mut state = populated_state();
    state.query.search_text = "someone else".into();
    let open = Query {
        status: vec![Status::Open],
        ..Query::default()
    };
    state.selection.start_matching(open, run(1));
    let mut ids = IdSet::new();
    for index in 1..40 {
        ids.insert(contact(index).id().expect("an id"));
    }
    assert!(state.selection.finish_matching(run(1), ids));
    state.selection.toggle(&contact(0));
    state.selection.toggle(&contact(3));
    let vip = Query {
        tags: vec!["vip".into()],
        ..Query::default()
    };
    state.selection.start_matching(vip, run(2));
    state.selection.matching_progress(
        run(2),
        Progress {
            pages_fetched: 25,
            contacts_written: 1234,
        },
    );
    state
}

#[test]
fn select_all_shows_its_query_its_count_and_the_rows_it_holds() {
    let state = selecting_state();
    // Wide enough for the whole selection summary: it is capped at a third of the width.
    let terminal = render(&state, 240, 40);
    let text = screen_text(&terminal);
    assert!(
        text.contains(
            "1,273 selected: all matching status OPEN (39 counted) + 1 marked − 1 unmarked"
        ),
        "{text}"
    );
    assert!(
        text.contains("selecting all matching tag vip: 1,234 counted, 25 pages (Esc stops)"),
        "{text}"
    );
    // The mark column, the first cell of each row: hand-marked, in the set, unmarked from it.
    let area = Rect::new(0, 0, 240, 40);
    let marks: Vec<String> = (0..6)
        .map(|row| {
            let (x, y) = list_cell_of(area, &state, row);
            terminal.backend().buffer()[(x, y)].symbol().to_owned()
        })
        .collect();
    assert_eq!(marks, ["●", "●", "●", " ", "●", "●"]);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn empty_result_says_how_to_clear_filters() {
    let mut state = fresh_state();
    state.query.search_text = "nobody by this name".into();
    state.search = "nobody by this name".into();
    state.list.page = 1;
    state.list.end = PageEnd::End;
    state.list.load = Load::Idle;
    let terminal = render(&state, 160, 40);
    let text = screen_text(&terminal);
    assert!(
        text.contains("no contacts match: press x to clear filters"),
        "{text}"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn unauthorized_error_points_at_the_help() {
    let mut state = fresh_state();
    state.list.load = Load::Failed {
        page: 1,
        error: ApiError::Unauthorized {
            token_origin: None,
            status: 401,
            message: "Unauthorized".into(),
        },
    };
    let terminal = render(&state, 160, 40);
    let text = screen_text(&terminal);
    assert!(
        text.contains("token rejected: press ? for how to set it"),
        "{text}"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn network_error_offers_a_retry() {
    let mut state = fresh_state();
    state.list.load = Load::Failed {
        page: 1,
        error: ApiError::Network {
            what: "connecting to api.example.com: Connection refused".into(),
        },
    };
    let terminal = render(&state, 160, 40);
    let text = screen_text(&terminal);
    assert!(text.contains("press r to retry"), "{text}");
    assert!(text.contains("Connection refused"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn help_overlay() {
    let mut state = populated_state();
    state.mode = Mode::Help { scroll: 0 };
    let terminal = render(&state, 160, 140);
    let text = screen_text(&terminal);
    let list = text.find("Contact list").expect("the list's keys");
    let global = text
        .find("Everywhere in the browser")
        .expect("the global keys");
    let export = text.find("Export dialog").expect("the dialog's keys");
    assert!(
        list < global && global < export,
        "the focused pane's keys first, then the global ones, then the rest:\n{text}"
    );
    assert!(text.contains("INBOX_TUI_TOKEN"), "{text}");
    assert!(text.contains("/tmp/inbox-tui.log"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn help_scrolls_to_its_end_on_a_short_terminal() {
    let mut state = populated_state();
    state.mode = Mode::Help { scroll: 0 };
    let top = screen_text(&render(&state, 100, 24));
    assert!(
        top.contains("focus the next pane") && !top.contains("INBOX_TUI_TOKEN"),
        "{top}"
    );
    let most = ui::scroll_limits(Rect::new(0, 0, 100, 24), &state, &clock()).help;
    assert!(most > 0, "the help is longer than 22 rows");
    state.mode = Mode::Help { scroll: u16::MAX };
    let bottom = screen_text(&render(&state, 100, 24));
    assert!(
        bottom.contains("INBOX_TUI_TOKEN") && !bottom.contains("focus the next pane"),
        "{bottom}"
    );
    insta::assert_snapshot!(bottom);
}

#[test]
fn minimum_size() {
    let state = populated_state();
    let terminal = render(&state, 60, 15);
    assert!(!screen_text(&terminal).contains("too small"));
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn too_small() {
    let state = populated_state();
    let terminal = render(&state, 59, 14);
    let text = screen_text(&terminal);
    assert!(
        text.contains("terminal too small (need 60x15, have 59x14)"),
        "{text}"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn raw_json_full_screen() {
    let mut state = populated_state();
    state.detail.fullscreen = true;
    state.detail.raw_json = true;
    state.focus = Focus::Detail;
    let terminal = render(&state, 160, 40);
    let text = screen_text(&terminal);
    assert!(text.contains("Detail · raw JSON"), "{text}");
    assert!(!text.contains("Filters"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn full_screen_detail_shows_every_field() {
    let mut state = populated_state();
    state.list.selected = state
        .list
        .contacts
        .iter()
        .position(|contact| contact.has_ordered() && contact.raw().contains_key("websiteVisits"))
        .expect("the demo page has a website buyer");
    state.detail.fullscreen = true;
    state.focus = Focus::Detail;
    let terminal = render(&state, 100, 96);
    let text = screen_text(&terminal);
    for expected in [
        "Orders",
        "• orderId: ORD-",
        "Other fields",
        "websiteVisits: ",
        "profile.device: ",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    insta::assert_snapshot!(terminal.backend());
}

/// One contact for each distinct non-ASCII name (emoji, CJK, right-to-left…) of a larger demo
/// data set, the first one selected.
fn wide_character_state() -> State {
    let dataset = Dataset::generate(1000, 42);
    let mut names: Vec<String> = Vec::new();
    let mut contacts: Vec<Contact> = Vec::new();
    for index in 0..dataset.len() {
        let contact =
            Contact::from_value(dataset.contact_json(index)).expect("demo contacts are objects");
        let name = contact.display_name();
        if !name.is_ascii() && !names.contains(&name) {
            names.push(name);
            contacts.push(contact);
        }
    }
    for sample in ["Zoë 🌸", "王小明", "محمد العلي", "שרה כהן", "🙂"] {
        assert!(
            names.iter().any(|name| name == sample),
            "the data set should hold {sample:?}: {names:?}"
        );
    }
    let mut state = populated_state();
    state.choices.learn_from(&contacts);
    state.list.contacts = Arc::from(contacts);
    state.list.selected = 0;
    state
}

/// Every body row has a `│` at each column where the table header row has one: wide
/// characters have not pushed any border out of line.
fn assert_borders_unbroken(buffer: &Buffer, body_rows: std::ops::Range<u16>) {
    let width = buffer.area.width;
    let border_columns: Vec<u16> = (0..width)
        .filter(|x| buffer[(*x, body_rows.start)].symbol() == "│")
        .collect();
    assert!(border_columns.len() >= 4, "{border_columns:?}");
    for y in body_rows {
        for x in &border_columns {
            assert_eq!(
                buffer[(*x, y)].symbol(),
                "│",
                "border broken at column {x}, row {y}"
            );
        }
    }
}

#[test]
fn wide_characters_keep_borders_in_line() {
    let state = wide_character_state();
    let terminal = render(&state, 160, 40);
    // Rows 1..=36 are inside the panes (row 0 is the top border, 37 the bottom one, 38–39 the
    // status lines).
    assert_borders_unbroken(terminal.backend().buffer(), 1..37);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn wide_characters_keep_borders_in_line_when_narrow() {
    let state = wide_character_state();
    let terminal = render(&state, 100, 40);
    // The table sits above the detail here: check the rows beside both.
    assert_borders_unbroken(terminal.backend().buffer(), 1..22);
}

/// The terminal row and first column of the list row showing contact `index`.
fn list_cell_of(area: Rect, state: &State, index: usize) -> (u16, u16) {
    (0..area.height)
        .find_map(|y| {
            (0..area.width)
                .find(|x| ui::list_row_at(area, state, *x, y) == Some(index))
                .map(|x| (x, y))
        })
        .expect("the row is on screen")
}

fn assert_selected_row_highlighted(
    theme: &Theme,
    has_style: impl Fn(&ratatui::buffer::Cell) -> bool,
) {
    let state = populated_state();
    let area = Rect::new(0, 0, 160, 40);
    let terminal = render_with(&state, area.width, area.height, theme);
    let buffer = terminal.backend().buffer();
    let selected = state.list.selected;
    // The first cells of the name column; every row has at least this many.
    let name_width = 5;
    let (x, y) = list_cell_of(area, &state, selected);
    for column in x..x + name_width {
        assert!(
            has_style(&buffer[(column, y)]),
            "cell ({column}, {y}) of the selected row: {:?}",
            buffer[(column, y)]
        );
    }
    let (next_x, next_y) = list_cell_of(area, &state, selected + 1);
    assert_eq!(next_y, y + 1);
    for column in next_x..next_x + name_width {
        assert!(
            !has_style(&buffer[(column, next_y)]),
            "cell ({column}, {next_y}) of the next row: {:?}",
            buffer[(column, next_y)]
        );
    }
}

#[test]
fn selected_row_has_the_selected_style() {
    let theme = Theme::default_colors();
    let selected = theme.selected;
    assert!(selected.bg.is_some());
    assert_selected_row_highlighted(&theme, |cell| {
        Some(cell.bg) == selected.bg && Some(cell.fg) == selected.fg
    });
}

/// The detail's field cursor: the row of the field `y` would copy has the cursor's style while
/// the detail has the keyboard, and no row has it otherwise.
#[test]
fn the_detail_highlights_the_field_under_its_cursor_when_focused() {
    let mut state = populated_state();
    state.focus = Focus::Detail;
    let steps = ui::detail_fields(&state)
        .iter()
        .position(|field| field.label == "id")
        .expect("an id field");
    state.detail.cursor = steps;
    let id = state.list.contacts[2].id().expect("an id").to_owned();
    let uuid = state.list.contacts[2].uuid().expect("a uuid").to_owned();
    let theme = Theme::default_colors();
    let highlighted = |state: &State, value: &str| {
        let terminal = render_with(state, 160, 40, &theme);
        let rows = screen_rows(&terminal);
        let y = rows
            .iter()
            .position(|row| row.contains(value))
            .expect("the value is on screen");
        let x = rows[y]
            .find(value)
            .map_or(0, |byte| rows[y][..byte].chars().count());
        let cell = &terminal.backend().buffer()[(u16::try_from(x).expect("narrow"), y as u16)];
        Some(cell.bg) == theme.selected.bg
    };
    assert!(highlighted(&state, &id), "the id under the cursor");
    assert!(!highlighted(&state, &uuid), "the uuid is not under it");
    state.focus = Focus::List;
    assert!(
        !highlighted(&state, &id),
        "no cursor while the list has the keys"
    );
}

#[test]
fn selected_row_is_reversed_in_mono() {
    assert_selected_row_highlighted(&Theme::mono(), |cell| {
        cell.modifier.contains(Modifier::REVERSED)
    });
}

#[test]
fn mono_theme_uses_no_colour() {
    let mut state = populated_state();
    state.list.load = Load::Failed {
        page: 1,
        error: ApiError::Server {
            status: 503,
            message: "down".into(),
        },
    };
    state.query.tags = vec!["vip".into()];
    for (mode, width) in [(Mode::Browse, 160), (Mode::Help { scroll: 0 }, 100)] {
        state.mode = mode;
        let terminal = render_with(&state, width, 40, &Theme::mono());
        for cell in &terminal.backend().buffer().content {
            assert_eq!(cell.fg, Color::Reset, "{cell:?}");
            assert_eq!(cell.bg, Color::Reset, "{cell:?}");
        }
    }
}

#[test]
fn status_bar_counts_down_a_back_off() {
    let mut state = populated_state();
    let clock = clock();
    state.status.backoff_until = Some(clock.instant + Duration::from_millis(4200));
    state.list.load = Load::Loading { page: 2 };
    let mut terminal = Terminal::new(TestBackend::new(160, 40)).expect("test terminal");
    terminal
        .draw(|frame| ui::draw(frame, &state, &Theme::default_colors(), &clock))
        .expect("drawing into a TestBackend cannot fail");
    let text = screen_text(&terminal);
    assert!(text.contains("rate limited, retrying in 5s"), "{text}");
    // Three seconds on, the same back-off has 1.2 s left: the bar says 2s.
    let later = Clock {
        instant: clock.instant + Duration::from_millis(3000),
        ..clock
    };
    terminal
        .draw(|frame| ui::draw(frame, &state, &Theme::default_colors(), &later))
        .expect("drawing into a TestBackend cannot fail");
    let text = screen_text(&terminal);
    assert!(text.contains("rate limited, retrying in 2s"), "{text}");
}

#[test]
fn editing_search_puts_the_cursor_after_the_text() {
    let mut state = populated_state();
    state.focus = Focus::Filters;
    state.mode = Mode::Editing(TextField::Search);
    state.search = "王小".into();
    let mut terminal = render(&state, 160, 40);
    // Panel border (1) + "search: " (8) + two wide characters (4); the search field is on the
    // panel's second row.
    terminal
        .backend_mut()
        .assert_cursor_position((1 + 8 + 4, 2));
}

#[test]
fn clicks_map_to_list_rows() {
    let state = populated_state();
    let area = Rect::new(0, 0, 160, 40);
    let (x, y) = list_cell_of(area, &state, 0);
    assert_eq!(ui::list_row_at(area, &state, x, y + 5), Some(5));
    assert_eq!(ui::list_row_at(area, &state, 0, y), None, "filter panel");
    assert_eq!(ui::list_row_at(area, &state, x, y - 1), None, "header");
    let rows = ui::list_visible_rows(area, &state);
    assert!(rows > 20, "{rows}");
    let mut help = state.clone();
    help.mode = Mode::Help { scroll: 0 };
    assert_eq!(
        ui::list_row_at(area, &help, x, y),
        None,
        "help covers the list"
    );
}

#[test]
fn detail_scroll_is_clamped_to_the_content() {
    let mut state = populated_state();
    state.focus = Focus::Detail;
    let area = Rect::new(0, 0, 160, 40);
    let max = ui::scroll_limits(area, &state, &clock()).detail;
    assert!(max > 0, "the contact is longer than the pane");
    state.detail.scroll = u16::MAX;
    let at_max = screen_text(&render(&state, 160, 40));
    state.detail.scroll = max;
    assert_eq!(screen_text(&render(&state, 160, 40)), at_max);
    state.detail.scroll = max - 1;
    assert_ne!(screen_text(&render(&state, 160, 40)), at_max);
}

#[test]
fn hostile_contacts_draw_without_panicking() {
    let hostile = [
        serde_json::json!({}),
        serde_json::json!({
            "_id": 5,
            "uuid": null,
            "profile": "not an object",
            "platform": "WEBSITE",
            "status": ["OPEN"],
            "lastMessage": "hi",
            "orders": {"total": 3},
            "createdAt": "last tuesday\n",
            "lastSeenAt": 17,
            "hasOrdered": true,
            "segments": [1, null, "65a0000000000000000005e1"],
        }),
        serde_json::json!({
            "profile": {"userDetails": {"name": "Line\nbreak\tand\u{7}bell", "tags": "vip",
                "contact": {"phone": {"number": "12", "prefix": 44}}, "attributes": [{"key": 1}]}},
            "lastMessage": {"text": null, "at": "2026-13-45", "by": 3},
        }),
    ];
    let mut state = populated_state();
    state.list.contacts = Arc::from(
        hostile
            .into_iter()
            .map(|value| Contact::from_value(value).expect("an object"))
            .collect::<Vec<_>>(),
    );
    for selected in 0..state.list.contacts.len() {
        state.list.selected = selected;
        for raw_json in [false, true] {
            state.detail.raw_json = raw_json;
            let text = screen_text(&render(&state, 160, 40));
            assert!(text.contains("(unnamed)"), "{text}");
        }
    }
    state.list.selected = 2;
    state.detail.raw_json = false;
    let text = screen_text(&render(&state, 160, 40));
    assert!(text.contains("Line break and bell"), "{text}");
    assert!(text.contains("(no text)"), "{text}");
}

/// The `n`th select-all run.
fn run(n: u64) -> SelectAllRun {
    (0..n).fold(SelectAllRun::default(), |run, _| run.next())
}

/// The state after these keys, from the populated list: the overlays are opened as a user
/// opens them, not built by hand.
fn after_keys(mut state: State, keys: &str) -> State {
    state.focus = Focus::List;
    for character in keys.chars() {
        let key = crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char(character),
            crossterm::event::KeyModifiers::NONE,
        );
        inbox_tui::app::update(
            &mut state,
            inbox_tui::app::Msg::Key {
                key,
                at: Instant::now(),
            },
        );
    }
    state
}

fn with_views(mut state: State) -> State {
    state.views = ["Open VIPs", "Reviews", "Waiting on us"]
        .into_iter()
        .map(|name| inbox_tui::app::SavedView {
            name: name.into(),
            query: Query {
                status: vec![Status::Open],
                ..Query::default()
            },
        })
        .collect();
    state
}

#[test]
fn export_dialog_overlay() {
    let state = after_keys(populated_state(), "  e");
    assert!(state.export_dialog().is_some());
    let terminal = render(&state, 120, 36);
    let text = screen_text(&terminal);
    assert!(text.contains("the selection"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn views_list_overlay() {
    let state = after_keys(with_views(populated_state()), "Vj");
    assert!(matches!(state.mode, Mode::Views(_)));
    let terminal = render(&state, 120, 36);
    let text = screen_text(&terminal);
    assert!(
        text.contains("Reviews") && text.contains("Waiting on us"),
        "{text}"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn view_name_prompt_overlay() {
    let state = after_keys(populated_state(), "sMy view");
    assert!(matches!(state.mode, Mode::NamingView(_)));
    let terminal = render(&state, 120, 36);
    assert!(screen_text(&terminal).contains("My view"));
    insta::assert_snapshot!(terminal.backend());
}

/// A state whose filter panel has the keyboard, with `query` shown and its count (`phase`)
/// over those of page 1's 50 contacts that match it; the unfiltered 50 are counted too, exactly.
fn facet_state(query: Query, phase: inbox_tui::app::state::CountPhase) -> State {
    use inbox_tui::app::state::{CountRun, Facets, MatchCount, PageCache};
    let mut state = populated_state();
    state.focus = Focus::Filters;
    let mut all = Facets::default();
    let mut matching = Facets::default();
    let mut counted = 0;
    for contact in state.list.contacts.iter() {
        all.add(contact);
        let status_ok = query.status.is_empty()
            || contact
                .status()
                .is_some_and(|status| query.status.iter().any(|s| s.as_str() == status));
        if status_ok {
            matching.add(contact);
            counted += 1;
        }
    }
    state
        .facets_by_query
        .insert(PageCache::key(&Query::default()), (all, true));
    state.count = Some(MatchCount {
        query: query.clone(),
        run: CountRun::default(),
        counted,
        pages: 1,
        phase,
        facets: matching,
        at: None,
        as_of: None,
        resume: None,
    });
    state.query = query;
    state
}

/// The filter panel's row (as text, trimmed) of the item whose label starts with `label`.
fn panel_row(text: &str, label: &str) -> String {
    text.lines()
        .filter_map(|line| line.split('│').nth(1))
        .find(|row| row.contains(&format!("] {label}")))
        .unwrap_or_else(|| panic!("no {label:?} row:\n{text}"))
        .trim()
        .to_owned()
}

/// Every toggle the panel shows has its count: the bots (a website bot among them) and the
/// "Only" switches too, not 0; counted exactly, no `≥`.
#[test]
fn facet_counts_exact() {
    use inbox_tui::app::state::CountPhase;
    let state = facet_state(Query::default(), CountPhase::Exact);
    let (expected_online, expected_bot, bot_id) = {
        let contacts = &state.list.contacts;
        let online = contacts.iter().filter(|c| c.is_online()).count();
        let bot = contacts
            .iter()
            .find_map(|c| c.bot_in(inbox_tui::api::Channel::Website))
            .expect("a website contact");
        let n = contacts
            .iter()
            .filter(|c| c.bot_in(inbox_tui::api::Channel::Website) == Some(bot))
            .count();
        (online, n, bot.to_owned())
    };
    let terminal = render(&state, 100, 90);
    let text = screen_text(&terminal);
    assert!(!text.contains('≥'), "{text}");
    let online = panel_row(&text, "online now");
    assert!(
        online.ends_with(&format!(" {expected_online}")),
        "{online}\n{text}"
    );
    let bot = panel_row(&text, &inbox_tui::app::filters::short_id(&bot_id));
    assert!(bot.ends_with(&format!(" {expected_bot}")), "{bot}\n{text}");
    insta::assert_snapshot!(terminal.backend());
}

/// A count short of the end marks every number as a lower bound, the active item's too.
#[test]
fn facet_counts_partial() {
    use inbox_tui::app::state::CountPhase;
    let query = Query {
        status: vec![Status::Open],
        ..Query::default()
    };
    let state = facet_state(query, CountPhase::Capped);
    let terminal = render(&state, 100, 90);
    let text = screen_text(&terminal);
    let open = panel_row(&text, "OPEN");
    assert!(open.ends_with("≥ 15"), "{open}\n{text}");
    let online = panel_row(&text, "online now");
    assert!(online.contains('≥'), "{online}");
    insta::assert_snapshot!(terminal.backend());
}

/// Beside an active status, the others show what turning them on would add (read from the
/// count without the status filter), not the 0 that the contacts shown have.
#[test]
fn facet_counts_would_add() {
    use inbox_tui::app::state::CountPhase;
    let query = Query {
        status: vec![Status::Open],
        ..Query::default()
    };
    let state = facet_state(query, CountPhase::Exact);
    let terminal = render(&state, 100, 90);
    let text = screen_text(&terminal);
    let in_progress = panel_row(&text, "INPROGRESS");
    assert!(in_progress.ends_with(" +9"), "{in_progress}\n{text}");
    let open = panel_row(&text, "OPEN");
    assert!(open.ends_with(" 15"), "{open}");
    insta::assert_snapshot!(terminal.backend());
}

/// A click on the filter panel or the detail names that pane (the list's rows are
/// `list_row_at`'s); under an overlay, no pane.
#[test]
fn clicks_map_to_the_pane_clicked() {
    let state = populated_state();
    let area = Rect::new(0, 0, 160, 40);
    assert_eq!(ui::pane_at(area, &state, 2, 10), Some(Focus::Filters));
    assert_eq!(ui::pane_at(area, &state, 150, 10), Some(Focus::Detail));
    let (x, y) = list_cell_of(area, &state, 0);
    assert_eq!(ui::pane_at(area, &state, x, y - 1), Some(Focus::List));
    assert_eq!(ui::pane_at(area, &state, 2, 39), None, "the hint bar");
    let mut help = state.clone();
    help.mode = Mode::Help { scroll: 0 };
    assert_eq!(ui::pane_at(area, &help, 2, 10), None);
}

/// At 80 columns a long notice keeps its start and its end ("what to do"), the connection
/// facts giving way first; and the hint bar still ends with `q quit`.
#[test]
fn a_long_notice_keeps_what_to_do_at_80_columns() {
    let mut state = populated_state();
    state.status.notice = Some(
        "page 200 is past the end: looking for the last page (trying 150) · press Esc to stop"
            .into(),
    );
    let terminal = render(&state, 80, 24);
    let rows = screen_rows(&terminal);
    let status = &rows[22];
    assert!(status.contains("page 200 is"), "{status}");
    assert!(status.trim_end().ends_with("press Esc to stop"), "{status}");
    assert!(rows[23].trim_end().ends_with("q quit"), "{}", rows[23]);
    insta::assert_snapshot!(terminal.backend());
}

/// At 140x40 the list keeps its Channel column beside the detail, and the detail shows an
/// assigned agent's id whole.
#[test]
fn at_140_columns_the_list_keeps_its_channel_and_the_agent_id_is_whole() {
    let mut state = populated_state();
    state.list.selected = state
        .list
        .contacts
        .iter()
        .position(|contact| contact.agent_id().is_some())
        .expect("a contact with an agent");
    let id = state.list.contacts[state.list.selected]
        .agent_id()
        .expect("an agent")
        .to_owned();
    let rows = screen_rows(&render(&state, 140, 40));
    assert!(rows[1].contains("Channel"), "{}", rows[1]);
    assert!(
        rows.iter()
            .any(|row| row.contains("agent") && row.contains(&id)),
        "{rows:#?}"
    );
}

/// Issue 21: the raw JSON view writes line and paragraph separators, bidi and C1 characters as
/// JSON escapes, so none of them reaches the terminal, and the JSON still reads the same.
#[test]
fn raw_json_sends_no_line_separator_or_bidi_character() {
    let mut state = populated_state();
    state.list.contacts = Arc::from(vec![
        Contact::from_value(serde_json::json!({
            "_id": "65a0000000000000000000aa",
            "profile": {"userDetails": {"name": "Line\u{2028}Break\u{2029}Para \u{202e}exe.txt \u{9b}31m"}}
        }))
        .expect("an object"),
    ]);
    state.list.selected = 0;
    state.detail.fullscreen = true;
    state.detail.raw_json = true;
    state.focus = Focus::Detail;
    let text = screen_text(&render(&state, 160, 40));
    assert!(
        text.contains(r#""name": "Line\u2028Break\u2029Para \u202eexe.txt \u009b31m""#),
        "{text}"
    );
    for hazard in ['\u{2028}', '\u{2029}', '\u{202e}', '\u{9b}'] {
        assert!(
            !text.contains(hazard),
            "{hazard:?} reached the screen: {text}"
        );
    }
}

/// Picking a WhatsApp bot in the filter panel, as a user does (the panel's cursor on it, Space):
/// the next page's request body carries the bot's id under `_botWhatsapp` and nothing else, the
/// panel ticks it and its title counts it; Space again takes it off.
#[test]
fn a_whatsapp_bot_picked_in_the_panel_is_sent_ticked_and_counted() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use inbox_tui::api::Channel;
    use inbox_tui::app::{Cmd, Msg, filters, update};
    let mut state = populated_state();
    let bot = state.choices.whatsapp_bots[0].clone();
    let item = FilterItem::Bot(Channel::Whatsapp, bot.id.clone());
    state.focus = Focus::Filters;
    state.panel_cursor = filters::sections(&state.query, &state.choices)
        .iter()
        .flat_map(|section| section.items.iter())
        .position(|candidate| *candidate == item)
        .expect("the panel lists the WhatsApp bot");
    let space = || Msg::Key {
        key: KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE),
        at: Instant::now(),
    };
    let commands = update(&mut state, space());
    let query = commands
        .iter()
        .find_map(|command| match command {
            Cmd::FetchPage { query, .. } => Some(query.clone()),
            _ => None,
        })
        .expect("picking a bot fetches the list again");
    let body = serde_json::to_value(query.page(1)).expect("a JSON body");
    assert_eq!(body["_botWhatsapp"], serde_json::json!([bot.id]));
    for other in ["_botWebsite", "_botTelegram", "_botFacebook"] {
        assert_eq!(body[other], serde_json::json!([]), "{other}");
    }
    let screen = screen_text(&render(&state, 200, 50));
    assert!(screen.contains("Filters (1 active)"), "{screen}");
    let label: String = bot.name.chars().take(12).collect();
    assert!(
        screen
            .lines()
            .any(|line| line.contains("[x]") && line.contains(&label)),
        "the bot is ticked: {screen}"
    );

    update(&mut state, space());
    assert!(
        state.query.bot_whatsapp.is_empty(),
        "Space again takes it off"
    );
    let screen = screen_text(&render(&state, 200, 50));
    assert!(!screen.contains("active)"), "{screen}");
}

/// Every kind of filter on at once, each kind once but the lists (a tag and a WhatsApp bot):
/// the panel's title counts nine, one per filter the request applies.
#[test]
fn the_panel_title_counts_every_kind_of_filter() {
    use inbox_tui::api::{DateRange, Sender};
    let mut state = populated_state();
    let bot = state.choices.whatsapp_bots[0].id.clone();
    state.query.search_text = "ann".into();
    state.query.tags = vec!["vip".into()];
    state.query.bot_whatsapp = vec![bot];
    state.query.status = vec![Status::Open];
    state.query.last_message_by = vec![Sender::User];
    state.query.user_interacted = true;
    state.query.last_seen_at = DateRange {
        start_at: "2026-01-01T00:00:00.000Z".into(),
        ends_at: String::new(),
    };
    state.query.created_at = DateRange {
        start_at: String::new(),
        ends_at: "2026-06-01T00:00:00.000Z".into(),
    };
    state
        .query
        .raw_fields
        .insert("isSubscriber".into(), serde_json::json!(true));
    let screen = screen_text(&render(&state, 200, 50));
    assert!(screen.contains("Filters (9 active)"), "{screen}");
}

/// With the count done, the panel shows each WhatsApp bot's real count: the contacts of the 50
/// counted whose WhatsApp bot it is, counted here from the data set (issue 20's bot facets).
#[test]
fn the_counted_panel_shows_each_whatsapp_bots_real_count() {
    use inbox_tui::api::Channel;
    let state = populated_state();
    let rows = screen_rows(&render_counts(200, 50));
    let mut nonzero = 0;
    for bot in &state.choices.whatsapp_bots {
        let expected = state
            .list
            .contacts
            .iter()
            .filter(|contact| contact.bot_in(Channel::Whatsapp) == Some(bot.id.as_str()))
            .count();
        nonzero += usize::from(expected > 0);
        let row = rows
            .iter()
            .find(|row| row.contains(&format!("[ ] {}", bot.name)))
            .unwrap_or_else(|| panic!("{} is in the panel: {rows:#?}", bot.name));
        let panel = row.split("││").next().unwrap_or_default();
        assert!(
            panel
                .trim_end_matches('│')
                .trim_end()
                .ends_with(&format!(" {expected}")),
            "{} counts {expected}: {panel:?}",
            bot.name
        );
    }
    assert!(nonzero >= 2, "the bots' counts differ from nothing");
}

/// The status line while a walk runs shows the account's pace as `Msg::Pace` last said it, and
/// whether it was learned or set; with nothing under way it shows none.
#[test]
fn the_status_line_shows_the_pace_and_where_it_came_from_while_walking() {
    use inbox_tui::api::pace::PaceOrigin;
    use inbox_tui::app::msg::Msg;
    use inbox_tui::app::update::update;

    let status_row = |state: &State| {
        let terminal = render(state, 240, 40);
        screen_rows(&terminal)
            .into_iter()
            .find(|row| row.contains("selecting all matching"))
            .unwrap_or_default()
    };
    let mut state = selecting_state();
    assert!(!status_row(&state).contains("pace"), "no pace reported yet");
    update(&mut state, Msg::Pace(Some((9.71, PaceOrigin::Learned))));
    let row = status_row(&state);
    assert!(row.contains("pace 9.7/s (learned)"), "{row}");
    update(&mut state, Msg::Pace(Some((25.0, PaceOrigin::Set))));
    let row = status_row(&state);
    assert!(row.contains("pace 25/s (set)"), "{row}");

    let mut idle = populated_state();
    update(&mut idle, Msg::Pace(Some((9.71, PaceOrigin::Learned))));
    let text = screen_text(&render(&idle, 240, 40));
    assert!(!text.contains("pace 9.7/s"), "idle: {text}");
}

/// A count of the API that fails keeps what it counted as a lower bound and says in the list's
/// title that it failed; the status line says why and which key counts again. Pressing that key
/// starts a new count to the end.
#[test]
fn a_failed_count_shows_its_lower_bound_says_why_and_c_counts_again() {
    use inbox_tui::app::msg::CountEnd;
    use inbox_tui::app::state::CountPhase;
    let mut state = facet_state(Query::default(), CountPhase::Running { to_end: true });
    let run = state
        .count
        .as_ref()
        .map(|count| count.run)
        .expect("a count");
    inbox_tui::app::update(
        &mut state,
        inbox_tui::app::Msg::Counted {
            run,
            at: Instant::now(),
            counted: 950,
            pages: 19,
            facets: Box::default(),
            end: Some(CountEnd::Failed("the server went away".into())),
        },
    );
    let text = screen_text(&render(&state, 160, 40));
    assert!(text.contains("≥ 950 matching, count failed"), "{text}");
    assert!(
        text.contains("the count stopped after 950 contacts: the server went away; c counts again"),
        "{text}"
    );
    let state = after_keys(state, "c");
    let count = state.count.as_ref().expect("a count");
    assert_eq!(count.phase, CountPhase::Running { to_end: true });
    assert_ne!(count.run, run, "a new count runs");
}

/// Before its first page a count says it is counting, and after it a lower bound; one that
/// failed before it counted anything says only that it failed: no `≥ 0`.
#[test]
fn a_count_with_nothing_counted_says_counting_or_failed() {
    use inbox_tui::app::state::CountPhase;
    let title = |phase: CountPhase, counted: u64| {
        let mut state = facet_state(Query::default(), phase);
        if let Some(count) = state.count.as_mut() {
            count.counted = counted;
        }
        let text = screen_text(&render(&state, 160, 40));
        text.lines().next().unwrap_or_default().to_owned()
    };
    let running = title(CountPhase::Running { to_end: false }, 0);
    assert!(running.contains("· counting…"), "{running}");
    assert!(!running.contains("matching"), "{running}");
    let running = title(CountPhase::Running { to_end: false }, 50);
    assert!(running.contains("· ≥ 50 matching"), "{running}");
    let failed = title(CountPhase::Failed("the server went away".into()), 0);
    assert!(failed.contains("· count failed"), "{failed}");
    assert!(!failed.contains("matching"), "{failed}");
}
