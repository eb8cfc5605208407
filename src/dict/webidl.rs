//! WebIDL conversions of numeric members (https://webidl.spec.whatwg.org/#es-integer-types):
//! `[EnforceRange]` integers and the wrapping ones, with the spec's `TypeError`s.

use engine::{EngineError, Result};
use napi::bindgen_prelude::{FromNapiValue, ToNapiValue, TypeName, ValidateNapiValue};
use napi::sys;

/// WebIDL `[EnforceRange] unsigned long`: finite, integral after truncation, in range.
pub fn enforce_u32(Number(value): Number, what: &str) -> Result<u32> {
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
pub fn long_long(Number(value): Number) -> i64 {
    if value.is_finite() {
        value.trunc() as i64
    } else {
        0
    }
}

/// WebIDL `unsigned long long` without `[EnforceRange]` (`VideoFrameInit.duration`):
/// non-finite values become 0, others are taken modulo 2^64 (saturating at `i64::MAX`).
pub fn unsigned_long_long(Number(value): Number) -> i64 {
    if value.is_finite() {
        value.trunc().rem_euclid(18_446_744_073_709_551_616.0) as i64
    } else {
        0
    }
}

/// WebIDL `[EnforceRange] long long` (timestamps of chunks, buffer-made frames and audio):
/// finite and, once truncated, within +-(2^53 - 1), else TypeError.
pub fn enforce_long_long(Number(value): Number, what: &str) -> Result<i64> {
    let truncated = value.trunc();
    if !value.is_finite() || truncated.abs() > MAX_SAFE_INTEGER {
        return Err(EngineError::type_error(format!("{what} must be an integer within +-(2^53-1), got {value}")));
    }
    Ok(truncated as i64)
}

/// WebIDL `[EnforceRange] unsigned long long` (bitrates): finite, from 0 to 2^53 - 1 once truncated.
pub fn enforce_u64(Number(value): Number, what: &str) -> Result<u64> {
    let truncated = value.trunc();
    if !value.is_finite() || !(0.0..=MAX_SAFE_INTEGER).contains(&truncated) {
        return Err(EngineError::type_error(format!("{what} must be an integer from 0 to 2^53-1, got {value}")));
    }
    Ok(truncated as u64)
}

/// `[EnforceRange] unsigned long long` for durations: finite, from 0 to 2^53 - 1 once truncated.
pub fn duration(value: Option<Number>) -> Result<Option<i64>> {
    value
        .map(|Number(v)| {
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
pub fn unsigned_short(Number(value): Number) -> u16 {
    if value.is_finite() {
        value.trunc().rem_euclid(65_536.0) as u16
    } else {
        0
    }
}

/// A numeric dictionary member after WebIDL's first step, ToNumber
/// (https://webidl.spec.whatwg.org/#es-numeric-types): strings, booleans, null and
/// objects convert as JavaScript converts them; a Symbol or a BigInt is a TypeError.
/// The member's own type (`[EnforceRange] unsigned long`, `double`, ...) then applies.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Number(pub f64);

/// A `boolean` member: ToBoolean, which accepts anything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Boolean(pub bool);

/// A `DOMString` member (an enum's too): ToString; a Symbol is a TypeError.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomString(pub String);

impl std::ops::Deref for DomString {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for DomString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<u32> for Number {
    fn from(value: u32) -> Self {
        Self(f64::from(value))
    }
}

impl From<String> for DomString {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for DomString {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// Runs one of N-API's coercions (ToNumber, ToBoolean, ToString); an exception it
/// raises becomes the dictionary's TypeError instead of staying pending.
unsafe fn coerce(
    env: sys::napi_env,
    value: sys::napi_value,
    with: unsafe extern "C" fn(sys::napi_env, sys::napi_value, *mut sys::napi_value) -> sys::napi_status,
    what: &str,
) -> napi::Result<sys::napi_value> {
    let mut out = std::ptr::null_mut();
    // SAFETY: a JS-thread conversion of a live handle; the out-pointer is a local.
    if unsafe { with(env, value, &mut out) } == sys::Status::napi_ok {
        return Ok(out);
    }
    let mut exception = std::ptr::null_mut();
    // SAFETY: as above; clears the exception the coercion left pending.
    unsafe { sys::napi_get_and_clear_last_exception(env, &mut exception) };
    Err(napi::Error::new(napi::Status::InvalidArg, format!("cannot convert the value to a {what}")))
}

impl FromNapiValue for Number {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: the caller passes a live handle of the current call.
        let number = unsafe { coerce(env, value, sys::napi_coerce_to_number, "number")? };
        // SAFETY: as above; `number` is a JS number.
        unsafe { f64::from_napi_value(env, number) }.map(Self)
    }
}

impl FromNapiValue for Boolean {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: the caller passes a live handle of the current call.
        let boolean = unsafe { coerce(env, value, sys::napi_coerce_to_bool, "boolean")? };
        // SAFETY: as above; `boolean` is a JS boolean.
        unsafe { bool::from_napi_value(env, boolean) }.map(Self)
    }
}

impl FromNapiValue for DomString {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: the caller passes a live handle of the current call.
        let string = unsafe { coerce(env, value, sys::napi_coerce_to_string, "string")? };
        // SAFETY: as above; `string` is a JS string.
        unsafe { String::from_napi_value(env, string) }.map(Self)
    }
}

impl ToNapiValue for Number {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: forwarded from the caller.
        unsafe { f64::to_napi_value(env, value.0) }
    }
}

impl ToNapiValue for Boolean {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: forwarded from the caller.
        unsafe { bool::to_napi_value(env, value.0) }
    }
}

impl ToNapiValue for DomString {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: forwarded from the caller.
        unsafe { String::to_napi_value(env, value.0) }
    }
}

macro_rules! idl_type_name {
    ($($ty:ty => $name:literal;)+) => {
        $(
            impl TypeName for $ty {
                fn type_name() -> &'static str {
                    $name
                }

                fn value_type() -> napi::ValueType {
                    napi::ValueType::Unknown
                }
            }

            impl ValidateNapiValue for $ty {}
        )+
    };
}

idl_type_name! {
    Number => "number";
    Boolean => "boolean";
    DomString => "string";
}

/// WebIDL `unsigned long` without `[EnforceRange]` (`ImageDecodeOptions.frameIndex`):
/// non-finite values become 0, others are taken modulo 2^32.
pub fn unsigned_long(Number(value): Number) -> u32 {
    if value.is_finite() {
        value.trunc().rem_euclid(4_294_967_296.0) as u32
    } else {
        0
    }
}
