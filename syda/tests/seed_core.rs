//! The seeding core against an in-memory sink: the decisions every backend
//! (sqlx, Diesel, SeaORM) shares — key starts, cycles, sequences, the stop
//! on a sink error, the report — checked once, for the blocking and the
//! async driver alike.

use std::collections::HashMap;

use syda::engine::OfflineEngine;
use syda::plan::{DeferredKey, Planner};
use syda::seed::{
    AsyncChunks, AsyncSink, Chunks, DeferredUpdate, KeyState, PlanConfig, RunOptions, SeedReport, Sink,
};
use syda::{Row, Schema, Table, Value};

const SHOP: &str = r#"
tables:
  customers:
    columns:
      id: { type: integer, primary_key: true }
      name: { type: text, kind: company }
  orders:
    columns:
      id: { type: integer, primary_key: true }
      customer_id: { type: integer, foreign_key: customers.id }
"#;

/// teams ↔ players, closed by the nullable `captain_id`.
const TEAMS: &str = r#"
tables:
  teams:
    columns:
      id: { type: integer, primary_key: true }
      captain_id: { type: integer, nullable: true, foreign_key: players.id }
  players:
    columns:
      id: { type: integer, primary_key: true }
      team_id: { type: integer, foreign_key: teams.id }
"#;

/// What the fake database holds and what it was asked.
#[derive(Debug, Default)]
struct Memory {
    /// Rows per table index (inserted, then updated).
    rows: HashMap<usize, Vec<Row>>,
    /// `MAX(key)` per table name before the seed.
    largest: HashMap<String, i64>,
    /// Type limit per table name.
    type_max: HashMap<String, i64>,
    /// Column numbered by the database, per table index.
    numbered: Vec<(usize, usize)>,
    /// Fail inserting into this table (by name) after this many rows.
    fail_at: Option<(String, usize)>,
    /// Can relax foreign-key checks.
    relaxes: bool,
    log: Vec<String>,
    committed: bool,
}

#[derive(Debug, PartialEq)]
struct Refused(String);

impl From<syda::Error> for Refused {
    fn from(e: syda::Error) -> Self {
        Refused(format!("core: {e}"))
    }
}

impl Memory {
    fn insert(&mut self, t: usize, table: &Table, chunk: &[Row]) -> Result<(), Refused> {
        let rows = self.rows.entry(t).or_default();
        for row in chunk {
            if let Some((name, at)) = &self.fail_at
                && table.name == name.as_str()
                && rows.len() == *at
            {
                return Err(Refused(format!("table `{name}` refuses row {at}")));
            }
            rows.push(row.clone());
        }
        Ok(())
    }

    fn update(&mut self, t: usize, update: &DeferredUpdate) -> u64 {
        let rows = self.rows.entry(t).or_default();
        let mut changed = 0;
        for (key, set) in &update.rows {
            for row in rows.iter_mut() {
                if update.key.iter().zip(key).all(|(&c, v)| &row[c] == v) {
                    for (&c, v) in update.set.iter().zip(set) {
                        row[c] = v.clone();
                    }
                    changed += 1;
                }
            }
        }
        changed
    }

    fn key_state(&self, table: &Table) -> KeyState {
        KeyState {
            largest: self.largest.get(table.name.as_ref()).copied(),
            type_max: self.type_max.get(table.name.as_ref()).copied(),
        }
    }
}

impl Sink for Memory {
    type Error = Refused;

    fn begin(&mut self) -> Result<(), Refused> {
        self.log.push("begin".into());
        Ok(())
    }

    fn commit(&mut self) -> Result<(), Refused> {
        self.committed = true;
        self.log.push("commit".into());
        Ok(())
    }

    fn rollback(&mut self) {
        self.rows.clear();
        self.log.push("rollback".into());
    }

    fn key_state(&mut self, _t: usize, table: &Table, _column: usize) -> Result<KeyState, Refused> {
        Ok(Memory::key_state(self, table))
    }

    fn numbered_by_database(&self, t: usize, column: usize) -> bool {
        self.numbered.contains(&(t, column))
    }

    fn relax_foreign_keys(&mut self, keys: &[DeferredKey]) -> Result<(), Refused> {
        if !self.relaxes {
            return Err(syda::seed::cycle_unsupported(keys).into());
        }
        self.log.push("relax".into());
        Ok(())
    }

