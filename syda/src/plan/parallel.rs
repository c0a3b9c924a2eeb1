//! Generation on several threads and in shards, with the same bytes as one
//! thread and one process.
//!
//! Every cell is drawn from its own random stream (seed, table, row,
//! column), so rows can be made in any order: a table is cut into chunks
//! of consecutive rows, worker threads generate (and, for text formats,
//! encode) chunks, and the calling thread hands them to the sink in row
//! order. A shard `I/N` writes rows `I·n/N .. (I+1)·n/N` of every table,
//! so the shards' files, in shard order, are the unsharded file's rows.
//!
//! What each shard still generates in full:
//! - a parent table whose referenced key is not a sequential integer key
//!   (children pick among all its keys, so every shard needs all of them;
//!   only the shard's own rows are written);
//! - a table whose unique columns or composite keys are settled in row
//!   order, or that references itself (rows depend on earlier rows; these
//!   tables also run on one thread);
//! - a table on a foreign-key cycle, held in memory as in [`Planner::stream`].

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

use super::keys::KeyCapture;
use super::relations::Aggregates;
use super::{DeferredKey, Known, Planner, aggregates_parent};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::output::ChunkEncoder;
use crate::schema::Table;
use crate::value::Row;

/// Rows per chunk handed to a worker thread.
pub const DEFAULT_CHUNK_ROWS: u64 = 8192;

/// One part of a job split over `count` processes or machines: shard
/// `index` (from 0) writes a disjoint, contiguous part of every table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    index: u32,
    count: u32,
}

impl Shard {
    /// The whole job: shard 0 of 1.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Shard `index` of `count`; `None` unless `index < count`.
    pub fn new(index: u32, count: u32) -> Option<Shard> {
        (index < count).then_some(Shard { index, count })
    }

    /// Parses `I/N` (for example `3/8`).
    pub fn parse(text: &str) -> std::result::Result<Shard, String> {
        let bad = || format!("`{text}` is not a shard: expected I/N with 0 <= I < N, for example 0/4");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (i, n) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        Shard::new(i, n).ok_or_else(bad)
    }

    /// The shard's index, from 0.
    pub fn index(self) -> u32 {
        self.index
    }

    /// How many shards the job has.
    pub fn count(self) -> u32 {
        self.count
    }

