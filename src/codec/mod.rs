//! The machinery every WebCodecs codec shares, written once for all four: the protocol
//! between a codec class and the machinery, the JS thread's queue and state machine, the
//! worker that owns the engine session, the mailbox back, the backpressure gate, the
//! `EventTarget` glue and the class macro.

pub mod class;
pub mod events;
pub mod gate;
pub mod image_queue;
pub mod image_worker;
pub mod inbox;
pub mod mailbox;
pub mod protocol;
pub mod queue;
pub mod support;
pub mod worker;
