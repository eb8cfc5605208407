//! Rects, plane layouts and the native storage behind a `VideoFrame`
//! (https://w3c.github.io/webcodecs/#videoframe-interface).

use std::sync::Arc;

use super::format::PixelFormat;
use crate::ffi::frame::SharedVideoFrame;
use crate::{Bytes, EngineError, Result};

/// A rectangle in whole pixels (`DOMRectInit` after validation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    pub fn of_size(width: u32, height: u32) -> Self {
        Self { x: 0, y: 0, width, height }
    }

    fn right(&self) -> u64 {
        u64::from(self.x) + u64::from(self.width)
    }

    fn bottom(&self) -> u64 {
        u64::from(self.y) + u64::from(self.height)
    }

    /// Converts a `DOMRectInit`'s doubles, as the spec's "Parse Visible Rect" does: every
    /// member finite and non-negative and truncated to whole pixels (§ 9.6 "DOMRects in
    /// VideoFrame"), then width and height non-zero and the rect inside `width` x
    /// `height`. The draft checks the width before truncating; Chromium truncates first,
    /// so that 0.5 is a TypeError rather than a frame 0 pixels wide, and so do we.
    pub fn parse(x: f64, y: f64, width: f64, height: f64, bound_w: u32, bound_h: u32) -> Result<Self> {
        let all = [x, y, width, height];
        if all.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Err(EngineError::type_error("rect members must be finite and non-negative"));
        }
        if all.iter().any(|v| *v >= f64::from(u32::MAX) + 1.0) {
            return Err(EngineError::type_error("rect members must be below 2^32"));
        }
        let [x, y, width, height] = all.map(|v| v.trunc() as u32);
        if width == 0 || height == 0 {
            return Err(EngineError::type_error("rect width and height must be at least one pixel"));
        }
        let rect = Self { x, y, width, height };
        if rect.right() > u64::from(bound_w) || rect.bottom() > u64::from(bound_h) {
            return Err(EngineError::type_error(format!(
                "rect {}x{} at ({}, {}) does not fit in {bound_w}x{bound_h}",
                rect.width, rect.height, rect.x, rect.y
            )));
        }
        Ok(rect)
    }

    /// "Verify Rect Offset Alignment": the origin must fall on a whole chroma sample.
    pub fn check_alignment(&self, format: PixelFormat) -> Result<()> {
        let (ax, ay) = format.alignment();
        if !self.x.is_multiple_of(ax) || !self.y.is_multiple_of(ay) {
            return Err(EngineError::type_error(format!(
                "rect origin ({}, {}) is not aligned to {} sub-sampling",
                self.x,
                self.y,
                format.as_str()
            )));
        }
        Ok(())
    }
}

/// `PlaneLayout`: where a plane starts in a buffer and how many bytes one row takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaneLayout {
    pub offset: u32,
    pub stride: u32,
}

/// One plane of a rect inside a frame: the spec's "computed plane layout".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComputedPlane {
    pub source_top: u32,
    pub source_height: u32,
    pub source_left_bytes: u32,
    pub source_width_bytes: u32,
    pub destination: PlaneLayout,
}

