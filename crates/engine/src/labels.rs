//! Labels that live for the whole process: population, projection, drug and region names
//! that output rows and model structs carry as `&'static str`, so no row allocates.
//!
//! Each distinct name is leaked once, however often it is asked for (a checkpoint restored
//! many times in one process reuses the same labels).

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Deserializer};

/// A label. A named alias on purpose: serde's derive reads `&'static str` field types
/// syntactically and would demand `'de: 'static` of the whole struct; through the alias the
/// field is read by [`deserialize`] and the struct deserializes from any buffer.
pub type Label = &'static str;

/// The process-wide label for `name`.
pub fn label(name: &str) -> &'static str {
    static LABELS: Mutex<BTreeMap<String, &'static str>> = Mutex::new(BTreeMap::new());
    let mut labels = LABELS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(l) = labels.get(name) {
        return l;
    }
    let l: &'static str = Box::leak(name.to_owned().into_boxed_str());
    labels.insert(name.to_owned(), l);
    l
}

/// Reads a label (`#[serde(deserialize_with = "…::labels::deserialize")]`).
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Label, D::Error> {
    String::deserialize(d).map(|s| label(&s))
}

/// Reads a list of labels.
pub fn deserialize_all<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Label>, D::Error> {
    Vec::<String>::deserialize(d).map(|v| v.iter().map(|s| label(s)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_leaked_once() {
        let a = label("pyr_to_pyr");
        let b = label(&String::from("pyr_to_pyr"));
        assert!(std::ptr::eq(a, b));
        assert_ne!(label("other").as_ptr(), a.as_ptr());
    }
}
