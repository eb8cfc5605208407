//! Frame orientation (https://w3c.github.io/webcodecs/#dom-videoframe-rotation): a
//! clockwise rotation in quarter turns, then an optional horizontal flip. It is metadata:
//! pixels are never moved for it.

use crate::{EngineError, Result};

/// `[[rotation]]` (0, 90, 180 or 270) and `[[flip]]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Orientation {
    pub rotation: u32,
    pub flip: bool,
}

impl Orientation {
    /// An orientation from a dictionary's `rotation` (run through "Parse Rotation") and
    /// `flip`.
    pub fn from_init(rotation: Option<f64>, flip: Option<bool>) -> Result<Self> {
        Ok(Self { rotation: parse_rotation(rotation.unwrap_or(0.0))?, flip: flip.unwrap_or(false) })
    }

    /// Whether the displayed picture is the visible rect turned on its side.
    pub fn is_sideways(self) -> bool {
        !self.rotation.is_multiple_of(180)
    }

    /// The orientation of a frame made from a frame with this orientation and an init's
    /// `rotation` and `flip` ("Initialize Visible Rect, Orientation, and Display Size",
    /// steps 4 to 6): rotations add ("Add Rotations", against the base's direction when it
    /// is flipped) and flips cancel.
    pub fn compose(self, init: Orientation) -> Self {
        let combined = if self.flip {
            i64::from(self.rotation) - i64::from(init.rotation)
        } else {
            i64::from(self.rotation) + i64::from(init.rotation)
        };
        Self { rotation: combined.rem_euclid(360) as u32, flip: self.flip != init.flip }
    }

    /// `(width, height)` as displayed: swapped when the frame is sideways.
    pub fn oriented(self, size: (u32, u32)) -> (u32, u32) {
        if self.is_sideways() {
            (size.1, size.0)
        } else {
            size
        }
    }
}

/// "Parse Rotation" (https://w3c.github.io/webcodecs/#videoframe-parse-rotation): the
/// nearest multiple of 90, ties towards positive infinity, less its full turns. WebIDL's
/// `double` has already refused NaN and the infinities.
pub fn parse_rotation(rotation: f64) -> Result<u32> {
    if !rotation.is_finite() {
        return Err(EngineError::type_error(format!("rotation must be a finite number, got {rotation}")));
    }
    // Counting quarter turns keeps the arithmetic exact for any finite double.
    let quarters = (rotation / 90.0 + 0.5).floor();
    Ok(quarters.rem_euclid(4.0) as u32 * 90)
}

/// The display size of a frame made from another without an explicit one ("Initialize
/// Visible Rect, Orientation, and Display Size", step 8): the base frame's display scale,
/// measured along its visible rect's axes, applied to the new visible rect, then turned
/// for the new frame's orientation.
pub fn derived_display_size(
    base: Orientation,
    base_visible: (u32, u32),
    base_display: (u32, u32),
    visible: (u32, u32),
    orientation: Orientation,
) -> (u32, u32) {
    let (display_w, display_h) = base.oriented(base_display);
    let width_scale = f64::from(display_w) / f64::from(base_visible.0);
    let height_scale = f64::from(display_h) / f64::from(base_visible.1);
    let width = (f64::from(visible.0) * width_scale).round() as u32;
    let height = (f64::from(visible.1) * height_scale).round() as u32;
    orientation.oriented((width, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rotation_rounds_to_quarter_turns() {
        let cases = [
            (0.0, 0),
            (90.0, 90),
            (45.0, 90),
            (44.9, 0),
            (-45.0, 0),
            (-45.1, 270),
            (135.0, 180),
            (-90.0, 270),
            (360.0, 0),
            (450.0, 90),
            (-810.0, 270),
            (1e300, 0),
        ];
        for (given, expected) in cases {
            assert_eq!(parse_rotation(given).unwrap(), expected, "{given}");
        }
        assert_eq!(parse_rotation(f64::NAN).unwrap_err().name(), "TypeError");
    }

    #[test]
    fn compose_adds_rotations_against_a_flip() {
        let base = Orientation { rotation: 90, flip: false };
        assert_eq!(base.compose(Orientation { rotation: 270, flip: false }), Orientation { rotation: 0, flip: false });
        let flipped = Orientation { rotation: 90, flip: true };
        assert_eq!(
            flipped.compose(Orientation { rotation: 180, flip: false }),
            Orientation { rotation: 270, flip: true }
        );
        assert_eq!(flipped.compose(Orientation { rotation: 0, flip: true }), Orientation { rotation: 90, flip: false });
    }

    #[test]
    fn derived_display_size_keeps_the_pixel_aspect_ratio() {
        let upright = Orientation::default();
        let sideways = Orientation { rotation: 90, flip: false };
        // An anamorphic 4x2 frame shown 8x2, cropped to 2x2: shown 4x2, or 2x4 turned.
        assert_eq!(derived_display_size(upright, (4, 2), (8, 2), (2, 2), upright), (4, 2));
        assert_eq!(derived_display_size(upright, (4, 2), (8, 2), (2, 2), sideways), (2, 4));
        // The same frame already turned (shown 2x8) keeps its scale along its own axes.
        assert_eq!(derived_display_size(sideways, (4, 2), (2, 8), (2, 2), sideways), (2, 4));
    }
}
