//! Saved views (`[[views]]`, named filter sets in the config) and the state file that remembers
//! the last filters between runs.

use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use toml::Spanned;

use super::file::{self, RawView, Source};
use super::{Config, ConfigError, ConfigProblem};
use crate::api::Query;
use crate::app::ViewStore;
use crate::app::msg::ViewStoreError;

/// A named set of filters the user saved: the browser's own view type.
pub use crate::app::SavedView;

/// The config file as the browser's store of saved views.
pub struct ConfigViewStore {
    path: PathBuf,
}

impl ConfigViewStore {
    pub fn new(path: PathBuf) -> ConfigViewStore {
        ConfigViewStore { path }
    }

    /// The views the file holds now, re-read after a change.
    fn reload(&self) -> Result<Vec<SavedView>, Box<ViewStoreError>> {
        Config::load(Some(&self.path))
            .map(|loaded| loaded.config.views().to_vec())
            .map_err(Box::from)
    }
}

impl ViewStore for ConfigViewStore {
    fn save(&self, name: &str, query: &Query) -> Result<Vec<SavedView>, Box<ViewStoreError>> {
        Config::save_view(&self.path, name, query)?;
        self.reload()
    }

    fn delete(&self, name: &str) -> Result<Vec<SavedView>, Box<ViewStoreError>> {
        Config::delete_view(&self.path, name)?;
        self.reload()
    }
}

