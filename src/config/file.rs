//! Reading the config file with line numbers, and writing files safely.
//!
//! confy decides where the file lives; the text is parsed here instead of through `confy::load`,
//! because confy would create a file when there is none, loses the spans that turn a mistake into
//! "line 12", and rewrites the whole file (dropping the user's comments) when it stores.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use toml::Spanned;
use toml::de::{DeTable, DeValue};
use toml_edit::DocumentMut;

use super::{ConfigError, ConfigProblem, FriendlyNames};
use crate::paths::expand_home;

/// `$XDG_CONFIG_HOME/inbox-tui/config.toml` on Linux, as confy places it.
pub(super) fn default_path() -> Result<PathBuf, ConfigError> {
    confy::get_configuration_file_path("inbox-tui", "config")
        .map_err(|error| ConfigError::NoPath(error.to_string()))
}

/// The file as written, before its values are checked. Every table rejects keys it does not
/// know, so a typo is reported instead of silently ignored.
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields, expecting = "a config table")]
pub(super) struct RawConfig {
    pub default_profile: Option<Spanned<String>>,
    pub theme: Option<Spanned<String>>,
    pub theme_colors: BTreeMap<Spanned<String>, Spanned<String>>,
    pub profiles: BTreeMap<Spanned<String>, RawProfile>,
    pub names: FriendlyNames,
    pub keys: BTreeMap<Spanned<String>, LayerKeys>,
    pub views: Vec<Spanned<RawView>>,
    pub export: RawExport,
    pub ui: RawUi,
    pub snapshot: RawSnapshot,
}

/// `[snapshot]`: the local snapshot's upkeep.
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields, expecting = "a [snapshot] table")]
pub(super) struct RawSnapshot {
    /// How old the last full read may get before a sync does another (`12h`, `2d`).
    pub full_every: Option<Spanned<String>>,
}

/// `[ui]`: how the browser and `list` show things.
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields, expecting = "a [ui] table")]
pub(super) struct RawUi {
    pub time_zone: Option<Spanned<String>>,
    pub refresh: Option<u64>,
}

/// `[export]`: how exports are written unless the command line or the dialog says otherwise.
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields, expecting = "an [export] table")]
pub(super) struct RawExport {
    pub csv_raw: bool,
    pub excel: bool,
}

/// A profile as written. No `Debug`: it holds the token.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [profiles.NAME] table")]
pub(super) struct RawProfile {
    pub base_url: Option<Spanned<String>>,
    pub token: Option<Spanned<String>>,
    pub token_file: Option<Spanned<String>>,
    pub token_env: Option<Spanned<String>>,
    pub token_keyring: Option<Spanned<bool>>,
    pub web_url: Option<Spanned<String>>,
    pub rate_limit: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [[views]] table")]
pub(super) struct RawView {
    pub name: Spanned<String>,
    #[serde(default)]
    pub filters: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

/// What a `[keys]` entry holds: a layer's table (`[keys.list]`), or, in a file written for the
/// old flat `[keys]`, an action's keys directly, which is reported with how to move it.
pub(super) enum LayerKeys {
    Table(Vec<(Spanned<String>, KeyList)>),
    Flat,
}

impl<'de> Deserialize<'de> for LayerKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<LayerKeys, D::Error> {
        struct LayerVisitor;

        impl<'de> Visitor<'de> for LayerVisitor {
            type Value = LayerKeys;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter
                    .write_str(r#"a table of actions and keys, e.g. [keys.list] move_down = ["j"]"#)
            }

            fn visit_map<M: de::MapAccess<'de>>(self, mut map: M) -> Result<LayerKeys, M::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<Spanned<String>, KeyList>()? {
                    entries.push(entry);
                }
                Ok(LayerKeys::Table(entries))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut keys: A) -> Result<LayerKeys, A::Error> {
                while keys.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(LayerKeys::Flat)
            }

            fn visit_str<E: de::Error>(self, _key: &str) -> Result<LayerKeys, E> {
                Ok(LayerKeys::Flat)
            }
        }

        deserializer.deserialize_any(LayerVisitor)
    }
}

/// The keys of one action: a list, or a single key for convenience.
pub(super) struct KeyList(pub Vec<String>);

impl<'de> Deserialize<'de> for KeyList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<KeyList, D::Error> {
        struct KeysVisitor;

        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = KeyList;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str(r#"a list of keys, e.g. ["n", "pagedown"]"#)
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<KeyList, E> {
                Ok(KeyList(vec![key.to_owned()]))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut keys: A) -> Result<KeyList, A::Error> {
                let mut list = Vec::new();
                while let Some(key) = keys.next_element::<String>()? {
                    list.push(key);
                }
                Ok(KeyList(list))
            }
        }

