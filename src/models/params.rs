//! Typed hyperparameters, and the one place where they meet text.
//!
//! Each family declares its parameters once, with `family_params!`: a struct of typed
//! fields (`f64`, `u64`, `bool` or a word enum made by `param_words!`), each with its
//! default, its valid range ([`ParamType`]) and a doc line. From that one declaration come
//! the struct, its `Default`, its docs (rustdoc, the page and `driftlab train --help` show
//! the same line), and the tables that read ([`ParamSet`]) and write ([`ParamAssign`]) a
//! field by its key.
//!
//! Text enters only at the edges: the CLI's `--param key=value` and the page's map of
//! inputs go through [`ModelParams::set`](super::ModelParams::set) /
//! [`ModelParams::parse`](super::ModelParams::parse), which check the key (an unknown or
//! misspelled one is an error naming the valid keys) and the value's range (an error
//! giving the value, the valid range and the kind) before a field changes. Inside the
//! core the trainers read typed fields; nothing asks for a parameter by its name.
//!
//! The artifact records the parameters as a map from key to [`ParamValue`] (untagged:
//! `true`, `100`, `1.0`, `"gini"`), keys sorted, as it did before the parameters were
//! typed; [`ModelParams::values`](super::ModelParams::values) writes that map and
//! [`ModelParams::from_values`](super::ModelParams::from_values) reads it back (retraining
//! a registry's champion with its own parameters).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The type and valid range of a hyperparameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamType {
    /// A number in `[min, max]` (or `(min, max]` when `min_open`).
    Float {
        /// Lower bound.
        min: f64,
        /// Upper bound (inclusive).
        max: f64,
        /// Whether `min` itself is excluded.
        min_open: bool,
    },
    /// An integer in `[min, max]`.
    Int {
        /// Lower bound.
        min: u64,
        /// Upper bound.
        max: u64,
    },
    /// `true` or `false`.
    Bool,
    /// One of the listed words.
    Choice(&'static [&'static str]),
    /// A comma-separated list of up to `max_len` integers in `[min, max]`, or `none` for
    /// an empty list (an MLP's hidden layer sizes).
    IntList {
        /// Longest list.
        max_len: u64,
        /// Smallest item.
        min: u64,
        /// Largest item.
        max: u64,
    },
    /// A comma-separated list of one or more of the listed words (an MLP's activation
    /// per layer).
    WordList(&'static [&'static str]),
}

impl ParamType {
    /// A number in `[min, ∞]`.
    pub const fn at_least(min: f64) -> ParamType {
        ParamType::Float {
            min,
            max: f64::INFINITY,
            min_open: false,
        }
    }

    /// A number in `(0, ∞]`.
    pub const POSITIVE: ParamType = ParamType::Float {
        min: 0.0,
        max: f64::INFINITY,
        min_open: true,
    };

    /// A share in `(0, 1]`.
    pub const SHARE: ParamType = ParamType::Float {
        min: 0.0,
        max: 1.0,
        min_open: true,
    };

    /// The type and range in words, e.g. `a number in (0, 1]`.
    pub fn describe(&self) -> String {
        match *self {
            ParamType::Float { min, max, min_open } => {
                let lo = if min_open { "(" } else { "[" };
                format!("a number in {lo}{min}, {max}]")
            }
            ParamType::Int { min, max } => format!("an integer in [{min}, {max}]"),
            ParamType::Bool => "true or false".into(),
            ParamType::Choice(c) => format!("one of {}", c.join(", ")),
            ParamType::IntList { max_len, min, max } => format!(
                "a comma-separated list of up to {max_len} integers in [{min}, {max}], or none"
            ),
            ParamType::WordList(c) => {
                format!("a comma-separated list of words from {}", c.join(", "))
            }
        }
    }

    /// Reads `text` as a value of this type within its range (`None` otherwise).
    pub fn parse(&self, text: &str) -> Option<ParamValue> {
        let text = text.trim();
        match *self {
            ParamType::Float { min, max, min_open } => {
                let v: f64 = text.parse().ok()?;
                let ok = !v.is_nan() && v <= max && (v > min || (!min_open && v == min));
                ok.then_some(ParamValue::Float(v))
            }
            ParamType::Int { min, max } => {
                let v: u64 = text.parse().ok()?;
                (min..=max).contains(&v).then_some(ParamValue::Int(v))
            }
            ParamType::Bool => match text {
                "true" | "1" | "yes" => Some(ParamValue::Bool(true)),
                "false" | "0" | "no" => Some(ParamValue::Bool(false)),
                _ => None,
            },
            ParamType::Choice(c) => c
                .contains(&text)
                .then(|| ParamValue::Text(text.to_string())),
            ParamType::IntList { max_len, min, max } => {
                if text.is_empty() || text == "none" {
                    return Some(ParamValue::Text("none".into()));
                }
                let mut items = Vec::new();
                for item in text.split(',') {
                    let v: u64 = item.trim().parse().ok()?;
                    if !(min..=max).contains(&v) {
                        return None;
                    }
                    items.push(v.to_string());
                }
                (items.len() as u64 <= max_len).then(|| ParamValue::Text(items.join(",")))
            }
            ParamType::WordList(c) => {
                let mut items = Vec::new();
                for item in text.split(',') {
                    let item = item.trim();
                    if !c.contains(&item) {
                        return None;
                    }
                    items.push(item);
                }
                Some(ParamValue::Text(items.join(",")))
            }
        }
    }
}

