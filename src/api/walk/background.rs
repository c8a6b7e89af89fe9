//! Work the user does not wait on: "select every matching contact", exports started from the
//! browser, and the count. The page the user asked for goes ahead of all of it, and all of it
//! shares one governor, so they keep under one limit of requests in flight; the pace and the
//! pause after a 429 are the account's, shared through the client with the user's own pages.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

use super::governor::Governor;
use super::{DEFAULT_CONCURRENCY, INITIAL_CONCURRENCY};

/// The largest round background work's slow start doubles to before an unknown limit is met;
/// then its rounds grow by one. Doubling on to 16 lets a walk meet a 10/s bucket with a round
/// of 16 just after a round of 8 emptied it, most of the 16 refused: the likely cause of the
/// count's 16 of 78 refused in one run in five on a quiet machine.
const BACKGROUND_DOUBLING: usize = 8;

/// What every piece of background work of one session shares; cheap to clone.
#[derive(Clone)]
pub struct Background {
    governor: Arc<Governor>,
    foreground: Arc<Foreground>,
}

/// How many pages the user is waiting for, and a wake-up for when there are none.
#[derive(Default)]
struct Foreground {
    waiting: AtomicUsize,
    idle: Notify,
}

impl std::fmt::Debug for Background {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Background")
            .field(
                "foreground_waits",
                &self.foreground.waiting.load(Ordering::SeqCst),
            )
            .finish_non_exhaustive()
    }
}

impl Default for Background {
    fn default() -> Self {
        Background {
            governor: Arc::new(
                Governor::new(INITIAL_CONCURRENCY, DEFAULT_CONCURRENCY)
                    .doubling_up_to(BACKGROUND_DOUBLING),
            ),
            foreground: Arc::default(),
        }
    }
}

impl Background {
    /// Marks a page the user waits for; background requests hold back until it is dropped
    /// (the page arrived, failed or was abandoned).
    pub fn foreground_wait(&self) -> ForegroundWait {
        self.foreground.waiting.fetch_add(1, Ordering::SeqCst);
        ForegroundWait(Arc::clone(&self.foreground))
    }

    /// Returns once no page the user waits for is in flight. Requests already sent go on: only
    /// the next ones wait.
    pub(super) async fn yield_to_foreground(&self) {
        loop {
            let idle = self.foreground.idle.notified();
            if self.foreground.waiting.load(Ordering::SeqCst) == 0 {
                return;
            }
            idle.await;
        }
    }

    pub(super) fn governor(&self) -> Arc<Governor> {
        Arc::clone(&self.governor)
    }
}

/// A page the user waits for, from request to reply.
pub struct ForegroundWait(Arc<Foreground>);

impl Drop for ForegroundWait {
    fn drop(&mut self) {
        if self.0.waiting.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn background_work_waits_until_the_users_page_is_in() {
        let background = Background::default();
        let wait = background.foreground_wait();
        let yielding = tokio::spawn({
            let background = background.clone();
            async move { background.yield_to_foreground().await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!yielding.is_finished(), "it went ahead of the user's page");
        drop(wait);
        tokio::time::timeout(Duration::from_secs(10), yielding)
            .await
            .expect("it never went on after the user's page came in")
            .expect("the yielding task failed");
    }

    #[tokio::test]
    async fn background_work_goes_on_at_once_when_the_user_waits_for_nothing() {
        let background = Background::default();
        drop(background.foreground_wait());
        tokio::time::timeout(Duration::from_secs(10), background.yield_to_foreground())
            .await
            .expect("it waited with no page in flight");
    }
}
