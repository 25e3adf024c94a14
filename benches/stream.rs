//! Streaming from files, end to end (open, cut-off passes, counting pass, matrix, measures):
//! 10^7 simulated `parent,child,weight` pairs as CSV (about 400 MB) and as Parquet (row groups
//! of 2^20 rows, uncompressed), deciles, unweighted and weighted. The files are written once to
//! `target/stream-bench/` and reused.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use mobility::io::chunked_csv::{CsvSource, StreamColumns};
use mobility::io::csv::{CsvOptions, Missing};
use mobility::io::parquet::ParquetSource;
use mobility::simulate::{Simulation, simulate};
use mobility::stream::{RunOptions, StreamSpec, transition_matrix_from_source};
use mobility::{ClassSpec, Weighting};
use parquet::data_type::DoubleType;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::hint::black_box;

const N: usize = 10_000_000;
const ROW_GROUP: usize = 1 << 20;

fn dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/stream-bench");
    std::fs::create_dir_all(&d).expect("target/stream-bench");
    d
}

fn data() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let pairs = simulate(&Simulation::new(N, 0.5, 42)).expect("simulation");
    let weights: Vec<f64> = (0..N)
        .map(|i| 0.5 + ((i as f64) * 0.618_033_988_7).fract())
        .collect();
    (pairs.parent, pairs.child, weights)
}

fn files() -> (PathBuf, PathBuf) {
    let d = dir();
    let (csv, pq) = (d.join("pairs_1e7.csv"), d.join("pairs_1e7.parquet"));
    if csv.exists() && pq.exists() {
        return (csv, pq);
    }
    let (p, c, w) = data();
    let mut out = BufWriter::new(File::create(&csv).expect("csv"));
    writeln!(out, "parent,child,weight").unwrap();
    for i in 0..N {
        writeln!(out, "{},{},{}", p[i], c[i], w[i]).unwrap();
    }
    out.flush().unwrap();
    let schema = Arc::new(
        parse_message_type(
            "message pairs { required double parent; required double child; \
             required double weight; }",
        )
        .unwrap(),
    );
    let props = Arc::new(WriterProperties::builder().build());
    let mut wr =
        SerializedFileWriter::new(File::create(&pq).expect("parquet"), schema, props).unwrap();
    for start in (0..N).step_by(ROW_GROUP) {
        let end = (start + ROW_GROUP).min(N);
        let mut rg = wr.next_row_group().unwrap();
        for col in [&p, &c, &w] {
            let mut cw = rg.next_column().unwrap().expect("column");
            cw.typed::<DoubleType>()
                .write_batch(&col[start..end], None, None)
                .unwrap();
            cw.close().unwrap();
        }
        rg.close().unwrap();
    }
    wr.close().unwrap();
    (csv, pq)
}

fn columns(weighted: bool) -> StreamColumns {
    let mut c = StreamColumns::new("parent", "child");
    if weighted {
        c.weight = Some("weight".into());
    }
    c
}

fn spec(weighted: bool) -> StreamSpec {
    StreamSpec {
        classes: ClassSpec::quantiles(10),
        weighted,
        by: false,
    }
}

fn bench(c: &mut Criterion) {
    let (csv, pq) = files();
    let mut group = c.benchmark_group("stream_file_1e7_deciles");
    group.sample_size(10);
    for weighted in [false, true] {
        let name = if weighted { "weighted" } else { "unweighted" };
        group.bench_function(format!("csv_{name}"), |b| {
            b.iter(|| {
                let src = CsvSource::open(&csv, &columns(weighted), &CsvOptions::default())
                    .expect("open");
                let tm =
                    transition_matrix_from_source(&src, spec(weighted), &RunOptions::default())
                        .expect("run");
                black_box(tm.measures(&Weighting::ParentShares).unwrap())
            })
        });
        group.bench_function(format!("parquet_{name}"), |b| {
            b.iter(|| {
                let src =
                    ParquetSource::open(&pq, &columns(weighted), Missing::Reject).expect("open");
                let tm =
                    transition_matrix_from_source(&src, spec(weighted), &RunOptions::default())
                        .expect("run");
                black_box(tm.measures(&Weighting::ParentShares).unwrap())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
