//! Where records and chunks end: the chunk bounds (each at a record end outside quotes, found in
//! parallel when the file has no quote, else by one sequential scan), the end of one record, and
//! the positional reads and line numbers the reader uses.

use std::fs::File;

use rayon::prelude::*;

/// The line (1-based) of byte `pos` of the file.
pub(super) fn line_at(file: &File, pos: usize) -> u64 {
    let mut lines = 1u64;
    let mut buf = vec![0u8; 1 << 20];
    let mut at = 0usize;
    while at < pos {
        let n = (pos - at).min(buf.len());
        if read_exact_at(file, &mut buf[..n], at as u64).is_err() {
            break;
        }
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
        at += n;
    }
    lines
}

/// Where the quote still open at the end of `data` opens (quote parity from `from`, as this
/// reader splits fields), if one is.
pub(super) fn open_quote(data: &[u8], from: usize) -> Option<usize> {
    let mut open = None;
    for (i, &b) in data.iter().enumerate().skip(from) {
        if b == b'"' {
            open = if open.is_some() { None } else { Some(i) };
        }
    }
    open
}

/// The end of the record starting at `pos` (index of its `\n`, or the length), skipping
/// newlines inside quotes.
pub(super) fn find_record_end(data: &[u8], pos: usize) -> usize {
    let Some(nl) = memchr::memchr(b'\n', &data[pos..]).map(|p| pos + p) else {
        return data.len();
    };
    if memchr::memchr(b'"', &data[pos..nl]).is_none() {
        return nl;
    }
    let mut inside = false;
    for (i, &b) in data[pos..].iter().enumerate() {
        match b {
            b'"' => inside = !inside,
            b'\n' if !inside => return pos + i,
            _ => {}
        }
    }
    data.len()
}

/// A chunk's byte range `(start, end)`.
type Span = (usize, usize);

/// Chunk bounds of about [`CHUNK_BYTES`](super::CHUNK_BYTES), each ending at a record end outside quotes: in
/// parallel when the file has no quote ([`plain_chunk_bounds`]), else by one sequential scan.
/// Also where a quote still open at the end of the file opens, if one is.
pub(super) fn chunk_bounds(
    file: &File,
    len: usize,
    start: usize,
    chunk_bytes: usize,
) -> std::io::Result<(Vec<Span>, Option<usize>)> {
    match plain_chunk_bounds(file, len, start, chunk_bytes)? {
        Some(chunks) => Ok((chunks, None)),
        None => scan_chunk_bounds(file, len, start, chunk_bytes),
    }
}

/// The chunk bounds of a file with no quote at all, found in parallel: each chunk of about
/// `chunk_bytes` ends at the first newline at or after its nominal end. `None` when a quote
/// appears anywhere (a newline may then be inside a field: [`scan_chunk_bounds`] tracks it).
fn plain_chunk_bounds(
    file: &File,
    len: usize,
    start: usize,
    chunk_bytes: usize,
) -> std::io::Result<Option<Vec<Span>>> {
    let blocks = (len.saturating_sub(start)).div_ceil(chunk_bytes);
    // per block [start + i c - 1, start + (i + 1) c - 1): whether it has a quote, and the
    // position just after its first newline (a record start at or after start + i c)
    let scans: Vec<(bool, Option<usize>)> = (0..blocks)
        .into_par_iter()
        .map_init(Vec::new, |buf: &mut Vec<u8>, i| {
            let a = (start + i * chunk_bytes).saturating_sub(1).max(start);
            let b = (start + (i + 1) * chunk_bytes - 1).min(len);
            buf.clear();
            buf.resize(b - a, 0);
            read_exact_at(file, buf, a as u64)?;
            let quote = memchr::memchr(b'"', buf).is_some();
            let newline = if i == 0 {
                Some(start)
            } else {
                memchr::memchr(b'\n', buf).map(|p| a + p + 1)
            };
            Ok((quote, newline))
        })
        .collect::<std::io::Result<_>>()?;
    if scans.iter().any(|s| s.0) {
        return Ok(None);
    }
    let mut bounds: Vec<usize> = scans.iter().filter_map(|s| s.1).collect();
    bounds.push(len);
    bounds.dedup();
    Ok(Some(
        bounds
            .windows(2)
            .map(|w| (w[0], w[1]))
            .filter(|(a, b)| a < b)
            .collect(),
    ))
}

/// Chunk bounds by one sequential scan of the body in 1 MiB blocks, quote parity tracked across
/// blocks (blocks without quotes are skipped at memchr speed).
fn scan_chunk_bounds(
    file: &File,
    len: usize,
    start: usize,
    chunk_bytes: usize,
) -> std::io::Result<(Vec<Span>, Option<usize>)> {
    let mut opened = 0usize;
    const BLOCK: usize = 1 << 20;
    let mut out = Vec::new();
    let mut a = start;
    let mut inside = false;
    let mut buf = vec![0u8; BLOCK];
    let mut at = start;
    while at < len {
        let n = (len - at).min(BLOCK);
        let block = &mut buf[..n];
        read_exact_at(file, block, at as u64)?;
        let mut i = 0usize;
        if memchr::memchr(b'"', block).is_none() {
            // parity unchanged in this block: cut at the first newline at or after each target
            while !inside && i <= n {
                let target = (a + chunk_bytes).max(at + i);
                if target >= at + n {
                    break;
                }
                match memchr::memchr(b'\n', &block[target - at..]) {
                    Some(p) => {
                        let b = target + p + 1;
                        out.push((a, b));
                        a = b;
                        i = b - at;
                    }
                    None => break,
                }
            }
        } else {
            for (j, &c) in block.iter().enumerate() {
                if c == b'"' {
                    inside = !inside;
                    if inside {
                        opened = at + j;
                    }
                } else if c == b'\n' && !inside && at + j >= a + chunk_bytes {
                    let b = at + j + 1;
                    out.push((a, b));
                    a = b;
                }
            }
        }
        at += n;
    }
    if a < len {
        out.push((a, len));
    }
    Ok((out, inside.then_some(opened)))
}

/// Fills `buf` from `pos` with positional reads (no shared file offset, so threads can read
/// chunks at once).
pub(super) fn read_exact_at(file: &File, buf: &mut [u8], pos: u64) -> std::io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(file, &mut buf[done..], pos + done as u64)?;
        #[cfg(windows)]
        let n =
            std::os::windows::fs::FileExt::seek_read(file, &mut buf[done..], pos + done as u64)?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file is shorter than when it was opened",
            ));
        }
        done += n;
    }
    Ok(())
}
