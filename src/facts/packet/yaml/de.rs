//! Typed structs read straight from a [`Node`] tree (serde's `Deserializer`), so that a kind file
//! becomes its spec without a detour through an untyped JSON tree, and every error names the line
//! of the value it is about.
//!
//! A plain (unquoted) `true`, `false` or integer reads as such; everything else is text, exactly
//! as [`Node::to_json`] reads it.

use super::{Entry, Node, Value};
use serde::de::{self, IntoDeserializer, Visitor};
use std::fmt;

/// Why a tree does not fit the type asked for, and on which line.
#[derive(Debug, Clone, PartialEq)]
pub struct DeError {
    /// serde's words for the problem.
    pub message: String,
    /// The line of the innermost value or key it is about.
    pub line: Option<usize>,
}

impl DeError {
    /// Place the error on `line` unless a deeper value already placed it.
    fn at(mut self, line: usize) -> DeError {
        self.line.get_or_insert(line);
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> DeError {
        DeError {
            message: msg.to_string(),
            line: None,
        }
    }
}

/// Read a `T` from the tree.
pub fn from_node<'de, T: de::Deserialize<'de>>(node: &'de Node) -> Result<T, DeError> {
    T::deserialize(node)
}

impl<'de> de::Deserializer<'de> for &'de Node {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let read = match &self.value {
            Value::Null => visitor.visit_unit(),
            Value::Str(s) if self.plain => match s.as_str() {
                "true" => visitor.visit_bool(true),
                "false" => visitor.visit_bool(false),
                text => match text.parse::<i64>() {
                    Ok(n) if n >= 0 => visitor.visit_u64(n.unsigned_abs()),
                    Ok(n) => visitor.visit_i64(n),
                    Err(_) => visitor.visit_borrowed_str(text),
                },
            },
            Value::Str(s) => visitor.visit_borrowed_str(s.as_str()),
            Value::Seq(items) => visitor.visit_seq(Items(items.iter())),
            Value::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
            }),
        };
        read.map_err(|e| e.at(self.pos.line))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let read = match &self.value {
            Value::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Map(entries) if entries.len() == 1 => visitor.visit_enum(Variant(&entries[0])),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        };
        read.map_err(|e| e.at(self.pos.line))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

impl Node {
    /// The value as serde names it in "invalid type" messages.
    fn unexpected(&self) -> de::Unexpected<'_> {
        match &self.value {
            Value::Null => de::Unexpected::Unit,
            Value::Str(s) => de::Unexpected::Str(s),
            Value::Seq(_) => de::Unexpected::Seq,
            Value::Map(_) => de::Unexpected::Map,
        }
    }
}

struct Items<'de>(std::slice::Iter<'de, Node>);

impl<'de> de::SeqAccess<'de> for Items<'de> {
    type Error = DeError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        self.0.next().map(|node| seed.deserialize(node)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'de> {
    entries: std::slice::Iter<'de, Entry>,
    value: Option<&'de Node>,
}

impl<'de> de::MapAccess<'de> for Entries<'de> {
    type Error = DeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some(entry) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(&entry.value);
        let key = de::value::BorrowedStrDeserializer::new(entry.key.as_str());
        seed.deserialize(key)
            .map(Some)
            .map_err(|e: DeError| e.at(entry.key_pos.line))
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DeError> {
        match self.value.take() {
            Some(node) => seed.deserialize(node),
            None => Err(de::Error::custom("a value asked for before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// `{variant: content}`, an enum variant with data.
struct Variant<'de>(&'de Entry);

impl<'de> de::EnumAccess<'de> for Variant<'de> {
    type Error = DeError;
    type Variant = &'de Node;

    fn variant_seed<V: de::DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, &'de Node), DeError> {
        let key = de::value::BorrowedStrDeserializer::new(self.0.key.as_str());
        let variant = seed
            .deserialize(key)
            .map_err(|e: DeError| e.at(self.0.key_pos.line))?;
        Ok((variant, &self.0.value))
    }
}

impl<'de> de::VariantAccess<'de> for &'de Node {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, DeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::packet::source::SourceFile;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    fn tree(text: &str) -> Node {
        let file = SourceFile::new("t.yaml", text.to_string());
        super::super::parse(&file, 0, file.text.len(), 1).expect("valid YAML")
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Spec {
        name: String,
        #[serde(default)]
        days: Vec<i64>,
        #[serde(default)]
        strict: bool,
        note: Option<String>,
        #[serde(default)]
        shape: Option<Shape>,
        #[serde(default)]
        rule: Option<Rule>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Shape {
        Text,
        List,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(untagged)]
    enum Rule {
        Named(String),
        Counted { at_least: u32 },
    }

    /// The tree reads exactly as its JSON rendering does: the same values, the same errors.
    #[test]
    fn a_tree_reads_as_its_json_reads() {
        let cases = [
            "name: a\ndays: [-7, 0, 14]\nstrict: true\nnote: ~\nshape: list\nrule: {at_least: 2}\n",
            "name: a\nnote: hi\nrule: plain words\n",
            "name: '7'\nstrict: 'true'\n",
            "name: 7\n",
            "name: a\ndays: [x]\n",
            "name: a\nshape: circle\n",
            "name: a\nrule: [1]\n",
            "name: a\nextra: 1\n",
            "days: [1]\n",
        ];
        for text in cases {
            let node = tree(text);
            let direct = from_node::<Spec>(&node).map_err(|e| e.message);
            let via_json =
                serde_json::from_value::<Spec>(node.to_json()).map_err(|e| e.to_string());
            assert_eq!(direct, via_json, "{text}");
        }
        let maps: BTreeMap<String, serde_json::Value> =
            from_node(&tree("a: 1\nb: [true, x]\n")).expect("a map");
        assert_eq!(
            serde_json::to_string(&maps).unwrap(),
            r#"{"a":1,"b":[true,"x"]}"#
        );
    }

    #[test]
    fn an_error_names_the_line_of_the_value_or_key_it_is_about() {
        let at = |text: &str| from_node::<Spec>(&tree(text)).unwrap_err().line;
        assert_eq!(at("name: a\ndays:\n  - 1\n  - x\n"), Some(4));
        assert_eq!(at("name: a\nnote: b\nextra: 1\n"), Some(3));
        assert_eq!(at("name: a\n\nshape: circle\n"), Some(3));
        // A field missing is the mapping's fault: its first line.
        assert_eq!(at("\ndays: [1]\n"), Some(2));
    }
}
