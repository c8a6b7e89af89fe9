//! Where an export goes. A file is written beside its destination under a temporary name and
//! renamed into place only when complete, so an error or a cancel never leaves a half-written
//! file, and an existing file is replaced in one step.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// The output of an export: a file, or standard output for pipelines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    File(PathBuf),
    Stdout,
}

impl Destination {
    /// `-` is standard output; a leading `~` is the home directory.
    pub fn parse(text: &str) -> Destination {
        if text == "-" {
            Destination::Stdout
        } else {
            Destination::File(expand_home(text))
        }
    }

    /// How messages name it.
    pub fn describe(&self) -> String {
        match self {
            Destination::File(path) => path.display().to_string(),
            Destination::Stdout => "standard output".into(),
        }
    }
}

/// Expands `~` and `~/…` to the home directory; other paths are left alone.
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

/// An open output. Dropping it without `commit` removes the temporary file.
pub enum Output {
    Staged {
        file: BufWriter<NamedTempFile>,
        target: PathBuf,
    },
    Stdout(BufWriter<io::Stdout>),
}

impl Output {
    /// Opens the destination. For a file, checks the directory is there and writable by
    /// creating the temporary file in it.
    pub fn open(destination: &Destination) -> io::Result<Output> {
        match destination {
            Destination::Stdout => Ok(Output::Stdout(BufWriter::new(io::stdout()))),
            Destination::File(path) => {
                if path.is_dir() {
                    return Err(io::Error::new(
                        io::ErrorKind::IsADirectory,
                        format!("{} is a directory; give a file name", path.display()),
                    ));
                }
                let directory = match path.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent,
                    _ => Path::new("."),
                };
                let temporary = tempfile::Builder::new()
                    .prefix(".inbox-tui-export-")
                    .suffix(".partial")
                    .tempfile_in(directory)
                    .map_err(|error| {
                        io::Error::new(
                            error.kind(),
                            format!("cannot write in {}: {error}", directory.display()),
                        )
                    })?;
                Ok(Output::Staged {
                    file: BufWriter::with_capacity(256 * 1024, temporary),
                    target: path.clone(),
                })
            }
        }
    }

    /// Makes the output final: flushes, and renames a staged file onto its destination.
    pub fn commit(self) -> io::Result<()> {
        match self {
            Output::Stdout(mut stdout) => stdout.flush(),
            Output::Staged { file, target } => {
                let temporary = file.into_inner().map_err(|error| error.into_error())?;
                temporary.as_file().sync_all()?;
                let file: File = temporary.persist(&target).map_err(|error| error.error)?;
                drop(file);
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Output::Staged { file, .. } => file.write(bytes),
            Output::Stdout(stdout) => stdout.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Staged { file, .. } => file.flush(),
            Output::Stdout(stdout) => stdout.flush(),
        }
    }
}