        deserializer.deserialize_any(KeysVisitor)
    }
}

/// The text of a config file and where it came from, to turn byte spans into problems.
pub(super) struct Source<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl Source<'_> {
    /// The 1-based line a byte offset falls on.
    pub fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|byte| **byte == b'\n')
            .count()
            + 1
    }

    pub fn problem(
        &self,
        span: Option<Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> ConfigProblem {
        ConfigProblem {
            path: self.path.to_owned(),
            line: span.map(|span| self.line(span.start)),
            key: key.into(),
            message: message.into(),
        }
    }
}

/// Parses the text into the raw shape. Syntax errors are all reported; a value of the wrong
/// shape stops at the first (serde cannot go on after one). Messages come from the parser's
/// `message()` only: its `Display` quotes the offending line, which may hold the token.
pub(super) fn parse_raw(source: &Source) -> Result<RawConfig, Vec<ConfigProblem>> {
    let (table, errors) = DeTable::parse_recoverable(source.text);
    let secrets = inline_tokens(table.get_ref());
    let problem = |error: &toml::de::Error| {
        let key = error
            .span()
            .map(|span| key_path_at(table.get_ref(), span.start))
            .unwrap_or_default();
        source.problem(error.span(), key, redact(error.message(), &secrets))
    };
    if !errors.is_empty() {
        return Err(errors.iter().map(problem).collect());
    }
    RawConfig::deserialize(toml::de::Deserializer::from(table.clone())).map_err(|error| {
        let mut problem = problem(&error);
        problem.message = hide_strings(&problem.message);
        vec![problem]
    })
}

/// serde quotes a misplaced string in full (`invalid type: string "…"`), and that string may be
/// a token put in the wrong place: say only that it was a string.
fn hide_strings(message: &str) -> String {
    const QUOTED: &str = "string \"";
    let mut hidden = String::new();
    let mut rest = message;
    while let Some(start) = rest.find(QUOTED) {
        hidden.push_str(&rest[..start]);
        hidden.push_str("a string");
        let quoted = &rest[start + QUOTED.len()..];
        let mut escaped = false;
        let end = quoted.char_indices().find_map(|(index, c)| {
            let closing = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            closing.then_some(index)
        });
        rest = end.map_or("", |end| &quoted[end + 1..]);
    }
    hidden.push_str(rest);
    hidden
}

/// The dotted key (`keys.next_page`, `views[2].filters.status`) whose key or value covers
/// `offset`, the deepest one when tables nest. Views are numbered from 1, as `apply_view_N` is.
fn key_path_at(table: &DeTable, offset: usize) -> String {
    fn in_table(table: &DeTable, offset: usize, path: &str) -> Option<String> {
        table.iter().find_map(|(key, value)| {
            let path = if path.is_empty() {
                key.get_ref().to_string()
            } else {
                format!("{path}.{}", key.get_ref())
            };
            in_value(value.get_ref(), offset, &path).or_else(|| {
                (key.span().contains(&offset) || value.span().contains(&offset)).then_some(path)
            })
        })
    }

    fn in_value(value: &DeValue, offset: usize, path: &str) -> Option<String> {
        match value {
            DeValue::Table(table) => in_table(table, offset, path),
            DeValue::Array(items) => items.iter().enumerate().find_map(|(index, item)| {
                let path = format!("{path}[{}]", index + 1);
                in_value(item.get_ref(), offset, &path)
                    .or_else(|| item.span().contains(&offset).then_some(path))
            }),
            _ => None,
        }
    }

    in_table(table, offset, "").unwrap_or_default()
}

