//! A reader of Python settings files that never runs them: `NAME = literal` lines only.
//!
//! rq-dashboard imports its `-c` module (and Flask executes the `RQ_DASHBOARD_SETTINGS` file),
//! so a settings file may hold any Python. rqdash executes nothing: it reads assignments of
//! strings, numbers, `True`/`False`/`None` and lists or tuples of those, plus comments, blank
//! lines and docstrings, and refuses anything else naming the line and what it could not read.

/// A Python literal rqdash understands.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    None,
    List(Vec<Value>),
}

/// One `KEY = value` line (the line where the statement starts, 1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub key: String,
    pub value: Value,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Str(String),
    Num(String),
    Op(char),
    Newline,
}

/// What could not be read: the line and a description of what is there.
#[derive(Debug, Clone, PartialEq)]
pub struct NotUnderstood {
    pub line: usize,
    pub what: String,
}

fn fail<T>(line: usize, what: impl Into<String>) -> Result<T, NotUnderstood> {
    Err(NotUnderstood { line, what: what.into() })
}

/// Every assignment of `src`, in order; the first statement that is not one is an error.
pub fn parse(src: &str) -> Result<Vec<Assignment>, NotUnderstood> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0 };
    let mut out = Vec::new();
    while let Some((tok, line)) = p.peek() {
        match tok {
            Tok::Newline => p.pos += 1,
            // A docstring: a bare string statement does nothing in Python either.
            Tok::Str(_) if matches!(p.peek_at(1), None | Some((Tok::Newline, _))) => p.pos += 2,
            Tok::Name(n) if n == "import" || n == "from" => return fail(line, "an import"),
            Tok::Name(key) if p.peek_at(1).is_some_and(|(t, _)| t == Tok::Op('=')) => {
                let key = key.clone();
                p.pos += 2;
                let value = p.value()?;
                match p.next() {
                    None | Some((Tok::Newline, _)) => out.push(Assignment { key, value, line }),
                    Some((t, l)) => return fail(l, describe(&t, p.peek())),
                }
            }
            _ => {
                let (t, l) = p.next().unwrap_or((Tok::Newline, line));
                return fail(l, describe(&t, p.peek()));
            }
        }
    }
    Ok(out)
}

/// What a token that starts something unreadable looks like to a user.
fn describe(t: &Tok, next: Option<(Tok, usize)>) -> String {
    match (t, next.map(|(n, _)| n)) {
        (Tok::Name(n), Some(Tok::Op('('))) => format!("a function call ({n}(...))"),
        (Tok::Name(n), Some(Tok::Op('.'))) => format!("an expression ({n}. ...)"),
        (Tok::Name(n), _) if is_keyword(n) => format!("a `{n}` statement"),
        (Tok::Name(n), _) => format!("a name ({n}) where a value was expected"),
        (Tok::Op(c), _) => format!("an expression (`{c}`)"),
        (Tok::Str(_) | Tok::Num(_), _) => "an expression".to_owned(),
        (Tok::Newline, _) => "a line without a value".to_owned(),
    }
}

fn is_keyword(n: &str) -> bool {
    matches!(n, "def" | "class" | "if" | "for" | "while" | "with" | "try" | "del" | "global" | "assert")
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<(Tok, usize)> {
        self.toks.get(self.pos).cloned()
    }
    fn peek_at(&self, ahead: usize) -> Option<(Tok, usize)> {
        self.toks.get(self.pos + ahead).cloned()
    }
    fn next(&mut self) -> Option<(Tok, usize)> {
        let t = self.peek();
        self.pos += 1;
        t
    }

    fn value(&mut self) -> Result<Value, NotUnderstood> {
        let Some((tok, line)) = self.next() else { return fail(0, "a line without a value") };
        let v = match tok {
            Tok::Str(mut s) => {
                // "a" "b" is one string in Python.
                while let Some((Tok::Str(more), _)) = self.peek() {
                    s.push_str(&more);
                    self.pos += 1;
                }
                Value::Str(s)
            }
            Tok::Num(n) => number(&n, line)?,
            Tok::Op('-') => match self.next() {
                Some((Tok::Num(n), _)) => match number(&n, line)? {
                    Value::Int(i) => Value::Int(-i),
                    Value::Float(f) => Value::Float(-f),
                    other => other,
                },
                _ => return fail(line, "an expression (`-`)"),
            },
            Tok::Name(n) if n == "True" => Value::Bool(true),
            Tok::Name(n) if n == "False" => Value::Bool(false),
            Tok::Name(n) if n == "None" => Value::None,
            Tok::Op(open @ ('[' | '(')) => self.sequence(open, line)?,
            t => return fail(line, describe(&t, self.peek())),
        };
        Ok(v)
    }

    /// `[a, b]`, `(a, b)`, `(a,)`; `(a)` is `a`.
    fn sequence(&mut self, open: char, line: usize) -> Result<Value, NotUnderstood> {
        let close = if open == '[' { ']' } else { ')' };
        let mut items = Vec::new();
        let mut comma = false;
        loop {
            if let Some((Tok::Op(c), _)) = self.peek()
                && c == close
            {
                self.pos += 1;
                break;
            }
            items.push(self.value()?);
            match self.next() {
                Some((Tok::Op(','), _)) => comma = true,
                Some((Tok::Op(c), _)) if c == close => break,
                Some((t, l)) => return fail(l, describe(&t, self.peek())),
                None => return fail(line, format!("an unclosed `{open}`")),
            }
        }
        if open == '(' && !comma && items.len() == 1 {
            return Ok(items.remove(0));
        }
        Ok(Value::List(items))
    }
}

fn number(n: &str, line: usize) -> Result<Value, NotUnderstood> {
    let clean = n.replace('_', "");
    if let Ok(i) = clean.parse::<i64>() {
        return Ok(Value::Int(i));
    }
    match clean.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(Value::Float(f)),
        _ => fail(line, format!("a number rqdash cannot read ({n})")),
    }
}

mod lex;
use lex::lex;

#[cfg(test)]
mod tests;
