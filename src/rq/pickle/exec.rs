//! The opcode dispatch loop. Iterative by design: nesting in the input never turns
//! into recursion here, so stack depth is independent of the pickle.

use super::machine::{FALSE_REF, Machine, NONE_REF, Node, Ref, TRUE_REF};
use super::ops::*;
use super::reader::Reader;
use super::{PickleError, build::pairs, text};

/// Run until STOP and return the arena index of the result.
pub(super) fn run(m: &mut Machine, r: &mut Reader) -> Result<Ref, PickleError> {
    loop {
        let op = r.u8()?;
        match op {
            STOP => return m.pop(),
            PROTO => {
                let v = r.u8()?;
                if v > HIGHEST_PROTOCOL {
                    return Err(PickleError::UnsupportedProtocol(v));
                }
            }
            // Frames are only a read-ahead hint; the framed opcodes follow inline.
            FRAME => {
                r.u64_le()?;
            }
            MARK => m.mark()?,
            POP => m.pop_any()?,
            POP_MARK => {
                m.pop_mark()?;
            }
            DUP => m.push(m.top()?)?,
            NONE => m.push(NONE_REF)?,
            NEWTRUE => m.push(TRUE_REF)?,
            NEWFALSE => m.push(FALSE_REF)?,
            INT => push_node(m, text::int_line(r.text_line()?)?)?,
            LONG => m.push_new(text::long_line(r.text_line()?)?)?,
            FLOAT => m.push_new(text::float_line(r.text_line()?)?)?,
            BININT => m.push_new(Node::Int(r.i32_le()?.into()))?,
            BININT1 => m.push_new(Node::Int(r.u8()?.into()))?,
            BININT2 => m.push_new(Node::Int(r.u16_le()?.into()))?,
            LONG1 => {
                let n = r.u8()?;
                {
                    let node = m.long(r.take(n.into())?);
                    m.push_new(node)?
                }
            }
            LONG4 => {
                let n = usize::try_from(r.i32_le()?)
                    .map_err(|_| PickleError::Malformed("negative LONG4 size"))?;
                {
                    let node = m.long(r.take(n)?);
                    m.push_new(node)?
                }
            }
            BINFLOAT => m.push_new(Node::Float(r.f64_be()?))?,
            STRING => m.push_new(text::quoted_string(r.text_line()?)?)?,
            BINSTRING => {
                let n = usize::try_from(r.i32_le()?)
                    .map_err(|_| PickleError::Malformed("negative BINSTRING size"))?;
                push_py2_str(m, r.take(n)?)?
            }
            SHORT_BINSTRING => {
                let n = r.u8()?;
                push_py2_str(m, r.take(n.into())?)?
            }
            UNICODE => m.push_new(Node::Str(text::raw_unicode_escape(r.line()?)))?,
            SHORT_BINUNICODE => {
                let n = r.u8()?;
                push_str(m, r.take(n.into())?)?
            }
            BINUNICODE => {
                let n = r.u32_le()?;
                push_str(m, r.take_u64(n.into())?)?
            }
            BINUNICODE8 => {
                let n = r.u64_le()?;
                push_str(m, r.take_u64(n)?)?
            }
            SHORT_BINBYTES => {
                let n = r.u8()?;
                m.push_new(Node::Bytes(r.take(n.into())?.to_vec()))?
            }
            BINBYTES => {
                let n = r.u32_le()?;
                m.push_new(Node::Bytes(r.take_u64(n.into())?.to_vec()))?
            }
            BINBYTES8 => {
                let n = r.u64_le()?;
                m.push_new(Node::Bytes(r.take_u64(n)?.to_vec()))?
            }
            BYTEARRAY8 => {
                let n = r.u64_le()?;
                m.push_new(Node::ByteArray(r.take_u64(n)?.to_vec()))?
            }
            EMPTY_TUPLE => m.push_new(Node::Tuple(Vec::new()))?,
            EMPTY_LIST => m.push_new(Node::List(Vec::new()))?,
            EMPTY_DICT => m.push_new(Node::Dict(Vec::new()))?,
            EMPTY_SET => m.push_new(Node::Set(Vec::new()))?,
            TUPLE1 | TUPLE2 | TUPLE3 => {
                let n = usize::from(op - TUPLE1) + 1;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(m.pop()?);
                }
                items.reverse();
                m.push_new(Node::Tuple(items))?
            }
            TUPLE => {
                let items = m.pop_mark()?;
                m.push_new(Node::Tuple(items))?
            }
            LIST => {
                let items = m.pop_mark()?;
                m.push_new(Node::List(items))?
            }
            FROZENSET => {
                let items = m.pop_mark()?;
                m.push_new(Node::FrozenSet(items))?
            }
            DICT => {
                let items = pairs(m.pop_mark()?)?;
                m.push_new(Node::Dict(items))?
            }
            APPEND => {
                let v = m.pop()?;
                m.append(vec![v])?
            }
            APPENDS => {
                let items = m.pop_mark()?;
                m.append(items)?
            }
            ADDITEMS => {
                let items = m.pop_mark()?;
                m.add_items(items)?
            }
            SETITEM => {
                let v = m.pop()?;
                let k = m.pop()?;
                m.set_items(vec![k, v])?
            }
            SETITEMS => {
                let items = m.pop_mark()?;
                m.set_items(items)?
            }
            GLOBAL => {
                let module = r.text_line()?;
                let name = r.text_line()?;
                m.push_new(Node::Global(text::global_name(module, name)))?
            }
            STACK_GLOBAL => stack_global(m)?,
            EXT1 => m.push_new(Node::Global(format!("ext:{}", r.u8()?)))?,
            EXT2 => m.push_new(Node::Global(format!("ext:{}", r.u16_le()?)))?,
            EXT4 => m.push_new(Node::Global(format!("ext:{}", r.i32_le()?)))?,
            REDUCE => {
                let args = m.pop()?;
                let callable = m.pop()?;
                let obj = m.reduce(callable, args)?;
                m.push(obj)?
            }
            NEWOBJ => {
                let args = m.pop()?;
                let cls = m.pop()?;
                let obj = m.object(cls, args, None)?;
                m.push(obj)?
            }
            NEWOBJ_EX => {
                let kwargs = m.pop()?;
                let args = m.pop()?;
                let cls = m.pop()?;
                let obj = m.object(cls, args, Some(kwargs))?;
                m.push(obj)?
            }
            OBJ => {
                let mut items = m.pop_mark()?.into_iter();
                let cls = items.next().ok_or(PickleError::StackUnderflow)?;
                let args = m.alloc(Node::Tuple(items.collect()))?;
                let obj = m.object(cls, args, None)?;
                m.push(obj)?
            }
            INST => {
                let module = r.text_line()?;
                let name = r.text_line()?;
                let args = m.pop_mark()?;
                let cls = m.alloc(Node::Global(text::global_name(module, name)))?;
                let args = m.alloc(Node::Tuple(args))?;
                let obj = m.object(cls, args, None)?;
                m.push(obj)?
            }
            BUILD => m.build()?,
            PUT => m.memo_put(text::memo_key(r.text_line()?)?)?,
            BINPUT => m.memo_put(r.u8()?.into())?,
            LONG_BINPUT => m.memo_put(r.u32_le()?.into())?,
            MEMOIZE => m.memoize()?,
            GET => m.memo_get(text::memo_key(r.text_line()?)?)?,
            BINGET => m.memo_get(r.u8()?.into())?,
            LONG_BINGET => m.memo_get(r.u32_le()?.into())?,
            PERSID | BINPERSID => return Err(PickleError::Unsupported("persistent id")),
            NEXT_BUFFER | READONLY_BUFFER => {
                return Err(PickleError::Unsupported("out-of-band buffer"));
            }
            other => return Err(PickleError::UnsupportedOpcode(other)),
        }
    }
}