/// One hyperparameter: its key, type and range, and what it does. Its default is the
/// family's `Default` (the catalog, [`super::catalog`], lists both).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    /// Key, as in `--param key=value` (the field's name).
    pub name: &'static str,
    /// Type and range.
    pub ty: ParamType,
    /// What it does (the field's doc line).
    pub doc: &'static str,
}

/// A hyperparameter value, as the artifact's lineage records it and as text is parsed
/// into it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(u64),
    /// A number.
    Float(f64),
    /// A word.
    Text(String),
}

impl fmt::Display for ParamValue {
    /// The value as `--param` takes it: `true`, `100`, `0.0001` (never an exponent), `gini`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Text(t) => f.write_str(t),
        }
    }
}

/// What is wrong with a hyperparameter.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamError {
    /// The model kind is not known.
    #[error("unknown model kind `{kind}`; valid kinds: {}", valid.join(", "))]
    UnknownKind {
        /// The name given.
        kind: String,
        /// The valid names.
        valid: Vec<&'static str>,
    },
    /// The key is not a parameter of the kind.
    #[error("`{key}` is not a parameter of {kind}; valid parameters: {}", valid.join(", "))]
    UnknownKey {
        /// The key given.
        key: String,
        /// The model kind.
        kind: &'static str,
        /// Its valid keys.
        valid: Vec<&'static str>,
    },
    /// The value is out of range or of the wrong type.
    #[error("{kind} parameter `{key}` = `{value}` is invalid; expected {expected}")]
    BadValue {
        /// The key.
        key: String,
        /// The model kind.
        kind: &'static str,
        /// The value given.
        value: String,
        /// The valid range.
        expected: String,
    },
    /// A `--param` argument without `=`.
    #[error("parameter `{0}` must look like key=value")]
    Syntax(String),
}

/// A value that a typed parameter field holds: converts to and from [`ParamValue`].
pub trait ParamField: Sized {
    /// The field as a value.
    fn to_value(&self) -> ParamValue;
    /// The field from a value already checked against its [`ParamType`].
    fn from_value(value: &ParamValue) -> Option<Self>;
}

impl ParamField for f64 {
    fn to_value(&self) -> ParamValue {
        ParamValue::Float(*self)
    }
    fn from_value(value: &ParamValue) -> Option<f64> {
        match *value {
            ParamValue::Float(v) => Some(v),
            ParamValue::Int(v) => Some(v as f64),
            _ => None,
        }
    }
}

impl ParamField for u64 {
    fn to_value(&self) -> ParamValue {
        ParamValue::Int(*self)
    }
    fn from_value(value: &ParamValue) -> Option<u64> {
        match *value {
            ParamValue::Int(v) => Some(v),
            _ => None,
        }
    }
}

impl ParamField for bool {
    fn to_value(&self) -> ParamValue {
        ParamValue::Bool(*self)
    }
    fn from_value(value: &ParamValue) -> Option<bool> {
        match *value {
            ParamValue::Bool(v) => Some(v),
            _ => None,
        }
    }
}

/// The typed parameters of one family, read by key (made by `family_params!`; nothing
/// else implements it).
pub trait ParamSet {
    /// Every parameter, in the order the CLI and the page list them.
    fn specs(&self) -> &'static [ParamSpec];
    /// The value of `key` (`None` for a key that is not a parameter).
    fn get(&self, key: &str) -> Option<ParamValue>;
}

/// The typed parameters of one family, written by key. Apart from [`ParamSet`] so that
/// a build that only lists the parameters (the page's first Wasm module) does not carry
/// the code that sets them (about 60 B gzipped there today).
pub trait ParamAssign: ParamSet {
    /// Sets `key` from a value of its type; false (and nothing changed) otherwise.
    fn assign(&mut self, key: &str, value: &ParamValue) -> bool;
}

/// Sets `key` of `set` from text, checking the key and the value's range.
pub(crate) fn set_text(
    set: &mut dyn ParamAssign,
    kind: &'static str,
    key: &str,
    text: &str,
) -> Result<(), ParamError> {
    let specs = set.specs();
    let spec = specs
        .iter()
        .find(|s| s.name == key)
        .ok_or_else(|| ParamError::UnknownKey {
            key: key.to_string(),
            kind,
            valid: specs.iter().map(|s| s.name).collect(),
        })?;
    let bad = || ParamError::BadValue {
        key: key.to_string(),
        kind,
        value: text.to_string(),
        expected: spec.ty.describe(),
    };
    let value = spec.ty.parse(text).ok_or_else(bad)?;
    if set.assign(key, &value) {
        Ok(())
    } else {
        Err(bad())
    }
}

