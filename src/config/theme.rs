//! `theme` and `[theme_colors]`: a named theme, with per-role colour overrides.

use std::collections::BTreeMap;

use ratatui::style::Color;
use toml::Spanned;

use super::file::Source;
use super::{Config, ConfigProblem};
use crate::ui::Theme;

/// One `role = "colour"` line as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ColourEntry {
    role: String,
    colour: String,
    line: usize,
}

pub(super) fn entries(
    raw: BTreeMap<Spanned<String>, Spanned<String>>,
    source: &Source,
) -> Vec<ColourEntry> {
    raw.into_iter()
        .map(|(role, colour)| ColourEntry {
            line: source.line(role.span().start),
            role: role.into_inner(),
            colour: colour.into_inner(),
        })
        .collect()
}

const THEMES: &str = r#""default" (the terminal's colours), "light", "dark" or "mono""#;

const COLOURS: [(&str, Color); 17] = [
    ("reset", Color::Reset),
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("darkgray", Color::DarkGray),
    ("lightred", Color::LightRed),
    ("lightgreen", Color::LightGreen),
    ("lightyellow", Color::LightYellow),
    ("lightblue", Color::LightBlue),
    ("lightmagenta", Color::LightMagenta),
    ("lightcyan", Color::LightCyan),
    ("white", Color::White),
];

/// A named ANSI colour, so the terminal's palette still decides what it looks like.
/// `light-blue`, `light_blue`, `Light Blue` and `grey` are accepted too.
fn parse_colour(text: &str) -> Option<Color> {
    let name: String = text
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .collect::<String>()
        .to_ascii_lowercase()
        .replace("grey", "gray");
    COLOURS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, colour)| *colour)
}

/// `"red"` sets the foreground; `"black on cyan"` sets both.
fn parse_colours(text: &str) -> Result<(Color, Option<Color>), String> {
    let (foreground, background) = match text.split_once(" on ") {
        Some((foreground, background)) => (foreground, Some(background)),
        None => (text, None),
    };
    let colour = |text: &str| {
        parse_colour(text.trim()).ok_or_else(|| {
            let names: Vec<&str> = COLOURS.iter().map(|(name, _)| *name).collect();
            format!(
                "unknown colour {:?}; use a named ANSI colour ({}), or \"FG on BG\"",
                text.trim(),
                names.join(", ")
            )
        })
    };
    Ok((colour(foreground)?, background.map(colour).transpose()?))
}

impl Config {
    /// The theme the config asks for: `theme` (default "default") with `[theme_colors]` laid
    /// over it. `no_color` (a non-empty `NO_COLOR`) forces `mono`, colours and all.
    pub fn theme(&self, no_color: bool) -> Result<Theme, ConfigProblem> {
        let (theme, problems) = self.build_theme();
        match problems.into_iter().next() {
            Some(problem) => Err(problem),
            None if no_color => Ok(Theme::mono()),
            None => Ok(theme),
        }
    }

    pub(super) fn theme_problems(&self) -> Vec<ConfigProblem> {
        self.build_theme().1
    }

    fn build_theme(&self) -> (Theme, Vec<ConfigProblem>) {
        let mut problems = Vec::new();
        let mut theme = match self
            .theme
            .as_ref()
            .map(|name| (name.value.as_str(), name.line))
        {
            None | Some(("default", _)) => Theme::default_colors(),
            Some(("light", _)) => Theme::light(),
            Some(("dark", _)) => Theme::dark(),
            Some(("mono", _)) => Theme::mono(),
            Some((other, line)) => {
                problems.push(self.problem(
                    Some(line),
                    "theme",
                    format!("unknown theme {other:?}; use {THEMES}"),
                ));
                Theme::default_colors()
            }
        };
        for entry in &self.theme_colors {
            let key = format!("theme_colors.{}", entry.role);
            let Some(style) = theme.role_mut(&entry.role) else {
                problems.push(self.problem(
                    Some(entry.line),
                    key,
                    format!("unknown element; use one of {}", Theme::ROLES.join(", ")),
                ));
                continue;
            };
            match parse_colours(&entry.colour) {
                Ok((foreground, background)) => {
                    *style = style.fg(foreground);
                    if let Some(background) = background {
                        *style = style.bg(background);
                    }
                }
                Err(reason) => problems.push(self.problem(Some(entry.line), key, reason)),
            }
        }
        (theme, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_named_ansi_colours_in_any_spelling() {
        assert_eq!(parse_colour("Light-Blue"), Some(Color::LightBlue));
        assert_eq!(parse_colour("dark grey"), Some(Color::DarkGray));
        assert_eq!(parse_colour("#ff0000"), None);
        assert_eq!(
            parse_colours("black on cyan"),
            Ok((Color::Black, Some(Color::Cyan)))
        );
        assert!(parse_colours("red on nothing").is_err());
    }
}
