//! The worker thread of one codec instance: owns the engine session for its lifetime and
//! runs the control queue's commands in order. It never calls into JS and never waits on
//! JS; results go back through the [`Mailbox`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use engine::EngineError;
use engine::Session as _;
use tokio::sync::Semaphore;

use crate::codec::gate::{Gate, Permit};
use crate::codec::inbox::Inbox;
use crate::codec::mailbox::Mailbox;
use crate::codec::protocol::{Codec, Command, Event, Output};

/// An open engine session and the generation it was configured in.
struct Session<C: Codec> {
    generation: u64,
    inner: C::Session,
}

pub struct Worker<C: Codec> {
    pub commands: Arc<Inbox<Command<C>>>,
    pub mailbox: Arc<Mailbox<Event<C>>>,
    /// The JS thread's configure generation: work of any other is stale.
    pub generation: Arc<AtomicU64>,
    pub gate: Arc<Semaphore>,
}

impl<C: Codec> Worker<C> {
    pub fn run(self) {
        let mut session: Option<Session<C>> = None;
        while let Some(command) = self.commands.pop() {
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.execute(&mut session, command)));
            if outcome.is_err() {
                session = None;
                let generation = self.generation.load(Ordering::SeqCst);
                self.fail(generation, EngineError::encoding(format!("{} failed internally", C::NAME)));
            }
            if !self.mailbox.send(Event::Done) {
                break;
            }
        }
        // An encoder's session may still reference input frames (lookahead, frames read
        // in place): drop it before saying so.
        drop(session);
        self.mailbox.send(Event::Finished);
        self.mailbox.release();
    }

    fn current(&self, generation: u64) -> bool {
        generation == self.generation.load(Ordering::SeqCst)
    }

    fn fail(&self, generation: u64, error: EngineError) {
        self.mailbox.send(Event::Error { generation, error });
    }

    fn execute(&self, session: &mut Option<Session<C>>, command: Command<C>) {
        match command {
            Command::Configure { generation, config } if self.current(generation) => {
                // A reconfigure first delivers what the old session still holds; a session
                // from before a reset is dropped with whatever it holds.
                if let Some(mut old) = session.take().filter(|old| old.generation == generation) {
                    if let Err(error) = old.inner.flush(&mut |output| self.emit(generation, output)) {
                        return self.fail(generation, error);
                    }
                }
                match C::Session::open(config) {
                    Ok(inner) => *session = Some(Session { generation, inner }),
                    Err(error) => self.fail(generation, error),
                }
            }
            Command::Fail { generation, error } if self.current(generation) => {
                *session = None;
                self.fail(generation, error);
            }
            Command::Input { generation, input, permit } if self.current(generation) => {
                self.mailbox.send(Event::Dequeued { generation });
                let Some(open) = session.as_mut().filter(|open| open.generation == generation) else { return };
                let result = open.inner.push(input, &mut |output| self.emit(generation, output));
                // The input is consumed: its permit (encoders) goes back now.
                drop(permit);
                if let Err(error) = result {
                    *session = None;
                    self.fail(generation, error);
                }
            }
            Command::Flush { generation, id } if self.current(generation) => {
                let result = match session.as_mut().filter(|open| open.generation == generation) {
                    Some(open) => open.inner.flush(&mut |output| self.emit(generation, output)),
                    None => Ok(()),
                };
                match result {
                    Ok(()) => {
                        self.mailbox.send(Event::Flushed { generation, id });
                    }
                    Err(error) => {
                        *session = None;
                        self.fail(generation, error);
                    }
                }
            }
            // From before a reset: dropped unprocessed.
            _ => {}
        }
    }

    fn emit(&self, generation: u64, output: Output<C>) {
        if !self.current(generation) {
            return;
        }
        let permit = match C::GATE {
            Gate::Inputs => None,
            // Waits here, on the worker, while 16 decoded outputs await the JS thread.
            Gate::Outputs => match Permit::acquire(&self.gate) {
                Some(permit) => Some(permit),
                None => return,
            },
        };
        if self.current(generation) {
            self.mailbox.send(Event::Output { generation, output, permit });
        }
    }
}