/// The spec's "Compute Layout and Allocation Size": per-plane layouts for `rect` of a
/// `format` frame, tightly packed unless `layout` says otherwise, and the bytes needed.
pub fn compute_layout(
    format: PixelFormat,
    rect: Rect,
    layout: Option<&[PlaneLayout]>,
) -> Result<(Vec<ComputedPlane>, u32)> {
    let planes = format.num_planes();
    if let Some(layout) = layout {
        if layout.len() != planes {
            return Err(EngineError::type_error(format!(
                "layout has {} planes, {} has {planes}",
                layout.len(),
                format.as_str()
            )));
        }
    }
    let mut computed: Vec<ComputedPlane> = Vec::with_capacity(planes);
    let mut min_size: u64 = 0;
    for i in 0..planes {
        let spec = format.plane(i);
        let source_top = rect.y / spec.sub_y;
        let source_height = rect.bottom().div_ceil(u64::from(spec.sub_y)) as u32 - source_top;
        let source_left_bytes = rect.x / spec.sub_x * spec.sample_bytes;
        let row_bytes = u64::from(rect.width).div_ceil(u64::from(spec.sub_x)) * u64::from(spec.sample_bytes);
        // A row past 4 GiB makes the plane past 4 GiB too (the spec's TypeError); the cast
        // below would otherwise wrap it to a small stride and accept a tiny buffer.
        let Ok(source_width_bytes) = u32::try_from(row_bytes) else {
            return Err(EngineError::type_error(format!("plane {i} rows of {row_bytes} bytes pass 4 GiB")));
        };
        let destination = match layout {
            Some(layout) => {
                let plane = layout[i];
                if plane.stride < source_width_bytes {
                    return Err(EngineError::type_error(format!(
                        "plane {i} stride {} is less than its row of {source_width_bytes} bytes",
                        plane.stride
                    )));
                }
                plane
            }
            None => PlaneLayout { offset: min_size as u32, stride: source_width_bytes },
        };
        let plane_size = u64::from(destination.stride) * u64::from(source_height);
        let plane_end = plane_size + u64::from(destination.offset);
        if plane_end > u64::from(u32::MAX) {
            return Err(EngineError::type_error(format!("plane {i} ends past 4 GiB")));
        }
        for (j, earlier) in computed.iter().enumerate() {
            let earlier_end = u64::from(earlier.destination.offset)
                + u64::from(earlier.destination.stride) * u64::from(earlier.source_height);
            let start = u64::from(destination.offset);
            if start < earlier_end && u64::from(earlier.destination.offset) < plane_end {
                return Err(EngineError::type_error(format!("plane {i} overlaps plane {j}")));
            }
        }
        min_size = min_size.max(plane_end);
        computed.push(ComputedPlane { source_top, source_height, source_left_bytes, source_width_bytes, destination });
    }
    Ok((computed, min_size as u32))
}

/// Where a frame's pixels live: our own bytes, or a reference-counted FFmpeg frame
/// (decoder output, shared without a copy).
pub enum Storage {
    Bytes(Bytes),
    Av(SharedVideoFrame),
}

/// The immutable pixel memory of one or more `VideoFrame`s (clones share it by `Arc`).
pub struct FrameBuffer {
    pub format: PixelFormat,
    pub coded_width: u32,
    pub coded_height: u32,
    planes: Vec<PlaneLayout>,
    storage: Storage,
}

impl FrameBuffer {
    /// Copies `data` (laid out per `layout`, or tightly packed) into tightly packed memory
    /// from `allocate` (called with the size), validating that `data` is large enough as
    /// the VideoFrame constructor must.
    pub fn copy_from(
        format: PixelFormat,
        coded_width: u32,
        coded_height: u32,
        data: &[u8],
        layout: Option<&[PlaneLayout]>,
        allocate: impl FnOnce(usize) -> Result<Bytes>,
    ) -> Result<Self> {
        let src = Self::check_source(format, coded_width, coded_height, data.len(), layout)?;
        let (packed, size) = compute_layout(format, Rect::of_size(coded_width, coded_height), None)?;
        let mut bytes = allocate(size as usize)?;
        let dest = bytes.bytes_mut();
        if dest.len() < size as usize {
            return Err(EngineError::range_error("allocation smaller than requested"));
        }
        for (from, to) in src.iter().zip(&packed) {
            copy_plane(
                data,
                from.destination,
                dest,
                to.destination,
                to.source_width_bytes as usize,
                to.source_height as usize,
            );
        }
        let planes = packed.iter().map(|p| p.destination).collect();
        Ok(Self { format, coded_width, coded_height, planes, storage: Storage::Bytes(bytes) })
    }

