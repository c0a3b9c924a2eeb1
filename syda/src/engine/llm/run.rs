//! One table's rows through the model: local columns first, then batches of
//! the model's columns, asked in waves of at most `concurrency` requests,
//! every row validated before it is taken, missing rows asked again.
//!
//! A wave's requests are built from the same snapshot of taken unique values
//! and their answers are taken in batch order, so the same answers give the
//! same rows and the same request bodies — which is what the replay cache
//! needs.
//!
//! Near-misses are repaired before a row is rejected (see `repair`). A batch
//! whose answer brings fewer new rows than a quarter of those asked for is
//! asked again for fewer rows (half, down to one); after `max_attempts` such
//! answers in a row its remaining rows
//! are completed by the offline engine ([`OnStall::Complete`], the default)
//! or the run fails ([`OnStall::Fail`]).

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use serde_json::Value as Json;

use super::LlmEngine;
use super::config::OnStall;
use super::http::{Ctx, NoAnswer};
use super::prompt::{Batch, Known, SYSTEM, Used, llm_columns, user_prompt};
use super::repair::{Variant, variant, variant_of};
use super::reply::{cut, decode_row, salvage};
use super::schema::answer_schema;
use super::usage::Usage;
use super::wire::{Ask, Mode, wire};
use crate::check::{Key, anchored_pattern, key};
use crate::error::{Error, Result};
use crate::schema::Table;
use crate::value::{Row, Value};

/// Most recent values of a unique column repeated in a prompt.
const USED_IN_PROMPT: usize = 60;

/// Problems quoted in a final error.
const PROBLEMS_SHOWN: usize = 5;

/// Rows per request when the configuration does not say: about 150 values.
pub(crate) fn default_batch(columns: usize) -> usize {
    (150 / columns.max(1)).clamp(5, 50)
}

/// Rows still owed for some row positions.
struct Job {
    slots: Vec<usize>,
    batch: Batch,
    /// Answers in a row that brought no valid new row.
    failures: u32,
    /// Rows asked for in the next request: all of `slots` at first, halved
    /// after each answer without progress.
    want: usize,
}

/// Variants tried for one repeated unique value.
const MAX_VARIANT: u32 = 99;

/// Candidate rows the offline engine offers per row it completes.
const COMPLETION_TRIES: usize = 64;

/// What one table's run counted besides the requests.
#[derive(Default)]
struct Tally {
    rejected: u64,
    repaired: u64,
    completed: u64,
}

/// A unique key touching the model's columns: column positions in the
/// table and the tuples taken.
struct UniqueKey {
    columns: Vec<usize>,
    taken: HashSet<Vec<Key>>,
    /// Recent values, for the prompt (single-column keys only).
    recent: VecDeque<String>,
    /// How a repeated value of a single-column key can be varied.
    variant: Option<Variant>,
}

/// What came back for one job.
enum Outcome {
    Answer { text: String, truncated: bool },
    NoAnswer(NoAnswer),
}

pub(crate) async fn generate(engine: &LlmEngine, table: &Table, n: usize) -> Result<(Vec<Row>, Usage)> {
    let cols = llm_columns(&engine.local, table);
    // Local columns: the offline engine, with the model's columns left NULL.
    let mut local = engine.local.clone();
    for &c in &cols {
        local
            .generators_mut()
            .register_column(&table.name, &table.columns[c].name, |_| Value::Null);
    }
    let mut rows: Vec<Row> = local.rows(table, n as u64)?.collect::<Result<_>>()?;
    if cols.is_empty() || n == 0 {
        let usage = Usage {
            rows: n as u64,
            ..Usage::default()
        };
        engine.record(&usage);
        return Ok((rows, usage));
    }
    engine.config.check()?;
    let config = engine.config.clone();
    let ctx = Arc::new(Ctx::new(
        config,
        wire(engine.config.provider),
        Arc::clone(&engine.shared.permits),
    )?);
    let mut tally = Tally::default();
    let filled = fill(engine, &ctx, table, &cols, &mut rows, &mut tally).await;
    // Spent is spent: the usage counts on failure too.
    let mut usage = ctx.usage.lock().map(|u| u.clone()).unwrap_or_default();
    usage.rows = if filled.is_ok() { n as u64 } else { 0 };
    usage.rejected_rows = tally.rejected;
    usage.repaired_values = tally.repaired;
    usage.completed_rows = tally.completed;
    usage.price(ctx.config.model_price());
    engine.record(&usage);
    filled.map(|()| (rows, usage))
}

