//! Messages of the two CSV readers (the in-memory `io::csv` and the chunked `io::chunked_csv`
//! that `analyze` streams with) for quoting and encoding problems: both name the same problem
//! with the same words and the same line, and neither shows garbled column names.

use std::path::PathBuf;

use mobility::io::chunked_csv::{CsvSource, StreamColumns};
use mobility::io::csv::{CsvOptions, read_columns, read_table};

fn dir() -> PathBuf {
    std::env::temp_dir().join(format!("mobility-csv-messages-{}", std::process::id()))
}

/// A message with the scratch folder left out of the file name.
fn rel(e: impl ToString) -> String {
    e.to_string().replace(&format!("{}/", dir().display()), "")
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The in-memory reader's message for `parent, child`.
fn columns_error(path: &PathBuf) -> String {
    read_columns(path, &["parent", "child"], &CsvOptions::default())
        .unwrap_err()
        .to_string()
        .replace(&format!("{}/", dir().display()), "")
}

/// The chunked reader's message (opening and reading every chunk).
fn chunked_error(path: &PathBuf) -> String {
    let columns = StreamColumns::new("parent", "child");
    match CsvSource::open(path, &columns, &CsvOptions::default()) {
        Err(e) => rel(e),
        Ok(src) => rel(src.read_all().unwrap_err()),
    }
}

/// The table reader's message for `bytes` written as file `name`.
fn table_error(name: &str, bytes: &[u8]) -> String {
    let path = scratch(name, bytes);
    read_table(&path, &CsvOptions::default())
        .map(|_| ())
        .map_err(rel)
        .unwrap_err()
}

/// The message both readers give for `bytes` written as file `name` (they must agree).
fn both(name: &str, bytes: &[u8]) -> String {
    let path = scratch(name, bytes);
    let a = columns_error(&path);
    let b = chunked_error(&path);
    assert_eq!(a, b, "the two readers disagree on {name}");
    a
}

#[test]
fn an_unterminated_quote_is_named_with_its_line() {
    let unterminated = "unterminated quote: the field opened by '\"' on line";
    // in the last column: the rest of the file would become one cell
    let e = both("q1.csv", b"parent,child\n1,2\n3,\"4\n5,6\n7,8\n");
    assert!(e.starts_with("q1.csv, line 3: "), "{e}");
    assert!(
        e.contains(&format!("{unterminated} 3 is never closed")),
        "{e}"
    );
    for (name, text, line) in [
        // in the first column: the record would have too few fields
        (
            "q2.csv",
            &b"parent,child\n1,2\n5,6\n\"3,4\n5,6\n7,8\n"[..],
            4,
        ),
        // in a column that is not read: rows would be lost without any error
        (
            "q3.csv",
            b"parent,child,note\n1,2,a\n3,4,\"b\n5,6,c\n7,8,d\n",
            3,
        ),
        // in the header, with CRLF line ends
        ("q4.csv", b"parent,\"child\r\n1,2\r\n3,4\r\n", 1),
    ] {
        let e = both(name, text);
        assert!(
            e.contains(&format!("{unterminated} {line} is never closed")),
            "{name}: {e}"
        );
    }
    // a table
    let e = table_error("q5.csv", b"1,2\n3,\"4\n");
    assert!(
        e.contains(&format!("{unterminated} 2 is never closed")),
        "{e}"
    );
}

#[test]
fn closed_quotes_still_read() {
    let path = scratch(
        "closed.csv",
        b"parent,child,note\n1,2,\"a,\"\"b\"\"\nc\"\n3,4,x\n",
    );
    let c = read_columns(&path, &["parent", "child"], &CsvOptions::default()).unwrap();
    assert_eq!(c.get("child").unwrap(), &[2.0, 4.0]);
    let src = CsvSource::open(
        &path,
        &StreamColumns::new("parent", "child"),
        &CsvOptions::default(),
    )
    .unwrap();
    assert_eq!(src.read_all().unwrap().child, vec![2.0, 4.0]);
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if big_endian { b"\xFE\xFF" } else { b"\xFF\xFE" });
    }
    for u in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

