//! Object-building opcodes: APPEND(S)/SETITEM(S)/ADDITEMS/BUILD/REDUCE/NEWOBJ.
//!
//! Nothing here calls Python: a constructor call is recorded as an `Object` node.
//! A few calls whose result is plain data are folded into that data (for example
//! `_codecs.encode(s, 'latin1')`, which protocols 0-2 use for `bytes`), because
//! "computing" them is just a type change and it makes the JSON view much nicer.
//! Folding copies data, and the memo lets one big list feed many REDUCEs, so each
//! fold must be paid from [`Machine::afford`]'s budget; unaffordable calls stay objects.

use super::PickleError;
use super::machine::{Machine, NONE_REF, Node, ObjNode, Ref};

impl Machine<'_> {
    /// APPEND/APPENDS: onto a list, or onto an object (a list subclass).
    pub(super) fn append(&mut self, items: Vec<Ref>) -> Result<(), PickleError> {
        let target = self.top()?;
        match self.node_mut(target)? {
            Node::List(v) => v.extend(items),
            Node::Object(o) => o.items.extend(items),
            _ => return Err(PickleError::Malformed("APPEND to a non-list")),
        }
        Ok(())
    }

    /// ADDITEMS: onto a set, or onto an object (a set subclass).
    pub(super) fn add_items(&mut self, items: Vec<Ref>) -> Result<(), PickleError> {
        let target = self.top()?;
        match self.node_mut(target)? {
            Node::Set(v) => v.extend(items),
            Node::Object(o) => o.items.extend(items),
            _ => return Err(PickleError::Malformed("ADDITEMS to a non-set")),
        }
        Ok(())
    }

    /// SETITEM/SETITEMS: onto a dict, or onto an object (`OrderedDict`, `defaultdict`...).
    pub(super) fn set_items(&mut self, flat: Vec<Ref>) -> Result<(), PickleError> {
        let pairs = pairs(flat)?;
        let target = self.top()?;
        match self.node_mut(target)? {
            Node::Dict(v) => v.extend(pairs),
            Node::Object(o) => o.dict_items.extend(pairs),
            _ => return Err(PickleError::Malformed("SETITEM on a non-dict")),
        }
        Ok(())
    }

    /// BUILD: record the state on an object. On values we folded into plain data the
    /// state (normally an empty `__dict__`) is dropped.
    pub(super) fn build(&mut self) -> Result<(), PickleError> {
        let state = self.pop()?;
        let target = self.top()?;
        if let Node::Object(o) = self.node_mut(target)? {
            o.state = Some(state);
        }
        Ok(())
    }

    pub(super) fn object(&mut self, class: Ref, args: Ref, kwargs: Option<Ref>) -> Result<Ref, PickleError> {
        self.alloc(Node::Object(Box::new(ObjNode {
            class,
            args,
            kwargs,
            state: None,
            items: Vec::new(),
            dict_items: Vec::new(),
        })))
    }

    /// REDUCE: `callable(*args)`, recorded (or folded, see the module doc).
    pub(super) fn reduce(&mut self, callable: Ref, args: Ref) -> Result<Ref, PickleError> {
        let name = self.global_name(callable).unwrap_or_default();
        let items: &[Ref] = match self.node(args) {
            Some(Node::Tuple(items)) => items,
            _ => &[],
        };
        let folded = match (name, items) {
            ("builtins.set" | "builtins.frozenset", []) => Some(collection(name, Vec::new())),
            ("builtins.set" | "builtins.frozenset", [src]) => match self.node(*src) {
                Some(Node::List(v) | Node::Tuple(v)) if self.afford(v.len()) => {
                    Some(collection(name, v.clone()))
                }
                _ => None,
            },
            ("builtins.bytes", []) => Some(Node::Bytes(Vec::new())),
            ("builtins.bytearray", []) => Some(Node::ByteArray(Vec::new())),
            ("builtins.bytearray", [src]) => match self.node(*src) {
                Some(Node::Bytes(b)) if self.afford(b.len()) => Some(Node::ByteArray(b.clone())),
                _ => None,
            },
            ("builtins.bytearray" | "_codecs.encode", [text, enc]) => {
                match (self.node(*text), self.node(*enc)) {
                    (Some(Node::Str(s)), Some(Node::Str(e))) if is_latin1(e) && self.afford(s.len()) => {
                        latin1(s).map(|b| match name {
                            "_codecs.encode" => Node::Bytes(b),
                            _ => Node::ByteArray(b),
                        })
                    }
                    _ => None,
                }
            }
            // Protocols 0-1 encode plain instances as `_reconstructor(cls, base, state)`.
            ("copyreg._reconstructor", [cls, _base, state]) => {
                let (cls, state) = (*cls, *state);
                let rest = if state == NONE_REF { Vec::new() } else { vec![state] };
                let args = self.alloc(Node::Tuple(rest))?;
                return self.object(cls, args, None);
            }
            // `cls.__new__(cls, *args)` spelled as a REDUCE (protocol < 2 fallbacks).
            ("copyreg.__newobj__", [cls, rest @ ..]) if self.afford(rest.len()) => {
                let (cls, rest) = (*cls, rest.to_vec());
                let args = self.alloc(Node::Tuple(rest))?;
                return self.object(cls, args, None);
            }
            _ => None,
        };
        match folded {
            Some(node) => self.alloc(node),
            None => self.object(callable, args, None),
        }
    }
}

/// Turn a flat `k, v, k, v` list into pairs; an odd count is malformed.
pub(super) fn pairs(flat: Vec<Ref>) -> Result<Vec<(Ref, Ref)>, PickleError> {
    if !flat.len().is_multiple_of(2) {
        return Err(PickleError::Malformed("odd number of dict items"));
    }
    Ok(flat.chunks_exact(2).map(|c| (c[0], c[1])).collect())
}

fn collection(name: &str, items: Vec<Ref>) -> Node {
    if name == "builtins.frozenset" { Node::FrozenSet(items) } else { Node::Set(items) }
}

fn is_latin1(encoding: &str) -> bool {
    matches!(encoding, "latin1" | "latin-1" | "latin_1" | "iso-8859-1")
}

/// `str.encode('latin1')`, or None if a character is above U+00FF.
fn latin1(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_round_trip() {
        assert_eq!(latin1("a\u{ff}"), Some(vec![b'a', 0xff]));
        assert_eq!(latin1("\u{100}"), None);
        assert!(pairs(vec![1, 2, 3]).is_err());
        assert_eq!(pairs(vec![1, 2]), Ok(vec![(1, 2)]));
    }
}
