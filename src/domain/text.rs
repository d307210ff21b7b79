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

/// The catalogue key of a text refused for a control character; the HTTP edge names the
/// field it was found in.
pub const CONTROL_CHARACTER: &str = "invalid-control-character";

/// One line of text as a person or a client sent it: any text but control characters
/// (U+0000–U+001F, U+007F–U+009F), which no name, unit, code or filter needs and which
/// some stores refuse (PostgreSQL) or keep silently (SQLite). Every single-line text field
/// of a body or a query is one, so the refusal is the same everywhere and on both backends.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Line(String);

/// Free text over several lines (notes, care notes): like `Line`, with newline and tab
/// allowed; a CR LF pair (as a browser's text box sends it) is kept as one newline.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Note(String);

impl Line {
    /// The text, or the first control character in it.
    pub fn parse(raw: impl Into<String>) -> Result<Self, char> {
        let raw = raw.into();
        match raw.chars().find(|c| c.is_control()) {
            Some(c) => Err(c),
            None => Ok(Self(raw)),
        }
    }
}

impl Note {
    /// The text with CR LF as LF, or the first control character other than newline and tab.
    pub fn parse(raw: impl Into<String>) -> Result<Self, char> {
        let mut raw: String = raw.into();
        if raw.contains('\r') {
            raw = raw.replace("\r\n", "\n");
        }
        match raw
            .chars()
            .find(|c| c.is_control() && *c != '\n' && *c != '\t')
        {
            Some(c) => Err(c),
            None => Ok(Self(raw)),
        }
    }
}

macro_rules! text_type {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        /// Text from Yui's own code (the demo, tests): what the rule refuses becomes U+FFFD,
        /// so that a `Line` or `Note` never holds it. Input from outside goes through `parse`.
        impl From<String> for $name {
            fn from(raw: String) -> Self {
                $name::parse(raw.clone()).unwrap_or_else(|_| {
                    let cleaned: String = raw
                        .replace("\r\n", "\n")
                        .chars()
                        .map(|c| {
                            if $name::parse(c.to_string()).is_ok() {
                                c
                            } else {
                                '\u{FFFD}'
                            }
                        })
                        .collect();
                    $name(cleaned)
                })
            }
        }

        impl From<&str> for $name {
            fn from(raw: &str) -> Self {
                $name::from(raw.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(text: $name) -> String {
                text.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                // The message starts with the catalogue key: the edge turns it into a
                // validation problem naming the field (see http/body.rs).
                $name::parse(raw).map_err(|c| {
                    serde::de::Error::custom(format!("{CONTROL_CHARACTER} U+{:04X}", c as u32))
                })
            }
        }
    };
}

text_type!(Line);
text_type!(Note);

#[cfg(test)]
mod text_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lines_refuse_control_characters_and_notes_keep_newlines_and_tabs() {
        assert_eq!(Line::parse("豆腐 2丁").unwrap(), "豆腐 2丁");
        assert_eq!(Line::parse("a\0b"), Err('\0'));
        assert_eq!(Line::parse("a\nb"), Err('\n'));
        assert_eq!(Line::parse("a\u{85}b"), Err('\u{85}'));
        assert_eq!(Note::parse("朝は\n留守\tです").unwrap(), "朝は\n留守\tです");
        assert_eq!(Note::parse("one\r\ntwo").unwrap(), "one\ntwo");
        assert_eq!(Note::parse("lone\rcr"), Err('\r'));
        assert_eq!(Note::parse("bell\u{7}"), Err('\u{7}'));
        let refused = serde_json::from_str::<Line>(r#""a\u0000b""#).unwrap_err();
        assert!(
            refused.to_string().starts_with(CONTROL_CHARACTER),
            "{refused}"
        );
    }

    /// Any text, with the characters at the edges of the rule (NUL, CR, LF, tab, C1
    /// controls, DEL) much more often than chance would give them.
    fn text() -> impl Strategy<Value = String> {
        let special = prop::sample::select(vec![
            '\0', '\r', '\n', '\t', '\u{7f}', '\u{85}', '\u{9f}', ' ',
        ]);
        prop::collection::vec(prop_oneof![any::<char>(), special], 0..24)
            .prop_map(String::from_iter)
    }

    proptest! {
        #[test]
        fn a_line_is_accepted_exactly_when_it_has_no_control_character(raw in text()) {
            let json = serde_json::to_string(&raw).unwrap();
            match serde_json::from_str::<Line>(&json) {
                Ok(line) => {
                    prop_assert!(!raw.chars().any(char::is_control));
                    prop_assert_eq!(line.as_str(), raw.as_str());
                    prop_assert_eq!(serde_json::to_string(&line).unwrap(), json);
                }
                Err(e) => {
                    prop_assert!(raw.chars().any(char::is_control));
                    prop_assert!(e.to_string().starts_with(CONTROL_CHARACTER));
                }
            }
        }

        #[test]
        fn a_note_is_accepted_exactly_when_only_newlines_and_tabs_are_control(raw in text()) {
            let json = serde_json::to_string(&raw).unwrap();
            let kept = raw.replace("\r\n", "\n");
            let allowed = !kept.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
            match serde_json::from_str::<Note>(&json) {
                Ok(note) => {
                    prop_assert!(allowed);
                    prop_assert_eq!(note.as_str(), kept.as_str());
                    let again: Note = serde_json::from_str(&serde_json::to_string(&note).unwrap()).unwrap();
                    prop_assert_eq!(again, note);
                }
                Err(_) => prop_assert!(!allowed),
            }
        }
    }
}