/// Fills the model's columns `cols` of `rows`.
async fn fill(
    engine: &LlmEngine,
    ctx: &Arc<Ctx>,
    table: &Table,
    cols: &[usize],
    rows: &mut [Row],
    tally: &mut Tally,
) -> Result<()> {
    let config = &ctx.config;
    let wire = ctx.wire;
    let n = rows.len();
    let format = config.row_format();
    let prompt = engine.prompt_for(&table.name);
    let patterns: Vec<Option<regex::Regex>> = cols
        .iter()
        .map(|&c| anchored_pattern(&table.columns[c]))
        .collect();
    let mut keys = unique_keys(table, cols);

    let batch = config
        .batch_size
        .unwrap_or_else(|| default_batch(cols.len()))
        .max(1);
    let batches = n.div_ceil(batch);
    let mut queue: VecDeque<Job> = (0..n)
        .step_by(batch)
        .enumerate()
        .map(|(i, start)| Job {
            slots: (start..(start + batch).min(n)).collect(),
            batch: Batch {
                number: i + 1,
                of: batches,
                attempt: 1,
            },
            failures: 0,
            want: batch.min(n - start),
        })
        .collect();
    let mut stalled: Vec<usize> = Vec::new();
    // The most recent problems, for the error if the model never complies.
    let mut problems: VecDeque<String> = VecDeque::with_capacity(PROBLEMS_SHOWN + 1);
    let note = |problems: &mut VecDeque<String>, why: String| {
        if problems.len() == PROBLEMS_SHOWN {
            problems.pop_front();
        }
        problems.push_back(why);
    };

    while !queue.is_empty() {
        let wave: Vec<Job> = queue
            .drain(..queue.len().min(config.concurrency.max(1)))
            .collect();
        let used: Vec<Used<'_>> = keys
            .iter()
            .filter(|k| k.columns.len() == 1)
            .map(|k| Used {
                column: table.columns[k.columns[0]].name.as_ref(),
                values: k.recent.iter().cloned().collect(),
                more: k.taken.len().saturating_sub(k.recent.len()),
            })
            .collect();
        let mut handles = Vec::with_capacity(wave.len());
        for job in &wave {
            let parents: Vec<Vec<String>> = if engine.parents.is_empty() {
                Vec::new()
            } else {
                job.slots[..job.want]
                    .iter()
                    .map(|&slot| engine.parents.describe(&rows[slot]))
                    .collect()
            };
            let user = user_prompt(
                table,
                cols,
                prompt.as_deref(),
                job.want,
                job.batch,
                format,
                Known {
                    used: &used,
                    parents: &parents,
                },
            );
            let ctx = Arc::clone(ctx);
            let schema = answer_schema(table, cols, format, wire.dialect(), job.want);
            handles.push(tokio::spawn(async move {
                let ask = Ask {
                    system: SYSTEM,
                    user: &user,
                    schema: &schema,
                };
                ctx.ask(&ask).await.map(|answer| match answer {
                    Ok(a) => Outcome::Answer {
                        text: a.text,
                        truncated: a.truncated,
                    },
                    Err(none) => Outcome::NoAnswer(none),
                })
            }));
        }
        let mut outcomes = Vec::with_capacity(handles.len());
        for handle in handles {
            outcomes.push(handle.await.map_err(|e| Error::Network {
                provider: config.provider.to_string(),
                message: format!("a request task failed: {e}"),
                source: Some(e.into()),
            })?);
        }
        for (mut job, outcome) in wave.into_iter().zip(outcomes) {
            let mut taken = 0;
            let last_raw = match outcome? {
                Outcome::NoAnswer(none) => {
                    note(&mut problems, none.why);
                    none.raw
                }
                Outcome::Answer { text, truncated } => {
                    let found = salvage(&text);
                    if found.rows.is_empty() {
                        let why = if truncated || found.truncated {
                            "the reply was cut off before the first complete record; raise max_tokens or lower batch_size".to_owned()
                        } else {
                            "the reply holds no records".to_owned()
                        };
                        note(&mut problems, why);
                    }
                    let mut slots = job.slots.iter().copied().peekable();
                    for candidate in found.rows {
                        let Some(&slot) = slots.peek() else { break };
                        let admitted = candidate
                            .and_then(|json| decode_row(table, cols, &patterns, &json))
                            .and_then(|(values, repaired)| {
                                admit(table, cols, &patterns, &mut keys, &mut rows[slot], values)
                                    .map(|varied| repaired + varied)
                            });
                        match admitted {
                            Ok(repaired) => {
                                taken += 1;
                                tally.repaired += repaired;
                                slots.next();
                            }
                            Err(why) => {
                                tally.rejected += 1;
                                note(&mut problems, why);
                            }
                        }
                    }
                    job.slots = slots.collect();
                    text
                }
            };
            if job.slots.is_empty() {
                continue;
            }
            // Progress is a quarter of the rows asked for: a model that adds
            // one row per answer would otherwise never count as stalled.
            let progressed = taken * 4 >= job.want.max(1);
            job.failures = if progressed { 0 } else { job.failures + 1 };
            if job.failures >= config.max_attempts {
                if config.on_stall == OnStall::Complete {
                    stalled.extend(job.slots);
                    continue;
                }
                let missing = job.slots.len();
                let recent: Vec<String> = problems.iter().cloned().collect();
                return Err(Error::LlmReply {
                    table: table.name.to_string(),
                    message: format!(
                        "{missing} row{} still missing after {} answers in a row without a valid new row \
                         (on_stall = fail; the default completes them locally); last problems: {}",
                        if missing == 1 { "" } else { "s" },
                        job.failures,
                        recent.join("; ")
                    ),
                    raw: cut(&last_raw, 2000),
                });
            }
            // Fewer rows are easier to get right: halve the ask after a miss,
            // double it again after progress.
            job.want = if progressed {
                (job.want * 2).min(job.slots.len())
            } else {
                (job.want / 2).max(1).min(job.slots.len())
            };
            job.batch.attempt += 1;
            queue.push_back(job);
        }
    }
    if !stalled.is_empty() {
        stalled.sort_unstable();
        complete_locally(engine, table, cols, &mut keys, rows, &stalled)?;
        tally.completed += stalled.len() as u64;
    }
    Ok(())
}

