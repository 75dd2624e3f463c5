//! The trace's JSON: writing the Chrome trace-event format, and a small reader for it (for
//! [`render_svg`](super::render_svg)), so that the crate needs no JSON library.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::TraceError;
use super::record::{Event, Outcome};
use crate::names::TaskName;

/// The start of every trace file: one process, named.
pub(super) const HEAD: &str = "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n\
    {\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"scheduler\"}}";

/// The end of every trace file; rewritten by each flush after the events it appends.
pub(super) const TAIL: &str = "\n]}\n";

/// Nanoseconds as the microseconds of the format, exactly.
struct Micros(u64);

impl core::fmt::Display for Micros {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{:03}", self.0 / 1000, self.0 % 1000)
    }
}

/// Appends `event` (with a leading comma) to `out`; the first event of a task also names
/// its track (`thread_name`, and `thread_sort_index` so tracks keep the tasks' order).
pub(super) fn write_event(out: &mut String, event: &Event, named: &mut HashSet<u64>) {
    match event {
        Event::Slice {
            id,
            name,
            thread,
            start,
            duration,
            outcome,
            blocking,
        } => {
            name_track(out, *id, *name, named);
            let (label, reason) = match outcome {
                Outcome::Paused(Some(reason)) => ("paused", reason.to_string()),
                Outcome::Paused(None) => ("paused", String::new()),
                Outcome::Finished => ("finished", String::new()),
                Outcome::Panicked => ("panicked", String::new()),
            };
            let task = name.to_string();
            let (slice, category, color) = if *blocking {
                (
                    format!("{task} (blocking)"),
                    "blocking",
                    ",\"cname\":\"terrible\"",
                )
            } else {
                (task, "poll", "")
            };
            let _ = write!(
                out,
                ",\n{{\"ph\":\"X\",\"pid\":1,\"tid\":{id},\"ts\":{},\"dur\":{},\"name\":{},\"cat\":\"{category}\"{color},\
                 \"args\":{{\"outcome\":\"{label}\",\"pause\":{},\"blocking\":{blocking},\"thread\":{thread}}}}}",
                Micros(*start),
                Micros(*duration),
                string(&slice),
                string(&reason),
            );
        }
        Event::Spawn {
            parent,
            child,
            name,
            at,
        } => {
            name_track(out, *child, *name, named);
            // `s` binds to the parent's poll around it; `f` (no `bp`) to the child's next
            // slice, its first poll.
            let _ = write!(
                out,
                ",\n{{\"ph\":\"s\",\"pid\":1,\"tid\":{parent},\"ts\":{at},\"id\":{child},\"name\":\"queue_to_run\",\"cat\":\"spawn\"}}\
                 ,\n{{\"ph\":\"f\",\"pid\":1,\"tid\":{child},\"ts\":{at},\"id\":{child},\"name\":\"queue_to_run\",\"cat\":\"spawn\"}}",
                at = Micros(*at),
            );
        }
    }
}

fn name_track(out: &mut String, id: u64, name: TaskName, named: &mut HashSet<u64>) {
    if named.insert(id) {
        let _ = write!(
            out,
            ",\n{{\"ph\":\"M\",\"pid\":1,\"tid\":{id},\"name\":\"thread_name\",\"args\":{{\"name\":{}}}}}\
             ,\n{{\"ph\":\"M\",\"pid\":1,\"tid\":{id},\"name\":\"thread_sort_index\",\"args\":{{\"sort_index\":{id}}}}}",
            string(&name.to_string())
        );
    }
}

/// `text` as a JSON string literal.
pub(super) fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON value, as [`parse`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The member `key` of an object.
    pub(super) fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub(super) fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// Reads one JSON document.
pub(super) fn parse(text: &str) -> Result<Value, TraceError> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = reader.value(0)?;
    reader.skip_space();
    if reader.at != reader.bytes.len() {
        return Err(reader.error("unexpected text after the JSON value"));
    }
    Ok(value)
}

/// How deep arrays and objects may nest (a trace nests 3 deep).
const MAX_DEPTH: usize = 64;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn error(&self, what: &str) -> TraceError {
        TraceError::json(self.at, what)
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.bytes.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), TraceError> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", byte as char)))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, TraceError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deep"));
        }
        match self.peek() {
            Some(b'{') => {
                self.at += 1;
                let mut members = Vec::new();
                if self.peek() == Some(b'}') {
                    self.at += 1;
                    return Ok(Value::Object(members));
                }
                loop {
                    if self.peek() != Some(b'"') {
                        return Err(self.error("expected a member name"));
                    }
                    let key = self.string()?;
                    self.expect(b':')?;
                    members.push((key, self.value(depth + 1)?));
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b'}') => {
                            self.at += 1;
                            return Ok(Value::Object(members));
                        }
                        _ => return Err(self.error("expected `,` or `}`")),
                    }
                }
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                if self.peek() == Some(b']') {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Value::Array(items));
                        }
                        _ => return Err(self.error("expected `,` or `]`")),
                    }
                }
            }
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a JSON value")),
            None => Err(self.error("unexpected end of the text")),
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, TraceError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn number(&mut self) -> Result<Value, TraceError> {
        let start = self.at;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.bytes.get(self.at) {
            self.at += 1;
        }
        let text = core::str::from_utf8(&self.bytes[start..self.at]).unwrap_or_default();
        text.parse().map(Value::Number).map_err(|_| {
            self.at = start;
            self.error("malformed number")
        })
    }

    fn string(&mut self) -> Result<String, TraceError> {
        self.at += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.at;
            while let Some(&b) = self.bytes.get(self.at) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            // The input is a `&str`, and we stopped at an ASCII byte: a char boundary.
            out.push_str(core::str::from_utf8(&self.bytes[start..self.at]).unwrap_or_default());
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = self.bytes.get(self.at).copied();
                    self.at += 1;
                    match escaped {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let first = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&first)
                                && self.bytes[self.at..].starts_with(b"\\u")
                            {
                                self.at += 2;
                                let second = self.hex4()?;
                                0x10000
                                    + ((first - 0xD800) << 10)
                                    + (second.wrapping_sub(0xDC00) & 0x3FF)
                            } else {
                                first
                            };
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(self.error("unknown escape in a string")),
                    }
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, TraceError> {
        let digits = self
            .bytes
            .get(self.at..self.at + 4)
            .and_then(|d| core::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok())
            .ok_or_else(|| self.error("malformed \\u escape"))?;
        self.at += 4;
        Ok(digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_writes() {
        let text = format!(
            "{{\"a\":[1,-2.5e1,true,null,{}],\"b\":{{}}}}",
            string("q\"\\\n\u{1}é")
        );
        let value = parse(&text).unwrap();
        let a = match value.get("a") {
            Some(Value::Array(items)) => items.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(a[0].as_f64(), Some(1.0));
        assert_eq!(a[1].as_f64(), Some(-25.0));
        assert_eq!(a[2].as_bool(), Some(true));
        assert_eq!(a[3], Value::Null);
        assert_eq!(a[4].as_str(), Some("q\"\\\n\u{1}é"));
        assert_eq!(parse("\"\\ud83d\\ude00\"").unwrap().as_str(), Some("😀"));
    }

    #[test]
    fn says_where_it_stopped() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"open", "[1] 2"] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
        let error = parse("[1, x]").unwrap_err().to_string();
        assert!(error.contains("byte 4"), "{error}");
    }
}
