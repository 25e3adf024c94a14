//! Streaming a CSV file holds memory independent of its rows: peak heap (a counting allocator)
//! stays far below what the columns would take as vectors.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use mobility::io::chunked_csv::{CsvSource, StreamColumns};
use mobility::io::csv::CsvOptions;
use mobility::stream::{RunOptions, StreamSpec, run};
use mobility::{ClassSpec, TransitionCounts};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn streaming_a_csv_uses_bounded_memory_and_equals_in_memory() {
    let n = 3_000_000usize;
    let dir = std::env::temp_dir().join(format!("mobility-stream-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pairs.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(f, "id,parent,child,weight").unwrap();
        let mut x = 12345u64;
        for i in 0..n {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let p = (x >> 40) % 100_000;
            let c = ((x >> 20) % 50_000 + p / 2) % 100_000;
            writeln!(f, "{i},{p},{}.5,{}", c, (x >> 60) % 4).unwrap();
        }
    }
    let cols = StreamColumns {
        weight: Some("weight".into()),
        ..StreamColumns::new("parent", "child")
    };
    let src = CsvSource::open(&path, &cols, &CsvOptions::default())
        .unwrap()
        .with_chunk_bytes(256 << 10);
    let spec = StreamSpec {
        classes: ClassSpec::quantiles(10),
        weighted: true,
        by: false,
    };
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let report = |i: usize, name: &str| {
        eprintln!(
            "pass {i} {name}: peak so far {}",
            PEAK.load(Ordering::Relaxed) - before
        );
    };
    let options = RunOptions {
        on_pass: Some(&report),
        gather_limit: Some(1 << 16), // at most 65,536 (key, weight) pairs gathered per pass
    };
    let streamed = run(&src, spec, &options).unwrap();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    // the three columns as vectors would take 72 MB; the stream must stay far below
    let vectors = 3 * 8 * n;
    assert!(
        peak < 16 << 20,
        "peak heap {peak} bytes while streaming (vectors: {vectors})"
    );
    assert!(streamed.passes >= 2);

    // the same result from the columns in memory
    let all = src.read_all().unwrap();
    assert_eq!(all.parent.len(), n);
    let direct = TransitionCounts::from_status(
        &all.parent,
        &all.child,
        all.weight.as_deref(),
        &ClassSpec::quantiles(10),
    )
    .unwrap();
    assert_eq!(streamed.counts, direct);
    std::fs::remove_dir_all(&dir).ok();
}
