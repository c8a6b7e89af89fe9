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
    /// The role names a config's `[theme_colors]` may override, as `role_mut` knows them.
    pub const ROLES: [&'static str; 12] = [
        "border",
        "focus_border",
        "title",
        "selected",
        "header",
        "dim",
        "error",
        "warning",
        "active_item",
        "section",
        "label",
        "key",
    ];

    /// Colours unless `NO_COLOR` is set to something non-empty (<https://no-color.org>).
    pub fn from_env() -> Theme {
        if Theme::no_color_requested() {
            Theme::mono()
        } else {
            Theme::default_colors()
        }
    }

    /// Whether `NO_COLOR` is set to something non-empty, which beats any configured theme.
    pub fn no_color_requested() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
    }

    /// The style of a role by its config name (see `ROLES`), so the config can override it.
    pub fn role_mut(&mut self, role: &str) -> Option<&mut Style> {
        Some(match role {
            "border" => &mut self.border,
            "focus_border" => &mut self.focus_border,
            "title" => &mut self.title,
            "selected" => &mut self.selected,
            "header" => &mut self.header,
            "dim" => &mut self.dim,
            "error" => &mut self.error,
            "warning" => &mut self.warning,
            "active_item" => &mut self.active_item,
            "section" => &mut self.section,
            "label" => &mut self.label,
            "key" => &mut self.key,
            _ => return None,
        })
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

    /// For light backgrounds: no yellow or bright colours, which wash out on white.
    pub fn light() -> Theme {
        let bold = Modifier::BOLD;
        Theme {
            border: Style::new().fg(Color::DarkGray),
            focus_border: Style::new().fg(Color::Blue).add_modifier(bold),
            title: Style::new().add_modifier(bold),
            selected: Style::new().fg(Color::White).bg(Color::Blue),
            header: Style::new().fg(Color::Magenta).add_modifier(bold),
            dim: Style::new().fg(Color::DarkGray),
            error: Style::new().fg(Color::Red).add_modifier(bold),
            warning: Style::new().fg(Color::Magenta),
            active_item: Style::new().fg(Color::Green).add_modifier(bold),
            section: Style::new().fg(Color::Blue).add_modifier(bold),
            label: Style::new().fg(Color::Blue),
            key: Style::new().fg(Color::Magenta).add_modifier(bold),
        }
    }

    /// For dark backgrounds: the bright variants, which stay readable on black.
    pub fn dark() -> Theme {
        let bold = Modifier::BOLD;
        Theme {
            border: Style::new().fg(Color::Gray),
            focus_border: Style::new().fg(Color::LightCyan).add_modifier(bold),
            title: Style::new().fg(Color::White).add_modifier(bold),
            selected: Style::new().fg(Color::Black).bg(Color::LightCyan),
            header: Style::new().fg(Color::LightYellow).add_modifier(bold),
            dim: Style::new().fg(Color::DarkGray),
            error: Style::new().fg(Color::LightRed).add_modifier(bold),
            warning: Style::new().fg(Color::LightYellow),
            active_item: Style::new().fg(Color::LightGreen).add_modifier(bold),
            section: Style::new().fg(Color::LightMagenta).add_modifier(bold),
            label: Style::new().fg(Color::LightCyan),
            key: Style::new().fg(Color::LightCyan).add_modifier(bold),
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
