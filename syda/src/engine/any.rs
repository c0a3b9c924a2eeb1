//! One engine chosen at run time: what the CLI and the REST service hold
//! when the user picks `offline`, `llm` or `stats` by name.

use crate::engine::{Engine, OfflineEngine, ParentContext, RowStream};
use crate::error::Result;
use crate::schema::Table;
use crate::value::Row;

/// Any of the engines, chosen at run time ([`Engine`] by delegation).
///
/// Generic code (`Planner::generate`, the database seeders) takes `E:
/// Engine`; a program that lets its user pick the engine builds one
/// `AnyEngine` and calls them once, instead of one call per engine.
///
/// ```
/// use syda::engine::{AnyEngine, OfflineEngine};
/// use syda::plan::Planner;
/// use syda::Schema;
///
/// let schema = Schema::from_yaml_str("tables: { t: { columns: { id: { type: integer, primary_key: true } } } }")?;
/// let engine = AnyEngine::from(OfflineEngine::new().with_seed(3));
/// assert_eq!(engine.name(), "offline");
/// let data = Planner::new(&schema).rows(4).generate(&engine)?;
/// assert_eq!(data.table("t").unwrap().len(), 4);
/// # Ok::<(), syda::Error>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AnyEngine {
    /// The offline engine.
    Offline(OfflineEngine),
    /// A language model (feature `llm`).
    #[cfg(feature = "llm")]
    Llm(Box<crate::engine::llm::LlmEngine>),
    /// A fitted statistical model (feature `stats`).
    #[cfg(feature = "stats")]
    Stats(Box<crate::engine::stats::StatsEngine>),
}

impl AnyEngine {
    /// `offline`, `llm` or `stats`.
    pub fn name(&self) -> &'static str {
        match self {
            AnyEngine::Offline(_) => "offline",
            #[cfg(feature = "llm")]
            AnyEngine::Llm(_) => "llm",
            #[cfg(feature = "stats")]
            AnyEngine::Stats(_) => "stats",
        }
    }

    /// What the language model has cost so far; `None` for the other engines.
    #[cfg(feature = "llm")]
    pub fn llm_usage(&self) -> Option<crate::engine::llm::Usage> {
        match self {
            AnyEngine::Llm(engine) => Some(engine.usage()),
            _ => None,
        }
    }
}

impl From<OfflineEngine> for AnyEngine {
    fn from(engine: OfflineEngine) -> Self {
        AnyEngine::Offline(engine)
    }
}

#[cfg(feature = "llm")]
impl From<crate::engine::llm::LlmEngine> for AnyEngine {
    fn from(engine: crate::engine::llm::LlmEngine) -> Self {
        AnyEngine::Llm(Box::new(engine))
    }
}

#[cfg(feature = "stats")]
impl From<crate::engine::stats::StatsEngine> for AnyEngine {
    fn from(engine: crate::engine::stats::StatsEngine) -> Self {
        AnyEngine::Stats(Box::new(engine))
    }
}

/// Runs `$body` with `$e` bound to the chosen engine (`&` or `&mut`, as
/// `$any` is), through the [`Engine`] trait: the boxed variants are unboxed.
macro_rules! each {
    ($any:expr, $e:ident => $body:expr) => {
        match $any {
            AnyEngine::Offline($e) => $body,
            #[cfg(feature = "llm")]
            AnyEngine::Llm(boxed) => {
                let $e = &mut **boxed;
                $body
            }
            #[cfg(feature = "stats")]
            AnyEngine::Stats(boxed) => {
                let $e = &mut **boxed;
                $body
            }
        }
    };
    (ref $any:expr, $e:ident => $body:expr) => {
        match $any {
            AnyEngine::Offline($e) => $body,
            #[cfg(feature = "llm")]
            AnyEngine::Llm(boxed) => {
                let $e = &**boxed;
                $body
            }
            #[cfg(feature = "stats")]
            AnyEngine::Stats(boxed) => {
                let $e = &**boxed;
                $body
            }
        }
    };
}

impl Engine for AnyEngine {
    fn local(&self) -> &OfflineEngine {
        each!(ref self, e => Engine::local(e))
    }

    fn local_mut(&mut self) -> &mut OfflineEngine {
        each!(self, e => Engine::local_mut(e))
    }

    fn rows<'a>(&'a self, table: &'a Table, rows: u64) -> Result<RowStream<'a>> {
        each!(ref self, e => Engine::rows(e, table, rows))
    }

    fn rows_range<'a>(
        &'a self,
        table: &'a Table,
        range: std::ops::Range<u64>,
    ) -> Option<Result<RowStream<'a>>> {
        each!(ref self, e => Engine::rows_range(e, table, range))
    }

    fn each_row_in(
        &self,
        table: &Table,
        range: std::ops::Range<u64>,
        each: &mut dyn FnMut(&Row) -> Result<()>,
    ) -> Option<Result<()>> {
        each!(ref self, e => Engine::each_row_in(e, table, range, each))
    }

    fn set_parent_context(&mut self, context: ParentContext) {
        each!(self, e => Engine::set_parent_context(e, context))
    }

    fn applies_relations(&self) -> bool {
        each!(ref self, e => Engine::applies_relations(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Column, DataType};

    /// The planner splits a table over threads and shards only when the
    /// engine can start mid-table, and skips repairing rows an engine
    /// already derived: the offline variant says both, as the engine does.
    #[test]
    fn the_offline_variant_starts_mid_table_and_applies_relations() {
        let table = Table::new("t").with_column(Column::new("id", DataType::Integer).primary_key());
        let any = AnyEngine::Offline(OfflineEngine::new().with_seed(3));
        assert!(Engine::applies_relations(&any));
        let part: Vec<_> = Engine::rows_range(&any, &table, 5..8)
            .expect("offline engine starts anywhere")
            .expect("rows")
            .collect::<Result<_>>()
            .expect("rows");
        let whole: Vec<_> = OfflineEngine::new()
            .with_seed(3)
            .rows(&table, 8)
            .expect("rows")
            .collect::<Result<_>>()
            .expect("rows");
        assert_eq!(part, whole[5..8]);
    }
}
