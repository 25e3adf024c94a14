use super::*;

fn cols(data: &str, names: &[&str]) -> Result<Columns> {
    read_columns_from(data.as_bytes(), "t.csv", names, &CsvOptions::default())
}

fn table(data: &str) -> Result<Table> {
    read_table_from(data.as_bytes(), "t.csv", &CsvOptions::default())
}

fn message(e: MobilityError) -> String {
    e.to_string()
}

#[test]
fn reads_named_columns_in_the_order_asked() {
    let c = cols("a,b,c\n1,2,3\n4,5,6\n", &["c", "a"]).unwrap();
    assert_eq!(c.values, vec![vec![3.0, 6.0], vec![1.0, 4.0]]);
    assert_eq!(c.lines, vec![2, 3]);
    assert_eq!(c.len(), 2);
    assert_eq!(c.get("b"), None);
}

#[test]
fn quotes_bom_and_whitespace() {
    let c = cols("\u{feff}\"a\",\"b\"\n\" 1.5 \",  -2e3 \n", &["a", "b"]).unwrap();
    assert_eq!(c.values, vec![vec![1.5], vec![-2000.0]]);
}

#[test]
fn multi_line_quoted_field_keeps_line_numbers() {
    let c = cols("note,x\n\"two\nlines\",1\nok,2\n", &["x"]).unwrap();
    assert_eq!(c.lines, vec![2, 4]);
}

#[test]
fn missing_column_lists_the_columns() {
    let e = message(cols("id,t0,t9\n1,2,3\n", &["T9"]).unwrap_err());
    assert_eq!(
        e,
        "t.csv, column 'T9': no such column in the header (line 1); the columns are 'id', \
         't0', 't9' (did you mean 't9'?)"
    );
}

#[test]
fn wrong_delimiter_is_suggested() {
    let e = message(cols("a;b\n1;2\n", &["a"]).unwrap_err());
    assert!(
        e.ends_with("(the header has one field: is the delimiter ';'?)"),
        "{e}"
    );
    let opts = CsvOptions {
        delimiter: Delimiter::Semicolon,
        ..CsvOptions::default()
    };
    let c = read_columns_from("a;b\n1;2\n".as_bytes(), "t", &["b"], &opts).unwrap();
    assert_eq!(c.values, vec![vec![2.0]]);
}

#[test]
fn duplicate_header_names() {
    let e = message(cols("a,b,a\n1,2,3\n", &["a"]).unwrap_err());
    assert!(
        e.contains("has 2 columns with this name (fields 1, 3)"),
        "{e}"
    );
}

#[test]
fn non_numeric_cell_is_quoted_with_line_and_column() {
    let e = message(cols("a,b\n1,2\n3,abc\n", &["a", "b"]).unwrap_err());
    assert_eq!(e, "t.csv, line 3, column 'b': 'abc' is not a number");
}

#[test]
fn infinite_cell() {
    let e = message(cols("a\n1\n-inf\n", &["a"]).unwrap_err());
    assert_eq!(
        e,
        "t.csv, line 3, column 'a': '-inf' is not a finite number"
    );
}

#[test]
fn missing_values_are_counted_and_located() {
    let e = message(cols("a,b\n1,2\n3,\n4,NA\nNaN,5\n", &["a", "b"]).unwrap_err());
    assert_eq!(
        e,
        "t.csv, line 3, column 'b': missing value (empty cell); 3 rows have missing values \
         in the columns used, the first on line 3"
    );
    let one = message(cols("a,b\n1,2\n3,NA\n", &["a", "b"]).unwrap_err());
    assert!(
        one.contains("missing value ('NA'); 1 row has a missing value"),
        "{one}"
    );
}

#[test]
fn missing_values_in_unused_columns_do_not_matter() {
    let c = cols("a,b\n1,\n2,NA\n", &["a"]).unwrap();
    assert_eq!(c.values, vec![vec![1.0, 2.0]]);
}

#[test]
fn drop_missing_rows() {
    let opts = CsvOptions {
        missing: Missing::DropRow,
        ..CsvOptions::default()
    };
    let c = read_columns_from(
        "a,b\n1,2\n3,\n.,4\n5,6\n".as_bytes(),
        "t",
        &["a", "b"],
        &opts,
    )
    .unwrap();
    assert_eq!(c.values, vec![vec![1.0, 5.0], vec![2.0, 6.0]]);
    assert_eq!(c.lines, vec![2, 5]);
    assert_eq!(
        c.dropped,
        Some(DroppedRows {
            rows: 2,
            first_line: 3,
            first_column: "b".into()
        })
    );
    let e = read_columns_from("a\nNA\n".as_bytes(), "t", &["a"], &opts).unwrap_err();
    assert!(message(e).contains("every data row has a missing value"));
}

#[test]
fn ragged_rows() {
    let e = message(cols("a,b,c\n1,2,3\n4,5\n", &["a"]).unwrap_err());
    assert_eq!(e, "t.csv, line 3: 2 fields, but the header (line 1) has 3");
}

#[test]
fn empty_file_and_no_rows() {
    assert!(message(cols("", &["a"]).unwrap_err()).contains("the file is empty"));
    assert!(message(cols("a,b\n", &["a"]).unwrap_err()).contains("no data rows"));
}

