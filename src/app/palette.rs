//! The command palette's language: `page 12`, `status open`, `tag vip`, `agent Alice`,
//! `segment India`, `bot Orders`, `only online`, `created-after 2026-01-01`, `search jane`,
//! `clear`, `view Open VIPs`, `export out.csv`, `copy email`, `open`, `count`, `profile work`,
//! `help`, `quit`. A filter command sets its filter and `-` before it unsets it (`-status open`),
//! so running one twice does what it says twice. Parsed here, without the state, so that
//! parsing and completion are tested on their own; `update/palette.rs` carries the commands
//! out, through the same functions as the keys that do the same.

use super::filters::{DateField, Switch};
use super::keymap::CopyField;
use crate::api::Status;

/// A command the palette understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteCommand {
    Page(u32),
    /// Sets (`on`) or unsets (`-status open`) one filter.
    Filter {
        target: FilterTarget,
        on: bool,
    },
    /// Sets a date bound, as typed in the panel's date field; `-created-after` clears it.
    Date(DateField, String),
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
    /// Opens the help, as `?` does.
    Help,
    /// Quits, as `q` does.
    Quit,
}

/// The filter a palette command names, before it is looked up in the pick-lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterTarget {
    Status(Status),
    /// Any tag, seen on a page or not.
    Tag(String),
    /// The agent whose name starts with this (or the id).
    Agent(String),
    /// The segment whose name starts with this (or the id).
    Segment(String),
    /// The bot whose name or id starts with this, whatever its channel.
    Bot(String),
    Switch(Switch),
}

/// The command words, in the order completion offers them.
pub const COMMANDS: [&str; 21] = [
    "page",
    "status",
    "tag",
    "agent",
    "segment",
    "bot",
    "only",
    "created-after",
    "created-before",
    "seen-after",
    "seen-before",
    "search",
    "clear",
    "view",
    "export",
    "copy",
    "open",
    "count",
    "profile",
    "help",
    "quit",
];

const COPY_FIELDS: [(&str, CopyField); 6] = [
    ("email", CopyField::Email),
    ("phone", CopyField::Phone),
    ("id", CopyField::Id),
    ("uuid", CopyField::Uuid),
    ("name", CopyField::Name),
    ("json", CopyField::Json),
];

/// The names `only` takes, one per on/off switch.
pub const SWITCHES: [(&str, Switch); 5] = [
    ("online", Switch::Online),
    ("live-chat", Switch::LiveChat),
    ("interacted", Switch::Interacted),
    ("ordered", Switch::Ordered),
    ("contacts", Switch::ContactsOnly),
];

const DATES: [(&str, DateField); 4] = [
    ("created-after", DateField::CreatedAfter),
    ("created-before", DateField::CreatedBefore),
    ("seen-after", DateField::LastSeenAfter),
    ("seen-before", DateField::LastSeenBefore),
];

/// Parses one command line, or says what is wrong and how it should read.
pub fn parse(line: &str) -> Result<PaletteCommand, String> {
    let line = line.trim();
    let (word, rest) = line
        .split_once(char::is_whitespace)
        .map_or((line, ""), |(word, rest)| (word, rest.trim()));
    let lower = word.to_ascii_lowercase();
    let (on, name) = match lower.strip_prefix('-') {
        Some(name) => (false, name),
        None => (true, lower.as_str()),
    };
    let needs = |what: &str| {
        Err(format!(
            "`{word}` needs {what}, e.g. `{word} {}`",
            example(name)
        ))
    };
    let filter = |target: FilterTarget| Ok(PaletteCommand::Filter { target, on });
    if let Some((_, field)) = DATES.iter().find(|(date, _)| *date == name) {
        return match (on, rest.is_empty()) {
            (true, true) => needs("a date"),
            (true, false) => Ok(PaletteCommand::Date(*field, rest.to_owned())),
            (false, _) => Ok(PaletteCommand::Date(*field, String::new())),
        };
    }
    let filters = ["status", "tag", "agent", "segment", "bot", "only"];
    if !on && !filters.contains(&name) {
        return Err(format!(
            "only a filter or a date can be unset with `-`: {}",
            filters.map(|filter| format!("-{filter}")).join(", ")
        ));
    }
    match name {
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
                filter(FilterTarget::Status(status))
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
        "tag" => filter(FilterTarget::Tag(rest.to_owned())),
        "agent" if rest.is_empty() => needs("an agent's name"),
        "agent" => filter(FilterTarget::Agent(rest.to_owned())),
        "segment" if rest.is_empty() => needs("a segment's name"),
        "segment" => filter(FilterTarget::Segment(rest.to_owned())),
        "bot" if rest.is_empty() => needs("a bot's name or id"),
        "bot" => filter(FilterTarget::Bot(rest.to_owned())),
        "only" => match SWITCHES
            .iter()
            .find(|(switch, _)| switch.eq_ignore_ascii_case(rest))
        {
            Some((_, switch)) => filter(FilterTarget::Switch(*switch)),
            None => Err(format!(
                "only what? {}",
                SWITCHES.map(|(switch, _)| switch).join(", ")
            )),
        },
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
        "help" | "h" => Ok(PaletteCommand::Help),
        "quit" | "q" | "q!" | "qa" => Ok(PaletteCommand::Quit),
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
        "segment" => "Hot leads",
        "bot" => "65a0",
        "created-after" | "created-before" | "seen-after" | "seen-before" => "2026-01-31",
        "view" => "Open VIPs",
        "profile" => "main",
        _ => "…",
    }
}

