//! `VideoFrame.copyTo()` with a pixel conversion, off the JS thread (the draft's
//! `copyTo` returns a promise for this): the conversion runs on libuv's pool into memory
//! of its own, and only the copy into the caller's buffer runs on the JS thread, when the
//! promise settles, since writing that buffer from the pool could race with JavaScript
//! transferring or resizing it.

use engine::video::{copy_rect_as_rgb, ColorSpace, ComputedPlane, PixelFormat, PredefinedColorSpace, Rect};
use napi::{Env, Task};

use super::Pixels;
use crate::dict::frame::PlaneLayout;
use crate::js::buffer::BufferSource;
use crate::js::raw::StrongRef;
use crate::memory::anchor::Held;

/// How `copyTo()` goes on once its checks passed.
pub enum Copied {
    Done(Vec<PlaneLayout>),
    Converting(ConversionPlan),
}

/// `copyTo()` with a conversion reads: the frame's pixels, held for the pool thread.
pub struct ConversionPlan {
    pub pixels: Held<Pixels>,
    pub color: ColorSpace,
    pub target: PredefinedColorSpace,
    pub rect: Rect,
    pub format: PixelFormat,
    pub planes: Vec<ComputedPlane>,
    pub size: usize,
}

/// `copyTo()` with a pixel conversion, off the JS thread (the draft's `copyTo` returns a
/// promise for this): the conversion runs on libuv's pool into memory of its own, and
/// only the copy into the caller's buffer runs on the JS thread, when the promise
/// settles, since writing that buffer from the pool could race with JavaScript
/// transferring or resizing it.
pub struct ConvertInto {
    pub plan: ConversionPlan,
    /// A strong reference to the caller's buffer.
    pub destination: StrongRef,
}

impl Task for ConvertInto {
    type Output = Vec<u8>;
    type JsValue = Vec<PlaneLayout>;

    fn compute(&mut self) -> napi::Result<Vec<u8>> {
        let plan = &self.plan;
        let mut converted = vec![0; plan.size];
        copy_rect_as_rgb(
            &plan.pixels.value.buffer,
            (&plan.color, plan.target),
            plan.rect,
            plan.format,
            &plan.planes[0],
            &mut converted,
        )
        .map_err(|e| napi::Error::from_reason(e.to_string()))?;
        Ok(converted)
    }

    fn resolve(&mut self, env: Env, converted: Vec<u8>) -> napi::Result<Vec<PlaneLayout>> {
        let destination = self.destination.value(&env)?;
        let dest = BufferSource::from_value(&env, destination).map_err(|e| napi::Error::from_reason(e.to_string()))?;
        if dest.len < self.plan.size {
            return Err(napi::Error::from_reason("the destination was detached or shrank during copyTo()"));
        }
        // SAFETY: no JS runs while the slice is alive.
        let dest = unsafe { dest.as_mut_slice() };
        // Only the plane rows, as copyTo() writes them: bytes between them stay as they were.
        for plane in &self.plan.planes {
            let (offset, stride) = (plane.destination.offset as usize, plane.destination.stride as usize);
            let row = plane.source_width_bytes as usize;
            for y in 0..plane.source_height as usize {
                let at = offset + y * stride;
                dest[at..at + row].copy_from_slice(&converted[at..at + row]);
            }
        }
        Ok(layouts_of(&self.plan.planes))
    }

    fn finally(self, env: Env) -> napi::Result<()> {
        self.destination.delete(&env);
        Ok(())
    }
}

pub fn layouts_of(planes: &[ComputedPlane]) -> Vec<PlaneLayout> {
    planes
        .iter()
        .map(|p| PlaneLayout { offset: p.destination.offset.into(), stride: p.destination.stride.into() })
        .collect()
}