/// Reuse the True/False singletons for protocol-0 `I01`/`I00`.
fn push_node(m: &mut Machine, node: Node) -> Result<(), PickleError> {
    match node {
        Node::Bool(true) => m.push(TRUE_REF),
        Node::Bool(false) => m.push(FALSE_REF),
        other => m.push_new(other),
    }
}

/// BINUNICODE*: UTF-8 (CPython allows lone surrogates via `surrogatepass`; those
/// become U+FFFD here).
fn push_str(m: &mut Machine, bytes: &[u8]) -> Result<(), PickleError> {
    m.push_new(Node::Str(String::from_utf8_lossy(bytes).into_owned()))
}

/// Python 2 `str` (BINSTRING/SHORT_BINSTRING): text if UTF-8, else bytes.
fn push_py2_str(m: &mut Machine, bytes: &[u8]) -> Result<(), PickleError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => m.push_new(Node::Str(s.to_owned())),
        Err(_) => m.push_new(Node::Bytes(bytes.to_vec())),
    }
}

/// STACK_GLOBAL: module and name are strings already on the stack.
fn stack_global(m: &mut Machine) -> Result<(), PickleError> {
    let name = m.pop()?;
    let module = m.pop()?;
    let text = match (m.node(module), m.node(name)) {
        (Some(Node::Str(module)), Some(Node::Str(name))) => format!("{module}.{name}"),
        _ => return Err(PickleError::Malformed("STACK_GLOBAL needs two strings")),
    };
    m.push_new(Node::Global(text))
}
