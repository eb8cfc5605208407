//! The control queue between the JS thread and a codec's worker. Unlike a channel, the JS
//! thread can empty it at reset/close, so queued inputs give back their permits at once.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

pub struct Inbox<T> {
    /// The queued messages, and whether the queue is closed.
    queue: Mutex<(VecDeque<T>, bool)>,
    ready: Condvar,
}

impl<T> Default for Inbox<T> {
    fn default() -> Self {
        Self { queue: Mutex::new((VecDeque::new(), false)), ready: Condvar::new() }
    }
}

impl<T> Inbox<T> {
    fn lock(&self) -> MutexGuard<'_, (VecDeque<T>, bool)> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a message; false once closed.
    pub fn push(&self, message: T) -> bool {
        let mut queue = self.lock();
        if queue.1 {
            return false;
        }
        queue.0.push_back(message);
        self.ready.notify_one();
        true
    }

    /// The next message, waiting for one; `None` once closed.
    pub fn pop(&self) -> Option<T> {
        let mut queue = self.lock();
        loop {
            if queue.1 {
                return None;
            }
            if let Some(message) = queue.0.pop_front() {
                return Some(message);
            }
            queue = self.ready.wait(queue).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Drops every queued message (outside the lock); returns how many there were.
    pub fn drain(&self) -> u32 {
        let drained: Vec<_> = self.lock().0.drain(..).collect();
        drained.len() as u32
    }

    /// Closes the queue for good, dropping what it holds.
    pub fn close(&self) {
        let drained: Vec<_> = {
            let mut queue = self.lock();
            queue.1 = true;
            queue.0.drain(..).collect()
        };
        drop(drained);
        self.ready.notify_all();
    }
}