    fn load_table(&mut self, t: usize, table: &Table, rows: &mut dyn Chunks) -> Result<(), Refused> {
        self.log.push(format!("load {}", table.name));
        while let Some(chunk) = rows.next()? {
            self.insert(t, table, &chunk)?;
        }
        Ok(())
    }

    fn update_keys(&mut self, t: usize, table: &Table, update: &DeferredUpdate) -> Result<u64, Refused> {
        self.log.push(format!("update {}", table.name));
        Ok(self.update(t, update))
    }

    fn advance_sequence(&mut self, _t: usize, table: &Table, column: usize) -> Result<(), Refused> {
        self.log
            .push(format!("sequence {}.{}", table.name, table.columns[column].name));
        Ok(())
    }
}

impl AsyncSink for Memory {
    type Error = Refused;

    async fn begin(&mut self) -> Result<(), Refused> {
        Sink::begin(self)
    }

    async fn commit(&mut self) -> Result<(), Refused> {
        Sink::commit(self)
    }

    async fn rollback(&mut self) {
        Sink::rollback(self)
    }

    async fn key_state(&mut self, _t: usize, table: &Table, _column: usize) -> Result<KeyState, Refused> {
        Ok(Memory::key_state(self, table))
    }

    fn numbered_by_database(&self, t: usize, column: usize) -> bool {
        self.numbered.contains(&(t, column))
    }

    async fn relax_foreign_keys(&mut self, keys: &[DeferredKey]) -> Result<(), Refused> {
        Sink::relax_foreign_keys(self, keys)
    }

    async fn load_table<C: AsyncChunks>(
        &mut self,
        t: usize,
        table: &Table,
        rows: &mut C,
    ) -> Result<(), Refused> {
        self.log.push(format!("load {}", table.name));
        while let Some(chunk) = rows.next().await? {
            self.insert(t, table, &chunk)?;
        }
        Ok(())
    }

    async fn update_keys(
        &mut self,
        t: usize,
        table: &Table,
        update: &DeferredUpdate,
    ) -> Result<u64, Refused> {
        self.log.push(format!("update {}", table.name));
        Ok(self.update(t, update))
    }

    async fn advance_sequence(&mut self, t: usize, table: &Table, column: usize) -> Result<(), Refused> {
        Sink::advance_sequence(self, t, table, column)
    }
}

/// Seeds `schema` into `memory` with both drivers; each gets a fresh copy
/// of `memory`, and both must agree.
fn seed_both(
    schema: &Schema,
    plan: &PlanConfig,
    options: &RunOptions,
    memory: impl Fn() -> Memory,
) -> [(Memory, Result<SeedReport, Refused>); 2] {
    let engine = OfflineEngine::new().with_seed(5);
    let mut blocking = memory();
    let planner = plan.planner(schema);
    let result = syda::seed::run(&mut blocking, &planner, &engine, options);
    let mut awaited = memory();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let result_async = runtime.block_on(syda::seed::run_async(
        &mut awaited,
        schema,
        plan,
        &engine,
        options,
    ));
    [(blocking, result), (awaited, result_async)]
}

fn column(memory: &Memory, t: usize, c: usize) -> Vec<Value> {
    memory
        .rows
        .get(&t)
        .map_or_else(Vec::new, |rows| rows.iter().map(|r| r[c].clone()).collect())
}

#[test]
fn keys_start_past_the_largest_key_and_children_follow() {
    let schema = Schema::from_yaml_str(SHOP).unwrap();
    let plan = PlanConfig::rows(10).size("customers", 4);
    for (memory, report) in seed_both(&schema, &plan, &RunOptions::default(), || Memory {
        largest: HashMap::from([("customers".to_owned(), 41)]),
        ..Memory::default()
    }) {
        let report = report.unwrap();
        assert_eq!(
            column(&memory, 0, 0),
            (42..46).map(Value::Int).collect::<Vec<_>>()
        );
        assert!(
            column(&memory, 1, 1)
                .iter()
                .all(|v| (42..46).contains(&v.as_i64().unwrap()))
        );
        assert_eq!(report.table("customers").unwrap().first_key, Some(42));
        assert_eq!(report.table("orders").unwrap().first_key, Some(1));
        assert_eq!(
            (report.rows("customers"), report.rows("orders")),
            (Some(4), Some(10))
        );
        assert_eq!(report.total_rows(), 14);
        assert_eq!(memory.log.first().map(String::as_str), Some("begin"));
        assert_eq!(memory.log.last().map(String::as_str), Some("commit"));
    }
}