#[test]
fn missing_file() {
    let e = read_columns("/nonexistent/x.csv", &["a"], &CsvOptions::default()).unwrap_err();
    assert_eq!(e.to_string(), "/nonexistent/x.csv: no such file");
    let d = read_table("/", &CsvOptions::default()).unwrap_err();
    assert_eq!(d.to_string(), "/: is a directory, not a CSV file");
}

#[test]
fn error_at_maps_rows_to_lines() {
    let c = cols("w\n1\n-1\n", &["w"]).unwrap();
    assert_eq!(
        c.error_at(1, "w", "negative").to_string(),
        "t.csv, line 3, column 'w': negative"
    );
}

#[test]
fn delimiter_from_str() {
    assert_eq!(",".parse::<Delimiter>().unwrap(), Delimiter::Comma);
    assert_eq!(
        "semicolon".parse::<Delimiter>().unwrap(),
        Delimiter::Semicolon
    );
    assert_eq!("\t".parse::<Delimiter>().unwrap(), Delimiter::Tab);
    assert_eq!("TAB".parse::<Delimiter>().unwrap(), Delimiter::Tab);
    assert!("|".parse::<Delimiter>().is_err());
}

#[test]
fn plain_table() {
    let t = table("1,2\n3,4\n").unwrap();
    assert_eq!(t.values, ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
    assert_eq!(t.column_labels, None);
    assert_eq!(t.row_labels, None);
    assert_eq!(t.location(1, 1), "line 2, column 2");
}

#[test]
fn table_with_header_and_labels() {
    let t = table("parent,Q1,Q2\nQ1,5,1\nQ2,2,6\n").unwrap();
    assert_eq!(t.values, ndarray::array![[5.0, 1.0], [2.0, 6.0]]);
    assert_eq!(t.column_labels, Some(vec!["Q1".into(), "Q2".into()]));
    assert_eq!(t.row_labels, Some(vec!["Q1".into(), "Q2".into()]));
    assert_eq!(t.lines, vec![2, 3]);
    assert_eq!(t.location(0, 1), "line 2, column 3 ('Q2')");
}

#[test]
fn table_with_empty_corner_and_header_only() {
    let t = table(",a,b\nx,1,2\ny,3,4\n").unwrap();
    assert_eq!(t.values, ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
    let h = table("a,b\n1,2\n3,4\n").unwrap();
    assert_eq!(h.values, ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
    assert_eq!(h.row_labels, None);
    let l = table("x,1,2\ny,3,4\n").unwrap();
    assert_eq!(l.values, ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
    assert_eq!(l.column_labels, None);
}

#[test]
fn table_with_numeric_class_labels() {
    let both = table("parent,1,2\n1,5,1\n2,2,6\n").unwrap();
    assert_eq!(both.values, ndarray::array![[5.0, 1.0], [2.0, 6.0]]);
    let head = table("1,2\n5,1\n2,6\n").unwrap();
    assert_eq!(head.values, ndarray::array![[5.0, 1.0], [2.0, 6.0]]);
    let col = table("1,5,1\n2,2,6\n").unwrap();
    assert_eq!(col.values, ndarray::array![[5.0, 1.0], [2.0, 6.0]]);
    let text_header_numeric_labels = table("p,Q1,Q2\n1,5,1\n2,2,6\n").unwrap();
    assert_eq!(
        text_header_numeric_labels.values,
        ndarray::array![[5.0, 1.0], [2.0, 6.0]]
    );
}

#[test]
fn trailing_delimiter_is_ignored() {
    let t = table("1,2,\n3,4,\n").unwrap();
    assert_eq!(t.values, ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
}

#[test]
fn table_errors() {
    let e = message(table("1,2,3\n4,5,6\n").unwrap_err());
    assert_eq!(
        e,
        "t.csv: the table must be square (k x k), but it has 2 rows and 3 columns of numbers"
    );
    let e = message(table("a,b\n1,2\n3,4\n5,6\n").unwrap_err());
    assert!(
        e.contains("3 rows and 2 columns of numbers (taking line 1 as a header)"),
        "{e}"
    );
    let e = message(table("Q1,Q2\n1,x\n3,4\n").unwrap_err());
    assert_eq!(e, "t.csv, line 2, column 2 ('Q2'): 'x' is not a number");
    let e = message(table("1,2\n3,\n").unwrap_err());
    assert_eq!(e, "t.csv, line 2, column 2: missing value (empty cell)");
    let e = message(table("1,2\n3,4,5\n").unwrap_err());
    assert_eq!(e, "t.csv, line 2: 3 fields, but line 1 has 2");
    let e = message(table("").unwrap_err());
    assert!(e.contains("empty"), "{e}");
    let e = message(table("1,2\nnan,4\n").unwrap_err());
    assert!(e.contains("line 2, column 1: missing value ('nan')"), "{e}");
}

#[test]
fn control_characters_are_escaped() {
    let e = message(cols("a\n\"x\ny\"\n", &["a"]).unwrap_err());
    assert!(!e.contains('\n'), "{e}");
    assert!(e.contains("'x\\ny'"), "{e}");
}
