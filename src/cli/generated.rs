//! Shell completions and the man page, generated from the same clap definition that parses the
//! command line, so they can never fall out of step with it. They are printed by the binary
//! rather than written by a build script: an installed binary (`cargo install`) has no build
//! directory to take them from, and a build script would compile clap a second time.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, CliError};

#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Prints the completion script for `shell` on stdout.
pub fn completions(shell: Shell) -> Result<(), CliError> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "inbox-tui", &mut script);
    write_stdout(&script)
}

#[derive(Debug, Clone, clap::Args)]
pub struct ManArgs {
    /// Write every page (inbox-tui.1, and inbox-tui-list.1 and so on for each command) into
    /// this directory instead of printing the main page
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Prints the main man page, in roff, on stdout (the commands are listed in it), or writes
/// every command's page into `--out-dir`.
pub fn man(args: &ManArgs) -> Result<(), CliError> {
    match &args.out_dir {
        Some(directory) => {
            clap_mangen::generate_to(Cli::command(), directory).map_err(|source| CliError::Io {
                context: format!("could not write the man pages into {}", directory.display()),
                source,
            })
        }
        None => man_page(),
    }
}

fn man_page() -> Result<(), CliError> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|source| CliError::Io {
            context: "could not render the man page".into(),
            source,
        })?;
    write_stdout(&page)
}

fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|source| CliError::Io {
            context: "could not write to stdout".into(),
            source,
        })
}
