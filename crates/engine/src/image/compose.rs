//! The canvas of an animated image: each frame is drawn over what the previous frames
//! left, after the previous frame's disposal (GIF89a's disposal methods and APNG's
//! `dispose_op`/`blend_op`, https://wiki.mozilla.org/APNG_Specification#.60fcTL.60:_The_Frame_Control_Chunk).
//! Decoders hand out whole canvases, as the spec's "fully decoded" frames are.

/// What happens to a frame's area before the next frame is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispose {
    /// Left as drawn.
    None,
    /// Cleared to transparent black (browsers ignore GIF's background colour here).
    Background,
    /// Restored to what it was before the frame was drawn.
    Previous,
}

/// How a frame's pixels combine with the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blend {
    /// Replace the area, alpha included.
    Source,
    /// Alpha-composite over the area ("over", straight alpha).
    Over,
}

/// One frame's pixels (RGBA, `width * 4` bytes a row) and where they go.
pub struct Patch<'a> {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    pub rgba: &'a [u8],
    pub blend: Blend,
    pub dispose: Dispose,
}

/// The area the last frame covered and how to dispose of it.
struct Pending {
    area: (u32, u32, u32, u32),
    dispose: Dispose,
    saved: Option<Vec<u8>>,
}

/// An RGBA canvas, transparent black to start with.
pub struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
    pending: Option<Pending>,
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Self {
        Self { width, height, pixels: vec![0; width as usize * height as usize * 4], pending: None }
    }

    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// Disposes of the previous frame, then draws `patch` (clipped to the canvas).
    pub fn draw(&mut self, patch: &Patch<'_>) {
        if let Some(pending) = self.pending.take() {
            self.dispose(pending);
        }
        let x1 = patch.x.min(self.width);
        let y1 = patch.y.min(self.height);
        let x2 = patch.x.saturating_add(patch.width).min(self.width);
        let y2 = patch.y.saturating_add(patch.height).min(self.height);
        let area = (x1, y1, x2, y2);
        let saved = (patch.dispose == Dispose::Previous).then(|| self.copy_area(area));
        let src_stride = patch.width as usize * 4;
        for y in y1..y2 {
            let src_row = (y - patch.y) as usize * src_stride;
            for x in x1..x2 {
                let s = src_row + (x - patch.x) as usize * 4;
                let Some(src) = patch.rgba.get(s..s + 4) else { continue };
                let d = (y as usize * self.width as usize + x as usize) * 4;
                let dst = &mut self.pixels[d..d + 4];
                match patch.blend {
                    Blend::Source => dst.copy_from_slice(src),
                    Blend::Over => over(src, dst),
                }
            }
        }
        self.pending = Some(Pending { area, dispose: patch.dispose, saved });
    }

    fn copy_area(&self, (x1, y1, x2, y2): (u32, u32, u32, u32)) -> Vec<u8> {
        let mut saved = Vec::with_capacity((x2 - x1) as usize * (y2 - y1) as usize * 4);
        for y in y1..y2 {
            let row = (y as usize * self.width as usize + x1 as usize) * 4;
            saved.extend_from_slice(&self.pixels[row..row + (x2 - x1) as usize * 4]);
        }
        saved
    }

    fn dispose(&mut self, pending: Pending) {
        let (x1, y1, x2, y2) = pending.area;
        let row_bytes = (x2 - x1) as usize * 4;
        for (i, y) in (y1..y2).enumerate() {
            let row = (y as usize * self.width as usize + x1 as usize) * 4;
            let dst = &mut self.pixels[row..row + row_bytes];
            match (&pending.dispose, &pending.saved) {
                (Dispose::Background, _) => dst.fill(0),
                (Dispose::Previous, Some(saved)) => dst.copy_from_slice(&saved[i * row_bytes..(i + 1) * row_bytes]),
                _ => {}
            }
        }
    }
}

