//! The worker thread of one `ImageDecoder`: owns its engine [`ImageSession`], takes the
//! image's bytes as they arrive and the decode requests in order, and answers each as
//! soon as the bytes it needs are in. Like the codec workers, it never calls into JS and
//! never waits on JS; answers go back through a [`Mailbox`].

use std::collections::VecDeque;
use std::sync::Arc;

use engine::image::{DecodedImage, ImageSession, TrackInfo};
use engine::EngineError;

use crate::codec::inbox::Inbox;
use crate::codec::mailbox::Mailbox;
use crate::memory::per_env::PerEnv;

/// From the JS thread.
pub enum Command {
    /// More of the encoded image.
    Data(Vec<u8>),
    /// The end of the data (`[[complete]]`).
    End,
    Decode {
        id: u64,
        index: u32,
    },
    /// `reset()`: the JS thread rejected every pending decode; drop them here too.
    Reset,
}

/// To the JS thread.
pub enum Event {
    /// The track is known, or changed (a frame count grown as data arrived).
    Track(TrackInfo),
    /// All data is in and the track is final.
    Completed,
    Decoded {
        id: u64,
        result: Result<DecodedImage, EngineError>,
    },
    /// The data is no image: the decoder closes with this error.
    Fatal(EngineError),
    /// One command was handled (liveness accounting).
    Done,
}

struct Worker {
    session: ImageSession,
    commands: Arc<Inbox<Command>>,
    mailbox: Arc<Mailbox<Event>>,
    pending: VecDeque<(u64, u32)>,
    track: Option<TrackInfo>,
    completed: bool,
    failed: bool,
}

/// Starts the worker for `session`; it ends when `commands` closes.
pub fn start(
    per_env: &PerEnv,
    session: ImageSession,
    commands: Arc<Inbox<Command>>,
    mailbox: Arc<Mailbox<Event>>,
) -> Result<(), EngineError> {
    let worker = Worker {
        session,
        commands: commands.clone(),
        mailbox,
        pending: VecDeque::new(),
        track: None,
        completed: false,
        failed: false,
    };
    let thread = std::thread::Builder::new()
        .name("webcodecs-ImageDecoder".into())
        .spawn(move || worker.run())
        .map_err(|e| EngineError::QuotaExceeded(format!("cannot start an image decoder thread: {e}")))?;
    per_env.track(Box::new(move || commands.close()), thread);
    Ok(())
}

impl Worker {
    fn run(mut self) {
        while let Some(command) = self.commands.pop() {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.handle(command)));
            if outcome.is_err() && !self.failed {
                self.failed = true;
                self.mailbox.send(Event::Fatal(EngineError::encoding("the image decoder failed internally")));
            }
            if !self.mailbox.send(Event::Done) {
                break;
            }
        }
        drop(self.session);
        self.mailbox.release();
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Data(bytes) => self.session.append(bytes),
            Command::End => self.session.finish(),
            Command::Decode { id, index } => self.pending.push_back((id, index)),
            Command::Reset => self.pending.clear(),
        }
        if !self.failed {
            self.progress();
        }
    }

    /// Everything the data now allows: the track, completion, and pending decodes in
    /// the order they were asked for.
    fn progress(&mut self) {
        if self.track.is_none() || (self.session.is_complete() && !self.completed) {
            match self.session.track() {
                Ok(Some(track)) => {
                    if self.track != Some(track) {
                        self.track = Some(track);
                        self.mailbox.send(Event::Track(track));
                    }
                }
                Ok(None) => {}
                Err(error) => {
                    self.failed = true;
                    // Establish Tracks step 2.1: data that will never show a track closes
                    // the decoder with InvalidStateError; later, the data is at fault.
                    let error = match self.track {
                        None => EngineError::InvalidState(format!("no image track in the data: {}", error.message())),
                        Some(_) => error,
                    };
                    self.mailbox.send(Event::Fatal(error));
                    return;
                }
            }
            if self.session.is_complete() && self.track.is_some() {
                self.completed = true;
                self.mailbox.send(Event::Completed);
            }
        }
        while let Some(&(id, index)) = self.pending.front() {
            let result = match self.session.decode(index) {
                Ok(Some(image)) => Ok(image),
                Ok(None) => return,
                Err(error) => Err(error),
            };
            self.pending.pop_front();
            self.mailbox.send(Event::Decoded { id, result });
        }
    }
}
