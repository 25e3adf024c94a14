//! Checks shared by the CSV readers ([`super::csv`] and [`super::chunked_csv`]) so both say the
//! same thing about the same file: the text encoding (a UTF-8 byte-order mark is skipped, UTF-16
//! and other non-UTF-8 text is named as such instead of showing garbled column names) and a quote
//! that is never closed (named with the line it opens on, instead of the rest of the file being
//! read as one field).

use std::io::Read;

use crate::error::{MobilityError, Result};
use crate::io::input;

/// The UTF-8 byte-order mark (spreadsheets write it; it is skipped silently).
pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How many bytes at the start of a file are looked at for its encoding.
pub(crate) const HEAD_BYTES: usize = 4096;

/// Checks the first bytes of a file (`head`, up to [`HEAD_BYTES`]) and returns how many to skip
/// (3 for a UTF-8 byte-order mark, otherwise 0).
///
/// # Errors
/// [`MobilityError::Input`] when the file looks like UTF-16 (it starts with the byte-order mark
/// `FF FE` or `FE FF`, or its first line has NUL bytes): "the file looks like UTF-16; save it as
/// UTF-8".
pub(crate) fn check_start(source: &str, head: &[u8]) -> Result<usize> {
    if head.starts_with(UTF8_BOM) {
        return Ok(UTF8_BOM.len());
    }
    let why = if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        Some("it starts with a UTF-16 byte-order mark")
    } else {
        let first_line = memchr::memchr(b'\n', head).map_or(head, |p| &head[..p]);
        first_line
            .contains(&0)
            .then_some("its first line has NUL bytes, as UTF-16 text has")
    };
    match why {
        Some(why) => Err(input(
            source,
            None,
            format!(
                "the file looks like UTF-16 ({why}); save it as UTF-8 (e.g. 'CSV UTF-8' in a \
                 spreadsheet, or iconv -f UTF-16 -t UTF-8)"
            ),
        )),
        None => Ok(0),
    }
}

/// Checks that `bytes` (a header field, a label or a cell: `what`) are UTF-8.
///
/// # Errors
/// [`MobilityError::Input`] at `location` naming the first bad byte: "is not valid UTF-8 ...; the
/// file looks like Latin-1 or Windows-1252: save it as UTF-8".
pub(crate) fn check_utf8(
    source: &str,
    location: Option<String>,
    what: &str,
    bytes: &[u8],
) -> Result<()> {
    match std::str::from_utf8(bytes) {
        Ok(_) => Ok(()),
        Err(e) => Err(input(source, location, not_utf8(what, bytes, &e))),
    }
}

/// The message for text that is not UTF-8.
pub(crate) fn not_utf8(what: &str, bytes: &[u8], e: &std::str::Utf8Error) -> String {
    let at = e.valid_up_to();
    format!(
        "{what} is not valid UTF-8 (byte 0x{:02X} after '{}'); the file looks like Latin-1 or \
         Windows-1252 text: save it as UTF-8 (e.g. 'CSV UTF-8' in a spreadsheet, or iconv -f \
         WINDOWS-1252 -t UTF-8)",
        bytes[at],
        String::from_utf8_lossy(&bytes[at.saturating_sub(20)..at]).escape_default()
    )
}

