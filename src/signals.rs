//! The signals that stop a run early, and the exit code each one gets (128 + its number, as
//! shells report it), so scripts can tell an interrupted export from a failed one.

/// Why a run was stopped from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Ctrl-C (SIGINT).
    Interrupt,
    /// SIGHUP: the terminal went away.
    Hangup,
    /// SIGTERM: a service manager or `kill`.
    Terminate,
}

impl Stop {
    pub fn name(self) -> &'static str {
        match self {
            Stop::Interrupt => "SIGINT",
            Stop::Hangup => "SIGHUP",
            Stop::Terminate => "SIGTERM",
        }
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Stop::Interrupt => 130,
            Stop::Hangup => 129,
            Stop::Terminate => 143,
        }
    }
}

/// SIGTERM and SIGHUP, and SIGINT when asked for (the browser reads Ctrl-C as a key). Each is
/// watched from `new` on, so a signal that arrives before the first `next` is not lost to the
/// default action (which would end the process without its exit code or its clean-up).
pub struct StopSignals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
    #[cfg(not(unix))]
    interrupt: bool,
}

impl StopSignals {
    pub fn new(interrupt: bool) -> std::io::Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignals {
                interrupt: interrupt
                    .then(|| signal(SignalKind::interrupt()))
                    .transpose()?,
                terminate: signal(SignalKind::terminate())?,
                hangup: signal(SignalKind::hangup())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignals { interrupt })
        }
    }

    /// The next stop signal.
    pub async fn next(&mut self) -> Stop {
        #[cfg(unix)]
        {
            let interrupt = async {
                if let Some(interrupt) = &mut self.interrupt
                    && interrupt.recv().await.is_some()
                {
                    Stop::Interrupt
                } else {
                    std::future::pending().await
                }
            };
            tokio::select! {
                stop = interrupt => stop,
                _ = self.terminate.recv() => Stop::Terminate,
                _ = self.hangup.recv() => Stop::Hangup,
            }
        }
        #[cfg(not(unix))]
        {
            if self.interrupt && tokio::signal::ctrl_c().await.is_ok() {
                Stop::Interrupt
            } else {
                std::future::pending().await
            }
        }
    }
}
