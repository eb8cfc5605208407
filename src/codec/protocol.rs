//! What one codec class adds to the shared machinery ([`Codec`]), and the messages the
//! JS thread and a codec's worker exchange ([`Command`] down, [`Event`] up).

use std::sync::atomic::AtomicI64;

use engine::EngineError;
use engine::Session;
use napi::sys::napi_value;
use napi::Env;

use crate::codec::gate::{Gate, Permit};

/// What only one codec class knows; everything else is [`CodecQueue`](crate::codec::queue::CodecQueue).
pub trait Codec: 'static {
    /// The engine session its worker owns.
    type Session: Session;

    const NAME: &'static str;
    const GATE: Gate;
    /// The `getCounters()` entry for live instances.
    fn counter() -> &'static AtomicI64;
    /// On the JS thread: the arguments of the `output` callback for one result.
    fn to_js(env: &Env, output: Output<Self>) -> napi::Result<Vec<napi_value>>;
}

pub type Config<C> = <<C as Codec>::Session as Session>::Config;
pub type Input<C> = <<C as Codec>::Session as Session>::Input;
pub type Output<C> = <<C as Codec>::Session as Session>::Output;

engine::idl_enum!(
    /// `CodecState` (https://w3c.github.io/webcodecs/#enumdef-codecstate).
    pub enum CodecState = "CodecState" {
        Unconfigured = "unconfigured",
        Configured = "configured",
        Closed = "closed",
    }
);

/// One message of the control queue, tagged with the configure generation it belongs to.
pub enum Command<C: Codec> {
    Configure {
        generation: u64,
        config: Config<C>,
    },
    /// A configuration found unsupported on the JS thread: reported in queue order.
    Fail {
        generation: u64,
        error: EngineError,
    },
    Input {
        generation: u64,
        input: Input<C>,
        permit: Option<Permit>,
    },
    Flush {
        generation: u64,
        id: u64,
    },
}

/// One message from the worker to the JS thread.
pub enum Event<C: Codec> {
    /// The worker took an input off the control queue.
    Dequeued {
        generation: u64,
    },
    Output {
        generation: u64,
        output: Output<C>,
        permit: Option<Permit>,
    },
    Error {
        generation: u64,
        error: EngineError,
    },
    Flushed {
        generation: u64,
        id: u64,
    },
    /// One command finished (whatever its generation): for event-loop liveness.
    Done,
    /// Sent by the JS thread to itself: the task that fires a scheduled `dequeue` event
    /// ("schedule dequeue event").
    DequeueTask,
    /// The worker ended and dropped its session: the last of what it held, given back
    /// on its way to the JS thread with this message, can be released.
    Finished,
}
