//! `Planner::write_parts`: chunks on several threads and shards give exactly
//! the rows of `Planner::stream`, in order; failures stop the run cleanly.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use syda::engine::OfflineEngine;
use syda::output::{ChunkEncoder, Format};
use syda::plan::{Chunk, Parallel, PartSink, Planner, Shard};
use syda::{Error, Row, Schema, Table, Value};

fn schema() -> Schema {
    Schema::from_path(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/schemas/scale.yaml"
    )))
    .unwrap()
}

fn planner(schema: &Schema) -> Planner<'_> {
    Planner::new(schema).rows(60).size("events", 1000)
}

/// Rows (and JSONL bytes) per table, as a sink receives them.
#[derive(Default)]
struct Collect {
    encode: bool,
    rows: BTreeMap<String, Vec<Row>>,
    bytes: BTreeMap<String, Vec<u8>>,
    parts: BTreeMap<String, Range<u64>>,
    fail_at_chunk: Option<usize>,
    chunks: usize,
}

impl PartSink for Collect {
    fn start(&mut self, table: &Table, part: Range<u64>) -> syda::Result<Option<ChunkEncoder>> {
        self.parts.insert(table.name.to_string(), part);
        self.rows.entry(table.name.to_string()).or_default();
        Ok(if self.encode {
            ChunkEncoder::new(Format::Jsonl, table)
        } else {
            None
        })
    }

    fn chunk(&mut self, table: &Table, chunk: Chunk) -> syda::Result<()> {
        self.chunks += 1;
        if self.fail_at_chunk == Some(self.chunks) {
            return Err(Error::Generate {
                table: table.name.to_string(),
                column: "*".to_owned(),
                message: "disk full".to_owned(),
            });
        }
        let part = &self.parts[table.name.as_ref()];
        let rows = self.rows.get_mut(table.name.as_ref()).unwrap();
        assert_eq!(chunk.first, part.start + rows.len() as u64, "chunks in order");
        if self.encode {
            self.bytes
                .entry(table.name.to_string())
                .or_default()
                .extend(chunk.bytes);
            // Encoded chunks count rows without handing them over.
            rows.extend((0..chunk.count).map(|_| Vec::new()));
        } else {
            assert_eq!(chunk.rows.len() as u64, chunk.count);
            rows.extend(chunk.rows);
        }
        Ok(())
    }

    fn finish(&mut self, _table: &Table) -> syda::Result<()> {
        Ok(())
    }
}

fn streamed(schema: &Schema) -> BTreeMap<String, Vec<Row>> {
    let mut out = BTreeMap::new();
    planner(schema)
        .stream(&OfflineEngine::new().with_seed(3), |table, rows| {
            out.insert(table.name.to_string(), rows.collect::<syda::Result<Vec<Row>>>()?);
            Ok(())
        })
        .unwrap();
    out
}

fn parts(schema: &Schema, parallel: Parallel, encode: bool) -> Collect {
    let mut sink = Collect {
        encode,
        ..Collect::default()
    };
    planner(schema)
        .write_parts(&OfflineEngine::new().with_seed(3), &parallel, &mut sink)
        .unwrap();
    sink
}

#[test]
fn chunks_on_many_threads_are_the_streamed_rows() {
    let schema = schema();
    let expected = streamed(&schema);
    for threads in [1, 2, 5] {
        let got = parts(&schema, Parallel::new().threads(threads).chunk_rows(37), false);
        assert_eq!(got.rows, expected, "{threads} threads");
    }
}

#[test]
fn chunks_encoded_on_workers_are_the_bytes_of_one_writer() {
    let schema = schema();
    let expected = streamed(&schema);
    let got = parts(&schema, Parallel::new().threads(4).chunk_rows(50), true);
    for table in &schema.tables {
        let encoder = ChunkEncoder::new(Format::Jsonl, table).unwrap();
        let mut bytes = Vec::new();
        encoder.encode(0, &expected[table.name.as_ref()], &mut bytes);
        assert!(got.bytes[table.name.as_ref()] == bytes, "table {}", table.name);
    }
}

#[test]
fn shards_cover_every_row_once_in_order() {
    let schema = schema();
    let expected = streamed(&schema);
    let mut union: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for i in 0..4 {
        let shard = Shard::new(i, 4).unwrap();
        let got = parts(
            &schema,
            Parallel::new().threads(2).chunk_rows(16).shard(shard),
            false,
        );
        for (table, rows) in got.rows {
            union.entry(table).or_default().extend(rows);
        }
    }
    assert_eq!(union, expected);
}

#[test]
fn a_failing_sink_stops_the_workers_and_its_error_comes_back() {
    let schema = schema();
    let mut sink = Collect {
        fail_at_chunk: Some(7),
        ..Collect::default()
    };
    let err = planner(&schema)
        .write_parts(
            &OfflineEngine::new(),
            &Parallel::new().threads(3).chunk_rows(10),
            &mut sink,
        )
        .unwrap_err();
    assert!(err.to_string().contains("disk full"), "{err}");
    assert_eq!(sink.chunks, 7, "no chunk after the failure");
}

#[test]
#[should_panic(expected = "generator bug")]
fn a_panicking_generator_panics_the_run_instead_of_hanging_it() {
    let schema = Schema::from_yaml_str(
        "tables: { t: { columns: { id: { type: integer, primary_key: true }, x: integer } } }",
    )
    .unwrap();
    let mut engine = OfflineEngine::new();
    engine.generators_mut().register_column("t", "x", |ctx| {
        assert!(ctx.index() != 500, "generator bug");
        Value::Int(1)
    });
    let mut sink = Collect::default();
    let _ = Planner::new(&schema).rows(2000).write_parts(
        &engine,
        &Parallel::new().threads(3).chunk_rows(64),
        &mut sink,
    );
}

#[test]
fn shard_names_parse_and_split_evenly() {
    assert_eq!(Shard::parse("2/5").unwrap(), Shard::new(2, 5).unwrap());
    assert!(Shard::parse("5/5").is_err());
    assert!(Shard::parse("x").unwrap_err().contains("I/N"));
    let sizes: Vec<u64> = (0..3)
        .map(|i| Shard::new(i, 3).unwrap().rows(100))
        .map(|r| r.end - r.start)
        .collect();
    assert_eq!(sizes, [33, 33, 34]);
    assert_eq!(
        Shard::new(7, 8).unwrap().file_name("parquet"),
        "part-00007.parquet"
    );
}
