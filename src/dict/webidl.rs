//! WebIDL conversions (https://webidl.spec.whatwg.org/#es-type-mapping): numeric members
//! (`[EnforceRange]` integers, the wrapping ones, `double` and `float`), dictionaries and
//! sequences, with the spec's `TypeError`s.

use engine::{EngineError, Result};
use napi::bindgen_prelude::{FromNapiValue, ToNapiValue, TypeName, ValidateNapiValue};
use napi::{sys, Env};

use crate::js::raw;

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

/// WebIDL `double` (restricted, as `DOMHighResTimeStamp` is): NaN and the infinities
/// are a TypeError.
pub fn double(Number(value): Number, what: &str) -> Result<f64> {
    if !value.is_finite() {
        return Err(EngineError::type_error(format!("{what} must be a finite number, got {value}")));
    }
    Ok(value)
}

/// WebIDL `float` (https://webidl.spec.whatwg.org/#js-float): finite, then the nearest
/// single-precision value (ties to even); a value that rounds past the largest float
/// (to 2^128) is a TypeError, as a non-finite one is.
pub fn float(value: Number, what: &str) -> Result<f32> {
    let single = double(value, what)? as f32;
    if single.is_infinite() {
        return Err(EngineError::type_error(format!("{what} is out of the range of a float, got {}", value.0)));
    }
    Ok(single)
}

/// WebIDL `long` without `[EnforceRange]` (`Segment.id`): non-finite values become 0,
/// others are truncated and wrapped into -2^31..2^31-1.
pub fn long(value: Number) -> i32 {
    unsigned_long(value) as i32
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

/// A member whose type is a dictionary (https://webidl.spec.whatwg.org/#js-dictionary):
/// undefined and null are an empty dictionary (its defaults, or the TypeError of a
/// missing required member), and any other value that is not an object is a TypeError.
/// napi-rs alone would read members off a number or a string, and fail on null.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dictionary<T>(pub T);

/// A `sequence<T>` member (https://webidl.spec.whatwg.org/#js-sequence): any iterable
/// object, read through its `@@iterator`; a value that is not an object, or has no
/// iterator, is a TypeError. An exception thrown by the iterator stays pending, so it
/// reaches the caller as WebIDL rethrows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sequence<T>(pub Vec<T>);

fn not_a(what: &str) -> napi::Error {
    napi::Error::new(napi::Status::InvalidArg, format!("the value is not {what}"))
}

fn is_object(env: &Env, value: sys::napi_value) -> napi::Result<bool> {
    let kind = raw::type_of(env, value)?;
    Ok(kind == sys::ValueType::napi_object || kind == sys::ValueType::napi_function)
}

impl<T: FromNapiValue> FromNapiValue for Dictionary<T> {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        let js = Env::from_raw(env);
        let value = match raw::type_of(&js, value)? {
            sys::ValueType::napi_undefined | sys::ValueType::napi_null => raw::object(&js)?,
            sys::ValueType::napi_object | sys::ValueType::napi_function => value,
            _ => return Err(not_a("a dictionary")),
        };
        // SAFETY: the caller passes a live handle of the current call, or it is a new object.
        unsafe { T::from_napi_value(env, value) }.map(Self)
    }
}

impl<T: FromNapiValue> FromNapiValue for Sequence<T> {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        let js = Env::from_raw(env);
        if !is_object(&js, value)? {
            return Err(not_a("a sequence"));
        }
        let symbol = raw::get_property(&js, raw::global_property(&js, "Symbol")?, c"iterator")?;
        let method = raw::get_keyed(&js, value, symbol)?;
        if !raw::is_function(&js, method)? {
            return Err(not_a("iterable"));
        }
        let iterator = raw::call_with(&js, method, value, &[])?;
        if !is_object(&js, iterator)? {
            return Err(not_a("an iterator"));
        }
        let next = raw::get_property(&js, iterator, c"next")?;
        let mut items = Vec::new();
        loop {
            let result = raw::call_with(&js, next, iterator, &[])?;
            if !is_object(&js, result)? {
                return Err(not_a("an iterator result"));
            }
            // SAFETY: `done` and `value` are live handles of the current call.
            if unsafe { Boolean::from_napi_value(env, raw::get_property(&js, result, c"done")?) }?.0 {
                return Ok(Self(items));
            }
            // SAFETY: as above.
            items.push(unsafe { T::from_napi_value(env, raw::get_property(&js, result, c"value")?) }?);
        }
    }
}

impl<T: ToNapiValue> ToNapiValue for Dictionary<T> {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: forwarded from the caller.
        unsafe { T::to_napi_value(env, value.0) }
    }
}

impl<T: ToNapiValue> ToNapiValue for Sequence<T> {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: forwarded from the caller; a sequence becomes an array.
        unsafe { Vec::<T>::to_napi_value(env, value.0) }
    }
}

impl<T> TypeName for Dictionary<T> {
    fn type_name() -> &'static str {
        "dictionary"
    }

    fn value_type() -> napi::ValueType {
        napi::ValueType::Unknown
    }
}

impl<T> TypeName for Sequence<T> {
    fn type_name() -> &'static str {
        "sequence"
    }

    fn value_type() -> napi::ValueType {
        napi::ValueType::Unknown
    }
}

impl<T> ValidateNapiValue for Dictionary<T> {}

impl<T> ValidateNapiValue for Sequence<T> {}
