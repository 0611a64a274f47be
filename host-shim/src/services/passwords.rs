//! Password hashing on its own small, bounded pool of threads.
//!
//! Argon2id is deliberately expensive: each hash or check takes tens of
//! milliseconds of CPU and 19 MiB of memory. Run on tokio's blocking pool
//! (up to 512 threads, shared with every request's token check), a flood of
//! bad logins hashed hundreds of passwords at once: gigabytes of memory, and
//! `/users/me` waiting behind them. Here at most `threads` hashes run at once
//! (about the core count), at most `queue` more wait, and anything beyond is
//! refused at once with [`AppError::Busy`] instead of growing memory. Nothing
//! else runs on these threads, so token checks never wait behind a hash.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::{AppError, AppResult};

/// How big the pool is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPoolConfig {
    /// Hashes running at once; each holds 19 MiB while it runs.
    pub threads: usize,
    /// Hashes waiting for a thread; past this, callers get `Busy`.
    pub queue: usize,
}

impl Default for PasswordPoolConfig {
    /// One thread per core, and 64 waiting: a morning's burst of real
    /// logins queues for well under two seconds, a flood is refused.
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism().map_or(2, usize::from),
            queue: 64,
        }
    }
}

/// Seconds a client is told to wait when the queue is full.
const BUSY_RETRY_AFTER_SECS: u64 = 1;

type Job = Box<dyn FnOnce() + Send>;

/// The pool. Cloning shares it; the threads end when the last clone drops.
#[derive(Clone)]
pub struct PasswordPool {
    jobs: SyncSender<Job>,
}

impl PasswordPool {
    pub fn new(config: PasswordPoolConfig) -> Self {
        let (jobs, receiver) = std::sync::mpsc::sync_channel::<Job>(config.queue);
        let receiver = Arc::new(Mutex::new(receiver));
        for i in 0..config.threads.max(1) {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || work(&receiver));
            if let Err(err) = spawned {
                tracing::error!(%err, "could not start a password hashing thread");
            }
        }
        Self { jobs }
    }

    /// Hashes a new password (Argon2id, random salt) after checking its
    /// length.
    pub async fn hash(&self, password: String) -> AppResult<String> {
        check_length(&password)?;
        self.run(move || hash_password(&password)).await?
    }

    /// Whether `password` matches the encoded hash.
    pub async fn verify(&self, password: String, encoded: String) -> AppResult<bool> {
        self.run(move || verify_password(&password, &encoded)).await
    }

    /// [`hash`](Self::hash) for synchronous callers (tools and tests); blocks
    /// the calling thread, never a pool thread.
    pub fn hash_blocking(&self, password: String) -> AppResult<String> {
        check_length(&password)?;
        self.run_blocking(move || hash_password(&password))?
    }

    /// [`verify`](Self::verify) for synchronous callers.
    pub fn verify_blocking(&self, password: String, encoded: String) -> AppResult<bool> {
        self.run_blocking(move || verify_password(&password, &encoded))
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        self.submit(Box::new(move || {
            let _ = done.send(work());
        }))?;
        result.await.map_err(|_| lost())
    }

    fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let (done, result) = std::sync::mpsc::sync_channel(1);
        self.submit(Box::new(move || {
            let _ = done.send(work());
        }))?;
        result.recv().map_err(|_| lost())
    }

    fn submit(&self, job: Job) -> AppResult<()> {
        match self.jobs.try_send(job) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(AppError::Busy {
                retry_after_secs: BUSY_RETRY_AFTER_SECS,
            }),
            Err(TrySendError::Disconnected(_)) => Err(lost()),
        }
    }
}

fn work(receiver: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while taking a job, not while running it.
        let job = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        // A panic inside Argon2 must not shrink the pool: the job's result
        // channel drops and its caller gets an internal error.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    }
}

fn lost() -> AppError {
    AppError::Internal("password hashing thread stopped".into())
}

pub const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_BYTES: usize = 72;

fn check_length(password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::Invalid(format!(
            "password: {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_BYTES} characters"
        )));
    }
    Ok(())
}

fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

fn verify_password(password: &str, encoded: &str) -> bool {
    // Longer than any password we accept: not worth hashing.
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    PasswordHash::new(encoded).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_and_verifies_on_the_pool() {
        let pool = PasswordPool::new(PasswordPoolConfig {
            threads: 1,
            queue: 4,
        });
        let hash = pool.hash_blocking("correct horse".into()).unwrap();
        assert!(pool.verify_blocking("correct horse".into(), hash.clone()).unwrap());
        assert!(!pool.verify_blocking("wrong horse!".into(), hash).unwrap());
        assert!(matches!(
            pool.hash_blocking("short".into()),
            Err(AppError::Invalid(_))
        ));
    }

    #[test]
    fn a_full_queue_refuses_at_once() {
        let pool = PasswordPool::new(PasswordPoolConfig {
            threads: 1,
            queue: 1,
        });
        // Hold the only thread until released.
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started, is_started) = std::sync::mpsc::channel::<()>();
        pool.submit(Box::new(move || {
            let _ = started.send(());
            let _ = wait.recv();
        }))
        .unwrap();
        is_started.recv().unwrap();
        // One may wait; the next is refused.
        pool.submit(Box::new(|| {})).unwrap();
        assert!(matches!(
            pool.submit(Box::new(|| {})),
            Err(AppError::Busy { .. })
        ));
        release.send(()).unwrap();
        // Once the queue drains, work is accepted again.
        let mut result = pool.verify_blocking("whatever1".into(), "not a hash".into());
        for _ in 0..100 {
            if !matches!(result, Err(AppError::Busy { .. })) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            result = pool.verify_blocking("whatever1".into(), "not a hash".into());
        }
        assert_eq!(result, Ok(false));
    }
}
