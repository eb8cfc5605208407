//! `VideoColorSpace` (https://w3c.github.io/webcodecs/#videocolorspace).

use engine::video::ColorSpace;
use napi::bindgen_prelude::{Either, Null, This};
use napi::Env;
use napi_derive::napi;

use crate::dict;
use crate::dict::frame::{self, VideoColorSpaceInit};
use crate::js::error::OrThrow;
use crate::js::raw::JsHandle;

/// The colour space of a frame: primaries, transfer, matrix and range; each may be null.
#[napi]
pub struct VideoColorSpace {
    inner: ColorSpace,
}

impl From<ColorSpace> for VideoColorSpace {
    fn from(inner: ColorSpace) -> Self {
        Self { inner }
    }
}

#[napi]
impl VideoColorSpace {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        this: This,
        #[napi(ts_arg_type = "VideoColorSpaceInit")] init: Option<JsHandle>,
    ) -> napi::Result<Self> {
        crate::js::interface::constructing::<Self>(&env, &this)?;
        let init: VideoColorSpaceInit = match init {
            Some(init) => dict::read(&env, init.0)?,
            None => VideoColorSpaceInit::default(),
        };
        frame::color_space(&init).map(Self::from).or_throw(&env)
    }

    #[napi(getter, ts_return_type = "VideoColorPrimaries | null")]
    pub fn primaries(&self) -> Option<&'static str> {
        self.inner.primaries.map(|p| p.as_str())
    }

    #[napi(getter, ts_return_type = "VideoTransferCharacteristics | null")]
    pub fn transfer(&self) -> Option<&'static str> {
        self.inner.transfer.map(|t| t.as_str())
    }

    #[napi(getter, ts_return_type = "VideoMatrixCoefficients | null")]
    pub fn matrix(&self) -> Option<&'static str> {
        self.inner.matrix.map(|m| m.as_str())
    }

    #[napi(getter)]
    pub fn full_range(&self) -> Option<bool> {
        self.inner.full_range
    }

    /// The init dictionary that recreates this colour space; unknown members are null.
    #[napi(js_name = "toJSON", ts_return_type = "VideoColorSpaceInit")]
    pub fn to_json(&self) -> ColorSpaceJson {
        fn nullable<T>(value: Option<T>) -> Either<T, Null> {
            value.map_or(Either::B(Null), Either::A)
        }
        ColorSpaceJson {
            primaries: nullable(self.primaries()),
            transfer: nullable(self.transfer()),
            matrix: nullable(self.matrix()),
            full_range: nullable(self.full_range()),
        }
    }
}

/// `toJSON()`'s result: every member present, null when unknown (napi-rs leaves a
/// `None` member out, which is not what the spec's serialisation does).
#[napi(object, object_from_js = false)]
pub struct ColorSpaceJson {
    pub primaries: Either<&'static str, Null>,
    pub transfer: Either<&'static str, Null>,
    pub matrix: Either<&'static str, Null>,
    pub full_range: Either<bool, Null>,
}
