//! The engine `--engine offline|llm|stats` picks, as one [`AnyEngine`] for
//! `generate` and `seed` alike (with `--amplify`, the offline engine the
//! model designed; with `--fitted`, the statistical engine).

use syda::Schema;
use syda::engine::{AnyEngine, OfflineEngine};

use crate::cli::{EngineArg, LlmArgs};

/// The statistical engine of `--fitted`; nothing can be one in a build
/// without the `stats` feature.
#[cfg(feature = "stats")]
pub(crate) type Stats = syda::engine::stats::StatsEngine;
#[cfg(not(feature = "stats"))]
pub(crate) type Stats = std::convert::Infallible;

/// What one run needs to build its engine.
pub(crate) struct Choice<'a> {
    pub(crate) engine: EngineArg,
    #[cfg_attr(not(feature = "llm"), allow(dead_code))]
    pub(crate) llm: &'a LlmArgs,
    pub(crate) seed: u64,
    pub(crate) null_rate: Option<f64>,
    /// The statistical engine of `--fitted`, when given.
    pub(crate) stats: Option<Stats>,
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
            #[cfg(feature = "stats")]
            (EngineArg::Stats, Some(engine)) => engine.with_local(local).into(),
            (EngineArg::Offline | EngineArg::Stats, _) => local.into(),
            #[cfg(feature = "llm")]
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
            #[cfg(not(feature = "llm"))]
            (EngineArg::Llm, _) => {
                let _ = schema;
                anyhow::bail!("--engine llm: {}", missing_feature("llm"))
            }
        })
    }
}

/// Prints what a language model spent, after a run that used one.
pub(crate) fn report_usage(engine: &AnyEngine) {
    #[cfg(feature = "llm")]
    if let AnyEngine::Llm(engine) = engine {
        crate::llm::report(engine);
    }
    #[cfg(not(feature = "llm"))]
    let _ = engine;
}

/// What to say when a command needs an engine this build left out.
#[cfg(not(all(feature = "llm", feature = "stats")))]
pub(crate) fn missing_feature(feature: &str) -> String {
    format!(
        "this syda was built without the `{feature}` feature (a default one); reinstall with it: \
         `cargo install syda-cli --features {feature}`"
    )
}

/// LLM options given without `--engine llm` are a mistake worth saying.
pub(crate) fn reject_options(llm: &LlmArgs) -> anyhow::Result<()> {
    let given: Vec<&str> = [
        ("--provider", llm.provider.is_some()),
        ("--model", llm.model.is_some()),
        ("--base-url", llm.base_url.is_some()),
        ("--prompt", llm.prompt.is_some()),
        ("--concurrency", llm.concurrency.is_some()),
        ("--batch-size", llm.batch_size.is_some()),
        ("--timeout", llm.timeout.is_some()),
        ("--retries", llm.retries.is_some()),
        ("--cache", llm.cache.is_some()),
        ("--cache-dir", llm.cache_dir.is_some()),
        ("--row-format", llm.row_format.is_some()),
        ("--response-format", llm.response_format.is_some()),
        ("--token-limit-param", llm.token_limit_param.is_some()),
        ("--max-tokens", llm.max_tokens.is_some()),
        ("--thinking-budget", llm.thinking_budget.is_some()),
        ("--on-stall", llm.on_stall.is_some()),
        ("--amplify", llm.amplify),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect();
    if !given.is_empty() {
        anyhow::bail!("{} only apply with --engine llm", given.join(", "));
    }
    Ok(())
}
