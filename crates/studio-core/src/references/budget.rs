//! The one process-wide bound on the memory reference images take while they are read and decoded.
//!
//! Every image import (a file by path, a paste, a gallery image made a reference, the CLI's `--ref`) works
//! out from the image's header what it will hold at its peak (file bytes, decoded pixels, the downscale's
//! copies) and takes that many bytes from one [`Budget`] before it reads or decodes; it waits while others
//! hold too much. A byte budget rather than a count of decodes: a 1 MP paste and a 100 MP panorama differ
//! a hundredfold, and a fixed count either starves the small or lets the large add up (four 1 MB PNG
//! bombs once reached 3.5 GB). Videos are streamed, never decoded, and take nothing.

use std::sync::{Condvar, Mutex, MutexGuard};

/// What all imports together may hold at once. Sized so that 14 references of any accepted size stay
/// under about 600 MB of peak RSS with the app's own baseline (docs/benchmarks.md measures it); an image
/// whose estimate is larger than this alone is refused by name before it is read.
pub const DECODE_BUDGET_BYTES: u64 = 448 << 20;

/// A byte semaphore.
pub struct Budget {
    capacity: u64,
    state: Mutex<State>,
    freed: Condvar,
}

#[derive(Debug, Default, Clone, Copy)]
struct State {
    used: u64,
    in_flight: u32,
    peak_used: u64,
    peak_in_flight: u32,
    /// Tickets: permits are granted in the order they were asked for, so a large import is not starved
    /// by a stream of small ones that would each fit beside the others.
    next_ticket: u64,
    serving: u64,
}

/// What a budget has seen: what it holds now and the most it held at once since the last
/// [`Budget::reset_peaks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetStats {
    pub capacity: u64,
    pub used: u64,
    pub in_flight: u32,
    pub peak_used: u64,
    pub peak_in_flight: u32,
}

/// Bytes taken from a [`Budget`], given back when dropped.
#[must_use = "the bytes are given back as soon as the permit is dropped"]
pub struct Permit<'a> {
    budget: &'a Budget,
    bytes: u64,
}

impl Permit<'_> {
    /// The bytes this permit holds.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut s = self.budget.lock();
        s.used -= self.bytes;
        s.in_flight -= 1;
        drop(s);
        self.budget.freed.notify_all();
    }
}

impl Budget {
    pub const fn new(capacity: u64) -> Self {
        Budget {
            capacity,
            state: Mutex::new(State {
                used: 0,
                in_flight: 0,
                peak_used: 0,
                peak_in_flight: 0,
                next_ticket: 0,
                serving: 0,
            }),
            freed: Condvar::new(),
        }
    }

    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    // The state is plain counters, each update complete under the lock: a panic elsewhere cannot leave
    // them half-written, so a poisoned lock is still good.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes `bytes` (at most the whole capacity), waiting until that much is free and every earlier
    /// request has been served.
    pub fn acquire(&self, bytes: u64) -> Permit<'_> {
        let bytes = bytes.min(self.capacity);
        let mut s = self.lock();
        let ticket = s.next_ticket;
        s.next_ticket += 1;
        while s.serving != ticket || s.used + bytes > self.capacity {
            s = self.freed.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        s.serving += 1;
        s.used += bytes;
        s.in_flight += 1;
        s.peak_used = s.peak_used.max(s.used);
        s.peak_in_flight = s.peak_in_flight.max(s.in_flight);
        drop(s);
        // The next ticket may fit beside this one.
        self.freed.notify_all();
        Permit {
            budget: self,
            bytes,
        }
    }

    pub fn stats(&self) -> BudgetStats {
        let s = *self.lock();
        BudgetStats {
            capacity: self.capacity,
            used: s.used,
            in_flight: s.in_flight,
            peak_used: s.peak_used,
            peak_in_flight: s.peak_in_flight,
        }
    }

    /// Starts the peaks again from what is held now.
    pub fn reset_peaks(&self) {
        let mut s = self.lock();
        s.peak_used = s.used;
        s.peak_in_flight = s.in_flight;
    }
}

static GLOBAL: Budget = Budget::new(DECODE_BUDGET_BYTES);

/// The budget every reference import shares.
pub fn global() -> &'static Budget {
    &GLOBAL
}

/// Maps `f` over `items` on up to one thread per core; results in input order.
///
/// Not rayon: these tasks wait on the budget, and a budget holder's downscale runs on rayon's pool. With
/// every pool thread parked waiting for bytes, a holder that is not itself a pool thread (a paste) would
/// wait forever for its parallel rows.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(&f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(done) => done,
                // A panic in `f` is a bug; carry it to the caller as rayon would.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn holders_never_exceed_the_capacity() {
        let budget = Budget::new(100);
        let inside = AtomicU32::new(0);
        let most = AtomicU32::new(0);
        let items: Vec<u64> = (0..16).map(|i| 30 + i % 3 * 10).collect();
        let got = par_map(&items, |&want| {
            let p = budget.acquire(want);
            let n = inside.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(n, Ordering::SeqCst);
            std::thread::yield_now();
            inside.fetch_sub(1, Ordering::SeqCst);
            p.bytes()
        });
        assert_eq!(got, items);
        let s = budget.stats();
        assert!(s.peak_used <= 100, "{s:?}");
        assert_eq!((s.used, s.in_flight), (0, 0));
        // 30..50 bytes each in 100: never more than three at once.
        assert!(most.load(Ordering::SeqCst) <= 3);
    }

    /// A large request waits for room, and small ones asked for after it wait behind it instead of
    /// taking the room as it frees.
    #[test]
    fn permits_are_granted_in_order() {
        let budget = Budget::new(100);
        let order = Mutex::new(Vec::new());
        let first = budget.acquire(60);
        std::thread::scope(|s| {
            s.spawn(|| {
                let _p = budget.acquire(95);
                order.lock().unwrap().push("large");
            });
            while budget.lock().next_ticket < 2 {
                std::thread::yield_now();
            }
            s.spawn(|| {
                let _p = budget.acquire(10);
                order.lock().unwrap().push("small");
            });
            while budget.lock().next_ticket < 3 {
                std::thread::yield_now();
            }
            // The small one would fit beside `first`, but the large one asked first (and 95 + 10 is over
            // 100, so the small one can only follow once the large one is done).
            assert!(order.lock().unwrap().is_empty());
            drop(first);
        });
        assert_eq!(*order.lock().unwrap(), ["large", "small"]);
    }

    #[test]
    fn a_request_larger_than_the_capacity_takes_all_of_it() {
        let budget = Budget::new(10);
        let p = budget.acquire(1_000);
        assert_eq!(p.bytes(), 10);
        drop(p);
        assert_eq!(budget.stats().used, 0);
    }
}
