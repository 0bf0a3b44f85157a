//! Maps between dotted key paths and positions in a TOML text, for error messages.

use std::ops::Range;
use toml_edit::{Document, Item, Table, Value};

/// A parsed TOML text that remembers where every key was written.
pub struct Located {
    doc: Document<String>,
}

/// Any node of the document tree: table-like or value.
#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a Item),
    Table(&'a Table),
    Value(&'a Value),
}

impl<'a> Node<'a> {
    fn span(self) -> Option<Range<usize>> {
        match self {
            Node::Item(i) => i.span(),
            Node::Table(t) => t.span(),
            Node::Value(v) => v.span(),
        }
    }

    /// Children as (name, span of the key if any, node).
    fn children(self) -> Vec<(String, Option<Range<usize>>, Node<'a>)> {
        match self {
            Node::Item(Item::Table(t)) | Node::Table(t) => t
                .iter()
                .map(|(k, v)| (k.to_owned(), t.key(k).and_then(|k| k.span()), Node::Item(v)))
                .collect(),
            Node::Item(Item::ArrayOfTables(a)) => a
                .iter()
                .enumerate()
                .map(|(i, t)| (i.to_string(), None, Node::Table(t)))
                .collect(),
            Node::Item(Item::Value(v)) | Node::Value(v) => match v {
                Value::InlineTable(t) => t
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.to_owned(),
                            t.key(k).and_then(|k| k.span()),
                            Node::Value(v),
                        )
                    })
                    .collect(),
                Value::Array(a) => a
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (i.to_string(), None, Node::Value(v)))
                    .collect(),
                _ => Vec::new(),
            },
            Node::Item(Item::None) => Vec::new(),
        }
    }

    fn child(self, name: &str) -> Option<(Option<Range<usize>>, Node<'a>)> {
        self.children()
            .into_iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, key, node)| (key, node))
    }

    /// True when the node, its key or any descendant covers `offset`.
    fn covers(self, key: Option<&Range<usize>>, offset: usize) -> bool {
        let within = |s: &Range<usize>| s.contains(&offset) || (s.end == offset && s.start < s.end);
        key.is_some_and(within)
            || self.span().as_ref().is_some_and(within)
            || self
                .children()
                .iter()
                .any(|(_, k, n)| n.covers(k.as_ref(), offset))
    }
}

impl Located {
    /// Parses `text`; `None` if it is not valid TOML.
    pub fn parse(text: &str) -> Option<Self> {
        Document::parse(text.to_owned())
            .ok()
            .map(|doc| Self { doc })
    }

    /// 1-based line where `path` (dotted; array elements by index) is written, if it is.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        let mut node = Node::Item(self.doc.as_item());
        let mut span = None;
        for segment in path.split('.') {
            let (key, next) = node.child(segment)?;
            span = key.or_else(|| next.span());
            node = next;
        }
        span.map(|s| line_at(self.doc.raw(), s.start))
    }

    /// The dotted path of the innermost key whose key or value covers byte `offset`.
    pub fn path_at(&self, offset: usize) -> Option<String> {
        let mut path = Vec::new();
        let mut node = Node::Item(self.doc.as_item());
        while let Some((name, _, next)) = node
            .children()
            .into_iter()
            .find(|(_, key, child)| child.covers(key.as_ref(), offset))
        {
            path.push(name);
            node = next;
        }
        (!path.is_empty()).then(|| path.join("."))
    }
}

/// 1-based line holding byte `offset` of `text`.
pub fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "schema_version = 1\n\n[populations.pyr]\nsize = 10\ninitial.v_mv = { dist = \"normal\", mean = -65.0, sd = 5.0 }\n\n[[recording.state]]\npopulation = \"pyr\"\nneurons = [0, 1]\n";

    #[test]
    fn finds_the_line_of_a_key() {
        let doc = Located::parse(TEXT).unwrap();
        assert_eq!(doc.line_of("schema_version"), Some(1));
        assert_eq!(doc.line_of("populations.pyr.size"), Some(4));
        assert_eq!(doc.line_of("populations.pyr.initial.v_mv.sd"), Some(5));
        assert_eq!(doc.line_of("recording.state.0.neurons"), Some(9));
        assert_eq!(doc.line_of("populations.pyr.absent"), None);
    }

    #[test]
    fn finds_the_key_at_an_offset() {
        let doc = Located::parse(TEXT).unwrap();
        let at = |needle: &str| doc.path_at(TEXT.find(needle).unwrap() + 1);
        assert_eq!(at("10").as_deref(), Some("populations.pyr.size"));
        assert_eq!(
            at("-65.0").as_deref(),
            Some("populations.pyr.initial.v_mv.mean")
        );
        assert_eq!(at("[0, 1]").as_deref(), Some("recording.state.0.neurons.0"));
    }
}
