//! The pace learned against each host, remembered so the next run starts polite instead of
//! finding the limit again by being refused. State, not configuration: it lives in
//! `$XDG_STATE_HOME/inbox-tui/paces.json`, one entry per `host:port`.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::file;

/// More than this is not a file this program wrote: it is left unread.
const MAX_BYTES: u64 = 1 << 20;
/// Hosts kept; the oldest entries go first.
const MAX_HOSTS: usize = 100;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Paces {
    /// Requests a second, by `host:port`, with the Unix time they were learned.
    hosts: BTreeMap<String, Remembered>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Remembered {
    rate: f64,
    learned_at: i64,
}

/// The remembered paces in the state directory.
pub struct RememberedPaces;

impl RememberedPaces {
    /// `$XDG_STATE_HOME/inbox-tui/paces.json`, else under `~/.local/state`.
    pub fn path() -> Option<PathBuf> {
        Some(crate::logging::state_dir()?.join("paces.json"))
    }

    /// The pace learned against `host`, if any. A missing, oversized or corrupt file is no
    /// pace (a warning in the log): the pace is learned again.
    pub fn load(host: &str) -> Option<f64> {
        RememberedPaces::load_from(&RememberedPaces::path()?, host)
    }

    /// Remembers `rate` for `host`.
    pub fn save(host: &str, rate: f64) -> io::Result<()> {
        let path = RememberedPaces::path().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "neither XDG_STATE_HOME nor HOME is set",
            )
        })?;
        RememberedPaces::save_to(&path, host, rate)
    }

    /// `load` from a given file.
    pub fn load_from(path: &Path, host: &str) -> Option<f64> {
        let rate = read(path)?.hosts.get(host)?.rate;
        (rate.is_finite() && rate > 0.0).then_some(rate)
    }

    /// `save` to a given file, atomically.
    pub fn save_to(path: &Path, host: &str, rate: f64) -> io::Result<()> {
        if !rate.is_finite() || rate <= 0.0 {
            return Ok(());
        }
        let mut paces = read(path).unwrap_or_default();
        paces.hosts.insert(
            host.to_owned(),
            Remembered {
                rate,
                learned_at: jiff::Timestamp::now().as_second(),
            },
        );
        while paces.hosts.len() > MAX_HOSTS {
            let oldest = paces
                .hosts
                .iter()
                .min_by_key(|(_, remembered)| remembered.learned_at)
                .map(|(host, _)| host.clone());
            match oldest {
                Some(oldest) => paces.hosts.remove(&oldest),
                None => break,
            };
        }
        if let Some(directory) = path.parent() {
            std::fs::create_dir_all(directory)?;
        }
        let json = serde_json::to_vec_pretty(&paces).map_err(io::Error::other)?;
        file::write_atomically(path, &json, 0o600)
    }
}

fn read(path: &Path) -> Option<Paces> {
    let mut bytes = Vec::new();
    let read =
        std::fs::File::open(path).and_then(|file| file.take(MAX_BYTES + 1).read_to_end(&mut bytes));
    match read {
        Ok(_) if bytes.len() as u64 > MAX_BYTES => {
            tracing::warn!(path = %path.display(), "ignoring remembered paces over 1 MiB");
            return None;
        }
        Ok(_) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => return None,
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "could not read the remembered paces");
            return None;
        }
    }
    serde_json::from_slice(&bytes)
        .inspect_err(|error| {
            tracing::warn!(path = %path.display(), %error, "ignoring corrupt remembered paces");
        })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_pace_is_loaded_for_its_host_only() {
        let directory = tempfile::tempdir().expect("a temp dir");
        let path = directory.path().join("state/paces.json");
        assert_eq!(RememberedPaces::load_from(&path, "api:443"), None);
        RememberedPaces::save_to(&path, "api:443", 9.5).expect("saved");
        RememberedPaces::save_to(&path, "other:80", 3.0).expect("saved");
        assert_eq!(RememberedPaces::load_from(&path, "api:443"), Some(9.5));
        assert_eq!(RememberedPaces::load_from(&path, "other:80"), Some(3.0));
        assert_eq!(RememberedPaces::load_from(&path, "third:1"), None);
        std::fs::write(&path, b"{not json").expect("written");
        assert_eq!(RememberedPaces::load_from(&path, "api:443"), None);
    }
}
