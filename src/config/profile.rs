//! Profiles (one account on one host each) and where the API token comes from.
//!
//! The token is kept as a plain `String` only while the config is read, wrapped into
//! `api::Token` as soon as it is resolved, and never formatted: every type here that can hold it
//! has a redacting `Debug`, and no message includes it.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use toml::Spanned;
use url::Url;

use super::file::{self, RawProfile, Source};
use super::{Config, ConfigError, ConfigProblem};
use crate::api::{DEFAULT_BASE_URL, Token};

/// The environment variable that carries the API token; it beats any profile, so a script can
/// always say which token to use.
pub const TOKEN_ENV: &str = "INBOX_TUI_TOKEN";

/// Where a profile's token comes from: exactly one of `token`, `token_file`, `token_env`,
/// `token_keyring`.
#[derive(Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// `token = "…"` in the config file itself.
    Inline(String),
    /// `token_file = "…"`, `~` expanded and relative to the config file's directory.
    File(PathBuf),
    /// `token_env = "NAME"`: the environment variable that holds it.
    Env(String),
    /// `token_keyring = true`: the OS keychain, under the profile's name (see `keychain`).
    Keyring,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Inline(_) => formatter.write_str("Inline([redacted])"),
            TokenSource::File(path) => formatter.debug_tuple("File").field(path).finish(),
            TokenSource::Env(name) => formatter.debug_tuple("Env").field(name).finish(),
            TokenSource::Keyring => formatter.write_str("Keyring"),
        }
    }
}

/// One `[profiles.NAME]` table. `Debug` is safe: the token's source redacts itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    base_url: Option<String>,
    token: Option<TokenSource>,
    web_url: Option<String>,
    rate_limit: Option<PerSecond>,
}

/// A known rate limit, in requests a second: a positive, finite number (compared by its bits,
/// so a profile can still be compared whole).
#[derive(Debug, Clone, Copy)]
struct PerSecond(f64);

impl PartialEq for PerSecond {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for PerSecond {}

/// The highest `rate_limit` or `--rate` taken: beyond it a number is a typo.
pub const MAX_RATE_LIMIT: f64 = 10_000.0;

/// Checks a known rate limit, `--rate` or a profile's `rate_limit`.
pub fn check_rate_limit(rate: f64) -> Result<f64, String> {
    if rate.is_finite() && rate > 0.0 && rate <= MAX_RATE_LIMIT {
        Ok(rate)
    } else {
        Err(format!(
            "{rate} is not a rate limit: give the requests a second the API allows, a number \
             above 0 and at most {MAX_RATE_LIMIT}, e.g. 10 (or 0.5 for one request every 2 s)"
        ))
    }
}

/// Where BotPenguin's web panel shows a contact, `{id}` standing for its `_id`. A guess: the
/// panel's URLs are not documented, so a profile can give its own `web_url`.
pub const DEFAULT_WEB_URL: &str = "https://app.botpenguin.com/inbox?userId={id}";

impl Profile {
    /// The web panel's URL template for a contact (`{id}` is replaced), as the profile gives
    /// it, else the guess for BotPenguin's own API; white-label hosts have no default.
    pub fn web_url(&self) -> Option<&str> {
        match (&self.web_url, self.base_url()) {
            (Some(template), _) => Some(template),
            (None, DEFAULT_BASE_URL) => Some(DEFAULT_WEB_URL),
            (None, _) => None,
        }
    }

    /// The profile's base URL, or BotPenguin's own when it names none.
    pub fn base_url(&self) -> &str {
        self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL)
    }

    /// The account's rate limit in requests a second, when the profile gives it: requests
    /// are paced at it from the first instead of learning it from refusals.
    pub fn rate_limit(&self) -> Option<f64> {
        self.rate_limit.map(|rate| rate.0)
    }

    pub fn token_source(&self) -> Option<&TokenSource> {
        self.token.as_ref()
    }
}

/// The profile in use and its name, as `Config::profile` picks it.
#[derive(Debug, Clone, Copy)]
pub struct NamedProfile<'a> {
    pub name: &'a str,
    pub profile: &'a Profile,
}

/// Why no token could be found. The messages say what to do, and never hold the token.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{}", missing(profile.as_deref()))]
    Missing { profile: Option<String> },
    #[error(
        "no API token for profile {profile:?}: its token_env names {variable}, which is not set; \
         set it, set {TOKEN_ENV}, or save a token with `{}`",
        set_token(Some(profile))
    )]
    EnvUnset { profile: String, variable: String },
    #[error(
        "could not read the token file {} of profile {profile:?}: {source}; write it with `{}`",
        path.display(), set_token(Some(profile))
    )]
    File {
        profile: String,
        path: PathBuf,
        source: io::Error,
    },
    #[error(
        "the token file {} of profile {profile:?} is empty; write it with `{}`",
        path.display(), set_token(Some(profile))
    )]
    EmptyFile { profile: String, path: PathBuf },
    #[error(
        "could not read the token of profile {profile:?} from the OS keychain: {reason}; save it \
         again with `{} --keyring`",
        set_token(Some(profile))
    )]
    Keyring { profile: String, reason: String },
}

