//! Field types that never fail a contact: a key of the wrong type reads as absent.
//!
//! Exports decode each page straight into small typed structs built from these, instead of a
//! generic JSON tree of every contact; real data adds, drops and retypes keys, and one odd field
//! must not throw away a page of 50 contacts.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A string, or `None` for anything else (or blank). A number or a boolean where text was
/// expected reads as its JSON text: real data sends ids, phones and times as numbers, and
/// dropping them would blank the cell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text(pub Option<String>);

impl Text {
    /// The non-blank text.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref().filter(|text| !text.trim().is_empty())
    }
}

/// A boolean; anything else reads as `false`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flag(pub bool);

/// A string borrowed from the page when it has no escapes, a number or a boolean as its JSON
/// text (as `Text`), or `None` for anything else (or blank). Exports read tens of millions of fields; not copying each saves most of the
/// allocations of a decode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Str<'a>(pub Option<Cow<'a, str>>);

impl Str<'_> {
    /// The non-blank text.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref().filter(|text| !text.trim().is_empty())
    }
}

/// The strings of an array, borrowed as `Str`, skipping everything else (numbers too: a list
/// of tags holds names); not an array reads as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Texts<'a>(pub Vec<Cow<'a, str>>);

/// The elements of an array; not an array reads as empty. Elements must themselves be
/// lenient (`Obj`, `Str`, …) for one odd element not to fail the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

/// An object decoded as `T` (whose fields must themselves be lenient), or `None` when the value
/// is not an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<T> Obj<T> {
    pub fn get(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

/// Reads a value of any type, keeping what `keep` makes of it. Arrays and objects that are not
/// wanted are skipped over, so the surrounding document still parses.
macro_rules! skip_other_kinds {
    ($value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

/// Reads numbers and booleans as their JSON text, made into the value by `$make`.
macro_rules! scalars_as_text {
    ($make:expr) => {
        fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
            Ok($make(value.to_string()))
        }
        fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
            Ok($make(value.to_string()))
        }
        fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
            Ok($make(value.to_string()))
        }
        fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
            Ok($make(
                serde_json::Number::from_f64(value).map_or_else(String::new, |n| n.to_string()),
            ))
        }
    };
}

fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Text, E> {
                Ok(Text(Some(text.to_owned())))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Text, E> {
                Ok(Text(Some(text)))
            }
            scalars_as_text!(|text: String| Text(Some(text)));
            fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Text, A::Error> {
                skip_seq(seq).map(|()| Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Text, A::Error> {
                skip_map(map).map(|()| Text(None))
            }
        }
        deserializer.deserialize_any(TextVisitor)
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FlagVisitor;
        impl<'de> Visitor<'de> for FlagVisitor {
            type Value = Flag;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            fn visit_bool<E: de::Error>(self, value: bool) -> Result<Flag, E> {
                Ok(Flag(value))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_none<E: de::Error>(self) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Flag, A::Error> {
                skip_seq(seq).map(|()| Flag(false))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Flag, A::Error> {
                skip_map(map).map(|()| Flag(false))
            }
        }
        deserializer.deserialize_any(FlagVisitor)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Some(Cow::Borrowed(text))))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Str<'de>, E> {
                Ok(Str(Some(Cow::Owned(text.to_owned()))))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Str<'de>, E> {
                Ok(Str(Some(Cow::Owned(text))))
            }
            scalars_as_text!(|text: String| Str(Some(Cow::Owned(text))));
            fn visit_unit<E: de::Error>(self) -> Result<Str<'de>, E> {
                Ok(Str(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Str<'de>, E> {
                Ok(Str(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Str<'de>, A::Error> {
                skip_seq(seq).map(|()| Str(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Str<'de>, A::Error> {
                skip_map(map).map(|()| Str(None))
            }
        }
        deserializer.deserialize_any(StrVisitor)
    }
}

/// One element of `Texts`: a string, or `None` for anything else.
struct OnlyStr<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for OnlyStr<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OnlyStrVisitor;
        impl<'de> Visitor<'de> for OnlyStrVisitor {
            type Value = OnlyStr<'de>;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<OnlyStr<'de>, E> {
                Ok(OnlyStr(Some(Cow::Borrowed(text))))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<OnlyStr<'de>, E> {
                Ok(OnlyStr(Some(Cow::Owned(text.to_owned()))))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<OnlyStr<'de>, E> {
                Ok(OnlyStr(Some(Cow::Owned(text))))
            }
            skip_other_kinds!(OnlyStr(None));
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<OnlyStr<'de>, A::Error> {
                skip_seq(seq).map(|()| OnlyStr(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<OnlyStr<'de>, A::Error> {
                skip_map(map).map(|()| OnlyStr(None))
            }
        }
        deserializer.deserialize_any(OnlyStrVisitor)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Texts<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let List(texts) = List::<OnlyStr<'a>>::deserialize(deserializer)?;
        Ok(Texts(texts.into_iter().filter_map(|text| text.0).collect()))
    }
}

/// A JSON object decoded as `T`; anything else (an array, which a derived `Deserialize` would
/// take field by field, a number, a string) is an error naming what it was. A contact must be
/// an object: anything else would otherwise become a blank row.
pub struct ObjectOnly<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = ObjectOnly<T>;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a contact object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ObjectOnly<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(ObjectOnly)
            }
        }
        deserializer.deserialize_map(ObjectVisitor(PhantomData))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = List<T>;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<List<T>, E> {
                Ok(List::default())
            }
            skip_other_kinds!(List::default());
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(item) = seq.next_element::<T>()? {
                    items.push(item);
                }
                Ok(List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<List<T>, A::Error> {
                skip_map(map).map(|()| List::default())
            }
        }
        deserializer.deserialize_any(ListVisitor(PhantomData))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
            type Value = Obj<T>;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            skip_other_kinds!(Obj(None));
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Obj<T>, A::Error> {
                skip_seq(seq).map(|()| Obj(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|value| Obj(Some(value)))
            }
        }
        deserializer.deserialize_any(ObjVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Default)]
    struct Inner {
        #[serde(default)]
        name: Text,
        #[serde(default)]
        on: Flag,
    }

    #[derive(Debug, Deserialize)]
    struct Outer<'a> {
        #[serde(default)]
        inner: Obj<Inner>,
        #[serde(default, borrow)]
        tags: Texts<'a>,
        #[serde(default)]
        after: Text,
    }

    fn outer(json: &str) -> Outer<'_> {
        serde_json::from_str(json).expect("lenient types accept any JSON")
    }

    #[test]
    fn wrong_types_read_as_absent_and_the_rest_still_parses() {
        let parsed = outer(
            r#"{"inner": {"name": 5, "on": "yes", "x": [1, {"y": 2}]},
                "tags": ["a", 1, null, "b", {"c": 1}], "after": "kept"}"#,
        );
        let inner = parsed.inner.get().expect("an object");
        assert_eq!(
            inner.name,
            Text(Some("5".into())),
            "a number where text was expected"
        );
        assert_eq!(inner.on, Flag(false));
        assert_eq!(parsed.tags, Texts(vec!["a".into(), "b".into()]));
        assert_eq!(parsed.after.get(), Some("kept"));

        let parsed = outer(r#"{"inner": [1, 2, {"a": [3]}], "tags": "vip", "after": {"a": 1}}"#);
        assert!(parsed.inner.get().is_none());
        assert!(parsed.tags.0.is_empty());
        assert_eq!(parsed.after.get(), None);
    }

    #[test]
    fn numbers_and_booleans_read_as_their_text() {
        let parsed = outer(r#"{"inner": {"name": 447700900123}, "after": 1.5}"#);
        let inner = parsed.inner.get().expect("an object");
        assert_eq!(inner.name.get(), Some("447700900123"));
        assert_eq!(parsed.after.get(), Some("1.5"));
        let parsed = outer(r#"{"inner": {"name": -3}, "after": true}"#);
        assert_eq!(
            parsed.inner.get().and_then(|inner| inner.name.get()),
            Some("-3")
        );
        assert_eq!(parsed.after.get(), Some("true"));
        assert_eq!(outer(r#"{"after": null}"#).after.get(), None);
    }

    #[test]
    fn only_an_object_is_an_object() {
        let object: ObjectOnly<Inner> =
            serde_json::from_str(r#"{"name": "Ann"}"#).expect("an object");
        assert_eq!(object.0.name.get(), Some("Ann"));
        for other in ["[]", "[\"Ann\", true]", "3", "\"Ann\"", "null"] {
            let error = serde_json::from_str::<ObjectOnly<Inner>>(other)
                .err()
                .unwrap_or_else(|| panic!("{other} is not an object"));
            assert!(
                error.to_string().contains("expected a contact object"),
                "{error}"
            );
        }
    }

    #[test]
    fn blank_text_reads_as_absent() {
        let parsed = outer(r#"{"after": "  "}"#);
        assert_eq!(parsed.after.get(), None);
    }
}