#[test]
fn a_default_sized_table_is_cut_to_what_its_key_type_holds() {
    let schema = Schema::from_yaml_str(SHOP).unwrap();
    for (memory, report) in seed_both(&schema, &PlanConfig::rows(300), &RunOptions::default(), || {
        Memory {
            type_max: HashMap::from([("customers".to_owned(), 255)]),
            ..Memory::default()
        }
    }) {
        let report = report.unwrap();
        assert_eq!(report.rows("customers"), Some(255));
        assert_eq!(report.rows("orders"), Some(300));
        assert!(
            report.notes[0].contains("`customers` gets 255 rows"),
            "{:?}",
            report.notes
        );
        assert_eq!(memory.rows[&0].len(), 255);
    }
}

#[test]
fn a_nullable_cycle_goes_in_null_and_is_closed_by_one_update_pass() {
    let schema = Schema::from_yaml_str(TEAMS).unwrap();
    let plan = PlanConfig::rows(6).size("players", 30);
    let options = RunOptions::default();
    for (memory, report) in seed_both(&schema, &plan, &options, Memory::default) {
        let report = report.unwrap();
        assert_eq!(report.deferred.len(), 1);
        assert_eq!(report.deferred[0].table, "teams");
        let captains: Vec<Value> = column(&memory, 0, 1)
            .into_iter()
            .filter(|v| !v.is_null())
            .collect();
        assert_eq!(report.updated_rows, captains.len() as u64);
        assert!(!captains.is_empty());
        let players = column(&memory, 1, 0);
        assert!(captains.iter().all(|c| players.contains(c)), "{captains:?}");
        // Teams first (players reference them), the update after every
        // table, then the sequences.
        let steps: Vec<&str> = memory.log.iter().map(String::as_str).collect();
        let position = |s: &str| steps.iter().position(|x| *x == s).unwrap();
        assert!(position("load teams") < position("load players"));
        assert!(position("load players") < position("update teams"));
        assert!(position("update teams") < position("sequence teams.id"));
    }
}

#[test]
fn a_not_null_cycle_needs_a_sink_that_relaxes_the_checks() {
    let schema = Schema::from_yaml_str(&TEAMS.replace("nullable: true, ", "")).unwrap();
    let plan = PlanConfig::rows(5);
    for (memory, report) in seed_both(&schema, &plan, &RunOptions::default(), Memory::default) {
        let err = report.unwrap_err().0;
        assert!(
            err.contains("cycle of NOT NULL foreign keys") && err.contains("teams"),
            "{err}"
        );
        assert!(memory.rows.is_empty() && !memory.committed);
        assert_eq!(memory.log.last().map(String::as_str), Some("rollback"));
    }
    for (memory, report) in seed_both(&schema, &plan, &RunOptions::default(), || Memory {
        relaxes: true,
        ..Memory::default()
    }) {
        let report = report.unwrap();
        // Required keys go in with their values: nothing to update.
        assert_eq!(report.updated_rows, 0);
        assert!(column(&memory, 0, 1).iter().all(|v| !v.is_null()));
        assert!(memory.log.contains(&"relax".to_owned()));
    }
}

#[test]
fn the_sinks_own_error_stops_the_seed_and_nothing_is_committed() {
    let schema = Schema::from_yaml_str(SHOP).unwrap();
    let options = RunOptions {
        chunk_rows: 7,
        ..RunOptions::default()
    };
    for (memory, report) in seed_both(&schema, &PlanConfig::rows(50), &options, || Memory {
        fail_at: Some(("orders".to_owned(), 20)),
        ..Memory::default()
    }) {
        assert_eq!(
            report.unwrap_err(),
            Refused("table `orders` refuses row 20".to_owned())
        );
        assert!(!memory.committed && memory.rows.is_empty());
        assert_eq!(memory.log.last().map(String::as_str), Some("rollback"));
    }
}

