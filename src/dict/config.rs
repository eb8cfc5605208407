//! Members every codec configuration shares (codec strings, dimensions, bitrates,
//! descriptions), converted with the spec's validity rules.

use engine::{EngineError, Result};
use napi::Env;

use crate::dict::webidl::{self, Number};
use crate::js::buffer::{self, BufferSource};
use crate::js::raw::JsHandle;

/// `codec`: invalid only when empty after stripping ASCII whitespace; what remains is
/// parsed as it is, so a string with spaces around it is valid but names no codec
/// (unsupported), as the registry's strings have none.
pub fn codec_string(codec: &str) -> Result<&str> {
    if codec.trim_matches(|c: char| c.is_ascii_whitespace()).is_empty() {
        return Err(EngineError::type_error("codec must not be empty"));
    }
    Ok(codec)
}

/// Non-zero `[EnforceRange] unsigned long`.
pub fn dimension(value: Number, what: &str) -> Result<u32> {
    match webidl::enforce_u32(value, what)? {
        0 => Err(EngineError::type_error(format!("{what} must be non-zero"))),
        v => Ok(v),
    }
}

pub fn optional_pair(a: Option<Number>, b: Option<Number>, names: (&str, &str)) -> Result<Option<(u32, u32)>> {
    match (a, b) {
        (None, None) => Ok(None),
        (Some(a), Some(b)) => Ok(Some((dimension(a, names.0)?, dimension(b, names.1)?))),
        _ => Err(EngineError::type_error(format!("{} and {} must be given together", names.0, names.1))),
    }
}

/// `bitrate`: `[EnforceRange] unsigned long long`.
pub fn bitrate(value: Option<Number>) -> Result<Option<u64>> {
    value.map(|b| webidl::enforce_u64(b, "bitrate")).transpose()
}

/// An audio bitrate of 0 is valid, and one no encoder can aim for.
pub fn supported_bitrate(bitrate: Option<u64>) -> Result<Option<u64>> {
    match bitrate {
        Some(0) => Err(EngineError::not_supported("a bitrate of 0")),
        other => Ok(other),
    }
}

/// The bytes of an optional `description` member (copied); a detached one makes the
/// config invalid (a TypeError), as the decoder config checks say.
pub fn description_bytes(env: &Env, description: Option<JsHandle>) -> Result<Option<Vec<u8>>> {
    let Some(handle) = description else { return Ok(None) };
    let source = BufferSource::from_value(env, handle.0)?;
    if buffer::is_detached(env, source.buffer) {
        return Err(EngineError::type_error("description is detached"));
    }
    // SAFETY: no JS runs while the slice is alive; the bytes are copied.
    Ok(Some(unsafe { source.as_slice() }.to_vec()))
}

/// A copy of an optional `description` in a new ArrayBuffer (`isConfigSupported()`
/// returns copies, not the caller's buffers).
pub fn copy_description(env: &Env, description: Option<JsHandle>) -> napi::Result<Option<JsHandle>> {
    match description_bytes(env, description) {
        Ok(Some(bytes)) => Ok(Some(array_buffer(env, &bytes)?)),
        _ => Ok(None),
    }
}

/// A fresh ArrayBuffer holding `bytes`.
pub fn array_buffer(env: &Env, bytes: &[u8]) -> napi::Result<JsHandle> {
    let (buffer, mut view) = crate::memory::anchor::allocate(env, bytes.len())?;
    engine::Memory::bytes_mut(&mut view).copy_from_slice(bytes);
    Ok(JsHandle(buffer))
}
