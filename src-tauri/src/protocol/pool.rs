//! A small fixed pool of worker threads behind a bounded queue, for the `studio://` scheme.
//!
//! The webview asks for dozens of thumbnails at once while the gallery scrolls; a thread per request (as
//! before) grew without bound and decoded the same missing thumbnail once per request. Here a few workers
//! take jobs from a bounded queue; when it is full the caller is told at once (the scheme answers 503) rather
//! than queueing more. Jobs carry a key (the route): a second request for a key already queued or running
//! joins it and gets the same answer, so two requests for one missing thumbnail wait for one decode.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};

/// Where a job's answer goes.
pub type Reply<T> = Box<dyn FnOnce(T) + Send>;

type Waiters<T> = Arc<Mutex<HashMap<String, Vec<Reply<T>>>>>;

struct Job<T> {
    key: String,
    work: Box<dyn FnOnce() -> T + Send>,
}

/// How a submitted request was taken.
#[derive(Debug, PartialEq, Eq)]
pub enum Taken {
    /// Queued as a new job.
    Queued,
    /// Joined a job already queued or running for the same key.
    Joined,
}

pub struct Pool<T> {
    tx: SyncSender<Job<T>>,
    waiters: Waiters<T>,
}

fn lock<V>(m: &Mutex<V>) -> MutexGuard<'_, V> {
    // A reply that panicked leaves the map whole (entries are inserted and removed in single steps).
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<T: Clone + Send + 'static> Pool<T> {
    /// Starts `workers` threads sharing a queue of at most `queue` waiting jobs. `on_panic` is the answer
    /// sent when a job panics, so no request is left without one.
    pub fn new(name: &str, workers: usize, queue: usize, on_panic: fn() -> T) -> std::io::Result<Pool<T>> {
        let (tx, rx) = sync_channel::<Job<T>>(queue);
        let rx = Arc::new(Mutex::new(rx));
        let waiters: Waiters<T> = Arc::default();
        for i in 0..workers.max(1) {
            let rx = Arc::clone(&rx);
            let waiters = Arc::clone(&waiters);
            std::thread::Builder::new().name(format!("{name}-{i}")).spawn(move || loop {
                // The receiver's lock is held only while waiting for the next job, not while running it.
                let job = match lock(&rx).recv() {
                    Ok(job) => job,
                    Err(_) => return, // the pool was dropped
                };
                let out = catch_unwind(AssertUnwindSafe(job.work)).unwrap_or_else(|_| on_panic());
                let replies = lock(&waiters).remove(&job.key).unwrap_or_default();
                for reply in replies {
                    // A failing reply must not take the worker with it: the pool would shrink for good.
                    let _ = catch_unwind(AssertUnwindSafe(|| reply(out.clone())));
                }
            })?;
        }
        Ok(Pool { tx, waiters })
    }

    /// Runs `work` on a worker and hands its result to `reply`, or joins the job already pending for `key`
    /// (then `work` is dropped unrun). When the queue is full, `reply` is handed back unused.
    pub fn submit(&self, key: String, work: impl FnOnce() -> T + Send + 'static, reply: Reply<T>) -> Result<Taken, Reply<T>> {
        // Held across the send, so a worker cannot finish this key between the check and the insert.
        let mut waiters = lock(&self.waiters);
        if let Some(list) = waiters.get_mut(&key) {
            list.push(reply);
            return Ok(Taken::Joined);
        }
        match self.tx.try_send(Job { key: key.clone(), work: Box::new(work) }) {
            Ok(()) => {
                waiters.insert(key, vec![reply]);
                Ok(Taken::Queued)
            }
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(reply),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc::channel;
    use std::time::Duration;

    const WAIT: Duration = Duration::from_secs(10);

    /// A job that says it started, then waits for `gate` before answering `value`.
    fn gated(started: std::sync::mpsc::Sender<()>, gate: Arc<(Mutex<bool>, std::sync::Condvar)>, value: u32) -> impl FnOnce() -> u32 + Send {
        move || {
            let _ = started.send(());
            let (open, cv) = &*gate;
            let mut g = lock(open);
            while !*g {
                g = cv.wait(g).unwrap_or_else(|p| p.into_inner());
            }
            value
        }
    }

    fn open(gate: &Arc<(Mutex<bool>, std::sync::Condvar)>) {
        *lock(&gate.0) = true;
        gate.1.notify_all();
    }

    /// Issue 9: a thread per request grew without bound. With one worker busy and the queue (one slot) full,
    /// the next request is handed back at once for a "busy" answer; the others are answered.
    #[test]
    fn a_full_queue_answers_busy_instead_of_growing() {
        let pool = Pool::<u32>::new("test-pool", 1, 1, || 0).unwrap();
        let gate = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
        let (started_tx, started) = channel();
        let (done_tx, done) = channel::<(String, u32)>();
        let reply = |name: &str| -> Reply<u32> {
            let (tx, name) = (done_tx.clone(), name.to_string());
            Box::new(move |v| {
                let _ = tx.send((name, v));
            })
        };
        assert_eq!(pool.submit("a".into(), gated(started_tx.clone(), Arc::clone(&gate), 1), reply("a")).ok(), Some(Taken::Queued));
        started.recv_timeout(WAIT).expect("the worker took the first job");
        assert_eq!(pool.submit("b".into(), || 2, reply("b")).ok(), Some(Taken::Queued));
        let refused = pool.submit("c".into(), || 3, reply("c"));
        let Err(handed_back) = refused else { panic!("a third job must not be queued") };
        handed_back(99);
        assert_eq!(done.recv_timeout(WAIT).unwrap(), ("c".to_string(), 99));
        open(&gate);
        let mut rest = vec![done.recv_timeout(WAIT).unwrap(), done.recv_timeout(WAIT).unwrap()];
        rest.sort();
        assert_eq!(rest, vec![("a".to_string(), 1), ("b".to_string(), 2)]);
    }

    /// Issue 9: two requests for the same missing thumbnail decoded it twice. The second joins the first:
    /// the work runs once and both get its answer.
    #[test]
    fn two_requests_for_one_key_share_one_run() {
        let pool = Pool::<u32>::new("test-pool", 2, 8, || 0).unwrap();
        let runs = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
        let (started_tx, started) = channel();
        let (done_tx, done) = channel::<u32>();
        let job = |value: u32| {
            let (runs, inner) = (Arc::clone(&runs), gated(started_tx.clone(), Arc::clone(&gate), value));
            move || {
                runs.fetch_add(1, Ordering::SeqCst);
                inner()
            }
        };
        let reply = || -> Reply<u32> {
            let tx = done_tx.clone();
            Box::new(move |v| {
                let _ = tx.send(v);
            })
        };
        assert_eq!(pool.submit("thumb/x".into(), job(7), reply()).ok(), Some(Taken::Queued));
        started.recv_timeout(WAIT).expect("the first decode started");
        assert_eq!(pool.submit("thumb/x".into(), job(8), reply()).ok(), Some(Taken::Joined));
        open(&gate);
        assert_eq!(done.recv_timeout(WAIT).unwrap(), 7);
        assert_eq!(done.recv_timeout(WAIT).unwrap(), 7);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Once answered, the key is free again: a later request runs anew.
        assert_eq!(pool.submit("thumb/x".into(), || 9, reply()).ok(), Some(Taken::Queued));
        assert_eq!(done.recv_timeout(WAIT).unwrap(), 9);
    }

    /// A job that panics still answers everyone waiting on it, and the worker lives on.
    #[test]
    fn a_panicking_job_still_answers() {
        let pool = Pool::<u32>::new("test-pool", 1, 4, || 500).unwrap();
        let (tx, rx) = channel();
        let tx2 = tx.clone();
        pool.submit("p".into(), || panic!("boom"), Box::new(move |v| { let _ = tx.send(v); })).ok().unwrap();
        assert_eq!(rx.recv_timeout(WAIT).unwrap(), 500);
        pool.submit("q".into(), || 1, Box::new(move |v| { let _ = tx2.send(v); })).ok().unwrap();
        assert_eq!(rx.recv_timeout(WAIT).unwrap(), 1);
    }

    /// A reply that panics (the webview went away mid-answer) leaves the worker running.
    #[test]
    fn a_panicking_reply_keeps_the_worker() {
        let pool = Pool::<u32>::new("test-pool", 1, 4, || 0).unwrap();
        let (tx, rx) = channel();
        pool.submit("p".into(), || 1, Box::new(|_| panic!("reply failed"))).ok().unwrap();
        pool.submit("q".into(), || 2, Box::new(move |v| { let _ = tx.send(v); })).ok().unwrap();
        assert_eq!(rx.recv_timeout(WAIT).unwrap(), 2);
    }
}
