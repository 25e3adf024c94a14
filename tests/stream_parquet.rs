//! The Parquet source: several row groups, a nullable weight column, a text group column;
//! streamed results equal the in-memory path bit for bit.

use std::sync::Arc;

use mobility::io::chunked_csv::StreamColumns;
use mobility::io::csv::Missing;
use mobility::io::parquet::ParquetSource;
use mobility::stream::{RunOptions, StreamSpec, run};
use mobility::{ClassSpec, Rule, TransitionCounts};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

/// One row group: parent, child, nullable weight, region.
type RowGroup<'a> = (Vec<i64>, Vec<f64>, Vec<Option<f64>>, Vec<&'a str>);

fn write(path: &std::path::Path, groups: &[RowGroup<'_>]) {
    let schema = Arc::new(
        parse_message_type(
            "message pairs { required int64 parent; required double child; \
             optional double weight; required binary region (UTF8); }",
        )
        .unwrap(),
    );
    let props = Arc::new(WriterProperties::builder().build());
    let file = std::fs::File::create(path).unwrap();
    let mut w = SerializedFileWriter::new(file, schema, props).unwrap();
    for (p, c, wt, g) in groups {
        let mut rg = w.next_row_group().unwrap();
        let mut i = 0;
        while let Some(mut col) = rg.next_column().unwrap() {
            match i {
                0 => {
                    col.typed::<Int64Type>().write_batch(p, None, None).unwrap();
                }
                1 => {
                    col.typed::<DoubleType>()
                        .write_batch(c, None, None)
                        .unwrap();
                }
                2 => {
                    let defs: Vec<i16> = wt.iter().map(|x| i16::from(x.is_some())).collect();
                    let vals: Vec<f64> = wt.iter().flatten().copied().collect();
                    col.typed::<DoubleType>()
                        .write_batch(&vals, Some(&defs), None)
                        .unwrap();
                }
                _ => {
                    let vals: Vec<ByteArray> = g.iter().map(|s| ByteArray::from(*s)).collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&vals, None, None)
                        .unwrap();
                }
            }
            col.close().unwrap();
            i += 1;
        }
        rg.close().unwrap();
    }
    w.close().unwrap();
}

#[test]
fn parquet_stream_equals_in_memory() {
    let dir = std::env::temp_dir().join(format!("mobility-pq-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pairs.parquet");
    let mut groups = Vec::new();
    let mut all = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut x = 7u64;
    for (g, rows) in [5000usize, 1, 0, 12_345, 300].into_iter().enumerate() {
        let (mut p, mut c, mut w, mut r) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rows {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            p.push(((x >> 40) % 50) as i64 * 100);
            c.push(((x >> 20) % 1000) as f64 * 0.25);
            w.push(Some(((x >> 60) % 3 + 1) as f64));
            r.push(["north", "south", "east"][(x >> 33) as usize % 3]);
        }
        if g == 3 {
            w[17] = None; // one null weight: an error by default, dropped on request
        }
        all.0.extend(p.iter().map(|&v| v as f64));
        all.1.extend(c.iter().copied());
        all.2.extend(w.iter().copied());
        all.3.extend(r.iter().map(|s| s.to_string()));
        groups.push((p, c, w, r));
    }
    write(&path, &groups);
    let cols = StreamColumns {
        weight: Some("weight".into()),
        group: Some("region".into()),
        ..StreamColumns::new("parent", "child")
    };
    let src = ParquetSource::open(&path, &cols, Missing::Reject).unwrap();
    assert_eq!(src.row_groups(), 5);
    let spec = StreamSpec {
        classes: ClassSpec::quantiles(5),
        weighted: true,
        by: true,
    };
    let e = run(&src, spec.clone(), &RunOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.ends_with("row 5019, column 'weight': missing value (null); 1 row has a missing value in the columns used, the first on row 5019"), "{e}");

    let src = ParquetSource::open(&path, &cols, Missing::DropRow).unwrap();
    let r = run(&src, spec, &RunOptions::default()).unwrap();
    let keep: Vec<usize> = (0..all.0.len()).filter(|&u| all.2[u].is_some()).collect();
    let p: Vec<f64> = keep.iter().map(|&u| all.0[u]).collect();
    let c: Vec<f64> = keep.iter().map(|&u| all.1[u]).collect();
    let w: Vec<f64> = keep.iter().map(|&u| all.2[u].unwrap()).collect();
    let direct = TransitionCounts::from_status(&p, &c, Some(&w), &ClassSpec::quantiles(5)).unwrap();
    assert_eq!(r.counts, direct);
    assert_eq!(r.groups.len(), 3);
    let read = src.read_all().unwrap();
    assert_eq!(read.parent, p);
    // unweighted, another rule
    let plain = ParquetSource::open(
        &path,
        &StreamColumns::new("parent", "child"),
        Missing::Reject,
    )
    .unwrap();
    let spec = StreamSpec {
        classes: ClassSpec::Quantiles {
            k: 4,
            rule: Rule::StataXtile,
        },
        weighted: false,
        by: false,
    };
    let r = run(&plain, spec, &RunOptions::default()).unwrap();
    let direct = TransitionCounts::from_status(
        &all.0,
        &all.1,
        None,
        &ClassSpec::Quantiles {
            k: 4,
            rule: Rule::StataXtile,
        },
    )
    .unwrap();
    assert_eq!(r.counts, direct);
    std::fs::remove_dir_all(&dir).ok();
}
