//! The `inbox-tui` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use inbox_tui::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    let _log_guard = inbox_tui::logging::init(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            cli::say(format_args!(
                "inbox-tui: could not start the async runtime: {error}"
            ));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        // `| head` closed the pipe: the reader has what it wanted.
        Err(error) if error.is_closed_pipe() => ExitCode::SUCCESS,
        Err(error) => {
            cli::say(format_args!(
                "inbox-tui: {}",
                inbox_tui::text::terminal_safe(&error.to_string())
            ));
            ExitCode::from(error.exit_code())
        }
    }
}
