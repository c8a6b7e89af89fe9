//! The command palette's language: `page 12`, `status open`, `tag vip`, `agent Alice`,
//! `search jane`, `clear`, `view Open VIPs`, `export out.csv`, `copy email`, `open`, `count`,
//! `profile work`. Parsed here,
//! without the state, so that parsing and completion are tested on their own; `update/palette.rs`
//! carries the commands out, through the same functions as the keys that do the same.

use super::keymap::CopyField;
use crate::api::Status;

/// A command the palette understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteCommand {
    Page(u32),
    /// Toggles the status filter, as Space on it in the panel does.
    Status(Status),
    /// Toggles the tag filter; any tag, seen on a page or not.
    Tag(String),
    /// Toggles the agent filter of the agent whose name starts with this (or the id).
    Agent(String),
    /// Sets the search text; empty clears it.
    Search(String),
    Clear,
    View(String),
    /// Opens the export dialog with this path.
    Export(String),
    Copy(CopyField),
    Open,
    /// Counts every contact matching, past the automatic cap, as `c` does.
    Count,
    /// Switches to the account of this config profile, in place.
    Profile(String),
}

/// The command words, in the order completion offers them.
pub const COMMANDS: [&str; 12] = [
    "page", "status", "tag", "agent", "search", "clear", "view", "export", "copy", "open", "count",
    "profile",
];

const COPY_FIELDS: [(&str, CopyField); 6] = [
    ("email", CopyField::Email),
    ("phone", CopyField::Phone),
    ("id", CopyField::Id),
    ("uuid", CopyField::Uuid),
    ("name", CopyField::Name),
    ("json", CopyField::Json),
];