    /// Takes `bytes` as they are (a transferred buffer, no copy) when they hold a frame
    /// laid out per `layout` or tightly packed.
    pub fn from_bytes(
        format: PixelFormat,
        coded_width: u32,
        coded_height: u32,
        bytes: Bytes,
        layout: Option<&[PlaneLayout]>,
    ) -> Result<Self> {
        let src = Self::check_source(format, coded_width, coded_height, bytes.bytes().len(), layout)?;
        let planes = src.iter().map(|p| p.destination).collect();
        Ok(Self { format, coded_width, coded_height, planes, storage: Storage::Bytes(bytes) })
    }

    /// Wraps a decoded FFmpeg frame by reference. `None` when its pixel format has no
    /// WebCodecs equivalent (the caller converts it first).
    pub fn from_av(frame: ffmpeg_next::frame::Video) -> Option<Self> {
        let format = PixelFormat::from_av(frame.format())?;
        let planes =
            (0..format.num_planes()).map(|i| PlaneLayout { offset: 0, stride: frame.stride(i) as u32 }).collect();
        Some(Self {
            format,
            coded_width: frame.width(),
            coded_height: frame.height(),
            planes,
            storage: Storage::Av(SharedVideoFrame::new(frame)),
        })
    }

    /// Checks that `len` bytes laid out per `layout` (or packed) hold a whole frame.
    pub fn check_source(
        format: PixelFormat,
        coded_width: u32,
        coded_height: u32,
        len: usize,
        layout: Option<&[PlaneLayout]>,
    ) -> Result<Vec<ComputedPlane>> {
        if coded_width == 0 || coded_height == 0 {
            return Err(EngineError::type_error("codedWidth and codedHeight must be non-zero"));
        }
        let (computed, size) = compute_layout(format, Rect::of_size(coded_width, coded_height), layout)?;
        if (len as u64) < u64::from(size) {
            return Err(EngineError::type_error(format!("data is {len} bytes, {} needs {size}", format.as_str())));
        }
        Ok(computed)
    }

