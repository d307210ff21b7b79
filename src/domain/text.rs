//! Enums stored and sent as TEXT: each spelling is written once, in its `text_enum!`, and
//! `db/` maps every such type to a TEXT column through one macro.

/// An enum with one TEXT spelling per variant.
pub trait TextEnum: Sized + Copy + 'static {
    /// Every variant, in declaration order.
    const ALL: &'static [Self];
    /// The catalogue's field name for errors about this enum.
    const FIELD: &'static str;
    fn as_str(self) -> &'static str;

    fn parse(raw: &str) -> Result<Self, super::error::DomainError> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == raw)
            .ok_or_else(|| {
                super::error::DomainError::invalid(
                    Self::FIELD,
                    super::error::Message::new("invalid-one-of").arg("values", Self::spellings()),
                )
            })
    }

    /// "a, b, c": for messages and the spec.
    fn spellings() -> String {
        Self::ALL
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Declares an enum, its serde spelling and its `TextEnum` spelling from one list.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident ($field:literal) { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $crate::domain::text::TextEnum for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            const FIELD: &'static str = $field;
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                $crate::domain::text::TextEnum::as_str(self)
            }
            pub fn parse(raw: &str) -> Result<Self, $crate::domain::error::DomainError> {
                <Self as $crate::domain::text::TextEnum>::parse(raw)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