#[test]
fn sequences_move_for_generated_keys_and_columns_the_database_numbers() {
    let schema = Schema::from_yaml_str(
        r#"
tables:
  events:
    columns:
      code: { type: text, primary_key: true, pattern: "E[0-9]{6}", unique: true }
      seq: { type: integer }
"#,
    )
    .unwrap();
    for (memory, report) in seed_both(&schema, &PlanConfig::rows(3), &RunOptions::default(), || Memory {
        numbered: vec![(0, 1)],
        ..Memory::default()
    }) {
        report.unwrap();
        assert!(
            memory.log.contains(&"sequence events.seq".to_owned()),
            "{:?}",
            memory.log
        );
        assert!(!memory.log.contains(&"sequence events.code".to_owned()));
    }
}

#[test]
fn data_sets_load_parents_first_with_their_own_keys() {
    let schema = Schema::from_yaml_str(TEAMS).unwrap();
    let data = Planner::new(&schema)
        .rows(8)
        .generate(&OfflineEngine::new().with_seed(2))
        .unwrap();
    let mut memory = Memory::default();
    let report = syda::seed::load(&mut memory, &data, &RunOptions::default()).unwrap();
    assert_eq!(report.total_rows(), 16);
    let teams = data.table("teams").unwrap();
    assert_eq!(
        memory.rows[&0], teams,
        "after the update, the rows are the data set's"
    );
    let position = |s: &str| memory.log.iter().position(|x| x == s);
    assert!(position("load teams") < position("load players"));
    assert!(position("load players") < position("update teams"));
}

/// orders → lines (composite key `order_id, line_no`) → shipments (a
/// composite foreign key), and employees with a self-reference.
const LEDGER: &str = r#"
tables:
  employees:
    columns:
      id: { type: integer, primary_key: true }
      manager_id: { type: integer, nullable: true, foreign_key: employees.id }
  orders:
    columns:
      id: { type: integer, primary_key: true }
      clerk_id: { type: integer, foreign_key: employees.id }
  lines:
    columns:
      order_id: { type: integer, primary_key: true, foreign_key: orders.id }
      line_no: { type: integer, primary_key: true, range: [1, 9] }
  shipments:
    columns:
      id: { type: integer, primary_key: true }
      order_id: { type: integer }
      line_no: { type: integer }
    foreign_keys:
      - { columns: [order_id, line_no], references: { table: lines, columns: [order_id, line_no] } }
"#;

#[test]
fn a_loaded_data_set_moves_its_keys_past_the_existing_ones_and_every_reference_follows() {
    let schema = Schema::from_yaml_str(LEDGER).unwrap();
    let data = Planner::new(&schema)
        .rows(6)
        .generate(&OfflineEngine::new().with_seed(3))
        .unwrap();
    let memory = || Memory {
        largest: HashMap::from([("employees".to_owned(), 100), ("orders".to_owned(), 7)]),
        type_max: HashMap::from([("orders".to_owned(), 1_000)]),
        ..Memory::default()
    };
    let options = RunOptions {
        keys_past_existing: true,
        ..RunOptions::default()
    };
    let mut blocking = memory();
    let report = syda::seed::load(&mut blocking, &data, &options).unwrap();
    let mut awaited = memory();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let report_async = runtime
        .block_on(syda::seed::load_async(&mut awaited, &data, &options))
        .unwrap();
    for (memory, report) in [(&blocking, &report), (&awaited, &report_async)] {
        let first = |name: &str| report.table(name).and_then(|t| t.first_key);
        assert_eq!((first("employees"), first("orders")), (Some(101), Some(8)));
        let shifted = |table: &str, c: usize, by: i64| -> Vec<Value> {
            let rows = data.table(table).unwrap();
            rows.iter()
                .map(|r| match &r[c] {
                    Value::Int(i) => Value::Int(i + by),
                    other => other.clone(),
                })
                .collect()
        };
        let t = |name: &str| schema.table_index(name).unwrap();
        // Own keys and every key referencing them moved by the same offset;
        // `line_no` and the shipments' own key (an empty table) did not.
        assert_eq!(column(memory, t("employees"), 0), shifted("employees", 0, 100));
        assert_eq!(column(memory, t("employees"), 1), shifted("employees", 1, 100));
        assert_eq!(column(memory, t("orders"), 0), shifted("orders", 0, 7));
        assert_eq!(column(memory, t("orders"), 1), shifted("orders", 1, 100));
        assert_eq!(column(memory, t("lines"), 0), shifted("lines", 0, 7));
        assert_eq!(column(memory, t("lines"), 1), shifted("lines", 1, 0));
        assert_eq!(column(memory, t("shipments"), 0), shifted("shipments", 0, 0));
        assert_eq!(column(memory, t("shipments"), 1), shifted("shipments", 1, 7));
        assert_eq!(column(memory, t("shipments"), 2), shifted("shipments", 2, 0));
        assert!(
            memory.log.contains(&"sequence orders.id".to_owned()),
            "{:?}",
            memory.log
        );
    }

    // Past the type's largest value: refused before anything goes in.
    let mut full = Memory {
        largest: HashMap::from([("orders".to_owned(), 998)]),
        type_max: HashMap::from([("orders".to_owned(), 1_000)]),
        ..Memory::default()
    };
    let err = syda::seed::load(&mut full, &data, &options).unwrap_err();
    assert!(err.0.contains("orders") && err.0.contains("1000"), "{err:?}");
    assert!(full.rows.values().all(Vec::is_empty) && !full.committed);
}