    /// Bytes of native memory this buffer holds (what is reported to V8).
    pub fn byte_size(&self) -> usize {
        match &self.storage {
            Storage::Bytes(b) => b.bytes().len(),
            Storage::Av(f) => (0..f.planes()).map(|i| f.data(i).len()).sum(),
        }
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// Row stride of plane `i` in bytes.
    pub fn stride(&self, i: usize) -> usize {
        self.planes[i].stride as usize
    }

    /// The bytes of plane `i`, from its first row to the end of the buffer.
    pub fn plane_data(&self, i: usize) -> &[u8] {
        match &self.storage {
            Storage::Bytes(b) => &b.bytes()[self.planes[i].offset as usize..],
            Storage::Av(f) => f.data(i),
        }
    }

    /// Plane `i` from the origin of `rect` to the end of the plane, and its stride; `rect`
    /// must lie inside the frame on whole chroma samples (`Rect::check_alignment`).
    pub(crate) fn plane_at(&self, i: usize, rect: Rect) -> (&[u8], usize) {
        let spec = self.format.plane(i);
        let stride = self.stride(i);
        let offset = (rect.y / spec.sub_y) as usize * stride + (rect.x / spec.sub_x * spec.sample_bytes) as usize;
        (&self.plane_data(i)[offset..], stride)
    }

    /// The spec's copyTo without conversion: copies `computed` planes (from
    /// [`compute_layout`] over a rect of this frame) into `dest`.
    pub fn copy_rect_to(&self, computed: &[ComputedPlane], dest: &mut [u8]) {
        for (i, plane) in computed.iter().enumerate() {
            let src_stride = self.stride(i);
            let src_offset = plane.source_top as usize * src_stride + plane.source_left_bytes as usize;
            let src = &self.plane_data(i)[src_offset..];
            let from = PlaneLayout { offset: 0, stride: src_stride as u32 };
            copy_plane(
                src,
                from,
                dest,
                plane.destination,
                plane.source_width_bytes as usize,
                plane.source_height as usize,
            );
        }
    }
}

/// A frame is its own pixels: what a `VideoFrameInput` shares.
impl AsRef<FrameBuffer> for FrameBuffer {
    fn as_ref(&self) -> &FrameBuffer {
        self
    }
}

/// Copies `rows` rows of `row_bytes` between two strided planes.
fn copy_plane(src: &[u8], from: PlaneLayout, dst: &mut [u8], to: PlaneLayout, row_bytes: usize, rows: usize) {
    for row in 0..rows {
        let s = from.offset as usize + row * from.stride as usize;
        let d = to.offset as usize + row * to.stride as usize;
        dst[d..d + row_bytes].copy_from_slice(&src[s..s + row_bytes]);
    }
}

/// A shared handle to frame memory, what `VideoFrame` and its clones hold.
pub type SharedFrame = Arc<FrameBuffer>;

/// Allocates frame memory on the Rust heap (tests and engine-internal frames).
pub fn heap(size: usize) -> Result<Bytes> {
    Ok(Box::new(vec![0u8; size]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i420_packs_planes_back_to_back() {
        let (planes, size) = compute_layout(PixelFormat::I420, Rect::of_size(4, 2), None).unwrap();
        let layouts: Vec<_> = planes.iter().map(|p| (p.destination.offset, p.destination.stride)).collect();
        assert_eq!(layouts, vec![(0, 4), (8, 2), (10, 2)]);
        assert_eq!(size, 12);
    }

    #[test]
    fn odd_sizes_round_chroma_up() {
        let (planes, size) = compute_layout(PixelFormat::I420, Rect::of_size(5, 3), None).unwrap();
        assert_eq!(planes[1].source_width_bytes, 3);
        assert_eq!(planes[1].source_height, 2);
        assert_eq!(size, 15 + 6 + 6);
    }

    #[test]
    fn nv12_interleaves_chroma() {
        let (planes, size) = compute_layout(PixelFormat::NV12, Rect::of_size(4, 4), None).unwrap();
        assert_eq!(planes.len(), 2);
        assert_eq!(planes[1].destination, PlaneLayout { offset: 16, stride: 4 });
        assert_eq!(size, 16 + 8);
    }

    #[test]
    fn high_bit_depth_uses_two_bytes() {
        let (planes, size) = compute_layout(PixelFormat::I444P12, Rect::of_size(2, 2), None).unwrap();
        assert!(planes.iter().all(|p| p.destination.stride == 4));
        assert_eq!(size, 24);
        let (_, size) = compute_layout(PixelFormat::I420AP10, Rect::of_size(2, 2), None).unwrap();
        assert_eq!(size, 8 + 2 + 2 + 8);
    }

    #[test]
    fn rect_layout_starts_at_aligned_offsets() {
        let rect = Rect { x: 2, y: 2, width: 2, height: 2 };
        let (planes, size) = compute_layout(PixelFormat::I420, rect, None).unwrap();
        assert_eq!(planes[0].source_left_bytes, 2);
        assert_eq!(planes[1].source_top, 1);
        assert_eq!(planes[1].source_left_bytes, 1);
        assert_eq!(size, 4 + 1 + 1);
        assert!(rect.check_alignment(PixelFormat::I420).is_ok());
        assert_eq!(Rect { x: 1, ..rect }.check_alignment(PixelFormat::I420).unwrap_err().name(), "TypeError");
        assert!(Rect { x: 1, ..rect }.check_alignment(PixelFormat::I444).is_ok());
    }

    #[test]
    fn layouts_are_validated() {
        let rect = Rect::of_size(4, 2);
        let short_stride = [
            PlaneLayout { offset: 0, stride: 3 },
            PlaneLayout { offset: 8, stride: 2 },
            PlaneLayout { offset: 10, stride: 2 },
        ];
        assert_eq!(compute_layout(PixelFormat::I420, rect, Some(&short_stride)).unwrap_err().name(), "TypeError");
        let overlap = [
            PlaneLayout { offset: 0, stride: 4 },
            PlaneLayout { offset: 4, stride: 2 },
            PlaneLayout { offset: 10, stride: 2 },
        ];
        assert_eq!(compute_layout(PixelFormat::I420, rect, Some(&overlap)).unwrap_err().name(), "TypeError");
        let too_few = [PlaneLayout { offset: 0, stride: 4 }];
        assert_eq!(compute_layout(PixelFormat::I420, rect, Some(&too_few)).unwrap_err().name(), "TypeError");
        let padded = [
            PlaneLayout { offset: 100, stride: 8 },
            PlaneLayout { offset: 0, stride: 4 },
            PlaneLayout { offset: 50, stride: 2 },
        ];
        let (_, size) = compute_layout(PixelFormat::I420, rect, Some(&padded)).unwrap();
        assert_eq!(size, 116);
    }

    #[test]
    fn strided_source_is_repacked() {
        // 2x2 RGBA with 4 bytes of padding per row.
        let data: Vec<u8> = (0..24).collect();
        let layout = [PlaneLayout { offset: 0, stride: 12 }];
        let frame = FrameBuffer::copy_from(PixelFormat::RGBA, 2, 2, &data, Some(&layout), heap).unwrap();
        assert_eq!(frame.plane_data(0), &[0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19]);
        assert_eq!(frame.byte_size(), 16);
    }

    #[test]
    fn short_buffers_are_rejected() {
        let err = FrameBuffer::copy_from(PixelFormat::I420, 4, 4, &[0; 23], None, heap).err().unwrap();
        assert_eq!(err.name(), "TypeError");
        assert!(FrameBuffer::copy_from(PixelFormat::I420, 4, 4, &[0; 24], None, heap).is_ok());
        assert_eq!(
            FrameBuffer::copy_from(PixelFormat::I420, 0, 4, &[0; 24], None, heap).err().unwrap().name(),
            "TypeError"
        );
    }

    #[test]
    fn copy_rect_crops_every_plane() {
        // 4x4 I420: Y = 0..16, U = 100..104, V = 200..204.
        let mut data: Vec<u8> = (0..16).collect();
        data.extend(100..104);
        data.extend(200..204);
        let frame = FrameBuffer::copy_from(PixelFormat::I420, 4, 4, &data, None, heap).unwrap();
        let (planes, size) = compute_layout(PixelFormat::I420, Rect { x: 2, y: 2, width: 2, height: 2 }, None).unwrap();
        let mut out = vec![0; size as usize];
        frame.copy_rect_to(&planes, &mut out);
        assert_eq!(out, vec![10, 11, 14, 15, 103, 203]);
    }

    #[test]
    fn rect_parse_follows_the_spec() {
        assert!(Rect::parse(0.0, 0.0, 4.0, 4.0, 4, 4).is_ok());
        for bad in [
            (-1.0, 0.0, 2.0, 2.0),
            (0.0, 0.0, 0.0, 2.0),
            (0.0, 0.0, 5.0, 4.0),
            (f64::NAN, 0.0, 1.0, 1.0),
            (0.0, 0.0, 0.5, 1.0),
            (0.0, 0.0, 4.0, 4.5 + 0.5),
        ] {
            assert_eq!(Rect::parse(bad.0, bad.1, bad.2, bad.3, 4, 4).unwrap_err().name(), "TypeError", "{bad:?}");
        }
        let truncated = Rect::parse(1.5, 0.9, 2.9, 2.5, 4, 4).unwrap();
        assert_eq!((truncated.x, truncated.y, truncated.width, truncated.height), (1, 0, 2, 2));
    }

    #[test]
    fn rows_past_4_gib_are_a_type_error_not_a_wrapped_stride() {
        // 2^31 RGBA pixels are 2^33 bytes a row; cast to u32 that was a stride of 0.
        let wide = Rect::of_size(1 << 31, 6);
        assert_eq!(compute_layout(PixelFormat::RGBA, wide, None).unwrap_err().name(), "TypeError");
        assert_eq!(FrameBuffer::check_source(PixelFormat::RGBA, 1 << 31, 6, 64, None).unwrap_err().name(), "TypeError");
        assert_eq!(
            compute_layout(PixelFormat::I444P10, Rect::of_size(u32::MAX, 1), None).unwrap_err().name(),
            "TypeError"
        );
    }
}
