//! VM state: an arena of nodes (Python objects), the stack, the mark stack and the memo.
//!
//! Stack and memo hold indices into the arena rather than values, so sharing and
//! in-place mutation (a memoized empty list filled later by `APPENDS`, cycles) behave
//! as in CPython, and `GET`/`DUP` cost O(1) no matter how big the referenced value is.

use std::cell::Cell;
use std::collections::HashMap;

use super::{Limits, PickleError, bigint};

/// Index of a node in the arena.
pub(super) type Ref = u32;

/// One Python object as recorded by the VM; children are arena indices.
#[derive(Debug)]
pub(super) enum Node {
    None,
    Bool(bool),
    Int(i64),
    BigInt(String),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    ByteArray(Vec<u8>),
    Truncated,
    List(Vec<Ref>),
    Tuple(Vec<Ref>),
    Set(Vec<Ref>),
    FrozenSet(Vec<Ref>),
    Dict(Vec<(Ref, Ref)>),
    Global(String),
    Object(Box<ObjNode>),
}

/// A constructor call recorded instead of executed.
#[derive(Debug)]
pub(super) struct ObjNode {
    pub(super) class: Ref,
    pub(super) args: Ref,
    pub(super) kwargs: Option<Ref>,
    pub(super) state: Option<Ref>,
    pub(super) items: Vec<Ref>,
    pub(super) dict_items: Vec<(Ref, Ref)>,
}

/// Pre-allocated singletons, so `None`/`True`/`False` cost no arena slot.
pub(super) const NONE_REF: Ref = 0;
pub(super) const TRUE_REF: Ref = 1;
pub(super) const FALSE_REF: Ref = 2;

pub(super) struct Machine<'l> {
    pub(super) limits: &'l Limits,
    pub(super) arena: Vec<Node>,
    stack: Vec<Ref>,
    /// Stack lengths at each MARK (CPython's "metastack").
    marks: Vec<usize>,
    /// Sparse on purpose: `LONG_BINPUT 0x7fffffff` must not allocate a 2^31-slot table.
    memo: HashMap<u64, Ref>,
    /// Bytes of LONG1/LONG4 payload still allowed through decimal conversion.
    long_budget: usize,
    /// Items/bytes REDUCE folding may still copy (a `Cell` so it can be charged while
    /// arena nodes are borrowed).
    fold_budget: Cell<usize>,
}

/// Decimal conversion is quadratic per integer; 8 MiB of 1 KiB `LONG4`s took over a
/// second, so the total converted per pickle is capped too (then `Truncated`).
const LONG_BUDGET: usize = 64 * 1024;

impl<'l> Machine<'l> {
    pub(super) fn new(limits: &'l Limits) -> Self {
        Machine {
            limits,
            arena: vec![Node::None, Node::Bool(true), Node::Bool(false)],
            stack: Vec::new(),
            marks: Vec::new(),
            memo: HashMap::new(),
            long_budget: LONG_BUDGET,
            fold_budget: Cell::new(limits.max_bytes),
        }
    }

    /// Add a node to the arena; the arena size is what bounds the VM's memory.
    pub(super) fn alloc(&mut self, node: Node) -> Result<Ref, PickleError> {
        if self.arena.len() >= self.limits.max_nodes.saturating_add(3) {
            return Err(PickleError::TooManyNodes);
        }
        let r = Ref::try_from(self.arena.len()).map_err(|_| PickleError::TooManyNodes)?;
        self.arena.push(node);
        Ok(r)
    }

    pub(super) fn node_mut(&mut self, r: Ref) -> Result<&mut Node, PickleError> {
        self.arena.get_mut(r as usize).ok_or(PickleError::Malformed("bad reference"))
    }

    pub(super) fn node(&self, r: Ref) -> Option<&Node> {
        self.arena.get(r as usize)
    }

    pub(super) fn push(&mut self, r: Ref) -> Result<(), PickleError> {
        // DUP/GET push without allocating, so the stack needs its own cap.
        if self.stack.len() >= self.limits.max_nodes {
            return Err(PickleError::TooManyNodes);
        }
        self.stack.push(r);
        Ok(())
    }

    pub(super) fn push_new(&mut self, node: Node) -> Result<(), PickleError> {
        let r = self.alloc(node)?;
        self.push(r)
    }

    /// Items above the innermost MARK are the only ones an opcode may pop.
    fn fence(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    pub(super) fn pop(&mut self) -> Result<Ref, PickleError> {
        if self.stack.len() <= self.fence() {
            return Err(PickleError::StackUnderflow);
        }
        self.stack.pop().ok_or(PickleError::StackUnderflow)
    }

    pub(super) fn top(&self) -> Result<Ref, PickleError> {
        if self.stack.len() <= self.fence() {
            return Err(PickleError::StackUnderflow);
        }
        self.stack.last().copied().ok_or(PickleError::StackUnderflow)
    }

    /// `POP`: CPython discards the innermost mark when no item sits above it.
    pub(super) fn pop_any(&mut self) -> Result<(), PickleError> {
        if self.stack.len() > self.fence() {
            self.stack.pop();
            Ok(())
        } else if self.marks.pop().is_some() {
            Ok(())
        } else {
            Err(PickleError::StackUnderflow)
        }
    }

    pub(super) fn mark(&mut self) -> Result<(), PickleError> {
        if self.marks.len() >= self.limits.max_depth {
            return Err(PickleError::TooDeep(self.limits.max_depth));
        }
        self.marks.push(self.stack.len());
        Ok(())
    }

    /// Remove and return everything above the innermost MARK, and the mark itself.
    pub(super) fn pop_mark(&mut self) -> Result<Vec<Ref>, PickleError> {
        let at = self.marks.pop().ok_or(PickleError::NoMark)?;
        if at > self.stack.len() {
            return Err(PickleError::Malformed("bad mark"));
        }
        Ok(self.stack.split_off(at))
    }

    pub(super) fn memo_put(&mut self, key: u64) -> Result<(), PickleError> {
        let top = self.top()?;
        if !self.memo.contains_key(&key) && self.memo.len() >= self.limits.max_memo {
            return Err(PickleError::TooManyMemo);
        }
        self.memo.insert(key, top);
        Ok(())
    }

    /// `MEMOIZE` stores at the next free index, which is the memo's size.
    pub(super) fn memoize(&mut self) -> Result<(), PickleError> {
        self.memo_put(self.memo.len() as u64)
    }

    pub(super) fn memo_get(&mut self, key: u64) -> Result<(), PickleError> {
        let r = *self.memo.get(&key).ok_or(PickleError::MemoMissing(key))?;
        self.push(r)
    }

    /// LONG1/LONG4 payload (little-endian two's complement) as a node, within the budget.
    pub(super) fn long(&mut self, bytes: &[u8]) -> Node {
        if bytes.len() > 8 {
            if bytes.len() > self.long_budget {
                return Node::Truncated;
            }
            self.long_budget -= bytes.len();
        }
        bigint::from_le_bytes(bytes)
    }

    /// Charge `n` units of copying to the fold budget; false once it is spent.
    pub(super) fn afford(&self, n: usize) -> bool {
        let left = self.fold_budget.get();
        self.fold_budget.set(left.saturating_sub(n));
        n <= left
    }

    /// The arena entry for `r` if it is a global, as its dotted name.
    pub(super) fn global_name(&self, r: Ref) -> Option<&str> {
        match self.node(r)? {
            Node::Global(name) => Some(name),
            _ => None,
        }
    }
}
