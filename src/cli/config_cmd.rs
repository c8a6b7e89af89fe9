//! `inbox-tui config`: where the config file is, whether it is right, and saving a token without
//! it ever touching the command line or the screen.

use std::io::{self, IsTerminal, Read, Write};

use clap::Subcommand;

use super::{CliError, ConfigLocation};
use crate::api::Token;
use crate::config::{self, Config};

#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub location: ConfigLocation,

    #[command(subcommand)]
    pub command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the path of the config file (it need not exist: then the defaults are in use)
    Path(ConfigLocation),
    /// Check the config file; print each problem with its line and key (exit 1 if any)
    Check(ConfigLocation),
    /// Save the API token of a profile (--profile, else default_profile, else "main") to its
    /// token file, readable only by you, or with --keyring to the OS keychain. Reads it without
    /// echo from the terminal, or from standard input when that is a pipe
    SetToken(SetTokenArgs),
}

#[derive(Debug, clap::Args)]
pub struct SetTokenArgs {
    #[command(flatten)]
    pub location: ConfigLocation,

    /// Keep the token in the OS keychain (macOS Keychain, Windows Credential Manager, the
    /// Secret Service on Linux) instead of a file; the file is the fallback when the keychain
    /// cannot be reached. Needs a build with `--features keyring`
    #[arg(long)]
    pub keyring: bool,
}

impl ConfigArgs {
    /// The file and profile: the subcommand's flags, else `config`'s, else `outer`'s.
    pub fn location(&self, outer: &ConfigLocation) -> ConfigLocation {
        let own = match &self.command {
            ConfigCommand::Path(location)
            | ConfigCommand::Check(location)
            | ConfigCommand::SetToken(SetTokenArgs { location, .. }) => location.clone(),
        };
        own.or(&self.location.clone().or(outer))
    }
}

/// The profile `set-token` fills when none is named and the config has no default.
const FIRST_PROFILE: &str = "main";

/// Runs `config path`, `config check` or `config set-token` on the file `location` names.
pub fn run(args: &ConfigArgs, location: &ConfigLocation) -> Result<(), CliError> {
    match args.command {
        ConfigCommand::Path(_) => {
            println!(
                "{}",
                config::config_path(location.config.as_deref())?.display()
            );
            Ok(())
        }
        ConfigCommand::Check(_) => {
            let loaded = match location.load() {
                Err(CliError::Config(error)) => return Err(CliError::ConfigCheck(error)),
                other => other?,
            };
            let note = if loaded.path.exists() {
                ""
            } else {
                " (there is no file: the defaults are in use)"
            };
            println!("config OK: {}{note}", loaded.path.display());
            Ok(())
        }
        ConfigCommand::SetToken(SetTokenArgs { keyring, .. }) => {
            if keyring && !config::keychain::AVAILABLE {
                return Err(CliError::Usage(config::keychain::NOT_BUILT.into()));
            }
            // The one command that may name a file not yet there: it writes it.
            let loaded = Config::load(location.config.as_deref())?;
            let profile = location
                .profile
                .as_deref()
                .or(loaded.config.default_profile())
                .unwrap_or(FIRST_PROFILE);
            let token = read_token(profile)?;
            if keyring {
                match loaded.config.save_token_to_keychain(profile, &token) {
                    Ok(()) => {
                        println!("saved the token of profile {profile:?} to the OS keychain");
                        return Ok(());
                    }
                    Err(reason) => super::warn(&format!(
                        "could not use the OS keychain ({reason}); saving to a file instead"
                    )),
                }
            }
            let path = loaded.config.save_token(profile, &token)?;
            println!(
                "saved the token of profile {profile:?} to {} (readable only by you)",
                path.display()
            );
            Ok(())
        }
    }
}

/// Reads the token without echo from the terminal, or as-is from a pipe (for scripts). It goes
/// straight into a `Token`, whose `Debug` is redacted.
fn read_token(profile: &str) -> Result<Token, CliError> {
    let stdin = io::stdin();
    let read = if stdin.is_terminal() {
        super::say_inline(format_args!(
            "API token for profile {profile:?} (More → Developer → API Access Token; typing is hidden): "
        ));
        let _ = io::stderr().flush();
        rpassword::read_password()
    } else {
        let mut text = String::new();
        stdin.lock().read_to_string(&mut text).map(|_| text)
    };
    let token = Token::new(read.map_err(|source| CliError::Io {
        context: "could not read the token".into(),
        source,
    })?);
    if token.expose().is_empty() {
        return Err(CliError::Usage(
            "no token given: paste it at the prompt, or pipe it in, e.g. \
             `inbox-tui config set-token < token.txt`"
                .into(),
        ));
    }
    if token
        .expose()
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(CliError::Usage(
            "the token has spaces or control characters in it; copy it again from the web panel"
                .into(),
        ));
    }
    Ok(token)
}
