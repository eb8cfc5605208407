//! `VideoColorSpace` (https://w3c.github.io/webcodecs/#videocolorspace).

use engine::color::ColorSpace;
use napi::Env;
use napi_derive::napi;

use crate::error::OrThrow;
use crate::js::{self, JsHandle};
use crate::options::{self, VideoColorSpaceInit};

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
    pub fn new(env: Env, #[napi(ts_arg_type = "VideoColorSpaceInit")] init: Option<JsHandle>) -> napi::Result<Self> {
        let init: VideoColorSpaceInit = match init {
            Some(init) => js::dict(&env, init.0)?,
            None => VideoColorSpaceInit::default(),
        };
        options::color_space(&init).map(Self::from).or_throw(&env)
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

    /// The init dictionary that recreates this colour space (members may be null).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> VideoColorSpaceInit {
        VideoColorSpaceInit {
            primaries: self.primaries().map(String::from),
            transfer: self.transfer().map(String::from),
            matrix: self.matrix().map(String::from),
            full_range: self.full_range(),
        }
    }
}