fn missing(profile: Option<&str>) -> String {
    let whom = match profile {
        Some(name) => format!(" for profile {name:?}"),
        None => String::new(),
    };
    format!(
        "no API token{whom}: set {TOKEN_ENV} to the token from the web panel \
         (More → Developer → API Access Token), save it with `{}`, or try --demo",
        set_token(profile)
    )
}

fn set_token(profile: Option<&str>) -> String {
    match profile {
        Some(name) => format!("inbox-tui config set-token --profile {name}"),
        None => "inbox-tui config set-token".to_owned(),
    }
}

/// The token to send: `INBOX_TUI_TOKEN` if set, else the active profile's own.
pub fn resolve_token(active: Option<NamedProfile<'_>>) -> Result<Token, TokenError> {
    if let Some(token) = std::env::var(TOKEN_ENV)
        .ok()
        .filter(|token| !token.trim().is_empty())
    {
        return Ok(Token::new(token).with_origin(TOKEN_ENV));
    }
    match active {
        Some(active) => profile_token(active),
        None => Err(TokenError::Missing { profile: None }),
    }
}

/// The profile's own token, whatever `INBOX_TUI_TOKEN` holds: what a switch to another profile
/// in the browser sends, so a token set for one account never goes to another account's host.
pub fn profile_token(active: NamedProfile<'_>) -> Result<Token, TokenError> {
    let NamedProfile { name, profile } = active;
    let profile_name = || name.to_owned();
    match &profile.token {
        None => Err(TokenError::Missing {
            profile: Some(profile_name()),
        }),
        Some(TokenSource::Inline(token)) => Ok(Token::new(token.as_str())
            .with_origin(format!("profile {name:?}'s `token` in the config file"))),
        Some(TokenSource::Env(variable)) => std::env::var(variable)
            .ok()
            .filter(|token| !token.trim().is_empty())
            .map(|token| {
                Token::new(token)
                    .with_origin(format!("{variable} (profile {name:?}'s `token_env`)"))
            })
            .ok_or_else(|| TokenError::EnvUnset {
                profile: profile_name(),
                variable: variable.clone(),
            }),
        Some(TokenSource::Keyring) => super::keychain::read(name)
            .map(|token| {
                Token::new(token).with_origin(format!(
                    "the OS keychain (service {:?}, account {name:?})",
                    super::keychain::SERVICE
                ))
            })
            .map_err(|reason| TokenError::Keyring {
                profile: profile_name(),
                reason,
            }),
        Some(TokenSource::File(path)) => {
            let token =
                super::file::read_capped(path, super::file::MAX_TOKEN_FILE_BYTES, "a token file")
                    .map(|token| {
                        Token::new(token).with_origin(format!(
                            "profile {name:?}'s `token_file` {}",
                            path.display()
                        ))
                    })
                    .map_err(|source| TokenError::File {
                        profile: profile_name(),
                        path: path.clone(),
                        source,
                    })?;
            if token.expose().is_empty() {
                Err(TokenError::EmptyFile {
                    profile: profile_name(),
                    path: path.clone(),
                })
            } else {
                Ok(token)
            }
        }
    }
}

/// Refuses to send the token in the clear anywhere but this machine, unless the user insists.
pub fn check_plain_http(base_url: &str, allow_insecure_http: bool) -> Result<(), String> {
    // An unparseable URL is left to the client, whose message explains what a base URL is.
    let Ok(url) = Url::parse(base_url.trim()) else {
        return Ok(());
    };
    if url.scheme() != "http" || allow_insecure_http || crate::api::is_loopback(&url) {
        return Ok(());
    }
    let host = url.host_str().unwrap_or(base_url);
    Err(format!(
        "refusing to send the API token over plain http to {host}: use https://, or pass \
         --allow-insecure-http"
    ))
}

