//! Memory lifetimes across the boundary: bytes V8 owns and frees with the objects sharing
//! them (`anchor`), native bytes reported to V8 (`external`), what belongs to one JS
//! environment (`per_env`), and the live-instance counters behind `getCounters()`.

pub mod anchor;
pub mod counters;
pub mod external;
pub mod per_env;
