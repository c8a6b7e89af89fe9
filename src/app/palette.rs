//! The command palette's language: `page 12`, `status open`, `tag vip`, `agent Alice`,
//! `segment India`, `bot Orders`, `only online`, `created-after 2026-01-01`, `search jane`,
//! `clear`, `view Open VIPs`, `export out.csv`, `copy email`, `open`, `count`, `profile work`,
//! `help`, `quit`. A filter command sets its filter and `-` before it unsets it (`-status open`),
//! so running one twice does what it says twice. Parsed here, without the state, so that
//! parsing and completion are tested on their own; `update/palette.rs` carries the commands
//! out, through the same functions as the keys that do the same.

use std::sync::LazyLock;

use strum::{EnumIter, IntoEnumIterator, IntoStaticStr};

use super::copy_field::CopyField;
use super::filters::{DateField, Switch};
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

/// A command word: the palette's only list of them. Parsing, completion, the messages, the
/// help's heading of the palette's keys and the palette's own help line all read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Word {
    Page,
    Status,
    Tag,
    Agent,
    Segment,
    Bot,
    Only,
    CreatedAfter,
    CreatedBefore,
    SeenAfter,
    SeenBefore,
    Search,
    Clear,
    View,
    Export,
    Copy,
    Open,
    Count,
    Profile,
    Help,
    Quit,
}

impl Word {
    /// As typed: `page`, `created-after`.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The word `name` is, in any case, or one of its short forms (`p`, `/`, `h`, `q`).
    fn parse(name: &str) -> Option<Word> {
        let short = match name {
            "p" => Some(Word::Page),
            "/" => Some(Word::Search),
            "h" => Some(Word::Help),
            "q" | "q!" | "qa" => Some(Word::Quit),
            _ => None,
        };
        short.or_else(|| Word::iter().find(|word| word.name() == name))
    }

    /// Its argument, as the palette's help writes it (`page N`); `None` for a word alone.
    fn argument(self) -> Option<&'static str> {
        Some(match self {
            Word::Page => "N",
            Word::Status | Word::Segment => "S",
            Word::Tag => "T",
            Word::Agent | Word::View | Word::Profile => "NAME",
            Word::Bot => "B",
            Word::Only => "online",
            Word::CreatedAfter | Word::CreatedBefore | Word::SeenAfter | Word::SeenBefore => "DATE",
            Word::Search => "TEXT",
            Word::Export => "PATH",
            Word::Copy => "FIELD",
            Word::Clear | Word::Open | Word::Count | Word::Help | Word::Quit => return None,
        })
    }

    /// An argument that works, for the message when one is missing.
    fn example(self) -> &'static str {
        match self {
            Word::Page => "12",
            Word::Status => "open",
            Word::Tag => "vip",
            Word::Agent => "Alice",
            Word::Segment => "Hot leads",
            Word::Bot => "65a0",
            Word::CreatedAfter | Word::CreatedBefore | Word::SeenAfter | Word::SeenBefore => {
                "2026-01-31"
            }
            Word::View => "Open VIPs",
            Word::Profile => "main",
            _ => "…",
        }
    }

    /// A filter, which `-` before the word unsets.
    fn is_filter(self) -> bool {
        matches!(
            self,
            Word::Status | Word::Tag | Word::Agent | Word::Segment | Word::Bot | Word::Only
        )
    }

    /// The date bound the word sets, for the four date words.
    fn date(self) -> Option<DateField> {
        match self {
            Word::CreatedAfter => Some(DateField::CreatedAfter),
            Word::CreatedBefore => Some(DateField::CreatedBefore),
            Word::SeenAfter => Some(DateField::LastSeenAfter),
            Word::SeenBefore => Some(DateField::LastSeenBefore),
            _ => None,
        }
    }

    /// Named in the help's heading of the palette's keys (the rest are in the palette's own
    /// help line).
    fn in_heading(self) -> bool {
        !matches!(
            self,
            Word::Segment
                | Word::Bot
                | Word::Only
                | Word::CreatedAfter
                | Word::CreatedBefore
                | Word::SeenAfter
                | Word::SeenBefore
                | Word::Help
                | Word::Quit
        )
    }

    /// `page N`, or the word alone.
    fn usage(self) -> String {
        match self.argument() {
            Some(argument) => format!("{} {argument}", self.name()),
            None => self.name().to_owned(),
        }
    }
}

/// The help's heading of the palette's keys: "Command palette: page N, status S, …".
pub fn heading() -> &'static str {
    static HEADING: LazyLock<String> = LazyLock::new(|| {
        let words: Vec<String> = Word::iter()
            .filter(|word| word.in_heading())
            .map(Word::usage)
            .collect();
        format!("Command palette: {}", words.join(", "))
    });
    &HEADING
}

