//! WebIDL conversions of numeric members (https://webidl.spec.whatwg.org/#es-integer-types):
//! `[EnforceRange]` integers and the wrapping ones, with the spec's `TypeError`s.

use engine::{EngineError, Result};

/// WebIDL `[EnforceRange] unsigned long`: finite, integral after truncation, in range.
pub fn enforce_u32(value: f64, what: &str) -> Result<u32> {
    let truncated = value.trunc();
    if !value.is_finite() || truncated < 0.0 || truncated > f64::from(u32::MAX) {
        return Err(EngineError::type_error(format!("{what} must be an integer from 0 to 2^32-1, got {value}")));
    }
    Ok(truncated as u32)
}

/// The largest integer WebIDL's `[EnforceRange] long long` and `unsigned long long` accept.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// WebIDL `long long` without `[EnforceRange]` (`VideoFrameInit.timestamp`): non-finite
/// values become 0, as ToNumber then truncation does; out-of-range values saturate.
pub fn long_long(value: f64) -> i64 {
    if value.is_finite() {
        value.trunc() as i64
    } else {
        0
    }
}

/// WebIDL `unsigned long long` without `[EnforceRange]` (`VideoFrameInit.duration`):
/// non-finite values become 0, others are taken modulo 2^64 (saturating at `i64::MAX`).
pub fn unsigned_long_long(value: f64) -> i64 {
    if value.is_finite() {
        value.trunc().rem_euclid(18_446_744_073_709_551_616.0) as i64
    } else {
        0
    }
}

/// WebIDL `[EnforceRange] long long` (timestamps of chunks, buffer-made frames and audio):
/// finite and, once truncated, within +-(2^53 - 1), else TypeError.
pub fn enforce_long_long(value: f64, what: &str) -> Result<i64> {
    let truncated = value.trunc();
    if !value.is_finite() || truncated.abs() > MAX_SAFE_INTEGER {
        return Err(EngineError::type_error(format!("{what} must be an integer within +-(2^53-1), got {value}")));
    }
    Ok(truncated as i64)
}

/// WebIDL `[EnforceRange] unsigned long long` (bitrates): finite, from 0 to 2^53 - 1 once truncated.
pub fn enforce_u64(value: f64, what: &str) -> Result<u64> {
    let truncated = value.trunc();
    if !value.is_finite() || !(0.0..=MAX_SAFE_INTEGER).contains(&truncated) {
        return Err(EngineError::type_error(format!("{what} must be an integer from 0 to 2^53-1, got {value}")));
    }
    Ok(truncated as u64)
}

/// `[EnforceRange] unsigned long long` for durations: finite, from 0 to 2^53 - 1 once truncated.
pub fn duration(value: Option<f64>) -> Result<Option<i64>> {
    value
        .map(|v| {
            let truncated = v.trunc();
            if !v.is_finite() || !(0.0..=MAX_SAFE_INTEGER).contains(&truncated) {
                Err(EngineError::type_error(format!("duration must be an integer from 0 to 2^53-1, got {v}")))
            } else {
                Ok(truncated as i64)
            }
        })
        .transpose()
}

/// WebIDL `unsigned short` without `[EnforceRange]` (per-frame quantizers): non-finite
/// values become 0, others are truncated and taken modulo 2^16.
pub fn unsigned_short(value: f64) -> u16 {
    if value.is_finite() {
        value.trunc().rem_euclid(65_536.0) as u16
    } else {
        0
    }
}

/// WebIDL `unsigned long` without `[EnforceRange]` (`ImageDecodeOptions.frameIndex`):
/// non-finite values become 0, others are taken modulo 2^32.
pub fn unsigned_long(value: f64) -> u32 {
    if value.is_finite() {
        value.trunc().rem_euclid(4_294_967_296.0) as u32
    } else {
        0
    }
}
