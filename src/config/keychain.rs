//! The OS keychain as the home of a profile's token (`token_keyring = true`): the Keychain on
//! macOS, the Credential Manager on Windows, the Secret Service on Linux. It needs the `keyring`
//! cargo feature, off by default: on Linux it brings a D-Bus stack and its cryptography, and it
//! only works where a Secret Service runs, which servers and CI machines lack. The 0600 token
//! file stays the default, and the fallback when the keychain cannot be reached.

/// The keychain service the tokens are filed under; the account is the profile's name.
pub const SERVICE: &str = "inbox-tui";

/// Whether this build can reach the keychain.
pub const AVAILABLE: bool = cfg!(feature = "keyring");

/// What to do in a build without the feature.
pub const NOT_BUILT: &str = "this inbox-tui was built without the OS keychain; install it with \
    `cargo install --path . --features keyring`, or keep the token in a file readable only by you \
    (`inbox-tui config set-token` without --keyring)";

/// The token filed for `profile`. Errors never hold the token.
#[cfg(feature = "keyring")]
pub fn read(profile: &str) -> Result<String, String> {
    keyring::Entry::new(SERVICE, profile)
        .and_then(|entry| entry.get_password())
        .map_err(|error| error.to_string())
}

/// Files `token` for `profile`, replacing any token filed before.
#[cfg(feature = "keyring")]
pub fn write(profile: &str, token: &str) -> Result<(), String> {
    keyring::Entry::new(SERVICE, profile)
        .and_then(|entry| entry.set_password(token))
        .map_err(|error| error.to_string())
}

#[cfg(not(feature = "keyring"))]
pub fn read(_profile: &str) -> Result<String, String> {
    Err(NOT_BUILT.to_owned())
}

#[cfg(not(feature = "keyring"))]
pub fn write(_profile: &str, _token: &str) -> Result<(), String> {
    Err(NOT_BUILT.to_owned())
}
