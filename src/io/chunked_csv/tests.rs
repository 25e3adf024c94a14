//! Tests of the chunked reader: quoting, line ends, messages, chunk bounds.

use super::*;
use crate::io::csv::Missing;

fn write(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mobility-chunked-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The message of the error reading `p`'s `columns` (which open without one).
fn read_error(p: &std::path::Path, columns: &StreamColumns) -> String {
    CsvSource::open(p, columns, &CsvOptions::default())
        .unwrap()
        .read_all()
        .unwrap_err()
        .to_string()
}

/// `p` (column `a` as parent and child) cut into chunks of about `bytes` and read: its values
/// are `0, 1, ..` (`rows` of them) and its chunks follow each other.
fn read_in_chunks(p: &std::path::Path, bytes: usize, rows: usize) -> CsvSource {
    let c = StreamColumns::new("a", "a");
    let s = CsvSource::open(p, &c, &CsvOptions::default())
        .unwrap()
        .with_chunk_bytes(bytes)
        .unwrap();
    let a = s.read_all().unwrap();
    assert_eq!(a.parent.len(), rows, "chunks of {bytes} bytes");
    assert!(a.parent.iter().enumerate().all(|(i, &v)| v == i as f64));
    assert!(s.chunks.windows(2).all(|w| w[0].1 == w[1].0));
    s
}

#[test]
fn quotes_crlf_blank_lines_and_groups() {
    let p = write(
        "q.csv",
        "\"id\",parent,child,w,region\r\n1,\"1,5\",2,1,\"north\"\r\n\r\n2, 3 ,4,2,\"so\nuth\"\r\n3,5,6,0,north\r\n",
    );
    let mut cols = StreamColumns::new("child", "w");
    cols.group = Some("region".into());
    let s = CsvSource::open(&p, &cols, &CsvOptions::default()).unwrap();
    let a = s.read_all().unwrap();
    assert_eq!(a.parent, vec![2.0, 4.0, 6.0]);
    assert_eq!(a.child, vec![1.0, 2.0, 0.0]);
    let (codes, labels) = a.group.unwrap();
    assert_eq!(labels, vec!["north".to_string(), "so\nuth".to_string()]);
    assert_eq!(codes, vec![0, 1, 0]);
    // a quoted number with a comma is not a number: line 2, column 'parent'
    let e = read_error(&p, &StreamColumns::new("parent", "child"));
    assert_eq!(
        e,
        format!(
            "{}, line 2, column 'parent': '1,5' is not a number",
            p.display()
        )
    );
}

#[test]
fn messages_name_file_line_and_column() {
    let p = write("m.csv", "parent,child\n1,2\n3,\n5,NA\n");
    let s = CsvSource::open(
        &p,
        &StreamColumns::new("parent", "child"),
        &CsvOptions::default(),
    )
    .unwrap();
    let e = s.read_all().unwrap_err().to_string();
    assert!(e.ends_with("line 3, column 'child': missing value (empty cell); 2 rows have missing values in the columns used, the first on line 3"), "{e}");
    let drop = CsvOptions {
        missing: Missing::DropRow,
        ..CsvOptions::default()
    };
    let s = CsvSource::open(&p, &StreamColumns::new("parent", "child"), &drop).unwrap();
    assert_eq!(
        s.row_stats().unwrap(),
        RowStats {
            rows: 1,
            dropped: 2
        }
    );
    let p = write("f.csv", "parent,child\n1,2\n3,4,5\n");
    let e = read_error(&p, &StreamColumns::new("parent", "child"));
    assert!(
        e.ends_with("line 3: 3 fields, but the header (line 1) has 2"),
        "{e}"
    );
    let e = CsvSource::open(
        &p,
        &StreamColumns::new("parent", "kid"),
        &CsvOptions::default(),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains(
            "column 'kid': no such column in the header (line 1); the columns are 'parent', 'child'"
        ),
        "{e}"
    );
    let p = write("w.csv", "parent,child,w\n1,2,-1\n");
    let mut c = StreamColumns::new("parent", "child");
    c.weight = Some("w".into());
    let e = read_error(&p, &c);
    assert!(
        e.ends_with("line 2, column 'w': negative weight (-1); weights must be >= 0"),
        "{e}"
    );
    let p = write("i.csv", "parent,child\n1,inf\n");
    let e = read_error(&p, &StreamColumns::new("parent", "child"));
    assert!(
        e.ends_with("line 2, column 'child': 'inf' is not a finite number"),
        "{e}"
    );
}

#[test]
fn chunks_split_at_line_ends_outside_quotes() {
    let mut text = String::from("a,b\n");
    for i in 0..200_000 {
        if i % 1000 == 0 {
            text.push_str(&format!("\"{i}\",\"x\ny\"\n"));
        } else {
            text.push_str(&format!("{i},{}\n", i % 7));
        }
    }
    let p = write("big.csv", &text);
    for bytes in [usize::MAX / 4, 10_000, 777, 1] {
        let s = read_in_chunks(&p, bytes, 200_000);
        if bytes == 777 {
            assert!(s.chunks() > 1000);
        }
    }
}

#[test]
fn quote_free_chunks_are_found_in_parallel_and_split_at_line_ends() {
    // no quote anywhere: the parallel bounds; long and short lines, CRLF and blank lines
    let mut text = String::from("a,b\r\n");
    for i in 0..50_000 {
        if i % 997 == 0 {
            text.push_str(&format!("{i},{}\r\n\r\n", "9".repeat(3000)));
        } else {
            text.push_str(&format!("{i},{}\n", i % 7));
        }
    }
    let p = write("plain.csv", &text);
    for bytes in [usize::MAX / 4, 10_000, 777, 13, 1] {
        let s = read_in_chunks(&p, bytes, 50_000);
        assert_eq!(s.chunks.last().map(|c| c.1), Some(text.len()));
        assert!(
            s.chunks
                .iter()
                .all(|&(a, b)| a < b && text.as_bytes()[a - 1] == b'\n')
        );
        if bytes <= 777 {
            assert!(s.chunks() > 500, "{} chunks of {bytes} bytes", s.chunks());
        }
    }
}