/// The filter names inbox-tui knows: the API's own JSON names, as the request body spells them.
/// A view may use others; they are sent as given.
fn filter_names() -> Vec<String> {
    match serde_json::to_value(Query::default()) {
        Ok(Json::Object(fields)) => fields.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// What a user should hear about their views without it stopping anything: filters and values
/// inbox-tui does not know, which are sent as given.
pub(super) fn warnings(views: &[SavedView]) -> Vec<String> {
    let known = filter_names().join(", ");
    views
        .iter()
        .flat_map(|view| {
            let unknown_filters = view.query.raw_fields.keys().map(|name| {
                format!(
                    "view {:?}: filter `{name}` is not one inbox-tui knows ({known}); it is sent \
                     as given",
                    view.name,
                )
            });
            let unknown_values = view
                .query
                .unknown_values()
                .into_iter()
                .map(|warning| format!("view {:?}: {warning}", view.name));
            unknown_filters.chain(unknown_values).collect::<Vec<_>>()
        })
        .collect()
}

/// Checks each view's filters one by one, so a mistake is reported at its own line and key.
pub(super) fn from_raw(
    raw: Vec<Spanned<RawView>>,
    source: &Source,
    problems: &mut Vec<ConfigProblem>,
) -> Vec<SavedView> {
    raw.into_iter()
        .enumerate()
        .map(|(index, view)| {
            let view_span = view.span();
            let view = view.into_inner();
            let prefix = format!("views[{}]", index + 1);
            if view.name.get_ref().trim().is_empty() {
                problems.push(source.problem(
                    Some(view.name.span()),
                    format!("{prefix}.name"),
                    "is empty; give the view a name",
                ));
            }
            let mut filters = toml::Table::new();
            for (name, value) in view.filters {
                let key = format!("{prefix}.filters.{}", name.get_ref());
                if name.get_ref() == "page" {
                    problems.push(source.problem(
                        Some(name.span()),
                        key,
                        "`page` is set for each request by inbox-tui; remove it from the view",
                    ));
                    continue;
                }
                let single =
                    toml::Table::from_iter([(name.get_ref().clone(), value.get_ref().clone())]);
                match toml::Value::Table(single).try_into::<Query>() {
                    Ok(_) => {
                        filters.insert(name.into_inner(), value.into_inner());
                    }
                    Err(error) => {
                        problems.push(source.problem(Some(value.span()), key, error.message()));
                    }
                }
            }
            let query = toml::Value::Table(filters)
                .try_into::<Query>()
                .unwrap_or_else(|error| {
                    problems.push(source.problem(
                        Some(view_span),
                        format!("{prefix}.filters"),
                        error.message(),
                    ));
                    Query::default()
                });
            SavedView {
                name: view.name.into_inner(),
                query,
            }
        })
        .collect()
}

/// Only the filters that differ from "no filter", as a `[views.filters]` table, so a saved
/// view reads like what the user chose.
fn filters_table(query: &Query) -> toml_edit::Table {
    let mut table = toml_edit::Table::new();
    let (Ok(Json::Object(fields)), Ok(Json::Object(defaults))) = (
        serde_json::to_value(query),
        serde_json::to_value(Query::default()),
    ) else {
        return table;
    };
    for (name, value) in fields {
        if defaults.get(&name) != Some(&value)
            && let Some(value) = toml_value(&value)
        {
            table.insert(&name, toml_edit::Item::Value(value));
        }
    }
    table
}

/// A JSON value as TOML; `null` has no TOML form and is left out.
fn toml_value(json: &Json) -> Option<toml_edit::Value> {
    Some(match json {
        Json::Null => return None,
        Json::Bool(value) => (*value).into(),
        Json::Number(number) => match number.as_i64() {
            Some(integer) => integer.into(),
            None => number.as_f64()?.into(),
        },
        Json::String(text) => text.as_str().into(),
        Json::Array(items) => {
            toml_edit::Value::Array(items.iter().filter_map(toml_value).collect())
        }
        Json::Object(fields) => toml_edit::Value::InlineTable(
            fields
                .iter()
                .filter_map(|(name, value)| Some((name.as_str(), toml_value(value)?)))
                .collect(),
        ),
    })
}

impl Config {
    /// Saves `query` as the view `name` in the config file at `path`: replaces the filters of
    /// the view of that name, or appends a new `[[views]]`. The rest of the file, comments
    /// included, is left as it was.
    pub fn save_view(path: &Path, name: &str, query: &Query) -> Result<(), ConfigError> {
        let filters = filters_table(query);
        file::edit_document(path, |document| {
            let views = document
                .entry("views")
                .or_insert(toml_edit::Item::ArrayOfTables(
                    toml_edit::ArrayOfTables::new(),
                ))
                .as_array_of_tables_mut()
                .ok_or("views: write saved views as [[views]] tables so they can be edited")?;
            let existing = views
                .iter_mut()
                .find(|view| view.get("name").and_then(|item| item.as_str()) == Some(name));
            let view = match existing {
                Some(view) => view,
                None => {
                    let mut view = toml_edit::Table::new();
                    view.insert("name", toml_edit::value(name));
                    views.push(view);
                    views
                        .iter_mut()
                        .last()
                        .ok_or("views: the new view was not added")?
                }
            };
            // No filters at all is no table at all, rather than an empty `[views.filters]`.
            if filters.is_empty() {
                view.remove("filters");
            } else {
                view.insert("filters", toml_edit::Item::Table(filters));
            }
            Ok(())
        })
    }

    /// Removes every view named `name` from the config file at `path`, keeping the rest of the
    /// file as it was. Returns whether there was one.
    pub fn delete_view(path: &Path, name: &str) -> Result<bool, ConfigError> {
        let mut found = false;
        file::edit_document(path, |document| {
            let Some(views) = document.get_mut("views") else {
                return Ok(());
            };
            let views = views
                .as_array_of_tables_mut()
                .ok_or("views: write saved views as [[views]] tables so they can be edited")?;
            let before = views.len();
            views.retain(|view| view.get("name").and_then(|item| item.as_str()) != Some(name));
            found = views.len() != before;
            if views.is_empty() {
                document.remove("views");
            }
            Ok(())
        })?;
        Ok(found)
    }
}

/// The filters in force when the browser last quit, restored at the next start. State, not
/// configuration: it lives in `$XDG_STATE_HOME/inbox-tui/last-filters.json`.
pub struct LastFilters;

impl LastFilters {
    /// `$XDG_STATE_HOME/inbox-tui/last-filters.json`, else under `~/.local/state`.
    pub fn path() -> Option<PathBuf> {
        Some(crate::logging::state_dir()?.join("last-filters.json"))
    }

    /// The remembered filters. A missing file is no filters; a corrupt one is ignored with a
    /// warning in the log rather than stopping the browser.
    pub fn load() -> Option<Query> {
        LastFilters::load_from(&LastFilters::path()?)
    }

    /// Remembers `query` in the state file.
    pub fn save(query: &Query) -> io::Result<()> {
        let path = LastFilters::path().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "neither XDG_STATE_HOME nor HOME is set",
            )
        })?;
        LastFilters::save_to(&path, query)
    }

    /// `load` from a given file.
    pub fn load_from(path: &Path) -> Option<Query> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return None,
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "could not read the last filters");
                return None;
            }
        };
        serde_json::from_slice(&bytes)
            .inspect_err(|error| {
                tracing::warn!(path = %path.display(), %error, "ignoring corrupt last filters");
            })
            .ok()
    }

    /// `save` to a given file, atomically, so a crash mid-write cannot leave a corrupt one.
    pub fn save_to(path: &Path, query: &Query) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(query).map_err(io::Error::other)?;
        file::write_atomically(path, &json, 0o600)
    }
}
