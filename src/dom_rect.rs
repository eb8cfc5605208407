//! `DOMRectReadOnly` (https://drafts.fxtf.org/geometry/#domrectreadonly): a frame's
//! `codedRect` and `visibleRect`. Node has no DOM geometry classes of its own.

use engine::video::Rect;
use napi_derive::napi;

use crate::dict::webidl::Number;

/// A read-only rectangle.
#[napi(js_name = "DOMRectReadOnly")]
#[derive(Clone, Copy)]
pub struct DOMRectReadOnly {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

#[napi]
impl DOMRectReadOnly {
    #[napi(constructor)]
    pub fn new(
        env: napi::Env,
        this: napi::bindgen_prelude::This,
        #[napi(ts_arg_type = "number")] x: Option<Number>,
        #[napi(ts_arg_type = "number")] y: Option<Number>,
        #[napi(ts_arg_type = "number")] width: Option<Number>,
        #[napi(ts_arg_type = "number")] height: Option<Number>,
    ) -> napi::Result<Self> {
        crate::js::interface::constructing::<Self>(&env, &this)?;
        let [x, y, width, height] = [x, y, width, height].map(|n| n.map_or(0.0, |n| n.0));
        Ok(Self { x, y, width, height })
    }

    #[napi(getter)]
    pub fn x(&self) -> f64 {
        self.x
    }

    #[napi(getter)]
    pub fn y(&self) -> f64 {
        self.y
    }

    #[napi(getter)]
    pub fn width(&self) -> f64 {
        self.width
    }

    #[napi(getter)]
    pub fn height(&self) -> f64 {
        self.height
    }

    // A negative width or height puts the rect on the other side of its origin.
    #[napi(getter)]
    pub fn top(&self) -> f64 {
        self.y.min(self.y + self.height)
    }

    #[napi(getter)]
    pub fn right(&self) -> f64 {
        self.x.max(self.x + self.width)
    }

    #[napi(getter)]
    pub fn bottom(&self) -> f64 {
        self.y.max(self.y + self.height)
    }

    #[napi(getter)]
    pub fn left(&self) -> f64 {
        self.x.min(self.x + self.width)
    }

    /// Every attribute as a plain object.
    #[napi(js_name = "toJSON")]
    pub fn json(&self) -> DOMRectJson {
        DOMRectJson {
            x: self.x,
            y: self.y,
            width: self.width,
            height: self.height,
            top: self.top(),
            right: self.right(),
            bottom: self.bottom(),
            left: self.left(),
        }
    }
}

/// `DOMRectReadOnly.toJSON()`'s result.
#[napi(object, object_from_js = false, js_name = "DOMRectJson")]
pub struct DOMRectJson {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    pub left: f64,
}

impl From<Rect> for DOMRectReadOnly {
    fn from(r: Rect) -> Self {
        let f = f64::from;
        Self { x: f(r.x), y: f(r.y), width: f(r.width), height: f(r.height) }
    }
}