/// What Tab completes `line` to: the command word, then its argument from `arguments` (the
/// statuses, the tags seen, the agents' and views' names, the copy fields). The longest
/// common start of the candidates; `None` when nothing matches or nothing would change.
pub fn complete(line: &str, arguments: impl Fn(&str) -> Vec<String>) -> Option<String> {
    let (dash, line) = match line.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", line),
    };
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
            } else if word == "only" {
                candidates = SWITCHES
                    .iter()
                    .map(|(name, _)| (*name).to_owned())
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
    (completed != line).then(|| format!("{dash}{completed}"))
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
        let set = |target| Ok(PaletteCommand::Filter { target, on: true });
        assert_eq!(parse("page 12"), Ok(PaletteCommand::Page(12)));
        assert_eq!(
            parse("  status Open "),
            set(FilterTarget::Status(Status::Open))
        );
        assert_eq!(
            parse("status dependency"),
            set(FilterTarget::Status(Status::Dependancy))
        );
        assert_eq!(
            parse("-status open"),
            Ok(PaletteCommand::Filter {
                target: FilterTarget::Status(Status::Open),
                on: false
            })
        );
        assert_eq!(
            parse("tag new customer"),
            set(FilterTarget::Tag("new customer".into()))
        );
        assert_eq!(
            parse("segment India"),
            set(FilterTarget::Segment("India".into()))
        );
        assert_eq!(parse("bot 65a0"), set(FilterTarget::Bot("65a0".into())));
        assert_eq!(
            parse("only live-chat"),
            set(FilterTarget::Switch(Switch::LiveChat))
        );
        assert!(parse("only frogs").is_err_and(|error| error.contains("online")));
        assert_eq!(
            parse("created-after 2026-01-31"),
            Ok(PaletteCommand::Date(
                DateField::CreatedAfter,
                "2026-01-31".into()
            ))
        );
        assert_eq!(
            parse("-seen-before"),
            Ok(PaletteCommand::Date(
                DateField::LastSeenBefore,
                String::new()
            ))
        );
        assert!(parse("seen-after").is_err_and(|error| error.contains("seen-after 2026")));
        assert!(parse("-page 3").is_err_and(|error| error.contains("-status")));
        for quit in ["q", "quit", "q!"] {
            assert_eq!(parse(quit), Ok(PaletteCommand::Quit));
        }
        assert_eq!(parse("help"), Ok(PaletteCommand::Help));
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
                // The panel toggles a status, a tag (seen or typed), an agent, a segment, a
                // bot or a switch, and edits a date.
                "status" | "tag" | "agent" | "segment" | "bot" | "only" => {
                    (Layer::Filters, Action::Toggle)
                }
                "created-after" | "created-before" | "seen-after" | "seen-before" => {
                    (Layer::Filters, Action::Activate)
                }
                "help" => (Layer::Global, Action::Help),
                "quit" => (Layer::Global, Action::Quit),
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
        assert_eq!(
            complete("-status op", arguments),
            Some("-status open".into())
        );
        assert_eq!(
            complete("only li", arguments),
            Some("only live-chat".into())
        );
    }
}
