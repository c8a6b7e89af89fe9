//! An export as the browser's dialog asks for it, and the policy around its file: the default
//! name, where a typed path points, and whether writing it would replace a file the user has.
//! The event loop only runs what this decides.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{CsvColumns, CsvStyle, Destination, ExportFormat, ExportJob, Scope};
use crate::api::Query;
use crate::api::walk::WalkOptions;

/// The default file name's stem, stamped with the local time when the export starts.
const DEFAULT_STEM: &str = "contacts";

/// An export as the dialog asked for it.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub query: Query,
    pub scope: Scope,
    pub format: ExportFormat,
    pub path: String,
    pub agent_names: HashMap<String, String>,
    pub csv: CsvStyle,
    /// The folder of the default file name when `path` is empty; the current one if `None`.
    pub folder: Option<String>,
    /// Replace an existing file; without it, an existing file stops the export to ask.
    pub overwrite: bool,
    /// Write from the local snapshot after a catch-up read from page 1, instead of walking
    /// the API.
    pub from_snapshot: bool,
}

impl ExportRequest {
    /// The file to write, absolute, so that messages name it in a way that still says where
    /// it is later: the typed path with `~` expanded, or the default name.
    pub fn file(&self) -> PathBuf {
        let path = if self.path.is_empty() {
            default_file(self.format, self.folder.as_deref())
        } else {
            crate::paths::expand_home(&self.path)
        };
        std::path::absolute(&path).unwrap_or(path)
    }

    /// The engine's job for this request, writing to `file`.
    pub fn into_job(self, file: PathBuf, walk: WalkOptions) -> ExportJob {
        ExportJob {
            csv: self.csv,
            columns: CsvColumns::default(),
            limit: None,
            query: self.query,
            scope: self.scope,
            format: self.format,
            destination: Destination::File(file),
            walk,
            agent_names: self.agent_names,
        }
    }
}

/// `contacts-YYYYMMDD-HHMMSS.<ext>` in local time, in `folder` (the last export's) or the
/// current directory.
fn default_file(format: ExportFormat, folder: Option<&str>) -> PathBuf {
    let stamp = jiff::Zoned::now().strftime("%Y%m%d-%H%M%S").to_string();
    let name = format!("{DEFAULT_STEM}-{stamp}.{}", format.extension());
    match folder {
        Some(folder) => PathBuf::from(folder).join(name),
        None => PathBuf::from(name),
    }
}

/// The default file name as the dialog shows it before the export stamps it.
pub fn default_file_pattern(format: ExportFormat) -> String {
    format!("{DEFAULT_STEM}-YYYYMMDD-HHMMSS.{}", format.extension())
}

/// Whether writing `path` would replace a file the user has: an existing regular file
/// (through symlinks). A device or a FIFO is written to, not replaced, so it needs no asking.
pub async fn would_replace_a_file(path: &Path) -> bool {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || std::fs::metadata(path).is_ok_and(|meta| meta.is_file()))
        .await
        .unwrap_or(false)
}
