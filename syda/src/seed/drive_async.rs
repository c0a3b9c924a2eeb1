//! The async driver: the same steps as the blocking one in `mod.rs`,
//! awaited, with generation on a thread of its own so that inserting
//! (PostgreSQL COPY above all) and generating overlap.

use std::borrow::Cow;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use super::keys::KeyPlan;
use super::state::{Seeding, Step, TableLoad};
use super::{
    AsyncChunks, AsyncSink, PlanConfig, RunOptions, SeedReport, load_keys, required, sequential_keys,
    truncate_order,
};
use crate::dataset::Dataset;
use crate::engine::Engine;
use crate::error::{Error, Result, SeedStop};
use crate::schema::Schema;
use crate::value::Row;

/// Chunks in flight between the generator thread and the sink: enough to
/// keep both busy, few enough to bound memory.
const IN_FLIGHT: usize = 4;

/// Seeds through an async `sink`: every table of `schema` is generated with
/// `engine` (sizes and fan-outs from `plan`) on a generator thread and
/// inserted while later rows are generated, in one transaction. See the
/// [module docs](super).
pub async fn run_async<A, E>(
    sink: &mut A,
    schema: &Schema,
    plan: &PlanConfig,
    engine: &E,
    options: &RunOptions,
) -> Result<SeedReport, A::Error>
where
    A: AsyncSink,
    E: Engine + 'static,
{
    let started = Instant::now();
    schema.validate()?;
    sink.begin().await?;
    let mut notes = Vec::new();
    let result = seed_async(sink, schema, plan, engine, options, &mut notes).await;
    let mut report = commit_or_roll_back(sink, result).await?;
    report.notes = notes;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// [`super::load`] through an async `sink`: rows already in memory, parents
/// first, one transaction, deferred keys by UPDATE, keys as they are or
/// past the existing ones ([`RunOptions::keys_past_existing`]).
pub async fn load_async<A: AsyncSink>(
    sink: &mut A,
    data: &Dataset,
    options: &RunOptions,
) -> Result<SeedReport, A::Error> {
    let started = Instant::now();
    let schema = data.schema();
    schema.validate()?;
    sink.begin().await?;
    let result = async {
        if options.truncate {
            sink.truncate(&truncate_order(schema)?).await?;
        }
        let relaxed = required(data.deferred());
        if !relaxed.is_empty() {
            sink.relax_foreign_keys(&relaxed).await?;
        }
        let mut states = Vec::new();
        for (t, c) in load_keys(schema, options) {
            states.push((t, c, sink.key_state(t, &schema.tables[t], c).await?));
        }
        let mut state = Seeding::new(
            schema,
            None,
            data.deferred(),
            KeyPlan::past_existing(data, &states)?,
            options.progress.clone(),
        );
        while let Some(t) = (0..schema.tables.len()).find(|&t| !state.is_loaded(t) && state.ready(t)) {
            let rows = data.table(&schema.tables[t].name).unwrap_or(&[]);
            load_one(sink, &mut state, t, &mut Slices { rows, step: 65_536 }).await?;
        }
        finish(sink, state, !relaxed.is_empty()).await
    }
    .await;
    let mut report = commit_or_roll_back(sink, result).await?;
    report.elapsed = started.elapsed();
    Ok(report)
}

async fn commit_or_roll_back<A: AsyncSink>(
    sink: &mut A,
    result: Result<SeedReport, A::Error>,
) -> Result<SeedReport, A::Error> {
    let committed = match result {
        Ok(report) => sink.commit().await.map(|()| report),
        Err(err) => Err(err),
    };
    match committed {
        Ok(mut report) => {
            report.statements = sink.statements();
            Ok(report)
        }
        Err(err) => {
            sink.rollback().await;
            Err(err)
        }
    }
}

async fn seed_async<A, E>(
    sink: &mut A,
    schema: &Schema,
    plan: &PlanConfig,
    engine: &E,
    options: &RunOptions,
    notes: &mut Vec<String>,
) -> Result<SeedReport, A::Error>
where
    A: AsyncSink,
    E: Engine + 'static,
{
    if options.truncate {
        sink.truncate(&truncate_order(schema)?).await?;
    }
    let mut states = Vec::with_capacity(schema.tables.len());
    for (t, key) in sequential_keys(schema, engine).into_iter().enumerate() {
        states.push(match key {
            Some(c) => Some((c, sink.key_state(t, &schema.tables[t], c).await?)),
            None => None,
        });
    }
    let keys = KeyPlan::new(schema, &states);
    let working = keys.working(schema);
    let planner = keys.shape(plan.planner(&working), notes);
    let order = planner.order()?;
    let relaxed = required(&order.deferred);
    if !relaxed.is_empty() {
        sink.relax_foreign_keys(&relaxed).await?;
    }
    let mut state = Seeding::new(
        &working,
        Some(&planner),
        &order.deferred,
        keys.clone(),
        options.progress.clone(),
    );
    let job = Job {
        schema: working.clone(),
        plan: plan.clone(),
        keys,
        engine: engine.clone(),
        chunk_rows: options.chunk_rows.max(1),
    };
    stream(sink, &mut state, job).await?;
    finish(sink, state, !relaxed.is_empty()).await
}

/// What the generator thread owns.
struct Job<E> {
    schema: Schema,
    plan: PlanConfig,
    keys: KeyPlan,
    engine: E,
    chunk_rows: usize,
}

enum Msg {
    Table(usize),
    Rows(Vec<Row>),
    End,
}

impl<E: Engine> Job<E> {
    /// Generates every table into `sender`. A closed channel (the sink
    /// failed) stops it with [`SeedStop::SinkFailed`].
    fn run(self, sender: &mpsc::Sender<Msg>) -> Result<()> {
        let planner = self.keys.shape(self.plan.planner(&self.schema), &mut Vec::new());
        let send = |msg| {
            sender
                .blocking_send(msg)
                .map_err(|_| Error::SeedStopped(SeedStop::SinkFailed))
        };
        planner
            .stream(&self.engine, |table, rows| {
                let t = self
                    .schema
                    .table_index(&table.name)
                    .ok_or(Error::SeedStopped(SeedStop::GenerationEnded))?;
                send(Msg::Table(t))?;
                loop {
                    let chunk: Vec<Row> = (&mut *rows).take(self.chunk_rows).collect::<Result<_>>()?;
                    if chunk.is_empty() {
                        break;
                    }
                    send(Msg::Rows(chunk))?;
                }
                send(Msg::End)
            })
            .map(drop)
    }
}

/// Runs the job on a generator thread and loads what it sends.
async fn stream<A, E>(sink: &mut A, state: &mut Seeding<'_>, job: Job<E>) -> Result<(), A::Error>
where
    A: AsyncSink,
    E: Engine + 'static,
{
    let (sender, mut receiver) = mpsc::channel::<Msg>(IN_FLIGHT);
    let (done, generated) = oneshot::channel();
    std::thread::Builder::new()
        .name("syda-seed-generator".to_owned())
        .spawn(move || {
            let _ = done.send(job.run(&sender));
        })
        .map_err(|source| Error::Io {
            path: "<seed generator thread>".into(),
            source,
        })?;
    let loaded = load_stream(sink, state, &mut receiver).await;
    // The generator sees a closed channel and stops, if it has not yet.
    drop(receiver);
    let generated = generated
        .await
        .unwrap_or(Err(Error::SeedStopped(SeedStop::GenerationEnded)));
    match (loaded, generated) {
        // A generator that failed on its own explains a stream that stopped early.
        (_, Err(g)) if !matches!(g, Error::SeedStopped(SeedStop::SinkFailed)) => Err(g.into()),
        (Err(e), _) => Err(e),
        (Ok(()), Err(g)) => Err(g.into()),
        (Ok(()), Ok(())) => Ok(()),
    }
}

async fn load_stream<A: AsyncSink>(
    sink: &mut A,
    state: &mut Seeding<'_>,
    receiver: &mut mpsc::Receiver<Msg>,
) -> Result<(), A::Error> {
    while let Some(msg) = receiver.recv().await {
        let Msg::Table(t) = msg else {
            return Err(Error::SeedStopped(SeedStop::GenerationEnded).into());
        };
        let mut channel = Channel {
            receiver,
            done: false,
        };
        if state.ready(t) {
            load_one(sink, state, t, &mut channel).await?;
            while let Some((t, rows)) = state.next_ready() {
                load_one(
                    sink,
                    state,
                    t,
                    &mut Slices {
                        rows: &rows,
                        step: 65_536,
                    },
                )
                .await?;
            }
        } else {
            let mut rows = Vec::new();
            while let Some(chunk) = channel.next().await? {
                rows.extend(chunk.into_owned());
            }
            state.hold(t, rows);
        }
    }
    Ok(())
}

async fn load_one<A: AsyncSink, C: AsyncChunks>(
    sink: &mut A,
    state: &mut Seeding<'_>,
    t: usize,
    rows: &mut C,
) -> Result<(), A::Error> {
    let mut load = state.start(t)?;
    let schema = state.schema;
    sink.load_table(
        t,
        &schema.tables[t],
        &mut Passing {
            inner: rows,
            load: &mut load,
        },
    )
    .await?;
    state.finish(t, load);
    Ok(())
}

async fn finish<A: AsyncSink>(
    sink: &mut A,
    mut state: Seeding<'_>,
    relaxed: bool,
) -> Result<SeedReport, A::Error> {
    state.check_complete()?;
    let schema = state.schema;
    let mut updated = 0;
    for step in state.final_steps(|t, c| sink.numbered_by_database(t, c)) {
        match step {
            Step::Update(t, update) => updated += sink.update_keys(t, &schema.tables[t], &update).await?,
            Step::Advance(t, c) => sink.advance_sequence(t, &schema.tables[t], c).await?,
        }
    }
    if relaxed {
        sink.restore_foreign_keys(schema).await?;
    }
    Ok(state.report(updated))
}

/// Rows from the generator thread, until the table's end marker.
struct Channel<'r> {
    receiver: &'r mut mpsc::Receiver<Msg>,
    done: bool,
}

impl AsyncChunks for Channel<'_> {
    async fn next(&mut self) -> Result<Option<Cow<'_, [Row]>>> {
        if self.done {
            return Ok(None);
        }
        match self.receiver.recv().await {
            Some(Msg::Rows(rows)) => Ok(Some(Cow::Owned(rows))),
            Some(Msg::End) => {
                self.done = true;
                Ok(None)
            }
            Some(Msg::Table(_)) | None => Err(Error::SeedStopped(SeedStop::GenerationEnded)),
        }
    }
}

/// Rows in memory, a slice at a time.
struct Slices<'a> {
    rows: &'a [Row],
    step: usize,
}

impl AsyncChunks for Slices<'_> {
    async fn next(&mut self) -> Result<Option<Cow<'_, [Row]>>> {
        if self.rows.is_empty() {
            return Ok(None);
        }
        let (head, tail) = self.rows.split_at(self.step.min(self.rows.len()));
        self.rows = tail;
        Ok(Some(Cow::Borrowed(head)))
    }
}

/// A table's chunks through its [`TableLoad`].
struct Passing<'c, C> {
    inner: &'c mut C,
    load: &'c mut TableLoad,
}

impl<C: AsyncChunks> AsyncChunks for Passing<'_, C> {
    async fn next(&mut self) -> Result<Option<Cow<'_, [Row]>>> {
        Ok(self.inner.next().await?.map(|chunk| self.load.pass(chunk)))
    }
}
