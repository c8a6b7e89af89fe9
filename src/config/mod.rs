//! The config file: profiles and where their tokens come from, friendly names, key bindings,
//! the theme and saved views. Also the state file that remembers the last filters, which is
//! not configuration and so lives apart from it.
//!
//! A config with mistakes never crashes anything: every mistake becomes a `ConfigProblem` that
//! names the file, the line and the key, and commands refuse to start with the list.

mod file;
pub mod keychain;
mod keys;
mod paces;
mod profile;
mod theme;
mod views;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

pub use paces::RememberedPaces;
pub use profile::{
    DEFAULT_WEB_URL, MAX_RATE_LIMIT, NamedProfile, Profile, TOKEN_ENV, TokenError, TokenSource,
    check_plain_http, check_rate_limit, profile_token, resolve_token,
};
pub use views::{ConfigViewStore, LastFilters, SavedView};

use crate::dates::ZoneSetting;
use crate::export::CsvStyle;
use keys::KeyEntry;
use theme::ColourEntry;

/// The config file, checked. Build it with `Config::load` (or `Config::parse`); the default is
/// what a missing file means.
#[derive(Debug, Clone, Default)]
pub struct Config {
    path: PathBuf,
    default_profile: Option<Located<String>>,
    theme: Option<Located<String>>,
    theme_colors: Vec<ColourEntry>,
    profiles: BTreeMap<String, Profile>,
    names: FriendlyNames,
    keys: Vec<KeyEntry>,
    views: Vec<SavedView>,
    csv_style: CsvStyle,
    refresh: Option<u64>,
    time_zone: ZoneSetting,
    snapshot_full_every: Option<std::time::Duration>,
}

/// A value and the line it was written on, for problems found after parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Located<T> {
    value: T,
    line: usize,
}

/// A loaded config, where it came from, and what the user should hear about it (a token file
/// that others can read) without it stopping anything.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub path: PathBuf,
    pub config: Config,
    pub warnings: Vec<String>,
}

pub use crate::app::filters::FriendlyNames;

/// One mistake in the config file, located as precisely as the parser allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub path: PathBuf,
    /// 1-based.
    pub line: Option<usize>,
    /// Dotted, e.g. `keys.next_page`; empty when the mistake is not under any key.
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    /// `config.toml:12: keys.next_page: unknown key …`, the shape editors can jump to.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(formatter, ":{line}")?;
        }
        write!(formatter, ": ")?;
        if !self.key.is_empty() {
            write!(formatter, "{}: ", self.key)?;
        }
        write!(formatter, "{}", self.message)
    }
}

/// Why the config could not be used. No variant ever holds a token.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot tell where the config file is ({0}); pass --config PATH")]
    NoPath(String),
    #[error("could not read the config file {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("could not write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    /// One line per problem, each naming the file, the line and the key.
    #[error("{}", list_problems(problems))]
    Invalid { problems: Vec<ConfigProblem> },
    #[error("there is no profile {name:?} in {}; {}", path.display(), known_profiles(known))]
    UnknownProfile {
        path: PathBuf,
        name: String,
        known: Vec<String>,
    },
}

