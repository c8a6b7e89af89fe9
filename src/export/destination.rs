//! Where an export goes. A regular file is written beside its destination under a temporary name
//! and renamed into place only when complete, so an error or a cancel never leaves a half-written
//! file, and an existing file is replaced in one step. A symlink to a regular file is replaced at
//! the file it points to, so the link survives; a link another user planted in a shared sticky
//! directory (`/tmp`) is refused, as the kernel's `protected_symlinks` rule would.
//!
//! A path that is not a regular file (a device such as `/dev/null`, a FIFO, a socket, or an open
//! descriptor such as `/dev/stdout`) cannot be replaced without destroying it: renaming a file
//! over `/dev/full` as root really replaces the device. Such a destination is written to
//! directly, as the export goes, and [`Destination::direct_write_note`] says so.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Component, Path, PathBuf};
#[cfg(unix)]
use std::time::Duration;

use tempfile::NamedTempFile;

use crate::paths::expand_home;

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

    /// When the destination is not a regular file, a sentence saying it will be written directly
    /// rather than replaced in one step, for the user to see before the export starts: a failed
    /// export may then leave part of its output there. `None` for a regular or new file, for a
    /// path that cannot be examined (opening it will say why), and for standard output, which
    /// is never atomic and needs no saying.
    pub fn direct_write_note(&self) -> Option<String> {
        let Destination::File(path) = self else {
            return None;
        };
        match resolve(path) {
            Ok(Resolved::Direct { special, .. }) => Some(format!(
                "{} is {}, not a file that can be replaced; written directly, not atomically{}",
                path.display(),
                special.describe(),
                if special == Special::Fifo {
                    ", once something reads it"
                } else {
                    ""
                }
            )),
            _ => None,
        }
    }
}

/// What a destination path is once its symlinks are followed.
#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    /// A regular file, or nothing yet: staged and renamed onto `target`, the path the user's
    /// symlinks (if any) lead to.
    Replace { target: PathBuf },
    /// Anything else: opened (or, for a socket, connected to) and written as the export goes.
    Direct { path: PathBuf, special: Special },
}

/// What a destination that is not a regular file is: it decides how it is opened, and names it
/// in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    CharDevice,
    BlockDevice,
    /// Opening it for writing waits for a reader.
    Fifo,
    /// Connected to, not opened.
    Socket,
    /// A `/proc/…/fd` link to a regular file: the descriptor a shell redirected.
    Descriptor,
    Other,
}

impl Special {
    fn of(file_type: &fs::FileType) -> Special {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_char_device() {
                return Special::CharDevice;
            }
            if file_type.is_block_device() {
                return Special::BlockDevice;
            }
            if file_type.is_fifo() {
                return Special::Fifo;
            }
            if file_type.is_socket() {
                return Special::Socket;
            }
        }
        let _ = file_type;
        Special::Other
    }

    fn describe(self) -> &'static str {
        match self {
            Special::CharDevice => "a character device",
            Special::BlockDevice => "a block device",
            Special::Fifo => "a FIFO",
            Special::Socket => "a socket",
            Special::Descriptor => "an open file descriptor",
            Special::Other => "a special file",
        }
    }
}

/// Linux's limit on symlinks followed while resolving one path.
const MAX_LINKS: usize = 40;

