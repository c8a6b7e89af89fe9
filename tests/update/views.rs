//! Saved views (`src/app/update/views.rs`): the name prompt, applying by number and from the
//! list, deleting.

use crossterm::event::KeyCode;
use inbox_tui::api::{Query, Status};
use inbox_tui::app::filters::FilterItem;
use inbox_tui::app::{Cmd, Focus, Mode, Msg, update};

use crate::browser_state::browsing;
use crate::support::{focus_item, notice_contains, only_fetch, press};

#[test]
fn views_are_saved_by_name_and_applied_by_number() {
    let mut state = browsing();
    focus_item(&mut state, &FilterItem::Status(Status::Review));
    press(&mut state, KeyCode::Char(' '));
    state.focus = Focus::List;
    press(&mut state, KeyCode::Char('s'));
    assert!(
        press(&mut state, KeyCode::Enter).is_empty(),
        "no view without a name"
    );
    assert!(
        matches!(state.mode, Mode::NamingView { .. }),
        "still asking"
    );
    assert!(notice_contains(&state, "a view needs a name"));
    for character in "Reviews 1".chars() {
        assert!(
            press(&mut state, KeyCode::Char(character)).is_empty(),
            "the name is text, even 1"
        );
    }
    let commands = press(&mut state, KeyCode::Enter);
    let [Cmd::SaveView { name, query }] = commands.as_slice() else {
        panic!("expected a save, got {commands:?}");
    };
    assert_eq!(
        (name.as_str(), query.status.clone()),
        ("Reviews 1", vec![Status::Review])
    );

    let saved = inbox_tui::app::SavedView {
        name: name.clone(),
        query: (**query).clone(),
    };
    let searching = inbox_tui::app::SavedView {
        name: "Jane".into(),
        query: Query {
            search_text: "jane".into(),
            ..Query::default()
        },
    };
    update(
        &mut state,
        Msg::ViewsChanged {
            result: Ok(vec![saved, searching]),
            done: "saved view \"Reviews 1\"".into(),
        },
    );
    press(&mut state, KeyCode::Char('x'));

    let (_, _, page, query) = only_fetch(&press(&mut state, KeyCode::Char('2')));
    assert_eq!((page, query.search_text.as_str()), (1, "jane"));
    assert_eq!(
        state.search.value(),
        "jane",
        "the search field shows the view's text"
    );
    press(&mut state, KeyCode::Char('9'));
    assert!(notice_contains(&state, "no saved view 9"));

    press(&mut state, KeyCode::Char('V'));
    assert!(matches!(state.mode, Mode::Views(_)));
    let (_, _, _, query) = only_fetch(&press(&mut state, KeyCode::Enter));
    assert_eq!(
        query.status,
        vec![Status::Review],
        "Enter applies the view under the cursor"
    );
    press(&mut state, KeyCode::Char('V'));
    press(&mut state, KeyCode::Char('j'));
    let commands = press(&mut state, KeyCode::Char('d'));
    assert!(matches!(commands.as_slice(), [Cmd::DeleteView { name }] if name == "Jane"));
}