fn list_problems(problems: &[ConfigProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn known_profiles(known: &[String]) -> String {
    if known.is_empty() {
        "it defines no profiles; add a [profiles.NAME] table".to_owned()
    } else {
        format!("the profiles are: {}", known.join(", "))
    }
}

/// `explicit` (from `--config`) if given, else the platform's config path.
pub fn config_path(explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
    match explicit {
        Some(path) => Ok(path.to_owned()),
        None => file::default_path(),
    }
}

impl Config {
    /// Loads and checks the config file at `path`, or at the platform's path. A missing file is
    /// the defaults; it is not created.
    pub fn load(path: Option<&Path>) -> Result<LoadedConfig, ConfigError> {
        let path = config_path(path)?;
        let config = match file::read_capped(&path, file::MAX_CONFIG_BYTES, "a config file") {
            Ok(text) => Config::parse(&text, &path)?,
            Err(error) if error.kind() == io::ErrorKind::NotFound => Config {
                path: path.clone(),
                ..Config::default()
            },
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        let mut warnings = file::directory_warnings(&path);
        warnings.extend(config.permission_warnings());
        warnings.extend(views::warnings(config.views()));
        Ok(LoadedConfig {
            path,
            config,
            warnings,
        })
    }

    /// Parses and checks config text; `path` is what problems name. Every problem found is
    /// reported, sorted by line, not only the first.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        Config::parse_unmasked(text, path).map_err(|error| match error {
            ConfigError::Invalid { problems } => ConfigError::Invalid {
                problems: problems.into_iter().map(file::masked).collect(),
            },
            other => other,
        })
    }

    fn parse_unmasked(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let source = file::Source { path, text };
        let raw = file::parse_raw(&source).map_err(|problems| ConfigError::Invalid { problems })?;
        let mut problems = Vec::new();
        let located = |value: toml::Spanned<String>| Located {
            line: source.line(value.span().start),
            value: value.into_inner(),
        };
        let config = Config {
            path: path.to_owned(),
            default_profile: raw.default_profile.map(located),
            theme: raw.theme.map(located),
            theme_colors: theme::entries(raw.theme_colors, &source),
            profiles: profile::from_raw(raw.profiles, &source, &mut problems),
            names: raw.names,
            keys: keys::entries(raw.keys, &source),
            views: views::from_raw(raw.views, &source, &mut problems),
            csv_style: CsvStyle {
                raw: raw.export.csv_raw,
                byte_order_mark: raw.export.excel,
            },
            refresh: raw.ui.refresh,
            time_zone: time_zone(raw.ui.time_zone, &source, &mut problems),
            snapshot_full_every: full_every(raw.snapshot.full_every, &source, &mut problems),
        };
        problems.extend(config.problems());
        if problems.is_empty() {
            Ok(config)
        } else {
            problems.sort_by_key(|problem| problem.line);
            Err(ConfigError::Invalid { problems })
        }
    }

    /// The file this config was read from (or would be).
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn names(&self) -> &FriendlyNames {
        &self.names
    }

    /// How CSV exports write their cells unless told otherwise (`[export]`).
    pub fn csv_style(&self) -> CsvStyle {
        self.csv_style
    }

    /// Seconds between live refreshes of the browser's page 1 (`[ui] refresh`); 0 or none is
    /// off.
    pub fn refresh(&self) -> Option<u64> {
        self.refresh
    }

    /// The zone times are shown in and typed dates read in (`[ui] time_zone`).
    pub fn time_zone(&self) -> ZoneSetting {
        self.time_zone
    }

    /// How old the snapshot's last full read may get before a sync does another
    /// (`[snapshot] full_every`); `None` leaves the default, a day.
    pub fn snapshot_full_every(&self) -> Option<std::time::Duration> {
        self.snapshot_full_every
    }

    /// The saved views, in file order: `apply_view_N` applies the Nth.
    pub fn views(&self) -> &[SavedView] {
        &self.views
    }

    /// Problems only visible once the whole file is read: references between its parts.
    fn problems(&self) -> Vec<ConfigProblem> {
        let mut problems = Vec::new();
        let unknown_default = self
            .default_profile
            .as_ref()
            .filter(|default| !self.profiles.contains_key(&default.value));
        if let Some(default) = unknown_default {
            problems.push(self.problem(
                Some(default.line),
                "default_profile",
                format!(
                    "there is no profile {:?}; {}",
                    default.value,
                    known_profiles(&self.profile_names())
                ),
            ));
        }
        problems.extend(self.theme_problems());
        if let Err(keymap_problems) = self.keymap() {
            problems.extend(keymap_problems);
        }
        problems
    }

    fn problem(
        &self,
        line: Option<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> ConfigProblem {
        ConfigProblem {
            path: self.path.clone(),
            line,
            key: key.into(),
            message: message.into(),
        }
    }
}

/// `[ui] time_zone`, or the default when it is absent; a value it does not know is a problem on
/// its line.
fn full_every(
    raw: Option<toml::Spanned<String>>,
    source: &file::Source,
    problems: &mut Vec<ConfigProblem>,
) -> Option<std::time::Duration> {
    let raw = raw?;
    crate::dates::parse_duration(raw.get_ref())
        .map_err(|why| problems.push(source.problem(Some(raw.span()), "snapshot.full_every", why)))
        .ok()
}

fn time_zone(
    raw: Option<toml::Spanned<String>>,
    source: &file::Source,
    problems: &mut Vec<ConfigProblem>,
) -> ZoneSetting {
    let Some(raw) = raw else {
        return ZoneSetting::default();
    };
    ZoneSetting::parse(raw.get_ref()).unwrap_or_else(|| {
        problems.push(source.problem(
            Some(raw.span()),
            "ui.time_zone",
            format!(
                "unknown time zone setting {:?}; use {}",
                raw.get_ref(),
                ZoneSetting::ACCEPTED
            ),
        ));
        ZoneSetting::default()
    })
}