    /// The rows of a table of `total` rows this shard writes.
    ///
    /// ```
    /// use syda::plan::Shard;
    /// let parts: Vec<_> = (0..3).map(|i| Shard::new(i, 3).unwrap().rows(10)).collect();
    /// assert_eq!(parts, [0..3, 3..6, 6..10]);
    /// ```
    pub fn rows(self, total: u64) -> Range<u64> {
        let at = |i: u32| (u128::from(total) * u128::from(i) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }

    /// The shard's file name, `part-00003.<extension>`: DuckDB and Spark read
    /// a directory of such files as one table.
    pub fn file_name(self, extension: &str) -> String {
        format!("part-{:05}.{extension}", self.index)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// How to split a generation run: worker threads and the shard to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parallel {
    threads: usize,
    shard: Shard,
    chunk_rows: u64,
}

impl Default for Parallel {
    fn default() -> Self {
        Parallel::new()
    }
}

impl Parallel {
    /// One worker per available core, the whole job.
    pub fn new() -> Parallel {
        Parallel {
            threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            shard: Shard::WHOLE,
            chunk_rows: DEFAULT_CHUNK_ROWS,
        }
    }

    /// Worker threads (at least 1). The bytes written do not depend on it.
    pub fn threads(mut self, threads: usize) -> Parallel {
        self.threads = threads.max(1);
        self
    }

    /// The shard to write.
    pub fn shard(mut self, shard: Shard) -> Parallel {
        self.shard = shard;
        self
    }

    /// Rows per chunk (at least 1).
    pub fn chunk_rows(mut self, rows: u64) -> Parallel {
        self.chunk_rows = rows.max(1);
        self
    }

    /// The worker threads.
    pub fn thread_count(&self) -> usize {
        self.threads
    }
}

/// Consecutive rows of one table, in the order they are to be written.
#[derive(Debug, Default)]
pub struct Chunk {
    /// Index of the first row in its table.
    pub first: u64,
    /// How many rows.
    pub count: u64,
    /// The rows, when the sink takes rows (no encoder).
    pub rows: Vec<Row>,
    /// The rows encoded by the sink's encoder, when it gave one.
    pub bytes: Vec<u8>,
}

/// Where [`Planner::write_parts`] puts each table's part.
pub trait PartSink {
    /// Whether `table` is written at all (its parents always are generated).
    fn wants(&self, table: &Table) -> bool {
        let _ = table;
        true
    }

    /// Starts `table`, of which rows `part` are this shard's. An encoder
    /// returned here encodes chunks on the worker threads ([`Chunk::bytes`],
    /// row indexes counted from the start of the part); `None` hands over
    /// rows ([`Chunk::rows`]).
    fn start(&mut self, table: &Table, part: Range<u64>) -> Result<Option<ChunkEncoder>>;

    /// The next chunk of the part, in row order.
    fn chunk(&mut self, table: &Table, chunk: Chunk) -> Result<()>;

    /// Ends `table`.
    fn finish(&mut self, table: &Table) -> Result<()>;
}

impl<'s> Planner<'s> {
    /// The schema being planned.
    pub fn schema(&self) -> &'s crate::schema::Schema {
        self.schema
    }

    /// Generates every table in dependency order and writes this shard's
    /// rows of each into `sink`, generating chunks of rows on
    /// [`Parallel::threads`] threads. Whatever the thread count, the sink
    /// receives the same rows in the same order; over all shards of a job it
    /// receives every table's rows exactly once, as [`Planner::stream`]
    /// gives them. Tables with deferred foreign keys (cycles) are written
    /// last, once their parents exist. Returns the deferred keys.
    ///
    /// Custom generators are called from several threads: one that draws
    /// only from its [`crate::engine::GenContext`] keeps the output the same.
    pub fn write_parts<E: Engine>(
        &self,
        engine: &E,
        parallel: &Parallel,
        sink: &mut dyn PartSink,
    ) -> Result<Vec<DeferredKey>> {
        let schema = self.schema;
        let order = self.order()?;
        let referenced = self.referenced_keys();
        let needed_times = self.needed_times();
        let mut known = Known::default();
        let mut aggregates = Aggregates::new(schema);
        let mut held: Vec<(usize, Vec<Row>)> = Vec::new();
        for &t in &order.tables {
            let table = &schema.tables[t];
            let (prepared, rows) = self.prepare(t, engine, &order, &known, 0)?;
            let part = parallel.shard.rows(rows);
            let wanted = sink.wants(table);
            let is_held =
                order.deferred.iter().any(|d| d.table == table.name) || aggregates_parent(schema, t);
            let self_referencing = table.all_foreign_keys().iter().any(|fk| fk.table == table.name);
            let local = prepared.local();
            let splittable = !self_referencing
                && prepared.rows_range(table, 0..0).is_some()
                && local.starts_anywhere(table, rows)?;
            let mut captures = self.captures_for(t, &referenced);
            // The table-level relations (children after parents, repairs of
            // other engines' rows, aggregates), applied in row order as in
            // `stream`; rows they touch are encoded here, not on the workers.
            let mut fix = self.fix_for(t, &prepared, &known)?;
            let mut times = self.time_captures_for(t, &needed_times);
            let observed = aggregates.is_child(t);
            let post = fix.is_some() || !times.is_empty() || observed;
            // A sequential key is known without generating its rows.
            let sequence = match local.sequential_key(table)? {
                Some((column, start))
                    if !self.parent_context
                        && !captures.is_empty()
                        && captures.iter().all(|c| c.columns == [column]) =>
                {
                    Some((column, start))
                }
                _ => None,
            };
            let needs_all =
                is_held || observed || !times.is_empty() || (!captures.is_empty() && sequence.is_none());
            let generate = if needs_all {
                0..rows
            } else if wanted {
                part.clone()
            } else {
                part.start..part.start
            };
            let mut settle = |chunk: &mut Chunk| -> Result<()> {
                for (i, row) in chunk.rows.iter_mut().enumerate() {
                    if let Some(fix) = fix.as_mut() {
                        fix.fix(chunk.first + i as u64, row)?;
                    }
                    times.iter_mut().for_each(|c| c.push(row));
                    aggregates.observe(t, row);
                }
                Ok(())
            };
            if is_held {
                let mut all = Vec::with_capacity(rows.min(1 << 20) as usize);
                let chunks = Chunks::new(&prepared, table, generate, parallel, splittable);
                chunks.run(None, 0..0, true, |mut chunk| {
                    settle(&mut chunk)?;
                    for row in &chunk.rows {
                        captures.iter_mut().for_each(|c| c.push_row(table, row));
                    }
                    all.extend(chunk.rows);
                    Ok(())
                })?;
                known.remember(t, captures);
                known.remember_times(times);
                held.push((t, all));
                continue;
            }
            let encoder = if wanted {
                sink.start(table, part.clone())?
            } else {
                None
            };
            let capture_rows = sequence.is_none() && !captures.is_empty();
            let keep_rows = post || capture_rows || encoder.is_none();
            let chunks = Chunks::new(&prepared, table, generate, parallel, splittable);
            let on_workers = if post { None } else { encoder.as_ref() };
            chunks.run(on_workers, part.clone(), keep_rows, |mut chunk| {
                if post {
                    settle(&mut chunk)?;
                }
                if capture_rows {
                    for row in &chunk.rows {
                        captures.iter_mut().for_each(|c| c.push_row(table, row));
                    }
                }
                if wanted {
                    let mut mine = cut(chunk, &part, on_workers.is_none());
                    if let (true, Some(encoder)) = (post, &encoder) {
                        encoder.encode(mine.first - part.start, &mine.rows, &mut mine.bytes);
                        mine.rows = Vec::new();
                    }
                    if mine.count > 0 {
                        sink.chunk(table, mine)?;
                    }
                }
                Ok(())
            })?;
            if wanted {
                sink.finish(table)?;
            }
            if let Some((column, start)) = sequence {
                captures = vec![KeyCapture::sequence(column, start, rows as usize)];
            }
            known.remember(t, captures);
            known.remember_times(times);
        }
        for (t, mut rows) in held {
            let table = &schema.tables[t];
            for key in order.deferred.iter().filter(|d| d.table == table.name) {
                self.fill_deferred(engine, table, key, &mut rows, &known.keys)?;
            }
            aggregates.fill(t, &mut rows);
            if !sink.wants(table) {
                continue;
            }
            let part = parallel.shard.rows(rows.len() as u64);
            let encoder = sink.start(table, part.clone())?;
            let mine: Vec<Row> = rows.drain(part.start as usize..part.end as usize).collect();
            let mut chunk = Chunk {
                first: part.start,
                count: mine.len() as u64,
                ..Chunk::default()
            };
            match &encoder {
                Some(encoder) => encoder.encode(0, &mine, &mut chunk.bytes),
                None => chunk.rows = mine,
            }
            if chunk.count > 0 {
                sink.chunk(table, chunk)?;
            }
            sink.finish(table)?;
        }
        Ok(order.deferred)
    }
}

/// The rows of `chunk` inside `part`: encoded ones were cut by the worker.
fn cut(mut chunk: Chunk, part: &Range<u64>, rows: bool) -> Chunk {
    let lo = chunk.first.max(part.start);
    let hi = (chunk.first + chunk.count).min(part.end);
    if hi <= lo {
        return Chunk {
            first: lo,
            ..Chunk::default()
        };
    }
    if rows {
        let skip = (lo - chunk.first) as usize;
        chunk.rows.truncate((hi - chunk.first) as usize);
        chunk.rows.drain(..skip);
    } else {
        chunk.rows = Vec::new();
    }
    chunk.first = lo;
    chunk.count = hi - lo;
    chunk
}

/// One table's rows `range`, generated in chunks.
struct Chunks<'a, E: Engine> {
    engine: &'a E,
    table: &'a Table,
    range: Range<u64>,
    threads: usize,
    chunk_rows: u64,
    /// Whether the engine starts at any row without replaying earlier ones.
    splittable: bool,
}