/// Porter-Duff "over" on straight-alpha RGBA, rounded to the nearest value.
fn over(src: &[u8], dst: &mut [u8]) {
    let sa = u32::from(src[3]);
    if sa == 255 {
        dst.copy_from_slice(src);
        return;
    }
    if sa == 0 {
        return;
    }
    let da = u32::from(dst[3]);
    // Alphas scaled by 255: out_a = sa + da * (1 - sa).
    let da_part = da * (255 - sa);
    let out_a = sa * 255 + da_part;
    for c in 0..3 {
        let value = u32::from(src[c]) * sa * 255 + u32::from(dst[c]) * da_part;
        dst[c] = ((value + out_a / 2) / out_a) as u8;
    }
    dst[3] = ((out_a + 127) / 255) as u8;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(x: u32, y: u32, rgba: &[u8], blend: Blend, dispose: Dispose) -> Patch<'_> {
        Patch { x, y, width: 1, height: 1, rgba, blend, dispose }
    }

    fn pixel(canvas: &Canvas, x: u32, y: u32) -> [u8; 4] {
        let i = (y * canvas.width + x) as usize * 4;
        canvas.pixels[i..i + 4].try_into().unwrap()
    }

    const RED: [u8; 4] = [255, 0, 0, 255];
    const BLUE: [u8; 4] = [0, 0, 255, 255];
    const CLEAR: [u8; 4] = [0, 0, 0, 0];

    #[test]
    fn keeps_what_a_frame_drew_under_dispose_none() {
        let mut canvas = Canvas::new(2, 1);
        canvas.draw(&patch(0, 0, &RED, Blend::Source, Dispose::None));
        canvas.draw(&patch(1, 0, &BLUE, Blend::Source, Dispose::None));
        assert_eq!((pixel(&canvas, 0, 0), pixel(&canvas, 1, 0)), (RED, BLUE));
    }

    #[test]
    fn clears_to_transparent_under_dispose_background() {
        let mut canvas = Canvas::new(2, 1);
        canvas.draw(&patch(0, 0, &RED, Blend::Source, Dispose::Background));
        canvas.draw(&patch(1, 0, &BLUE, Blend::Source, Dispose::None));
        assert_eq!((pixel(&canvas, 0, 0), pixel(&canvas, 1, 0)), (CLEAR, BLUE));
    }

    #[test]
    fn restores_the_earlier_canvas_under_dispose_previous() {
        let mut canvas = Canvas::new(1, 1);
        canvas.draw(&patch(0, 0, &RED, Blend::Source, Dispose::None));
        canvas.draw(&patch(0, 0, &BLUE, Blend::Source, Dispose::Previous));
        assert_eq!(pixel(&canvas, 0, 0), BLUE);
        canvas.draw(&patch(0, 0, &CLEAR, Blend::Over, Dispose::None));
        assert_eq!(pixel(&canvas, 0, 0), RED);
    }

    #[test]
    fn over_leaves_transparent_pixels_and_mixes_translucent_ones() {
        let mut canvas = Canvas::new(1, 1);
        canvas.draw(&patch(0, 0, &RED, Blend::Source, Dispose::None));
        canvas.draw(&patch(0, 0, &CLEAR, Blend::Over, Dispose::None));
        assert_eq!(pixel(&canvas, 0, 0), RED);
        canvas.draw(&patch(0, 0, &[0, 0, 255, 128], Blend::Over, Dispose::None));
        assert_eq!(pixel(&canvas, 0, 0), [127, 0, 128, 255]);
    }

    #[test]
    fn source_blend_replaces_alpha_too() {
        let mut canvas = Canvas::new(1, 1);
        canvas.draw(&patch(0, 0, &RED, Blend::Source, Dispose::None));
        canvas.draw(&patch(0, 0, &CLEAR, Blend::Source, Dispose::None));
        assert_eq!(pixel(&canvas, 0, 0), CLEAR);
    }

    #[test]
    fn clips_frames_that_reach_past_the_canvas() {
        let mut canvas = Canvas::new(1, 1);
        let wide = [RED, BLUE].concat();
        canvas.draw(&Patch {
            x: 0,
            y: 0,
            width: 2,
            height: 1,
            rgba: &wide,
            blend: Blend::Source,
            dispose: Dispose::None,
        });
        canvas.draw(&Patch {
            x: 5,
            y: 5,
            width: 1,
            height: 1,
            rgba: &BLUE,
            blend: Blend::Source,
            dispose: Dispose::None,
        });
        assert_eq!(pixel(&canvas, 0, 0), RED);
    }
}
