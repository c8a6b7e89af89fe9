//! Paths as the user typed them.

use std::path::PathBuf;

/// Expands `~` and `~/…` to the home directory. Paths from the config file, the export dialog or a
/// quoted argument never pass through a shell, yet users write them the way a shell would take
/// them. `~user` and a `~` with `HOME` unset or empty stay as typed, so the error that follows
/// names the path the user wrote.
pub fn expand_home(text: &str) -> PathBuf {
    let home = || std::env::var_os("HOME").filter(|home| !home.is_empty());
    match text.strip_prefix('~') {
        Some("") => home().map_or_else(|| PathBuf::from(text), PathBuf::from),
        Some(rest) if rest.starts_with('/') => home().map_or_else(
            || PathBuf::from(text),
            |home| PathBuf::from(home).join(rest.trim_start_matches('/')),
        ),
        _ => PathBuf::from(text),
    }
}
