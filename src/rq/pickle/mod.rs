//! Safe, non-executing decoder for Python pickles (protocols 0-5) as stored by RQ.
//!
//! The decoder is a small stack VM modelled on CPython's `_pickle.c`/`pickletools`,
//! but it never imports or calls anything: globals become [`PyValue::Global`] names and
//! every constructor call (REDUCE, NEWOBJ, OBJ, INST, BUILD...) becomes a
//! [`PyValue::Object`] node that records the class name and its arguments/state.
//!
//! Decoding happens in two phases so that hostile input stays cheap:
//! 1. the VM builds a flat arena of nodes that reference each other by index (this
//!    mirrors Python's object identity, so memo sharing, in-place `APPENDS` onto a
//!    memoized list and cycles all behave like in CPython), with caps on arena size,
//!    stack size, mark depth and memo entries;
//! 2. `expand` copies the graph into an owned tree, counting every produced node
//!    and string byte (memo fan-out bombs hit `max_nodes`), checking depth, and
//!    replacing cycles with [`PyValue::Recursive`].

mod bigint;
mod build;
mod exec;
mod expand;
mod json;
mod known;
mod known_time;
mod machine;
mod ops;
mod reader;
mod repr;
mod text;

/// Test fixture bytes written by `tests/fixtures/gen_pickles.py`.
#[cfg(test)]
macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pickles/", $name))
    };
}
#[cfg(test)]
mod tests_golden;
#[cfg(test)]
mod tests_hostile;
#[cfg(test)]
mod tests_rq;

/// A decoded Python value. Owns all its data, so it is `Send + Sync` and cheap to move
/// between the blocking decode task and the web handlers.
#[derive(Clone, Debug, PartialEq)]
pub enum PyValue {
    None,
    Bool(bool),
    Int(i64),
    /// An integer that does not fit `i64`, as a decimal string (e.g. `"-1180591620717411303424"`).
    BigInt(String),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    ByteArray(Vec<u8>),
    List(Vec<PyValue>),
    Tuple(Vec<PyValue>),
    Set(Vec<PyValue>),
    FrozenSet(Vec<PyValue>),
    Dict(Vec<(PyValue, PyValue)>),
    /// A reference to a module attribute, `"module.name"` (never imported). `EXT1/2/4`
    /// codes appear as `"ext:N"`.
    Global(String),
    /// The recorded result of a constructor call; boxed to keep `PyValue` small.
    Object(Box<PyObject>),
    /// A value left out because a cap was hit (e.g. an integer with thousands of digits).
    Truncated,
    /// A reference back to a container that is still being expanded (a cycle).
    Recursive,
    /// A value hidden because its key matched `--redact` ([`crate::rq::redact`]); never
    /// produced by the decoder itself.
    Redacted,
}

/// What the pickle said to construct: `class(*args, **kwargs)`, then `BUILD state`,
/// then `APPENDS items` / `SETITEMS dict_items` onto the object.
#[derive(Clone, Debug, PartialEq)]
pub struct PyObject {
    /// Dotted name of the callable/class, e.g. `"datetime.datetime"`; when the callable
    /// is not a plain global (rare), its repr.
    pub class: String,
    /// Positional arguments, normally a [`PyValue::Tuple`].
    pub args: PyValue,
    /// Keyword arguments from `NEWOBJ_EX` (empty otherwise).
    pub kwargs: Vec<(PyValue, PyValue)>,
    /// The `BUILD` state (usually the instance `__dict__`), if any.
    pub state: Option<PyValue>,
    /// Items added with `APPEND`/`APPENDS`/`ADDITEMS` (list/set subclasses).
    pub items: Vec<PyValue>,
    /// Pairs added with `SETITEM`/`SETITEMS` (dict subclasses such as `OrderedDict`).
    pub dict_items: Vec<(PyValue, PyValue)>,
}

/// Resource caps for [`decode`]; every hostile-input defence is driven by these.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest accepted pickle, in bytes.
    pub max_input: usize,
    /// Deepest accepted nesting (MARK depth and depth of the decoded tree).
    pub max_depth: usize,
    /// Most objects in the VM arena and in the decoded tree (memo fan-out bombs stop here).
    pub max_nodes: usize,
    /// Most memo entries.
    pub max_memo: usize,
    /// Most str/bytes bytes in the decoded tree (a big string shared through the memo
    /// many times would otherwise multiply).
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input: 8 << 20,
            max_depth: 200,
            max_nodes: 200_000,
            max_memo: 100_000,
            max_bytes: 32 << 20,
        }
    }
}

/// Why a pickle could not be decoded. Messages are short, for display in the UI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PickleError {
    #[error("truncated pickle")]
    Truncated,
    #[error("pickle of {len} bytes exceeds the {max} byte limit")]
    TooLarge { len: usize, max: usize },
    #[error("unsupported opcode 0x{0:02x}")]
    UnsupportedOpcode(u8),
    #[error("unsupported pickle protocol {0}")]
    UnsupportedProtocol(u8),
    #[error("{0} is not supported")]
    Unsupported(&'static str),
    #[error("nesting deeper than {0}")]
    TooDeep(usize),
    #[error("too many objects")]
    TooManyNodes,
    #[error("too many memo entries")]
    TooManyMemo,
    #[error("decoded strings exceed {0} bytes")]
    TooManyBytes(usize),
    #[error("memo key {0} missing")]
    MemoMissing(u64),
    #[error("unpickling stack underflow")]
    StackUnderflow,
    #[error("MARK missing")]
    NoMark,
    #[error("malformed pickle: {0}")]
    Malformed(&'static str),
}

/// Decode one pickle without executing anything. Data after `STOP` is ignored, like
/// `pickle.loads` does.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<PyValue, PickleError> {
    if bytes.len() > limits.max_input {
        return Err(PickleError::TooLarge { len: bytes.len(), max: limits.max_input });
    }
    let mut machine = machine::Machine::new(limits);
    let mut reader = reader::Reader::new(bytes);
    let root = exec::run(&mut machine, &mut reader)?;
    expand::expand(&machine.arena, root, limits)
}
