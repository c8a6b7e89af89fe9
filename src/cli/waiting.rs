//! Says on stderr when a headless command waits on a rate limit that gave no usable wait
//! (`Retry-After: 0`, a date in the past, or none): the back-off is exponential and can reach
//! half a minute, and a command that goes quiet that long looks hung.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::api::Client;

/// How often the pace is looked at.
const EVERY: Duration = Duration::from_millis(200);

/// Watches one client's pace while alive; dropping it stops the watching.
pub struct WaitNotices(JoinHandle<()>);

impl WaitNotices {
    pub fn start(client: &Client) -> WaitNotices {
        let client = client.clone();
        WaitNotices(tokio::spawn(async move {
            let mut said = None;
            loop {
                tokio::time::sleep(EVERY).await;
                let Some((until, seconds)) = client.pace().unexplained_wait() else {
                    continue;
                };
                if said != Some(until) {
                    said = Some(until);
                    super::say(format_args!(
                        "waiting {seconds:.1} s: the server refused (429) without a usable \
                         Retry-After, so each wait is twice the last"
                    ));
                }
            }
        }))
    }
}

impl Drop for WaitNotices {
    fn drop(&mut self) {
        self.0.abort();
    }
}
