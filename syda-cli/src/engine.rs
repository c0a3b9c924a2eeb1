//! The engine `--engine offline|llm|stats` picks, as one [`AnyEngine`] for
//! `generate` and `seed` alike (with `--amplify`, the offline engine the
//! model designed; with `--fitted`, the statistical engine).

use syda::Schema;
use syda::engine::stats::StatsEngine;
use syda::engine::{AnyEngine, OfflineEngine};

use crate::cli::{EngineArg, LlmArgs};

/// What one run needs to build its engine.
pub(crate) struct Choice<'a> {
    pub(crate) engine: EngineArg,
    pub(crate) llm: &'a LlmArgs,
    pub(crate) seed: u64,
    pub(crate) null_rate: Option<f64>,
    /// The statistical engine of `--fitted`, when given.
    pub(crate) stats: Option<StatsEngine>,
}

impl Choice<'_> {
    /// The engine, ready for the planner or a seeder. An amplified LLM run
    /// asks the model here and reports its usage at once.
    pub(crate) fn build(self, schema: &Schema) -> anyhow::Result<AnyEngine> {
        let mut local = OfflineEngine::new().with_seed(self.seed);
        if let Some(rate) = self.null_rate {
            local = local.with_null_rate(rate);
        }
        Ok(match (self.engine, self.stats) {
            (EngineArg::Stats, Some(engine)) => engine.with_local(local).into(),
            (EngineArg::Offline | EngineArg::Stats, _) => local.into(),
            (EngineArg::Llm, _) => {
                let engine = crate::llm::engine(self.llm, self.seed, self.null_rate)?;
                if self.llm.amplify {
                    let designed = crate::llm::amplified(&engine, schema, local);
                    crate::llm::report(&engine);
                    designed?.into()
                } else {
                    engine.into()
                }
            }
        })
    }
}

/// Prints what a language model spent, after a run that used one.
pub(crate) fn report_usage(engine: &AnyEngine) {
    if let AnyEngine::Llm(engine) = engine {
        crate::llm::report(engine);
    }
}
