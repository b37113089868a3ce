//! Copy the VM's object graph into an owned [`PyValue`] tree.
//!
//! This is where sharing is paid for, so this is where it is counted: every produced
//! node counts against `max_nodes` and every copied str/bytes byte against `max_bytes`
//! (a list shared 2^59 times through the memo fails here after `max_nodes` steps).
//! Recursion is bounded by `max_depth`, and a node already on the current path is a
//! cycle and becomes [`PyValue::Recursive`].

use super::machine::{Node, Ref};
use super::{Limits, PickleError, PyObject, PyValue};

pub(super) fn expand(arena: &[Node], root: Ref, limits: &Limits) -> Result<PyValue, PickleError> {
    let mut ex = Expander { arena, limits, nodes: 0, bytes: 0, on_path: vec![false; arena.len()] };
    ex.value(root, 0)
}

struct Expander<'a> {
    arena: &'a [Node],
    limits: &'a Limits,
    nodes: usize,
    bytes: usize,
    on_path: Vec<bool>,
}

impl Expander<'_> {
    fn value(&mut self, r: Ref, depth: usize) -> Result<PyValue, PickleError> {
        if depth > self.limits.max_depth {
            return Err(PickleError::TooDeep(self.limits.max_depth));
        }
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(PickleError::TooManyNodes);
        }
        let idx = r as usize;
        let node = self.arena.get(idx).ok_or(PickleError::Malformed("bad reference"))?;
        let scalar = match node {
            Node::None => PyValue::None,
            Node::Bool(b) => PyValue::Bool(*b),
            Node::Int(i) => PyValue::Int(*i),
            Node::BigInt(s) => PyValue::BigInt(self.text(s)?),
            Node::Float(f) => PyValue::Float(*f),
            Node::Str(s) => PyValue::Str(self.text(s)?),
            Node::Bytes(b) => PyValue::Bytes(self.blob(b)?),
            Node::ByteArray(b) => PyValue::ByteArray(self.blob(b)?),
            Node::Global(s) => PyValue::Global(self.text(s)?),
            Node::Truncated => PyValue::Truncated,
            _ => {
                // Containers: guard against cycles while this node is being expanded.
                if self.on_path.get(idx).copied().unwrap_or(false) {
                    return Ok(PyValue::Recursive);
                }
                if let Some(flag) = self.on_path.get_mut(idx) {
                    *flag = true;
                }
                let out = self.container(node, depth + 1);
                if let Some(flag) = self.on_path.get_mut(idx) {
                    *flag = false;
                }
                return out;
            }
        };
        Ok(scalar)
    }

    fn container(&mut self, node: &Node, depth: usize) -> Result<PyValue, PickleError> {
        Ok(match node {
            Node::List(v) => PyValue::List(self.seq(v, depth)?),
            Node::Tuple(v) => PyValue::Tuple(self.seq(v, depth)?),
            Node::Set(v) => PyValue::Set(self.seq(v, depth)?),
            Node::FrozenSet(v) => PyValue::FrozenSet(self.seq(v, depth)?),
            Node::Dict(v) => PyValue::Dict(self.pairs(v, depth)?),
            Node::Object(o) => {
                let class = match self.arena.get(o.class as usize) {
                    Some(Node::Global(name)) => self.text(name)?,
                    // A computed callable (e.g. `getattr(obj, 'm')` result): show its repr.
                    _ => self.value(o.class, depth)?.to_repr(200),
                };
                let args = self.value(o.args, depth)?;
                let kwargs = match o.kwargs.map(|k| self.value(k, depth)).transpose()? {
                    Some(PyValue::Dict(pairs)) => pairs,
                    Some(other) => vec![(PyValue::Str("**".into()), other)],
                    None => Vec::new(),
                };
                let state = o.state.map(|s| self.value(s, depth)).transpose()?;
                PyValue::Object(Box::new(PyObject {
                    class,
                    args,
                    kwargs,
                    state,
                    items: self.seq(&o.items, depth)?,
                    dict_items: self.pairs(&o.dict_items, depth)?,
                }))
            }
            _ => return Err(PickleError::Malformed("unexpected node")),
        })
    }

    fn seq(&mut self, refs: &[Ref], depth: usize) -> Result<Vec<PyValue>, PickleError> {
        refs.iter().map(|&r| self.value(r, depth)).collect()
    }

    fn pairs(&mut self, refs: &[(Ref, Ref)], depth: usize) -> Result<Vec<(PyValue, PyValue)>, PickleError> {
        refs.iter().map(|&(k, v)| Ok((self.value(k, depth)?, self.value(v, depth)?))).collect()
    }

    fn charge(&mut self, len: usize) -> Result<(), PickleError> {
        self.bytes = self.bytes.saturating_add(len);
        if self.bytes > self.limits.max_bytes {
            return Err(PickleError::TooManyBytes(self.limits.max_bytes));
        }
        Ok(())
    }

    fn text(&mut self, s: &str) -> Result<String, PickleError> {
        self.charge(s.len())?;
        Ok(s.to_owned())
    }

    fn blob(&mut self, b: &[u8]) -> Result<Vec<u8>, PickleError> {
        self.charge(b.len())?;
        Ok(b.to_vec())
    }
}