/// Follows `path`'s symlinks one at a time, so that a link to a regular file resolves to that
/// file's own path (whose directory holds the temporary file, and which the rename replaces),
/// and a link to anything else is written through. A link into `/proc/…/fd` or `/dev/fd` (as
/// `/dev/stdout` is) names a descriptor the caller already has open, say a shell redirection:
/// it is written through whatever it refers to, as a shell would.
fn resolve(path: &Path) -> io::Result<Resolved> {
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        if is_descriptor_path(&current) {
            // Opened, never connected to: a descriptor's socket has no address to connect to.
            let special = match fs::metadata(&current) {
                Ok(metadata) if !metadata.is_file() => match Special::of(&metadata.file_type()) {
                    Special::Socket => Special::Descriptor,
                    special => special,
                },
                _ => Special::Descriptor,
            };
            return Ok(Resolved::Direct {
                path: current,
                special,
            });
        }
        let metadata = match fs::symlink_metadata(&current) {
            Ok(metadata) => metadata,
            // A dangling link is followed and its target created, as a shell's `>` would.
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Ok(Resolved::Replace { target: current });
            }
            Err(error) => return Err(error),
        };
        let file_type = metadata.file_type();
        if file_type.is_symlink() {
            check_link_may_be_followed(&current, &metadata)?;
            let link = fs::read_link(&current)?;
            current = match current.parent() {
                Some(parent) if link.is_relative() => parent.join(link),
                _ => link,
            };
        } else if file_type.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                format!("{} is a directory; give a file name", path.display()),
            ));
        } else if file_type.is_file() {
            return Ok(Resolved::Replace { target: current });
        } else {
            return Ok(Resolved::Direct {
                path: current,
                special: Special::of(&file_type),
            });
        }
    }
    Err(io::Error::other(format!(
        "{} goes through more than {MAX_LINKS} symbolic links; give the file's real path",
        path.display()
    )))
}

/// Refuses a symlink the kernel's `protected_symlinks` rule would not follow: one in a sticky
/// directory that anyone can write to (`/tmp`), owned neither by this user nor by the
/// directory's owner. Another user can plant such a link (`/tmp/contacts.csv` → a file of
/// yours), and following it would replace that file or create one where they chose.
#[cfg(unix)]
fn check_link_may_be_followed(link: &Path, metadata: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    const STICKY: u32 = 0o1000;
    const OTHERS_WRITE: u32 = 0o002;
    let directory = match link.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let Ok(directory_metadata) = fs::metadata(directory) else {
        return Ok(());
    };
    let mode = directory_metadata.mode();
    let shared = mode & STICKY != 0 && mode & OTHERS_WRITE != 0;
    let me = rustix::process::geteuid().as_raw();
    if !shared || metadata.uid() == me || metadata.uid() == directory_metadata.uid() {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "{} is a symbolic link owned by {}, in {}, a shared directory anyone can write to; \
             following it could replace a file of yours, so it is not followed (as the \
             kernel's protected_symlinks rule does). Remove the link, or choose another path",
            link.display(),
            user_name(metadata.uid()),
            directory.display()
        ),
    ))
}

#[cfg(not(unix))]
fn check_link_may_be_followed(_link: &Path, _metadata: &fs::Metadata) -> io::Result<()> {
    Ok(())
}

/// `user "eve" (uid 1001)`, or `uid 1001` when the user database does not name it.
#[cfg(unix)]
fn user_name(uid: u32) -> String {
    use nix::unistd::{Uid, User};
    match User::from_uid(Uid::from_raw(uid)) {
        Ok(Some(user)) => format!(
            "user {:?} (uid {uid})",
            crate::text::single_line(&user.name)
        ),
        _ => format!("uid {uid}"),
    }
}

/// `/dev/fd/N`, `/proc/self/fd/N` or `/proc/PID/fd/N`: a link the kernel makes to an open file
/// descriptor, whose text (`pipe:[123]`, `socket:[456]`) is not a path to follow.
fn is_descriptor_path(path: &Path) -> bool {
    let parts: Vec<_> = path.components().collect();
    let name = |component: &Component, expected: &str| component.as_os_str() == expected;
    let number = |component: &Component| {
        component
            .as_os_str()
            .to_str()
            .is_some_and(|text| !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()))
    };
    match parts.as_slice() {
        [Component::RootDir, dev, fd, descriptor] => {
            name(dev, "dev") && name(fd, "fd") && number(descriptor)
        }
        [Component::RootDir, proc, process, fd, descriptor] => {
            name(proc, "proc")
                && (name(process, "self") || number(process))
                && name(fd, "fd")
                && number(descriptor)
        }
        _ => false,
    }
}

/// An open output. Dropping it without `commit` removes the temporary file.
pub enum Output {
    Staged {
        file: BufWriter<NamedTempFile>,
        /// The regular file the rename replaces: the destination, or the file its links lead to.
        target: PathBuf,
    },
    /// A device, FIFO, socket or open descriptor, written as the export goes.
    Direct {
        file: BufWriter<File>,
        path: PathBuf,
    },
    Stdout(BufWriter<io::Stdout>),
}