#[test]
fn utf16_is_named_not_shown_as_garbled_columns() {
    let text = "parent,child\n1,2\n3,4\n";
    for (name, bytes, why) in [
        (
            "le.csv",
            utf16(text, false, true),
            "it starts with a UTF-16 byte-order mark",
        ),
        (
            "be.csv",
            utf16(text, true, true),
            "it starts with a UTF-16 byte-order mark",
        ),
        (
            "nobom.csv",
            utf16(text, false, false),
            "its first line has NUL bytes",
        ),
    ] {
        let e = both(name, &bytes);
        assert!(
            e.starts_with(&format!("{name}: the file looks like UTF-16 ({why}")),
            "{e}"
        );
        assert!(e.contains("save it as UTF-8"), "{e}");
        assert!(!e.contains("columns are"), "{e}");
        let path = scratch(name, &utf16("1,2\n3,4\n", false, true));
        let t = read_table(&path, &CsvOptions::default())
            .unwrap_err()
            .to_string();
        assert!(t.contains("looks like UTF-16"), "{t}");
    }
}

#[test]
fn latin1_is_named() {
    // "année" in Latin-1: é is the single byte 0xE9
    let e = both("latin1.csv", b"ann\xE9e,parent,child\n1,2,3\n");
    assert_eq!(
        e.split("; ").next().unwrap(),
        "latin1.csv, line 1: header field 1 is not valid UTF-8 (byte 0xE9 after 'ann')"
    );
    assert!(e.contains("Latin-1 or Windows-1252"), "{e}");
    assert!(e.contains("save it as UTF-8"), "{e}");
    // a cell
    let e = both("cell.csv", b"parent,child\n1,2\n3,\xE94\n");
    assert!(
        e.starts_with("cell.csv, line 3, column 'child': the cell is not valid UTF-8"),
        "{e}"
    );
    let e = table_error("tcell.csv", b"Q1,Q2\n1,2\n3,\xE94\n");
    assert!(
        e.starts_with("tcell.csv, line 3, column 2: the cell is not valid UTF-8"),
        "{e}"
    );
}

#[test]
fn a_utf8_bom_is_accepted_silently() {
    let path = scratch("bom.csv", b"\xEF\xBB\xBFparent,child\n1,2\n3,4\n");
    let c = read_columns(&path, &["parent", "child"], &CsvOptions::default()).unwrap();
    assert_eq!(c.get("parent").unwrap(), &[1.0, 3.0]);
    assert_eq!(c.lines, vec![2, 3]);
    let src = CsvSource::open(
        &path,
        &StreamColumns::new("parent", "child"),
        &CsvOptions::default(),
    )
    .unwrap();
    assert_eq!(src.read_all().unwrap().parent, vec![1.0, 3.0]);
    let path = scratch("tbom.csv", b"\xEF\xBB\xBFQ1,Q2\n1,2\n3,4\n");
    let t = read_table(&path, &CsvOptions::default()).unwrap();
    assert_eq!(
        t.column_labels,
        Some(vec!["Q1".to_string(), "Q2".to_string()])
    );
}

#[test]
fn a_semicolon_table_read_with_commas_is_hinted() {
    let e = table_error("semi.csv", b"Q1;Q2\n3;1\n1;3\n");
    assert!(
        e.ends_with("(each line has one field: is the delimiter ';'?)"),
        "{e}"
    );
    let e = columns_error(&scratch("semic.csv", b"parent;child\n1;2\n"));
    assert!(
        e.ends_with("(the header has one field: is the delimiter ';'?)"),
        "{e}"
    );
}

#[test]
fn the_place_matrix_reader_names_them_too() {
    use mobility::io::place_matrices::read_place_matrices;
    let header = "cz,p_par1_kid1,p_par1_kid2,p_par2_kid1,p_par2_kid2";
    let e = rel(read_place_matrices(scratch(
        "pm16.csv",
        &utf16(&format!("{header}\n1,0.5,0.5,0.5,0.5\n"), false, true),
    ))
    .unwrap_err());
    assert!(e.starts_with("pm16.csv: the file looks like UTF-16"), "{e}");
    let e = rel(read_place_matrices(scratch(
        "pmq.csv",
        format!("{header}\n1,0.5,0.5,0.5,0.5\n\"2,0.5,0.5,0.5,0.5\n").as_bytes(),
    ))
    .unwrap_err());
    assert!(
        e.starts_with("pmq.csv, line 3: unterminated quote: the field opened by '\"' on line 3"),
        "{e}"
    );
    let mut latin1 = b"c\xE9".to_vec();
    latin1.extend_from_slice(format!("{}\n1,0.5,0.5,0.5,0.5\n", &header[2..]).as_bytes());
    let e = rel(read_place_matrices(scratch("pml.csv", &latin1)).unwrap_err());
    assert!(e.contains("header field 1 is not valid UTF-8"), "{e}");
    let places = read_place_matrices(scratch(
        "pmbom.csv",
        format!("\u{feff}{header}\n1,0.5,0.5,0.5,0.5\n").as_bytes(),
    ))
    .unwrap();
    assert_eq!(places.len(), 1);
}