/// The palette's own help line, under the command: every word, and how to unset a filter.
pub fn help_line() -> String {
    let mut parts: Vec<String> = Word::iter().map(Word::usage).collect();
    parts.push("-status S unsets".to_owned());
    parts.join(" · ")
}

/// The copy menu's fields by the names the palette takes (`copy email`).
fn copy_fields() -> impl Iterator<Item = (String, CopyField)> {
    CopyField::iter().map(|field| (field.label().to_lowercase(), field))
}

/// The names `only` takes, one per on/off switch.
pub const SWITCHES: [(&str, Switch); 5] = [
    ("online", Switch::Online),
    ("live-chat", Switch::LiveChat),
    ("interacted", Switch::Interacted),
    ("ordered", Switch::Ordered),
    ("contacts", Switch::ContactsOnly),
];

/// Every command word, for messages.
fn all_words() -> String {
    Word::iter().map(Word::name).collect::<Vec<_>>().join(", ")
}

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
    if name.is_empty() {
        return Err(format!("type a command: {}", all_words()));
    }
    let Some(command) = Word::parse(name) else {
        return Err(format!(
            "no command {name:?}; the commands are {}",
            all_words()
        ));
    };
    let needs = |what: &str| {
        Err(format!(
            "`{word}` needs {what}, e.g. `{word} {}`",
            command.example()
        ))
    };
    let filter = |target: FilterTarget| Ok(PaletteCommand::Filter { target, on });
    if !on && !command.is_filter() && command.date().is_none() {
        let filters: Vec<String> = Word::iter()
            .filter(|word| word.is_filter())
            .map(|word| format!("-{}", word.name()))
            .collect();
        return Err(format!(
            "only a filter or a date can be unset with `-`: {}",
            filters.join(", ")
        ));
    }
    match command {
        Word::Page => match rest.parse::<u32>() {
            Ok(page) if page >= 1 => Ok(PaletteCommand::Page(page)),
            _ => needs("a page number from 1"),
        },
        Word::Status => {
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
        Word::Tag if rest.is_empty() => needs("a tag"),
        Word::Tag => filter(FilterTarget::Tag(rest.to_owned())),
        Word::Agent if rest.is_empty() => needs("an agent's name"),
        Word::Agent => filter(FilterTarget::Agent(rest.to_owned())),
        Word::Segment if rest.is_empty() => needs("a segment's name"),
        Word::Segment => filter(FilterTarget::Segment(rest.to_owned())),
        Word::Bot if rest.is_empty() => needs("a bot's name or id"),
        Word::Bot => filter(FilterTarget::Bot(rest.to_owned())),
        Word::Only => match SWITCHES
            .iter()
            .find(|(switch, _)| switch.eq_ignore_ascii_case(rest))
        {
            Some((_, switch)) => filter(FilterTarget::Switch(*switch)),
            None => Err(format!(
                "only what? {}",
                SWITCHES.map(|(switch, _)| switch).join(", ")
            )),
        },
        Word::Search => Ok(PaletteCommand::Search(rest.to_owned())),
        Word::Clear => Ok(PaletteCommand::Clear),
        Word::View if rest.is_empty() => needs("a saved view's name"),
        Word::View => Ok(PaletteCommand::View(rest.to_owned())),
        Word::Export => Ok(PaletteCommand::Export(rest.to_owned())),
        Word::Copy => copy_fields()
            .find(|(name, _)| name.eq_ignore_ascii_case(rest))
            .map(|(_, field)| PaletteCommand::Copy(field))
            .ok_or_else(|| {
                format!(
                    "copy what? {}",
                    copy_fields()
                        .map(|(name, _)| name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }),
        Word::Open => Ok(PaletteCommand::Open),
        Word::Count => Ok(PaletteCommand::Count),
        Word::Profile if rest.is_empty() => needs("a profile name"),
        Word::Profile => Ok(PaletteCommand::Profile(rest.to_owned())),
        Word::Help => Ok(PaletteCommand::Help),
        Word::Quit => Ok(PaletteCommand::Quit),
        Word::CreatedAfter | Word::CreatedBefore | Word::SeenAfter | Word::SeenBefore => {
            match (command.date(), on, rest.is_empty()) {
                (Some(field), true, false) => Ok(PaletteCommand::Date(field, rest.to_owned())),
                (Some(field), false, _) => Ok(PaletteCommand::Date(field, String::new())),
                _ => needs("a date"),
            }
        }
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
            let candidates: Vec<String> = Word::iter()
                .map(Word::name)
                .filter(|command| command.starts_with(&word.to_ascii_lowercase()))
                .map(str::to_owned)
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
            if word == Word::Copy.name() {
                candidates = copy_fields().map(|(name, _)| name).collect();
            } else if word == Word::Status.name() {
                candidates = Status::ALL
                    .iter()
                    .map(|s| s.as_str().to_lowercase())
                    .collect();
            } else if word == Word::Only.name() {
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
