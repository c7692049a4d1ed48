//! Running generations by job id, so `cancel_generation` can stop one.
//!
//! The backend mints the ids: one a webview made up could name another's job, or (as the same id twice)
//! replace its entry, after which that job could no longer be cancelled. A minted id is never in use.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use studio_core::CancelToken;

/// The cancel tokens of the generations that are running.
#[derive(Default)]
pub struct Jobs(Mutex<HashMap<String, CancelToken>>);

impl Jobs {
    fn map(&self) -> MutexGuard<'_, HashMap<String, CancelToken>> {
        // A panic elsewhere while holding the lock leaves the map itself intact.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a new job under a fresh id that no running job has.
    pub fn start(&self) -> (String, CancelToken) {
        let mut map = self.map();
        loop {
            let id = studio_core::paths::new_id("job_");
            if let std::collections::hash_map::Entry::Vacant(slot) = map.entry(id.clone()) {
                let token = CancelToken::new();
                slot.insert(token.clone());
                return (id, token);
            }
        }
    }

    /// Asks the job to stop; `false` when no running job has that id.
    pub fn cancel(&self, id: &str) -> bool {
        match self.map().get(id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Forgets a job that ended.
    pub fn finish(&self, id: &str) {
        self.map().remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue #9: two jobs never share an id, and cancelling one leaves the other running.
    #[test]
    fn two_jobs_never_collide() {
        let jobs = Jobs::default();
        let started: Vec<_> = (0..1000).map(|_| jobs.start()).collect();
        let ids: std::collections::HashSet<_> = started.iter().map(|(id, _)| id.clone()).collect();
        assert_eq!(ids.len(), started.len());
        let (first, first_token) = &started[0];
        let (second, second_token) = &started[1];
        assert!(jobs.cancel(first));
        assert!(first_token.is_cancelled());
        assert!(!second_token.is_cancelled());
        jobs.finish(first);
        assert!(!jobs.cancel(first), "a finished job is gone");
        assert!(jobs.cancel(second));
        assert!(!jobs.cancel("job_made_up"));
    }
}
