//! Requests meet to find who is asking. Each request's secret waits in one queue;
//! a few runners (one per core, at most one per database connection) each take
//! everything waiting, find all of it in one statement per kind of secret (see
//! [`askers::find_all`]) and answer each request. Under load some dozens of requests
//! share one statement and one hop off the async workers; alone, a request is
//! answered at once by a runner of its own.
//!
//! A request joins the queue before the statement that answers it starts, so a
//! change committed by any instance before the request arrived (a revoked token, a
//! person who left, a task done) is seen by it, as when each request read alone.

use super::askers::{self, Found, Secret};
use super::auth::digest;
use super::{AppError, AppResult, AppState};
use chrono::{DateTime, Utc};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

/// The most requests one statement finds (SQLite binds each hash on its own, and
/// allows some thousands of bound values).
const MOST: usize = 500;

/// The answer to one request, and the instant it was found at.
type Answer = AppResult<(Found, DateTime<Utc>)>;

/// One request waiting to be answered.
struct Waiting {
    kind: Secret,
    hash: String,
    reply: oneshot::Sender<Answer>,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<Waiting>,
    runners: usize,
}

/// The queue of requests waiting to learn who is asking, and its runners.
pub struct Asking {
    queue: Mutex<Queue>,
    /// How many runners may answer at once.
    runners: usize,
    /// Requests answered, and the batches they were answered in.
    answered: AtomicU64,
    batches: AtomicU64,
}

/// What [`Asking::counts`] tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Requests waiting for a runner now.
    pub waiting: usize,
    /// Requests answered since start, and in how many batches.
    pub answered: u64,
    pub batches: u64,
}

impl Asking {
    /// At most `runners` statements out at once (at least one).
    pub fn new(runners: usize) -> Asking {
        Asking {
            queue: Mutex::default(),
            runners: runners.max(1),
            answered: AtomicU64::new(0),
            batches: AtomicU64::new(0),
        }
    }

    /// One runner per core, at most one per connection of a pool of `pool_size`.
    pub fn for_pool(pool_size: u32) -> Asking {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Asking::new(cores.min(pool_size as usize))
    }

    /// How many wait now, and how many were answered in how many batches.
    pub fn counts(&self) -> Counts {
        let waiting = self.queue().waiting.len();
        let (answered, batches) = (self.answered.load(Ordering::Relaxed), self.batches.load(Ordering::Relaxed));
        Counts { waiting, answered, batches }
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Default for Asking {
    fn default() -> Asking {
        Asking::new(2)
    }
}

/// Who is asking with `secret` (a token's or a session's), and the instant the
/// answer holds at (the request's "now" from then on).
pub async fn ask(state: &Arc<AppState>, kind: Secret, secret: &str) -> Answer {
    let (reply, answer) = oneshot::channel();
    let start = {
        let mut q = state.asking.queue();
        q.waiting.push(Waiting { kind, hash: digest(secret), reply });
        let start = q.runners < state.asking.runners;
        q.runners += usize::from(start);
        start
    };
    if start {
        let place = Place(Some(state.clone()));
        tokio::task::spawn_blocking(move || {
            let mut place = place;
            if let Some(state) = place.0.take() {
                run(&state);
            }
        });
    }
    answer.await.map_err(|e| AppError::panicked("finding who is asking", e))?
}

/// A runner's place, given back should its task be dropped before it runs (its
/// runtime shutting down), so that the next request starts another.
struct Place(Option<Arc<AppState>>);

impl Drop for Place {
    fn drop(&mut self) {
        if let Some(state) = self.0.take() {
            state.asking.queue().runners -= 1;
        }
    }
}

/// Answers whatever is waiting until nothing is; then the runner ends.
fn run(state: &AppState) {
    loop {
        let batch = {
            let mut q = state.asking.queue();
            if q.waiting.is_empty() {
                q.runners -= 1;
                return;
            }
            let n = q.waiting.len().min(MOST);
            q.waiting.drain(..n).collect::<Vec<_>>()
        };
        state.asking.batches.fetch_add(1, Ordering::Relaxed);
        state.asking.answered.fetch_add(batch.len() as u64, Ordering::Relaxed);
        // A panic drops the batch's replies, which then answer with an error; the
        // runner goes on with the next.
        if let Err(e) = catch_unwind(AssertUnwindSafe(|| answer(state, batch))) {
            tracing::error!(cause = ?e.downcast_ref::<&str>(), "finding who is asking panicked");
        }
    }
}

/// Finds everyone in `batch` on one connection, one statement per kind of secret.
fn answer(state: &AppState, batch: Vec<Waiting>) {
    let now = state.clock.now();
    let mut conn = match state.pool.get() {
        Ok(conn) => conn,
        Err(e) => return fail(e.into(), batch),
    };
    let (tokens, sessions): (Vec<Waiting>, Vec<Waiting>) = batch.into_iter().partition(|w| w.kind == Secret::Token);
    for (kind, these) in [(Secret::Token, tokens), (Secret::Session, sessions)] {
        if these.is_empty() {
            continue;
        }
        let hashes: Vec<String> = these.iter().map(|w| w.hash.clone()).collect();
        match askers::find_all(&mut conn.any(), &state.directory, kind, &hashes, now) {
            Ok(found) => {
                for (w, found) in these.into_iter().zip(found) {
                    // A request that went away no longer waits for its answer.
                    let _ = w.reply.send(Ok((found, now)));
                }
            }
            Err(e) => fail(e, these),
        }
    }
}

/// Answers everyone in `batch` with `e`: the last with it, the others with a copy.
fn fail(e: AppError, mut batch: Vec<Waiting>) {
    let last = batch.pop();
    for w in batch {
        let _ = w.reply.send(Err(e.copied()));
    }
    if let Some(w) = last {
        let _ = w.reply.send(Err(e));
    }
}