/// The `token = …` values of every profile, so that no message can repeat one.
fn inline_tokens(table: &DeTable) -> Vec<String> {
    fn entry<'t, 'i>(table: &'t DeTable<'i>, name: &str) -> Option<&'t DeValue<'i>> {
        table
            .iter()
            .find(|(key, _)| key.get_ref() == name)
            .map(|(_, value)| value.get_ref())
    }
    let Some(DeValue::Table(profiles)) = entry(table, "profiles") else {
        return Vec::new();
    };
    profiles
        .iter()
        .filter_map(|(_, profile)| match profile.get_ref() {
            DeValue::Table(profile) => match entry(profile, "token") {
                Some(DeValue::String(token)) if !token.trim().is_empty() => Some(token.to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// The longest config file read. A real one is a few KiB; a file of 300,000 tables would take
/// hundreds of MB to parse.
pub const MAX_CONFIG_BYTES: u64 = 512 * 1024;

/// The longest token file read: a token is a line.
pub const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

/// Reads the text of a file the user named, refusing one over `cap` bytes (or that never ends,
/// as `/dev/zero`) without reading more than `cap` and a byte. The error names the cap hit and
/// `what` the file was for.
pub fn read_capped(path: &Path, cap: u64, what: &str) -> io::Result<String> {
    use std::io::Read;
    let file = fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "it is larger than {} KiB, the most inbox-tui reads from {what}",
                cap / 1024
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|error| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 text (a byte that is not at {})",
                error.utf8_error().valid_up_to()
            ),
        )
    })
}

/// The most characters of a value a config problem repeats.
const MAX_ECHOED_CHARS: usize = 40;

/// Whether `value` looks like an API token: one long word of letters and digits (and the
/// `-_.+/=` of encodings), with both letters and digits, or the token in `INBOX_TUI_TOKEN`.
fn looks_like_token(value: &str) -> bool {
    let value = value.trim();
    let from_env = std::env::var(super::TOKEN_ENV)
        .ok()
        .map(|token| token.trim().to_owned())
        .filter(|token| token.len() >= 6);
    if from_env.is_some_and(|token| value.contains(&token)) {
        return true;
    }
    value.chars().count() >= 20
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '/' | '='))
        && value.chars().any(|c| c.is_ascii_digit())
        && value.chars().any(|c| c.is_ascii_alphabetic())
}

/// `problem` with every quoted value it repeats (`"…"`) that looks like a token, or is longer
/// than `MAX_ECHOED_CHARS`, replaced by a description: a token pasted under the wrong key must
/// not be printed back. The key is masked the same way.
pub(super) fn masked(problem: ConfigProblem) -> ConfigProblem {
    ConfigProblem {
        message: mask_quoted(&problem.message),
        key: if looks_like_token(&problem.key) {
            "[a key that looks like a token]".into()
        } else {
            problem.key
        },
        ..problem
    }
}

fn mask_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find('"') {
        out.push_str(&rest[..start]);
        let quoted = &rest[start + 1..];
        let mut escaped = false;
        let end = quoted.char_indices().find_map(|(index, c)| {
            let closing = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            closing.then_some(index)
        });
        let Some(end) = end else {
            out.push_str(&mask_value(quoted, true));
            return out;
        };
        out.push_str(&mask_value(&quoted[..end], false));
        rest = &quoted[end + 1..];
    }
    out.push_str(&rest_masked(rest));
    out
}

/// Text outside quotes: only the token from the environment is hidden.
fn rest_masked(text: &str) -> String {
    match std::env::var(super::TOKEN_ENV) {
        Ok(token) if token.trim().len() >= 6 => text.replace(token.trim(), "[redacted]"),
        _ => text.to_owned(),
    }
}

/// One quoted value, quotes and all, or what stands for it.
fn mask_value(value: &str, unclosed: bool) -> String {
    let length = value.chars().count();
    if looks_like_token(value) {
        "[a value that looks like an API token, not shown]".to_owned()
    } else if length > MAX_ECHOED_CHARS || unclosed {
        format!("[a {length}-character value, not shown]")
    } else {
        format!("\"{value}\"")
    }
}

fn redact(message: &str, secrets: &[String]) -> String {
    secrets.iter().fold(message.to_owned(), |message, secret| {
        message.replace(secret.as_str(), "[redacted]")
    })
}

/// The permission bits of a file, where the platform has them.
pub(super) fn mode_of(path: &Path) -> Option<u32> {
    full_mode_of(path).map(|mode| mode & 0o777)
}

/// All the mode bits of a file (sticky included, as `/tmp`'s 1777), where the platform has them.
fn full_mode_of(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path)
            .ok()
            .map(|metadata| metadata.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Replaces `path` with `contents` so that a reader sees the old file or the new one, never half
/// of one. The temporary file gets `mode` before anything is written to it, so a secret is never
/// readable by others, not even for a moment. A symlink (a config kept in a dotfiles repository)
/// is written through: the file it leads to is replaced, and the link stays.
pub(super) fn write_atomically(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    let target = follow_links(path)?;
    let directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    create_private_dir(directory)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".inbox-tui-").suffix(".tmp");
    #[cfg(unix)]
    let permissions = {
        use std::os::unix::fs::PermissionsExt;
        fs::Permissions::from_mode(mode)
    };
    #[cfg(unix)]
    builder.permissions(permissions.clone());
    let mut file = builder.tempfile_in(directory)?;
    // The umask may have taken bits away at creation; set exactly what was asked.
    #[cfg(unix)]
    file.as_file().set_permissions(permissions)?;
    #[cfg(not(unix))]
    let _ = mode;
    file.write_all(contents)?;
    file.as_file().sync_all()?;
    file.persist(&target).map_err(|error| error.error)?;
    Ok(())
}