/// Checks each profile as written: one token source at most, none of them empty, a base URL
/// that is one.
pub(super) fn from_raw(
    raw: BTreeMap<Spanned<String>, RawProfile>,
    source: &Source,
    problems: &mut Vec<ConfigProblem>,
) -> BTreeMap<String, Profile> {
    let base = source.path.parent().unwrap_or(Path::new("."));
    raw.into_iter()
        .map(|(name, raw)| {
            let name_span = name.span();
            let name = name.into_inner();
            let key = |field: &str| format!("profiles.{name}.{field}");
            let mut non_empty = |field: &str, value: Option<Spanned<String>>| {
                let value = value?;
                if value.get_ref().trim().is_empty() {
                    problems.push(source.problem(
                        Some(value.span()),
                        key(field),
                        "is empty; remove it or give it a value",
                    ));
                    return None;
                }
                Some(value)
            };
            let base_url = non_empty("base_url", raw.base_url);
            let web_url = non_empty("web_url", raw.web_url);
            let sources = [
                non_empty("token", raw.token).map(|token| TokenSource::Inline(token.into_inner())),
                non_empty("token_file", raw.token_file)
                    .map(|path| TokenSource::File(file::expand_path(path.get_ref(), base))),
                non_empty("token_env", raw.token_env)
                    .map(|variable| TokenSource::Env(variable.into_inner())),
                raw.token_keyring
                    .filter(|on| *on.get_ref())
                    .map(|_| TokenSource::Keyring),
            ];
            let mut sources = sources.into_iter().flatten();
            let token = sources.next();
            if sources.next().is_some() {
                problems.push(source.problem(
                    Some(name_span),
                    format!("profiles.{name}"),
                    "give only one of token, token_file, token_env and token_keyring",
                ));
            }
            if let Some(url) = &base_url
                && let Err(reason) = check_base_url(url.get_ref())
            {
                problems.push(source.problem(Some(url.span()), key("base_url"), reason));
            }
            if let Some(url) = &web_url
                && let Err(reason) = check_web_url(url.get_ref())
            {
                problems.push(source.problem(Some(url.span()), key("web_url"), reason));
            }
            let rate_limit = raw.rate_limit.and_then(|rate| {
                let span = rate.span();
                check_rate_limit(rate.into_inner())
                    .map_err(|reason| {
                        problems.push(source.problem(Some(span), key("rate_limit"), reason));
                    })
                    .ok()
                    .map(PerSecond)
            });
            let profile = Profile {
                base_url: base_url.map(Spanned::into_inner),
                token,
                web_url: web_url.map(Spanned::into_inner),
                rate_limit,
            };
            (name, profile)
        })
        .collect()
}

/// A web panel template: an http(s) URL once `{id}` is replaced, which it must hold.
fn check_web_url(text: &str) -> Result<(), String> {
    let example = DEFAULT_WEB_URL;
    if !text.contains("{id}") {
        return Err(format!(
            "{text:?} has no {{id}} where the contact's id goes; e.g. {example}"
        ));
    }
    match Url::parse(&text.replace("{id}", "0")) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(()),
        _ => Err(format!("{text:?} is not an http(s) URL; e.g. {example}")),
    }
}

fn check_base_url(text: &str) -> Result<(), String> {
    match Url::parse(text.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        _ => Err(format!(
            "{text:?} is not a base URL; expected e.g. {DEFAULT_BASE_URL}"
        )),
    }
}