const BUFFER: usize = 256 * 1024;

impl Output {
    /// Opens the destination. For a regular file, checks the directory is there and writable by
    /// creating the temporary file in it. A FIFO's open waits for a reader, as a shell's would,
    /// but in short sleeps, so that a cancel (dropping the future) ends the wait.
    pub async fn open(destination: &Destination) -> io::Result<Output> {
        let path = match destination {
            Destination::Stdout if stdout_was_closed() => {
                return Err(io::Error::other(
                    "it was closed when inbox-tui started (`>&-`), so nothing would be kept; \
                     give --output PATH, or redirect standard output to a file or a pipe",
                ));
            }
            Destination::Stdout => return Ok(Output::Stdout(BufWriter::new(io::stdout()))),
            Destination::File(path) => path,
        };
        match resolve(path)? {
            Resolved::Replace { target } => {
                let directory = match target.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent,
                    _ => Path::new("."),
                };
                let temporary = tempfile::Builder::new()
                    .prefix(".inbox-tui-export-")
                    .suffix(".partial")
                    .tempfile_in(directory)
                    .map_err(|error| {
                        // Named by the user's path, not by the hidden file staged beside it.
                        let why = if error.kind() == io::ErrorKind::NotFound {
                            format!(
                                "the folder {} does not exist; create it or choose another path",
                                directory.display()
                            )
                        } else {
                            format!(
                                "cannot create a file in {}: {}",
                                directory.display(),
                                io::Error::from(error.kind())
                            )
                        };
                        io::Error::new(error.kind(), why)
                    })?;
                Ok(Output::Staged {
                    file: BufWriter::with_capacity(BUFFER, temporary),
                    target,
                })
            }
            Resolved::Direct {
                path: resolved,
                special,
            } => {
                let file = open_direct(&resolved, special).await.map_err(|error| {
                    io::Error::new(
                        error.kind(),
                        format!(
                            "cannot open {} ({}): {error}",
                            path.display(),
                            special.describe()
                        ),
                    )
                })?;
                Ok(Output::Direct {
                    file: BufWriter::with_capacity(BUFFER, file),
                    path: path.clone(),
                })
            }
        }
    }

    /// Makes the output final: flushes, and renames a staged file onto its destination.
    pub fn commit(self) -> io::Result<()> {
        match self {
            Output::Stdout(mut stdout) => stdout.flush(),
            Output::Direct { mut file, .. } => file.flush(),
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

/// Opens a destination that is not a regular file without creating or truncating anything.
/// Append mode makes a descriptor link to a regular file (`/dev/stdout` under a shell's `>>`)
/// add to it rather than overwrite it from the start; devices and FIFOs do not mind. A socket
/// cannot be opened, only connected to.
async fn open_direct(path: &Path, special: Special) -> io::Result<File> {
    #[cfg(unix)]
    match special {
        Special::Socket => {
            let stream = std::os::unix::net::UnixStream::connect(path)?;
            return Ok(File::from(std::os::fd::OwnedFd::from(stream)));
        }
        Special::Fifo => return open_fifo(path).await,
        _ => {}
    }
    let _ = special;
    fs::OpenOptions::new().append(true).open(path)
}

/// How often a FIFO's open asks again whether something reads it.
#[cfg(unix)]
const READER_POLL: Duration = Duration::from_millis(100);

/// Opens a FIFO for writing once something reads it. A blocking open would wait inside the
/// kernel, where neither Ctrl-C (handled by the runtime) nor a cancel can end it; a
/// non-blocking open fails with `ENXIO` until a reader comes, and the file is made blocking
/// again once open, so a full pipe slows the export down instead of failing it.
#[cfg(unix)]
async fn open_fifo(path: &Path) -> io::Result<File> {
    use rustix::fs::OFlags;
    use std::os::unix::fs::OpenOptionsExt;
    loop {
        let opened = fs::OpenOptions::new()
            .append(true)
            .custom_flags(OFlags::NONBLOCK.bits() as i32)
            .open(path);
        match opened {
            Ok(file) => {
                let flags = rustix::fs::fcntl_getfl(&file)?;
                rustix::fs::fcntl_setfl(&file, flags - OFlags::NONBLOCK)?;
                return Ok(file);
            }
            Err(error) if error.raw_os_error() == Some(rustix::io::Errno::NXIO.raw_os_error()) => {
                tokio::time::sleep(READER_POLL).await;
            }
            Err(error) => return Err(error),
        }
    }
}

/// Whether standard output was closed when the program started (`>&-`). Rust's runtime then
/// opens `/dev/null` read-write in its place, so an export would "succeed" into nothing; a
/// shell's `>/dev/null` opens it write-only, which tells the two apart.
#[cfg(target_os = "linux")]
pub fn stdout_was_closed() -> bool {
    use rustix::fs::{FileType, OFlags};
    use std::os::fd::AsFd;
    let stdout = io::stdout();
    let descriptor = stdout.as_fd();
    let Ok(stat) = rustix::fs::fstat(descriptor) else {
        return false;
    };
    let is_null_device = FileType::from_raw_mode(stat.st_mode) == FileType::CharacterDevice
        && rustix::fs::major(stat.st_rdev) == 1
        && rustix::fs::minor(stat.st_rdev) == 3;
    is_null_device
        && rustix::fs::fcntl_getfl(descriptor)
            .is_ok_and(|flags| flags & OFlags::RWMODE == OFlags::RDWR)
}

/// Elsewhere the runtime's replacement cannot be told from a redirection.
#[cfg(not(target_os = "linux"))]
pub fn stdout_was_closed() -> bool {
    false
}

/// Names the destination in a write error: otherwise `No space left on device` does not say
/// where.
fn naming(path: &Path) -> impl FnOnce(io::Error) -> io::Error + '_ {
    move |error| {
        io::Error::new(
            error.kind(),
            format!("cannot write to {}: {error}", path.display()),
        )
    }
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Output::Staged { file, target } => file.write(bytes).map_err(naming(target)),
            Output::Direct { file, path } => file.write(bytes).map_err(naming(path)),
            Output::Stdout(stdout) => stdout.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Staged { file, target } => file.flush().map_err(naming(target)),
            Output::Direct { file, path } => file.flush().map_err(naming(path)),
            Output::Stdout(stdout) => stdout.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_paths_are_recognised() {
        for path in ["/dev/fd/1", "/proc/self/fd/1", "/proc/123/fd/10"] {
            assert!(is_descriptor_path(Path::new(path)), "{path}");
        }
        for path in [
            "/dev/fd",
            "/dev/full",
            "/proc/self/fd",
            "fd/1",
            "/proc/x/fd/1",
        ] {
            assert!(!is_descriptor_path(Path::new(path)), "{path}");
        }
    }

    #[test]
    fn a_chain_of_relative_links_resolves_to_the_last_file() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let real = dir.path().join("real").join("out.csv");
        fs::create_dir(dir.path().join("real")).expect("a directory");
        fs::write(&real, "old").expect("a file");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("real/out.csv", dir.path().join("first")).expect("a link");
            std::os::unix::fs::symlink("first", dir.path().join("second")).expect("a link");
            assert_eq!(
                resolve(&dir.path().join("second")).expect("it resolves"),
                Resolved::Replace {
                    target: dir.path().join("real/out.csv")
                }
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_loop_of_links_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::os::unix::fs::symlink("b", dir.path().join("a")).expect("a link");
        std::os::unix::fs::symlink("a", dir.path().join("b")).expect("a link");
        let error = resolve(&dir.path().join("a")).expect_err("a loop");
        assert!(error.to_string().contains("symbolic links"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn devices_get_a_note_and_files_do_not() {
        let null = Destination::File("/dev/null".into());
        let note = null.direct_write_note().expect("a note for /dev/null");
        assert!(note.contains("/dev/null is a character device"), "{note}");
        assert!(note.contains("not atomically"), "{note}");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let file = Destination::File(dir.path().join("out.csv"));
        assert_eq!(file.direct_write_note(), None);
        assert_eq!(Destination::Stdout.direct_write_note(), None);
    }
}
