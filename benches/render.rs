//! Drawing one full frame: what every keypress and every spinner tick costs while the browser
//! is open. A frame must stay far below the 16 ms frame budget.

use inbox_tui::app::State;
use inbox_tui::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "../tests/common/screen_state.rs"]
mod screen_state;

use screen_state::clock;

fn main() {
    divan::main();
}

/// The snapshots' page 1 of 50 demo contacts, the cursor mid-page as after browsing a while.
fn browsing_state() -> State {
    let mut state = screen_state::populated_state();
    state.list.selected = 25;
    state
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