/// Parses one command line, or says what is wrong and how it should read.
pub fn parse(line: &str) -> Result<PaletteCommand, String> {
    let line = line.trim();
    let (word, rest) = line
        .split_once(char::is_whitespace)
        .map_or((line, ""), |(word, rest)| (word, rest.trim()));
    let needs = |what: &str| {
        Err(format!(
            "`{word}` needs {what}, e.g. `{word} {}`",
            example(word)
        ))
    };
    match word.to_ascii_lowercase().as_str() {
        "" => Err(format!("type a command: {}", COMMANDS.join(", "))),
        "page" | "p" => match rest.parse::<u32>() {
            Ok(page) if page >= 1 => Ok(PaletteCommand::Page(page)),
            _ => needs("a page number from 1"),
        },
        "status" => {
            if rest.is_empty() {
                return needs("a status");
            }
            let status = Status::parse(rest);
            if status.is_known() {
                Ok(PaletteCommand::Status(status))
            } else {
                Err(format!(
                    "no status {rest:?}; the statuses are {}",
                    Status::ALL
                        .iter()
                        .map(|s| s.as_str().to_lowercase())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
        "tag" if rest.is_empty() => needs("a tag"),
        "tag" => Ok(PaletteCommand::Tag(rest.to_owned())),
        "agent" if rest.is_empty() => needs("an agent's name"),
        "agent" => Ok(PaletteCommand::Agent(rest.to_owned())),
        "search" | "/" => Ok(PaletteCommand::Search(rest.to_owned())),
        "clear" => Ok(PaletteCommand::Clear),
        "view" if rest.is_empty() => needs("a saved view's name"),
        "view" => Ok(PaletteCommand::View(rest.to_owned())),
        "export" => Ok(PaletteCommand::Export(rest.to_owned())),
        "copy" => COPY_FIELDS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(rest))
            .map(|(_, field)| PaletteCommand::Copy(*field))
            .ok_or_else(|| {
                format!(
                    "copy what? {}",
                    COPY_FIELDS
                        .iter()
                        .map(|(name, _)| *name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }),
        "open" => Ok(PaletteCommand::Open),
        "count" => Ok(PaletteCommand::Count),
        "profile" if rest.is_empty() => needs("a profile name"),
        "profile" => Ok(PaletteCommand::Profile(rest.to_owned())),
        other => Err(format!(
            "no command {other:?}; the commands are {}",
            COMMANDS.join(", ")
        )),
    }
}

fn example(word: &str) -> &'static str {
    match word {
        "page" | "p" => "12",
        "status" => "open",
        "tag" => "vip",
        "agent" => "Alice",
        "view" => "Open VIPs",
        "profile" => "main",
        _ => "…",
    }
}

/// What Tab completes `line` to: the command word, then its argument from `arguments` (the
/// statuses, the tags seen, the agents' and views' names, the copy fields). The longest
/// common start of the candidates; `None` when nothing matches or nothing would change.
pub fn complete(line: &str, arguments: impl Fn(&str) -> Vec<String>) -> Option<String> {
    let (word, rest) = match line.split_once(' ') {
        Some((word, rest)) => (word, Some(rest)),
        None => (line, None),
    };
    let completed = match rest {
        None => {
            let candidates: Vec<String> = COMMANDS
                .iter()
                .filter(|command| command.starts_with(&word.to_ascii_lowercase()))
                .map(|command| (*command).to_owned())
                .collect();
            let common = common_start(&candidates)?;
            if candidates.len() == 1 {
                format!("{common} ")
            } else {
                common
            }
        }
        Some(rest) => {
            let mut candidates = arguments(word);
            if word == "copy" {
                candidates = COPY_FIELDS
                    .iter()
                    .map(|(name, _)| (*name).to_owned())
                    .collect();
            } else if word == "status" {
                candidates = Status::ALL
                    .iter()
                    .map(|s| s.as_str().to_lowercase())
                    .collect();
            }
            let lower = rest.to_lowercase();
            let candidates: Vec<String> = candidates
                .into_iter()
                .filter(|candidate| candidate.to_lowercase().starts_with(&lower))
                .collect();
            format!("{word} {}", common_start(&candidates)?)
        }
    };
    (completed != line).then_some(completed)
}

/// The longest start all of `texts` share (case as in the first), or `None` for no texts.
fn common_start(texts: &[String]) -> Option<String> {
    let first = texts.first()?;
    let mut end = first.len();
    for text in &texts[1..] {
        end = first
            .char_indices()
            .zip(text.chars())
            .take_while(|((_, a), b)| a.to_lowercase().eq(b.to_lowercase()))
            .last()
            .map_or(0, |((index, a), _)| index + a.len_utf8())
            .min(end);
    }
    Some(first[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_and_mistakes_say_how() {
        assert_eq!(parse("page 12"), Ok(PaletteCommand::Page(12)));
        assert_eq!(
            parse("  status Open "),
            Ok(PaletteCommand::Status(Status::Open))
        );
        assert_eq!(
            parse("status dependency"),
            Ok(PaletteCommand::Status(Status::Dependancy))
        );
        assert_eq!(
            parse("tag new customer"),
            Ok(PaletteCommand::Tag("new customer".into()))
        );
        assert_eq!(parse("search"), Ok(PaletteCommand::Search(String::new())));
        assert_eq!(
            parse("copy Email"),
            Ok(PaletteCommand::Copy(CopyField::Email))
        );
        assert!(parse("page 0").is_err_and(|error| error.contains("page 12")));
        assert!(parse("status lost").is_err_and(|error| error.contains("inprogress")));
        assert!(parse("frobnicate").is_err_and(|error| error.contains("the commands are")));
        assert!(parse("copy shoe").is_err_and(|error| error.contains("email")));
        assert_eq!(parse("count"), Ok(PaletteCommand::Count));
        assert_eq!(
            parse("profile work"),
            Ok(PaletteCommand::Profile("work".into()))
        );
        assert!(parse("profile").is_err_and(|error| error.contains("profile main")));
    }

    /// Every command the palette knows is also a key: the action that does it, or, for a
    /// command that needs a value no key can carry, the one that opens the palette with the
    /// command typed. A new command without one fails here.
    #[test]
    fn every_palette_command_is_an_action_in_the_keymap() {
        use crate::app::keymap::{Action, Layer, action_table};
        for command in COMMANDS {
            let (layer, action) = match command {
                "page" => (Layer::Global, Action::GoToPage),
                // The panel toggles a status, a tag (seen or typed) or an agent.
                "status" | "tag" | "agent" => (Layer::Filters, Action::Toggle),
                "search" => (Layer::Global, Action::FocusSearch),
                "clear" => (Layer::Global, Action::ClearFilters),
                "view" => (Layer::Global, Action::ShowViews),
                "export" => (Layer::Global, Action::Export),
                "copy" => (Layer::List, Action::Copy),
                "open" => (Layer::Global, Action::Open),
                "count" => (Layer::Global, Action::CountAll),
                "profile" => (Layer::Global, Action::SwitchProfile),
                other => panic!("the palette's {other:?} has no action in the keymap"),
            };
            let entry = action_table()
                .into_iter()
                .find(|entry| entry.layer == layer && entry.action == action);
            assert!(
                entry.is_some_and(|entry| !entry.defaults.is_empty()),
                "{command:?}: {action:?} has no default key in {layer:?}"
            );
        }
    }

    #[test]
    fn tab_completes_the_command_then_its_argument() {
        let arguments = |word: &str| match word {
            "agent" => vec!["Alice Walker".to_owned(), "Alan Turing".to_owned()],
            _ => vec![],
        };
        assert_eq!(complete("st", arguments), Some("status ".into()));
        assert_eq!(
            complete("c", arguments),
            None,
            "clear, copy and count: nothing more in common"
        );
        assert_eq!(complete("cop", arguments), Some("copy ".into()));
        assert_eq!(complete("cou", arguments), Some("count ".into()));
        assert_eq!(
            complete("status inp", arguments),
            Some("status inprogress".into())
        );
        assert_eq!(complete("agent a", arguments), Some("agent Al".into()));
        assert_eq!(
            complete("agent alic", arguments),
            Some("agent Alice Walker".into())
        );
        assert_eq!(complete("copy u", arguments), Some("copy uuid".into()));
    }
}