/// The message for a quote that is never closed (`line` is where it opens).
pub(crate) fn unterminated_quote(source: &str, line: u64) -> MobilityError {
    input(
        source,
        Some(format!("line {line}")),
        format!(
            "unterminated quote: the field opened by '\"' on line {line} is never closed, so the \
             rest of the file would be read as one field (close the quote, or write a quote \
             inside a quoted field as \"\")"
        ),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StartField,
    InField,
    InQuote,
    AfterQuote,
}

/// A reader that checks the encoding of the start of the data (see [`check_start`], skipping a
/// UTF-8 byte-order mark) and follows quoting as the `csv` crate does (a quote opens a quoted
/// field only at the start of a field; `""` inside it is a quote), so that a quote still open at
/// the end of the data can be named with the line it opens on.
pub(crate) struct QuoteWatch<R> {
    inner: R,
    head: Vec<u8>,
    head_at: usize,
    delimiter: u8,
    line: u64,
    record_line: u64,
    state: State,
    open: (u64, u64),
    eof: bool,
}

impl<R: Read> QuoteWatch<R> {
    /// Reads the first bytes of `inner` and checks them.
    ///
    /// # Errors
    /// As [`check_start`]; the data cannot be read.
    pub(crate) fn new(mut inner: R, source: &str, delimiter: u8) -> Result<Self> {
        let mut head = vec![0u8; HEAD_BYTES];
        let mut got = 0;
        while got < head.len() {
            match inner.read(&mut head[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(input(source, None, format!("cannot read the file: {e}")));
                }
            }
        }
        head.truncate(got);
        let skip = check_start(source, &head)?;
        Ok(QuoteWatch {
            inner,
            head,
            head_at: skip,
            delimiter,
            line: 1,
            record_line: 1,
            state: State::StartField,
            open: (0, 0),
            eof: false,
        })
    }

    /// `(quote line, record line)` of a quote still open at the end of the data: the line the
    /// quote opens on and the line its record starts on. `None` before the end or when every
    /// quote is closed.
    pub(crate) fn unterminated(&self) -> Option<(u64, u64)> {
        (self.eof && self.state == State::InQuote).then_some(self.open)
    }

    fn follow(&mut self, data: &[u8]) {
        let d = self.delimiter;
        // fast path: a block without quotes (most numeric files) changes only the line count
        // and whether the last byte ends a field
        if self.state != State::AfterQuote
            && let Some(&last) = data.last()
            && memchr::memchr(b'"', data).is_none()
        {
            self.line += memchr::memchr_iter(b'\n', data).count() as u64;
            if self.state != State::InQuote {
                if memchr::memchr2(b'\n', b'\r', data).is_some() {
                    self.record_line = self.line;
                }
                self.state = if last == d || last == b'\n' || last == b'\r' {
                    State::StartField
                } else {
                    State::InField
                };
            }
            return;
        }
        for &b in data {
            match self.state {
                State::InQuote => {
                    if b == b'"' {
                        self.state = State::AfterQuote;
                    } else if b == b'\n' {
                        self.line += 1;
                    }
                }
                State::AfterQuote if b == b'"' => self.state = State::InQuote,
                State::StartField if b == b'"' => {
                    self.state = State::InQuote;
                    self.open = (self.line, self.record_line);
                }
                _ => {
                    if b == d {
                        self.state = State::StartField;
                    } else if b == b'\n' || b == b'\r' {
                        self.state = State::StartField;
                        if b == b'\n' {
                            self.line += 1;
                        }
                        self.record_line = self.line;
                    } else {
                        self.state = State::InField;
                    }
                }
            }
        }
    }
}

impl<R: Read> Read for QuoteWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = if self.head_at < self.head.len() {
            let n = (self.head.len() - self.head_at).min(buf.len());
            buf[..n].copy_from_slice(&self.head[self.head_at..self.head_at + n]);
            self.head_at += n;
            n
        } else {
            self.inner.read(buf)?
        };
        if n == 0 && !buf.is_empty() {
            self.eof = true;
        }
        self.follow(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(data: &[u8]) -> QuoteWatch<&[u8]> {
        let mut w = QuoteWatch::new(data, "t.csv", b',').unwrap();
        let mut out = Vec::new();
        w.read_to_end(&mut out).unwrap();
        w
    }

    #[test]
    fn follows_quotes_as_the_csv_crate() {
        assert_eq!(drain(b"a,b\n1,\"2\n3\"\n4,5\n").unterminated(), None);
        assert_eq!(drain(b"a,b\n1,\"2\"\"x\"\n").unterminated(), None);
        // a quote inside an unquoted field is literal
        assert_eq!(drain(b"a,b\n1,2\"3\n").unterminated(), None);
        assert_eq!(
            drain(b"a,b\n1,2\n3,\"4\n5,6\n").unterminated(),
            Some((3, 3))
        );
        assert_eq!(
            drain(b"a,b\r\n1,2\r\n\"3,4\r\n").unterminated(),
            Some((3, 3))
        );
    }

    /// Blocks of any size give the state that byte-by-byte reading gives.
    #[test]
    fn block_sizes_do_not_matter() {
        let cases: [&[u8]; 5] = [
            b"a,b\n1,2\n3,\"4\n5,6\n7,8\n",
            b"a,b\r\n1,\"x\"\"y\"\r\n\"3,4\r\n9,9",
            b"p,c\n1,2\n3,4\n5,\"6\n",
            b"x\n\"a\nb\nc\"\nd,e\r\n\"q",
            b"1,2\"3\n4,5\n",
        ];
        for data in cases {
            let whole = drain(data);
            for size in 1..=data.len() {
                let mut w = QuoteWatch::new(&b""[..], "t", b',').unwrap();
                for block in data.chunks(size) {
                    w.follow(block);
                }
                w.eof = true;
                assert_eq!(
                    (w.unterminated(), w.line, w.record_line, w.state),
                    (
                        whole.unterminated(),
                        whole.line,
                        whole.record_line,
                        whole.state
                    ),
                    "{} in blocks of {size}",
                    String::from_utf8_lossy(data)
                );
            }
        }
    }

    #[test]
    fn encodings() {
        assert_eq!(check_start("t", b"\xEF\xBB\xBFa,b\n").unwrap(), 3);
        assert_eq!(check_start("t", b"a,b\n\x00").unwrap(), 0);
        for bad in [
            &b"\xFF\xFEa\x00"[..],
            b"\xFE\xFF\x00a",
            b"a\x00,\x00b\x00\n\x00",
        ] {
            let e = check_start("t.csv", bad).unwrap_err().to_string();
            assert!(e.contains("the file looks like UTF-16 ("), "{e}");
            assert!(e.contains("save it as UTF-8"), "{e}");
        }
        let mut out = Vec::new();
        let mut w = QuoteWatch::new(&b"\xEF\xBB\xBFa,b\n"[..], "t", b',').unwrap();
        w.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"a,b\n");
    }
}
