//! WebIDL enumerations (https://webidl.spec.whatwg.org/#idl-enums), declared once each with
//! [`idl_enum!`](crate::idl_enum) and converted by one [`IdlEnum::parse`], so that every
//! value outside the enumeration is the same `TypeError` wherever it appears.

use crate::{EngineError, Result};

/// An enumeration whose values are the strings of its WebIDL definition.
pub trait IdlEnum: Sized + Copy + PartialEq + 'static {
    /// The enumeration's name in the spec, for the `TypeError`.
    const NAME: &'static str;
    /// Every value with its string, in the spec's order.
    const VALUES: &'static [(&'static str, Self)];

    /// The enumeration value `s` names; any other string is a `TypeError`.
    fn parse(s: &str) -> Result<Self> {
        Self::VALUES
            .iter()
            .find(|(text, _)| *text == s)
            .map(|&(_, value)| value)
            .ok_or_else(|| EngineError::type_error(format!("'{s}' is not a valid {}", Self::NAME)))
    }

    /// An optional dictionary member: absent is the member's default.
    fn parse_or_default(s: Option<&str>) -> Result<Self>
    where
        Self: Default,
    {
        s.map_or_else(|| Ok(Self::default()), Self::parse)
    }

    /// Every value, in the spec's order.
    fn all() -> impl Iterator<Item = Self> {
        Self::VALUES.iter().map(|&(_, value)| value)
    }

    /// The value's string.
    fn as_str(self) -> &'static str {
        Self::VALUES.iter().find(|(_, value)| *value == self).map_or("", |&(text, _)| text)
    }
}

/// Declares an enum and its [`IdlEnum`] strings:
/// `idl_enum!(/// doc
/// pub enum LatencyMode = "LatencyMode" { #[default] Quality = "quality", Realtime = "realtime" });`
#[macro_export]
macro_rules! idl_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident = $idl:literal {
            $($(#[$variant_meta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$variant_meta])* $variant),+
        }

        impl $crate::IdlEnum for $name {
            const NAME: &'static str = $idl;
            const VALUES: &'static [(&'static str, Self)] = &[$(($text, Self::$variant)),+];
        }

        #[allow(dead_code)]
        impl $name {
            /// The value's string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// The value `s` names; any other string is a `TypeError`.
            pub fn parse(s: &str) -> $crate::Result<Self> {
                <Self as $crate::IdlEnum>::parse(s)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::IdlEnum;

    crate::idl_enum!(
        /// A test enumeration.
        #[derive(Default)]
        enum Fruit = "Fruit" {
            #[default]
            Apple = "apple",
            BloodOrange = "blood-orange",
        }
    );

    #[test]
    fn strings_round_trip_and_others_are_type_errors() {
        assert_eq!(Fruit::parse("blood-orange").unwrap(), Fruit::BloodOrange);
        assert_eq!(Fruit::BloodOrange.as_str(), "blood-orange");
        assert_eq!(Fruit::parse_or_default(None).unwrap(), Fruit::Apple);
        let e = Fruit::parse("Apple").unwrap_err();
        assert_eq!((e.name(), e.message()), ("TypeError", "'Apple' is not a valid Fruit"));
        assert_eq!(Fruit::parse(" apple").unwrap_err().name(), "TypeError");
    }
}