impl<'a, E: Engine> Chunks<'a, E> {
    fn new(
        engine: &'a E,
        table: &'a Table,
        range: Range<u64>,
        parallel: &Parallel,
        splittable: bool,
    ) -> Self {
        let threads = if splittable { parallel.threads } else { 1 };
        Chunks {
            engine,
            table,
            range,
            threads,
            chunk_rows: parallel.chunk_rows,
            splittable,
        }
    }

    /// Generates the chunks and hands them to `consume` in order. With an
    /// encoder, each chunk's rows inside `part` are also encoded (indexes
    /// from the part's start) where they were generated.
    fn run(
        self,
        encoder: Option<&ChunkEncoder>,
        part: Range<u64>,
        keep_rows: bool,
        mut consume: impl FnMut(Chunk) -> Result<()>,
    ) -> Result<()> {
        let Range { start, end } = self.range;
        if start >= end {
            return Ok(());
        }
        // The encoded size of the last chunk: the next one's first guess.
        let last_bytes = AtomicUsize::new(0);
        let produce = |range: Range<u64>, rows: &mut dyn Iterator<Item = Result<Row>>| -> Result<Chunk> {
            let n = (range.end - range.start) as usize;
            if let (Some(encoder), false) = (encoder, keep_rows) {
                // Each row encoded as soon as it is made and dropped: no
                // chunk of rows is held, and the row's buffers are reused
                // by the next row's allocations.
                let (lo, hi) = (range.start.max(part.start), range.end.min(part.end));
                let mut bytes = Vec::with_capacity(last_bytes.load(Ordering::Relaxed).max(n * 16));
                let mut count = 0;
                for row in rows.take(n) {
                    let at = range.start + count;
                    let row = row?;
                    if (lo..hi).contains(&at) {
                        encoder.encode(at - part.start, std::slice::from_ref(&row), &mut bytes);
                    }
                    count += 1;
                }
                last_bytes.store(bytes.len() + bytes.len() / 8, Ordering::Relaxed);
                return Ok(Chunk {
                    first: range.start,
                    count,
                    rows: Vec::new(),
                    bytes,
                });
            }
            let mut collected = Vec::with_capacity(n);
            for row in rows.take(n) {
                collected.push(row?);
            }
            let rows = collected;
            let mut chunk = Chunk {
                first: range.start,
                count: rows.len() as u64,
                rows,
                bytes: Vec::new(),
            };
            if let Some(encoder) = encoder {
                let lo = range.start.max(part.start);
                let hi = range.end.min(part.end);
                if lo < hi {
                    let slice = &chunk.rows[(lo - range.start) as usize..(hi - range.start) as usize];
                    encoder.encode(lo - part.start, slice, &mut chunk.bytes);
                }
                if !keep_rows {
                    // Freed here, on the worker, rather than by the writer.
                    chunk.rows = Vec::new();
                }
            }
            Ok(chunk)
        };
        // Rows encoded as they are made, in one reused row, by engines that
        // can (`Engine::each_row_in`): no allocation per value.
        let direct = |range: Range<u64>| -> Option<Result<Chunk>> {
            let encoder = encoder.filter(|_| !keep_rows && self.splittable)?;
            let (lo, hi) = (range.start.max(part.start), range.end.min(part.end));
            let n = (range.end - range.start) as usize;
            let mut bytes = Vec::with_capacity(last_bytes.load(Ordering::Relaxed).max(n * 16));
            let mut at = range.start;
            let outcome = self.engine.each_row_in(self.table, range.clone(), &mut |row| {
                if (lo..hi).contains(&at) {
                    encoder.encode(at - part.start, std::slice::from_ref(row), &mut bytes);
                }
                at += 1;
                Ok(())
            })?;
            last_bytes.store(bytes.len() + bytes.len() / 8, Ordering::Relaxed);
            Some(outcome.and_then(|()| {
                if at < range.end {
                    return Err(short(self.table, at, self.range.end));
                }
                Ok(Chunk {
                    first: range.start,
                    count: range.end - range.start,
                    rows: Vec::new(),
                    bytes,
                })
            }))
        };
        let chunks = (end - start).div_ceil(self.chunk_rows);
        // No more workers than chunks: a small table stays on this thread.
        let threads = self.threads.min(usize::try_from(chunks).unwrap_or(usize::MAX));
        if threads <= 1 && direct(start..start).is_some() {
            let mut at = start;
            while at < end {
                let next = (at + self.chunk_rows).min(end);
                let chunk = direct(at..next).unwrap_or_else(|| Err(short(self.table, at, end)))?;
                consume(chunk)?;
                at = next;
            }
            return Ok(());
        }
        if threads <= 1 {
            // One stream from the first row: replaying tables pay their
            // earlier rows once, not once per chunk.
            let mut rows: Box<dyn Iterator<Item = Result<Row>>> =
                match self.engine.rows_range(self.table, start..end) {
                    Some(stream) => Box::new(stream?),
                    None => Box::new(self.engine.rows(self.table, end)?.skip(start as usize)),
                };
            let mut at = start;
            while at < end {
                let next = (at + self.chunk_rows).min(end);
                let chunk = produce(at..next, &mut rows)?;
                if chunk.count < next - at {
                    return Err(short(self.table, at + chunk.count, end));
                }
                consume(chunk)?;
                at = next;
            }
            return Ok(());
        }
        // Chunks may run this far ahead of the one being written: bounds memory.
        let window = threads as u64 * 2;
        let next = AtomicU64::new(0);
        let state = Mutex::new(Flow {
            written: 0,
            ready: BTreeMap::new(),
            stop: false,
        });
        let changed = Condvar::new();
        let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
        std::thread::scope(|scope| {
            let mut workers = Vec::with_capacity(threads);
            for _ in 0..threads {
                workers.push(scope.spawn(|| {
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= chunks {
                            return;
                        }
                        {
                            let mut flow = lock();
                            while !flow.stop && k >= flow.written + window {
                                flow = changed.wait(flow).unwrap_or_else(|e| e.into_inner());
                            }
                            if flow.stop {
                                flow.ready.insert(k, None);
                                changed.notify_all();
                                return;
                            }
                        }
                        let _guard = AbandonOnPanic {
                            state: &state,
                            changed: &changed,
                            chunk: k,
                        };
                        let lo = start + k * self.chunk_rows;
                        let hi = (lo + self.chunk_rows).min(end);
                        let result = match direct(lo..hi) {
                            Some(result) => result,
                            None => match self.engine.rows_range(self.table, lo..hi) {
                                Some(Ok(mut rows)) => produce(lo..hi, &mut rows).and_then(|chunk| {
                                    if chunk.count < hi - lo {
                                        Err(short(self.table, lo + chunk.count, end))
                                    } else {
                                        Ok(chunk)
                                    }
                                }),
                                Some(Err(e)) => Err(e),
                                None => Err(short(self.table, lo, end)),
                            },
                        };
                        let failed = result.is_err();
                        let mut flow = lock();
                        flow.ready.insert(k, Some(result));
                        if failed {
                            flow.stop = true;
                        }
                        changed.notify_all();
                    }
                }));
            }
            let mut outcome = Ok(());
            for k in 0..chunks {
                let result = {
                    let mut flow = lock();
                    loop {
                        match flow.ready.remove(&k) {
                            Some(Some(result)) => {
                                flow.written = k + 1;
                                changed.notify_all();
                                break result;
                            }
                            // Abandoned: a later chunk failed first; report that.
                            Some(None) => {
                                let failure = flow.ready.values_mut().find_map(|r| match r.take() {
                                    Some(Err(e)) => Some(e),
                                    _ => None,
                                });
                                break Err(failure.unwrap_or_else(|| short(self.table, start, end)));
                            }
                            None => flow = changed.wait(flow).unwrap_or_else(|e| e.into_inner()),
                        }
                    }
                };
                if let Err(e) = result.and_then(&mut consume) {
                    outcome = Err(e);
                    break;
                }
            }
            let mut flow = lock();
            flow.stop = true;
            changed.notify_all();
            drop(flow);
            // A worker's panic (a custom generator's bug) surfaces as itself.
            for worker in workers {
                if let Err(panic) = worker.join() {
                    std::panic::resume_unwind(panic);
                }
            }
            outcome
        })
    }
}

/// What the writing thread and the workers share.
struct Flow {
    /// Chunks handed to the sink so far.
    written: u64,
    /// Finished chunks by number; `None` for one abandoned after a failure.
    ready: BTreeMap<u64, Option<Result<Chunk>>>,
    stop: bool,
}

/// Marks a worker's chunk abandoned if generating it panics (a custom
/// generator), so the writing thread stops waiting and the panic surfaces.
struct AbandonOnPanic<'a> {
    state: &'a Mutex<Flow>,
    changed: &'a Condvar,
    chunk: u64,
}

impl Drop for AbandonOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut flow = self.state.lock().unwrap_or_else(|e| e.into_inner());
            flow.stop = true;
            flow.ready.entry(self.chunk).or_insert(None);
            self.changed.notify_all();
        }
    }
}

fn short(table: &Table, at: u64, end: u64) -> Error {
    Error::Generate {
        table: table.name.to_string(),
        column: "*".to_owned(),
        message: format!("the engine stopped at row {at} of {end}"),
    }
}