/// A second seed into a table holding the first seed's rows continues
/// where it stopped: its rows are the last rows of one larger generation,
/// keys included, so unique values derived from the row (an e-mail's row
/// tag, a permuted name or number) do not repeat the first seed's.
#[test]
fn a_seed_into_a_filled_table_continues_the_earlier_rows() {
    const PEOPLE: &str = r#"
tables:
  people:
    columns:
      id: { type: integer, primary_key: true }
      name: { type: text, kind: name }
      email: { kind: email, unique: true }
      badge: { type: integer, unique: true, range: [1000, 9999] }
"#;
    let schema = Schema::from_yaml_str(PEOPLE).unwrap();
    let [(whole, _), _] = seed_both(
        &schema,
        &PlanConfig::rows(60),
        &RunOptions::default(),
        Memory::default,
    );
    for (memory, report) in seed_both(&schema, &PlanConfig::rows(20), &RunOptions::default(), || {
        Memory {
            largest: HashMap::from([("people".to_owned(), 40)]),
            ..Memory::default()
        }
    }) {
        assert_eq!(report.unwrap().table("people").unwrap().first_key, Some(41));
        assert_eq!(
            memory.rows[&0],
            whole.rows[&0][40..],
            "rows 41..=60 of one generation"
        );
    }
}

/// Continuing a filled table, parents assigned per row (a fan-out) and
/// self-references point only at rows this seed inserts or at parents that
/// exist: never at an earlier index the table may not hold.
#[test]
fn a_continued_table_references_only_rows_that_exist() {
    const STAFF: &str = r#"
tables:
  teams:
    columns:
      id: { type: integer, primary_key: true }
  staff:
    columns:
      id: { type: integer, primary_key: true }
      team_id: { type: integer, foreign_key: teams.id }
      manager_id: { type: integer, nullable: true, foreign_key: staff.id }
      badge: { type: text, pattern: "B[0-9]{7}", unique: true }
"#;
    let schema = Schema::from_yaml_str(STAFF).unwrap();
    let plan = PlanConfig::rows(30).size("teams", 5).with(|p| {
        p.fan_out(
            "staff",
            "team_id",
            syda::plan::FanOut::PerParent { min: 2, max: 4 },
        )
    });
    for (memory, report) in seed_both(&schema, &plan, &RunOptions::default(), || Memory {
        largest: HashMap::from([("teams".to_owned(), 7), ("staff".to_owned(), 500)]),
        ..Memory::default()
    }) {
        let report = report.unwrap();
        let staff = &memory.rows[&1];
        assert!(!staff.is_empty() && report.table("staff").unwrap().first_key == Some(501));
        let ids: Vec<i64> = staff.iter().map(|r| r[0].as_i64().unwrap()).collect();
        for row in staff {
            assert!((8..=12).contains(&row[1].as_i64().unwrap()), "team {:?}", row[1]);
            if let Some(m) = row[2].as_i64() {
                assert!(ids.contains(&m) && m < row[0].as_i64().unwrap(), "manager {m}");
            }
        }
        assert!(staff.iter().any(|r| !r[2].is_null()), "no manager at all");
    }
}
