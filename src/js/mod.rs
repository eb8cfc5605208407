//! N-API primitives (the JS side of the boundary) the rest of the binding builds on: raw calls with one status check,
//! buffer sources, transfer lists, promises and the mapping of engine errors to JS errors.

pub mod buffer;
pub mod error;
pub mod interface;
pub mod promise;
pub mod raw;
pub mod stream;
pub mod transfer;