/// Checks every field of `set` against its range (a struct filled in code can hold any
/// value; text and JSON are checked on the way in).
pub(crate) fn validate(set: &dyn ParamSet, kind: &'static str) -> Result<(), ParamError> {
    for spec in set.specs() {
        let value = set
            .get(spec.name)
            .map(|v| v.to_string())
            .unwrap_or_default();
        if spec.ty.parse(&value).is_none() {
            return Err(ParamError::BadValue {
                key: spec.name.into(),
                kind,
                value,
                expected: spec.ty.describe(),
            });
        }
    }
    Ok(())
}

/// Every parameter of `set` by key, as the artifact's lineage records them.
pub(crate) fn values(set: &dyn ParamSet) -> BTreeMap<String, ParamValue> {
    set.specs()
        .iter()
        .filter_map(|s| Some((s.name.to_string(), set.get(s.name)?)))
        .collect()
}

/// Sets every key of `values` (each one checked as text would be) and requires every
/// parameter to be there, as the lineage of an artifact holds them all.
pub(crate) fn assign_values(
    set: &mut dyn ParamAssign,
    kind: &'static str,
    values: &BTreeMap<String, ParamValue>,
) -> Result<(), ParamError> {
    for (key, value) in values {
        set_text(set, kind, key, &value.to_string())?;
    }
    match set.specs().iter().find(|s| !values.contains_key(s.name)) {
        Some(s) => Err(ParamError::BadValue {
            key: s.name.into(),
            kind,
            value: String::new(),
            expected: s.ty.describe(),
        }),
        None => Ok(()),
    }
}

/// A word-valued parameter type: an enum whose variants are the words of a
/// [`ParamType::Choice`] (`WORDS`, in order), with [`ParamField`] and `word()`.
///
/// ```ignore
/// param_words! {
///     /// How a split is scored.
///     pub enum Criterion {
///         /// Gini impurity.
///         Gini = "gini",
///         /// Information gain.
///         Entropy = "entropy",
///     }
/// }
/// ```
macro_rules! param_words {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[doc = $doc:literal])+ $variant:ident = $word:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl $name {
            /// The words, in the order `--help` lists them.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The word of this choice.
            pub fn word(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }
        }

        impl $crate::models::params::ParamField for $name {
            fn to_value(&self) -> $crate::models::params::ParamValue {
                $crate::models::params::ParamValue::Text(self.word().to_owned())
            }
            fn from_value(value: &$crate::models::params::ParamValue) -> Option<$name> {
                match value {
                    $($crate::models::params::ParamValue::Text(t) if t == $word => {
                        Some($name::$variant)
                    })+
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use param_words;

/// A family's typed parameters, declared once: each field with its doc line (shown by
/// rustdoc, the page and `driftlab train --help`), its type, its default and its range.
/// Makes the struct, its `Default` and its [`ParamSet`].
///
/// ```ignore
/// family_params! {
///     /// Hyperparameters of k-nearest neighbours.
///     pub struct KnnParams {
///         /// neighbours consulted
///         pub k: u64 = 5, ParamType::Int { min: 1, max: 10_000 };
///     }
/// }
/// ```
macro_rules! family_params {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])+
                pub $field:ident: $ty:ty = $default:expr, $range:expr;
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name {
            $( $(#[doc = $doc])+ pub $field: $ty, )+
        }

        impl Default for $name {
            fn default() -> $name {
                $name { $($field: $default,)+ }
            }
        }

        impl $crate::models::params::ParamSet for $name {
            fn specs(&self) -> &'static [$crate::models::params::ParamSpec] {
                const SPECS: &[$crate::models::params::ParamSpec] = &[$(
                    $crate::models::params::ParamSpec {
                        name: stringify!($field),
                        ty: $range,
                        doc: concat!($($doc),+).trim_ascii(),
                    },
                )+];
                SPECS
            }

            fn get(&self, key: &str) -> Option<$crate::models::params::ParamValue> {
                match key {
                    $(stringify!($field) => {
                        Some($crate::models::params::ParamField::to_value(&self.$field))
                    })+
                    _ => None,
                }
            }
        }

        impl $crate::models::params::ParamAssign for $name {
            fn assign(&mut self, key: &str, value: &$crate::models::params::ParamValue) -> bool {
                match key {
                    $(stringify!($field) => {
                        match $crate::models::params::ParamField::from_value(value) {
                            Some(v) => {
                                self.$field = v;
                                true
                            }
                            None => false,
                        }
                    })+
                    _ => false,
                }
            }
        }
    };
}
pub(crate) use family_params;