/// Linux's limit on symlinks followed while resolving one path.
const MAX_LINKS: usize = 40;

/// The path `path`'s symlinks lead to, one link at a time, so that a relative link is read
/// against its own directory, and a dangling one leads to the file it would create. What is
/// there must be a regular file, or nothing yet: renaming onto anything else would destroy it.
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        let metadata = match fs::symlink_metadata(&current) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(error) => return Err(error),
        };
        if metadata.file_type().is_symlink() {
            let link = fs::read_link(&current)?;
            current = match current.parent() {
                Some(parent) if link.is_relative() => parent.join(link),
                _ => link,
            };
        } else if metadata.is_file() {
            return Ok(current);
        } else {
            let via = if current == path {
                String::new()
            } else {
                format!(" ({} leads there)", path.display())
            };
            return Err(io::Error::other(format!(
                "{} is not a regular file{via}; point it at a file",
                current.display()
            )));
        }
    }
    Err(io::Error::other(format!(
        "{} goes through more than {MAX_LINKS} symbolic links; give the file's real path",
        path.display()
    )))
}

/// A warning when the directory holding the config file (or, for a symlink, the file it leads
/// to) is writable by every user: anyone could then put a config of their own there, one whose
/// `base_url` sends the token to their server, or swap the token file.
pub(super) fn directory_warnings(path: &Path) -> Vec<String> {
    let directory_of = |path: &Path| match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut directories = vec![directory_of(path)];
    if let Ok(target) = follow_links(path) {
        let target_directory = directory_of(&target);
        if !directories.contains(&target_directory) {
            directories.push(target_directory);
        }
    }
    directories
        .into_iter()
        .filter_map(|directory| {
            let mode = full_mode_of(&directory)?;
            (mode & 0o002 != 0).then(|| {
                format!(
                    "the config directory {dir} is writable by every user (mode {mode:04o}):                      another user could replace the config and send your token to a server of                      theirs; move the config to a private directory, or run chmod o-w {dir}",
                    dir = directory.display()
                )
            })
        })
        .collect()
}

/// Creates a missing directory readable only by its owner: it may hold token files.
pub(super) fn create_private_dir(directory: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(directory)
}

/// Edits the config file in place through `toml_edit`, which keeps the user's comments, order
/// and formatting, and writes it back atomically with its permissions unchanged (0600 for a
/// new file). A missing file is edited as an empty one.
pub(super) fn edit_document(
    path: &Path,
    edit: impl FnOnce(&mut DocumentMut) -> Result<(), String>,
) -> Result<(), ConfigError> {
    let text = match read_capped(path, MAX_CONFIG_BYTES, "a config file") {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let mut document: DocumentMut = text.parse().map_err(|error: toml_edit::TomlError| {
        // `message()` only: the error's `Display` quotes the line, which may hold a token.
        let source = Source { path, text: &text };
        ConfigError::Invalid {
            problems: vec![source.problem(error.span(), "", error.message())],
        }
    })?;
    edit(&mut document).map_err(|message| ConfigError::Invalid {
        problems: vec![ConfigProblem {
            path: path.to_owned(),
            line: None,
            key: String::new(),
            message,
        }],
    })?;
    let mode = mode_of(path).unwrap_or(0o600);
    write_atomically(path, document.to_string().as_bytes(), mode).map_err(|source| {
        ConfigError::Write {
            path: path.to_owned(),
            source,
        }
    })
}

/// Expands `~` and resolves a relative path against the config file's directory, where the
/// user most likely meant it.
pub(super) fn expand_path(text: &str, base: &Path) -> PathBuf {
    let path = expand_home(text);
    if path.is_relative() {
        base.join(path)
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings_are_hidden_from_serde_messages() {
        assert_eq!(
            hide_strings(r#"invalid type: string "se\"cret", expected a table"#),
            "invalid type: a string, expected a table"
        );
        assert_eq!(hide_strings("missing field `name`"), "missing field `name`");
        assert_eq!(hide_strings(r#"string "unterminated"#), "a string");
    }
}