/// Fills the model's columns of the rows at `slots` from the offline engine
/// (which satisfies every per-value rule), skipping candidates that repeat
/// a unique value already taken.
fn complete_locally(
    engine: &LlmEngine,
    table: &Table,
    cols: &[usize],
    keys: &mut [UniqueKey],
    rows: &mut [Row],
    slots: &[usize],
) -> Result<()> {
    let local = &engine.local;
    // Indices past the table's own rows: values a first pass has not used.
    let start = rows.len() as u64;
    let count = (slots.len() * COMPLETION_TRIES) as u64;
    let mut candidates = local.rows_range(table, start..start + count)?;
    for &slot in slots {
        let mut done = false;
        for _ in 0..COMPLETION_TRIES {
            let Some(candidate) = candidates.next().transpose()? else {
                break;
            };
            let values: Vec<Value> = cols.iter().map(|&c| candidate[c].clone()).collect();
            if admit_exact(table, cols, keys, &mut rows[slot], values).is_ok() {
                done = true;
                break;
            }
        }
        if !done {
            return Err(Error::LlmReply {
                table: table.name.to_string(),
                message: "the model stalled and the offline engine found no unused unique values to complete the rows with"
                    .to_owned(),
                raw: String::new(),
            });
        }
    }
    Ok(())
}

/// Single-column unique model columns, and composite keys (a composite
/// primary key, a table `unique` list) with at least one model column.
fn unique_keys(table: &Table, cols: &[usize]) -> Vec<UniqueKey> {
    let mut keys: Vec<Vec<usize>> = cols
        .iter()
        .filter(|&&c| table.columns[c].is_unique_in(table))
        .map(|&c| vec![c])
        .collect();
    let pk: Vec<usize> = (0..table.columns.len())
        .filter(|&i| table.columns[i].primary_key)
        .collect();
    let mut lists: Vec<Vec<usize>> = table
        .unique
        .iter()
        .map(|names| names.iter().filter_map(|n| table.column_index(n)).collect())
        .collect();
    if pk.len() > 1 {
        lists.push(pk);
    }
    for list in lists {
        if list.len() > 1 && list.iter().any(|c| cols.contains(c)) && !keys.contains(&list) {
            keys.push(list);
        }
    }
    keys.into_iter()
        .map(|columns| UniqueKey {
            variant: match columns[..] {
                [c] => variant_of(table, &table.columns[c]),
                _ => None,
            },
            columns,
            taken: HashSet::new(),
            recent: VecDeque::new(),
        })
        .collect()
}

