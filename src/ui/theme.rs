//! Styles for every region. Colours are named ANSI colours only, so the terminal's own palette
//! (dark, light, solarized…) decides what they look like; `mono` uses modifiers alone for
//! `NO_COLOR` users.

use ratatui::style::{Color, Modifier, Style};

/// The styles the renderer draws with, one per role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub border: Style,
    pub focus_border: Style,
    pub title: Style,
    /// The list cursor and the focused panel cursor: must stand out cell by cell.
    pub selected: Style,
    pub header: Style,
    pub dim: Style,
    pub error: Style,
    /// Back-off countdowns and other "wait" news.
    pub warning: Style,
    /// A filter that is switched on.
    pub active_item: Style,
    pub section: Style,
    /// Field names in the detail pane and help.
    pub label: Style,
    /// Key names in hints and help.
    pub key: Style,
}

impl Theme {
    /// Colours unless `NO_COLOR` is set to something non-empty (<https://no-color.org>).
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        if no_color {
            Theme::mono()
        } else {
            Theme::default_colors()
        }
    }

    pub fn default_colors() -> Theme {
        let bold = Modifier::BOLD;
        Theme {
            border: Style::new().fg(Color::DarkGray),
            focus_border: Style::new().fg(Color::Cyan).add_modifier(bold),
            title: Style::new().add_modifier(bold),
            selected: Style::new().fg(Color::Black).bg(Color::Cyan),
            header: Style::new().fg(Color::Yellow).add_modifier(bold),
            dim: Style::new().fg(Color::DarkGray),
            error: Style::new().fg(Color::Red).add_modifier(bold),
            warning: Style::new().fg(Color::Yellow),
            active_item: Style::new().fg(Color::Green).add_modifier(bold),
            section: Style::new().fg(Color::Magenta).add_modifier(bold),
            label: Style::new().fg(Color::Cyan),
            key: Style::new().fg(Color::Cyan).add_modifier(bold),
        }
    }

    pub fn mono() -> Theme {
        let plain = Style::new();
        Theme {
            border: plain,
            focus_border: plain.add_modifier(Modifier::BOLD),
            title: plain.add_modifier(Modifier::BOLD),
            selected: plain.add_modifier(Modifier::REVERSED),
            header: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            dim: plain.add_modifier(Modifier::DIM),
            error: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            warning: plain.add_modifier(Modifier::BOLD),
            active_item: plain.add_modifier(Modifier::BOLD),
            section: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            label: plain,
            key: plain.add_modifier(Modifier::BOLD),
        }
    }
}