impl Config {
    /// The profile to use: `requested` (from `--profile`), else `default_profile`, else none.
    pub fn profile(
        &self,
        requested: Option<&str>,
    ) -> Result<Option<NamedProfile<'_>>, ConfigError> {
        let default = self
            .default_profile
            .as_ref()
            .map(|default| default.value.as_str());
        let Some(name) = requested.or(default) else {
            return Ok(None);
        };
        match self.profiles.get_key_value(name) {
            Some((name, profile)) => Ok(Some(NamedProfile { name, profile })),
            None => Err(ConfigError::UnknownProfile {
                path: self.path.clone(),
                name: name.to_owned(),
                known: self.profile_names(),
            }),
        }
    }

    /// Every profile's name, sorted.
    pub fn profile_names(&self) -> Vec<String> {
        self.profiles.keys().cloned().collect()
    }

    /// `default_profile`, if the file sets one.
    pub fn default_profile(&self) -> Option<&str> {
        self.default_profile
            .as_ref()
            .map(|default| default.value.as_str())
    }

    /// Saves `token` to the token file of `profile`, readable only by the user, and points the
    /// profile at it: the file it already names, else `<config dir>/<profile>.token`. A missing
    /// profile is created with the default base URL; a missing `default_profile` becomes this
    /// one, so plain `inbox-tui` finds the token. Returns the token file's path.
    ///
    /// A `token_file` the profile already has is left as written: it was read relative to the
    /// config file's directory, so writing back the resolved path (relative to the working
    /// directory when `--config` is relative) would make it point somewhere else. A new one is
    /// written as an absolute path, which means the same file from anywhere.
    pub fn save_token(&self, profile: &str, token: &Token) -> Result<PathBuf, ConfigError> {
        let existing = self.profiles.get(profile);
        let (token_path, points_there) = match existing.and_then(Profile::token_source) {
            Some(TokenSource::File(path)) => (path.clone(), true),
            _ => {
                let safe = !profile.is_empty()
                    && !profile.starts_with('.')
                    && profile
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
                if !safe {
                    return Err(self.invalid(
                        format!("profiles.{profile}"),
                        "a profile name for a token file may use only letters, digits, '-', '_' \
                         and '.'; or set its token_file yourself",
                    ));
                }
                let directory = self.path.parent().unwrap_or(Path::new("."));
                (directory.join(format!("{profile}.token")), false)
            }
        };
        let token_path = std::path::absolute(&token_path).unwrap_or(token_path);
        file::write_atomically(
            &token_path,
            format!("{}\n", token.expose()).as_bytes(),
            0o600,
        )
        .map_err(|source| ConfigError::Write {
            path: token_path.clone(),
            source,
        })?;

        if points_there && self.default_profile.is_some() {
            return Ok(token_path);
        }
        // `None` when the profile already names the file and only default_profile is missing.
        let token_file = match token_path.to_str() {
            _ if points_there => None,
            Some(text) => Some(text),
            None => {
                return Err(self.invalid(
                    format!("profiles.{profile}.token_file"),
                    format!(
                        "the token was saved to {}, but that path cannot be written into the \
                         config; set token_file yourself",
                        token_path.display()
                    ),
                ));
            }
        };
        self.point_profile_at(
            profile,
            token_file.map(|path| ("token_file", toml_edit::Value::from(path))),
        )?;
        Ok(token_path)
    }

    /// Files `token` in the OS keychain under `profile` and points the profile at it
    /// (`token_keyring = true`), as `save_token` does for a file. Fails without touching the
    /// config when the keychain cannot be reached.
    pub fn save_token_to_keychain(&self, profile: &str, token: &Token) -> Result<(), String> {
        super::keychain::write(profile, token.expose())?;
        self.point_profile_at(
            profile,
            Some(("token_keyring", toml_edit::Value::from(true))),
        )
        .map_err(|error| error.to_string())
    }

    /// Points `profile` at its token's new home, `key = value` (none: only `default_profile`
    /// is missing), and drops its other token sources, which would make it invalid. A missing
    /// profile is created with the default base URL, a missing `default_profile` names it.
    fn point_profile_at(
        &self,
        profile: &str,
        home: Option<(&str, toml_edit::Value)>,
    ) -> Result<(), ConfigError> {
        let make_default = self.default_profile.is_none();
        file::edit_document(&self.path, |document| {
            if make_default {
                document.insert("default_profile", toml_edit::value(profile));
            }
            let Some((key, value)) = home else {
                return Ok(());
            };
            let profiles = document.entry("profiles").or_insert_with(|| {
                let mut table = toml_edit::Table::new();
                table.set_implicit(true);
                toml_edit::Item::Table(table)
            });
            let profiles = profiles
                .as_table_like_mut()
                .ok_or("profiles: expected a table of profiles")?;
            let entry = profiles
                .entry(profile)
                .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()))
                .as_table_like_mut()
                .ok_or_else(|| format!("profiles.{profile}: expected a table"))?;
            if entry.get("base_url").is_none() {
                entry.insert("base_url", toml_edit::value(DEFAULT_BASE_URL));
            }
            for other in ["token", "token_env", "token_file", "token_keyring"] {
                if other != key {
                    entry.remove(other);
                }
            }
            entry.insert(key, toml_edit::value(value));
            Ok(())
        })
    }

    /// Warnings for every file holding a token that others can read: the config file when a
    /// profile has `token = …`, and each existing token file.
    pub(super) fn permission_warnings(&self) -> Vec<String> {
        let inline = self
            .profiles
            .values()
            .any(|profile| matches!(profile.token, Some(TokenSource::Inline(_))));
        let token_files = self
            .profiles
            .values()
            .filter_map(|profile| match &profile.token {
                Some(TokenSource::File(path)) => Some(path.as_path()),
                _ => None,
            });
        inline
            .then_some(self.path.as_path())
            .into_iter()
            .chain(token_files)
            .filter_map(|path| {
                let mode = file::mode_of(path)?;
                (mode & 0o044 != 0).then(|| {
                    format!(
                        "{path} holds an API token and is readable by others (mode {mode:04o}): \
                         run chmod 600 {path}",
                        path = path.display()
                    )
                })
            })
            .collect()
    }

    fn invalid(&self, key: String, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            problems: vec![self.problem(None, key, message)],
        }
    }
}