/// Puts the model's `values` into `row` if no unique key repeats, after
/// varying a repeated email, username, slug or code (`name2@…`, `slug-2`)
/// when the variant still fits the column; otherwise leaves the row as it
/// was and says which value repeats. Returns how many values were varied.
fn admit(
    table: &Table,
    cols: &[usize],
    patterns: &[Option<regex::Regex>],
    keys: &mut [UniqueKey],
    row: &mut Row,
    mut values: Vec<Value>,
) -> std::result::Result<u64, String> {
    let mut varied = 0;
    for k in keys.iter() {
        let (&[c], Some(kind)) = (&k.columns[..], k.variant) else {
            continue;
        };
        let Some(at) = cols.iter().position(|&m| m == c) else {
            continue;
        };
        let Value::Text(text) = &values[at] else {
            continue;
        };
        if !k.taken.contains(&vec![key(&values[at])]) {
            continue;
        }
        let col = &table.columns[c];
        let fresh = (2..=MAX_VARIANT)
            .filter_map(|n| variant(kind, text, n))
            .map(Value::Text)
            .find(|v| {
                !k.taken.contains(&vec![key(v)])
                    && crate::check::value_problem(col, patterns[at].as_ref(), v).is_none()
            });
        if let Some(fresh) = fresh {
            values[at] = fresh;
            varied += 1;
        }
    }
    admit_exact(table, cols, keys, row, values).map(|()| varied)
}

/// Puts `values` into the model's columns of `row` if no unique key repeats.
fn admit_exact(
    table: &Table,
    cols: &[usize],
    keys: &mut [UniqueKey],
    row: &mut Row,
    values: Vec<Value>,
) -> std::result::Result<(), String> {
    let mut candidate = row.clone();
    for (&c, value) in cols.iter().zip(values) {
        candidate[c] = value;
    }
    let tuples: Vec<Option<Vec<Key>>> = keys
        .iter()
        .map(|k| {
            if k.columns.iter().any(|&c| candidate[c].is_null()) {
                return None; // NULLs never collide, as in SQL
            }
            Some(k.columns.iter().map(|&c| key(&candidate[c])).collect())
        })
        .collect();
    for (k, tuple) in keys.iter().zip(&tuples) {
        if let Some(tuple) = tuple
            && k.taken.contains(tuple)
        {
            let names: Vec<&str> = k
                .columns
                .iter()
                .map(|&c| table.columns[c].name.as_ref())
                .collect();
            let shown: Vec<String> = k.columns.iter().map(|&c| candidate[c].to_string()).collect();
            return Err(format!(
                "`{}`: {:?} is already taken (unique)",
                names.join(", "),
                shown.join(", ")
            ));
        }
    }
    for (k, tuple) in keys.iter_mut().zip(tuples) {
        if let Some(tuple) = tuple {
            k.taken.insert(tuple);
            if k.columns.len() == 1 {
                if k.recent.len() == USED_IN_PROMPT {
                    k.recent.pop_front();
                }
                k.recent.push_back(candidate[k.columns[0]].to_string());
            }
        }
    }
    *row = candidate;
    Ok(())
}

/// The JSON body the first request for `rows` rows of `table` would carry,
/// and its prompt.
pub(crate) fn preview(engine: &LlmEngine, table: &Table, rows: usize) -> (String, String, Json) {
    let cols = llm_columns(&engine.local, table);
    let config = &engine.config;
    let wire = wire(config.provider);
    let format = config.row_format();
    let schema = answer_schema(table, &cols, format, wire.dialect(), rows);
    let prompt = engine.prompt_for(&table.name);
    let batch = Batch {
        number: 1,
        of: 1,
        attempt: 1,
    };
    let user = user_prompt(
        table,
        &cols,
        prompt.as_deref(),
        rows,
        batch,
        format,
        Known::default(),
    );
    let body = wire.body(
        config,
        &Ask {
            system: SYSTEM,
            user: &user,
            schema: &schema,
        },
        &Mode::new(config),
    );
    (wire.url(config), user, body)
}
