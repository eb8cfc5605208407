//! Engine failures, named after the JavaScript error each one becomes at the N-API
//! boundary (https://w3c.github.io/webcodecs/ and WebIDL's exception names).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// WebIDL `TypeError`: a dictionary or argument that is invalid on its face.
    Type(String),
    /// WebIDL `RangeError`: a buffer too small for what it must hold.
    Range(String),
    /// `DOMException` "InvalidStateError": the object is closed or not configured.
    InvalidState(String),
    /// `DOMException` "NotSupportedError": valid, but this build of FFmpeg cannot do it.
    NotSupported(String),
    /// `DOMException` "DataError": e.g. a delta chunk where a key chunk is required.
    Data(String),
    /// `DOMException` "EncodingError": the codec failed on the data it was given.
    Encoding(String),
    /// `DOMException` "AbortError": work dropped by `reset()` or `close()`.
    Abort(String),
    /// `DOMException` "QuotaExceededError": a resource limit was reached.
    QuotaExceeded(String),
    /// `DOMException` "DataCloneError": a bad `transfer` list.
    DataClone(String),
    /// `DOMException` "NotReadableError": the stream of an image's data errored.
    NotReadable(String),
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

impl EngineError {
    /// The JavaScript name: `TypeError`, `RangeError` or the DOMException name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Type(_) => "TypeError",
            Self::Range(_) => "RangeError",
            Self::InvalidState(_) => "InvalidStateError",
            Self::NotSupported(_) => "NotSupportedError",
            Self::Data(_) => "DataError",
            Self::Encoding(_) => "EncodingError",
            Self::Abort(_) => "AbortError",
            Self::QuotaExceeded(_) => "QuotaExceededError",
            Self::DataClone(_) => "DataCloneError",
            Self::NotReadable(_) => "NotReadableError",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Self::Type(m)
            | Self::Range(m)
            | Self::InvalidState(m)
            | Self::NotSupported(m)
            | Self::Data(m)
            | Self::Encoding(m)
            | Self::Abort(m)
            | Self::QuotaExceeded(m)
            | Self::DataClone(m)
            | Self::NotReadable(m) => m,
        }
    }

    pub fn type_error(msg: impl Into<String>) -> Self {
        Self::Type(msg.into())
    }

    pub fn range_error(msg: impl Into<String>) -> Self {
        Self::Range(msg.into())
    }

    pub fn encoding(msg: impl Into<String>) -> Self {
        Self::Encoding(msg.into())
    }

    pub fn not_supported(msg: impl Into<String>) -> Self {
        Self::NotSupported(msg.into())
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message())
    }
}

impl std::error::Error for EngineError {}

impl From<ffmpeg_next::Error> for EngineError {
    fn from(e: ffmpeg_next::Error) -> Self {
        Self::Encoding(e.to_string())
    }
}
