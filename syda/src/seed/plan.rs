//! What a seed is told: rows per table, fan-outs and any other planner
//! setting, as an owned value a seeder can hand to its generator thread.

use std::fmt;
use std::sync::Arc;

use crate::plan::{DEFAULT_ROWS, FanOut, Planner};
use crate::schema::Schema;

type Hook = Arc<dyn for<'s> Fn(Planner<'s>) -> Planner<'s> + Send + Sync>;

/// Table sizes and fan-outs: what a [`Planner`] is told, as a value that
/// can be passed around (the planner borrows its schema).
#[derive(Clone)]
pub struct PlanConfig {
    /// Rows for every table without its own size.
    pub rows: u64,
    /// Rows per table.
    pub sizes: Vec<(String, u64)>,
    /// Fan-outs per `(table, foreign-key column)`.
    pub fan_out: Vec<(String, String, FanOut)>,
    /// Any other planner setting, applied last.
    hook: Option<Hook>,
}

impl Default for PlanConfig {
    fn default() -> Self {
        PlanConfig::rows(DEFAULT_ROWS)
    }
}

impl fmt::Debug for PlanConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlanConfig")
            .field("rows", &self.rows)
            .field("sizes", &self.sizes)
            .field("fan_out", &self.fan_out)
            .field("hook", &self.hook.is_some())
            .finish()
    }
}

impl PlanConfig {
    /// `rows` rows in every table.
    pub fn rows(rows: u64) -> PlanConfig {
        PlanConfig {
            rows,
            sizes: Vec::new(),
            fan_out: Vec::new(),
            hook: None,
        }
    }

    /// Rows for one table.
    pub fn size(mut self, table: &str, rows: u64) -> PlanConfig {
        self.sizes.push((table.to_owned(), rows));
        self
    }

    /// How children of the foreign key starting at `table.column` spread
    /// over their parents.
    pub fn fan_out(mut self, table: &str, column: &str, fan_out: FanOut) -> PlanConfig {
        self.fan_out.push((table.to_owned(), column.to_owned(), fan_out));
        self
    }

    /// Any other planner setting (consistency rules, distinct keys, parent
    /// context), applied after the sizes and fan-outs:
    /// `.with(|p| p.consistent("orders", "contact_id", "customer_id"))`.
    pub fn with(
        mut self,
        hook: impl for<'s> Fn(Planner<'s>) -> Planner<'s> + Send + Sync + 'static,
    ) -> PlanConfig {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// The planner for `schema`.
    pub fn planner<'s>(&self, schema: &'s Schema) -> Planner<'s> {
        let mut planner = Planner::new(schema)
            .rows(self.rows)
            .sizes(self.sizes.iter().map(|(t, n)| (t.as_str(), *n)));
        for (table, column, fan_out) in &self.fan_out {
            planner = planner.fan_out(table, column, fan_out.clone());
        }
        match &self.hook {
            Some(hook) => hook(planner),
            None => planner,
        }
    }
}
