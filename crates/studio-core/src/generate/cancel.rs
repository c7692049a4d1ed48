//! Cooperative cancellation of a generation.
//!
//! Aborting the task from outside cannot tell the caller what happened: the save may already have
//! written everything. So the generation itself watches a token. Before the save begins, a cancel drops
//! the requests in flight (their connections close) and nothing is saved; once the save has begun it
//! runs to the end, and the result says a cancel arrived too late (`GenerationResult::cancel_too_late`).

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

/// A cancel request shared between the one who may cancel and the generation. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    cancelled: AtomicBool,
    notify: Notify,
}

impl CancelToken {
    /// A token nobody has cancelled yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the generation to stop. Idempotent.
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Completes once [`CancelToken::cancel`] has been called (at once if it already was).
    pub async fn cancelled(&self) {
        loop {
            let notified = self.0.notify.notified();
            tokio::pin!(notified);
            // Registered before the flag is read, so a cancel between the two is not missed.
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }

    /// Runs `work` unless the token is cancelled first; then `work` is dropped and `None` returned.
    pub(crate) async fn run<T>(&self, work: impl Future<Output = T>) -> Option<T> {
        tokio::select! {
            biased;
            _ = self.cancelled() => None,
            out = work => Some(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_cancel_stops_pending_work_and_later_waits_return_at_once() {
        let t = CancelToken::new();
        let other = t.clone();
        let canceller = tokio::spawn(async move {
            tokio::task::yield_now().await;
            other.cancel();
        });
        let out = t.run(std::future::pending::<()>()).await;
        assert_eq!(out, None);
        canceller.await.unwrap();
        assert!(t.is_cancelled());
        assert_eq!(t.run(async { 1 }).await, None, "biased to the cancel");
        assert_eq!(CancelToken::new().run(async { 1 }).await, Some(1));
    }
}
