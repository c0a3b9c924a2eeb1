//! `syda generate --engine llm`: the engine from options and environment,
//! and the usage report at the end.

use std::time::Duration;

use anyhow::bail;
use syda::engine::llm::{
    CacheMode, LlmConfig, LlmEngine, OnStall, Provider, ResponseFormat, RowFormat, Usage,
};

use crate::cli::{CacheArg, LlmArgs, OnStallArg, ProviderArg, ResponseFormatArg, RowFormatArg};

/// The LLM engine for `args`, the key and defaults read from the environment.
pub(crate) fn engine(llm: &LlmArgs, seed: u64, null_rate: Option<f64>) -> anyhow::Result<LlmEngine> {
    let config = config(llm, |name| {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    })?;
    let mut engine = LlmEngine::new(config).with_seed(seed);
    if let Some(rate) = null_rate {
        engine = engine.with_local(
            syda::engine::OfflineEngine::new()
                .with_seed(seed)
                .with_null_rate(rate),
        );
    }
    if let Some(prompt) = &llm.prompt {
        engine = engine.with_prompt(prompt.clone());
    }
    Ok(engine)
}

/// The configuration: options first, then the environment (`var`).
fn config(llm: &LlmArgs, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<LlmConfig> {
    let provider = llm.provider.map(|p| match p {
        ProviderArg::Openai => Provider::OpenAi,
        ProviderArg::Anthropic => Provider::Anthropic,
        ProviderArg::Gemini => Provider::Gemini,
        ProviderArg::OpenaiCompatible => Provider::OpenAiCompatible,
    });
    let cache = llm.cache.map(|c| match c {
        CacheArg::Off => "off",
        CacheArg::ReadWrite => "read-write",
        CacheArg::ReplayOnly => "replay-only",
    });
    let cache_dir = llm.cache_dir.as_ref().map(|d| d.display().to_string());
    // Options stand in for the variables they override.
    let overlay = |name: &str| -> Option<String> {
        let option = match name {
            "SYDA_PROVIDER" => provider.map(|p| p.name().to_owned()),
            "SYDA_MODEL" => llm.model.clone(),
            "OPENAI_BASE_URL" => llm.base_url.clone(),
            "SYDA_CACHE" => cache.map(str::to_owned),
            "SYDA_CACHE_DIR" => cache_dir.clone(),
            _ => None,
        };
        option.or_else(|| var(name))
    };
    let mut config = LlmConfig::from_lookup(overlay)?;
    if let Some(url) = &llm.base_url {
        config.base_url = Some(url.clone());
    }
    if let Some(n) = llm.concurrency {
        config = config.concurrency(n);
    }
    if let Some(n) = llm.batch_size {
        config = config.batch_size(n);
    }
    if let Some(seconds) = llm.timeout {
        if !(seconds.is_finite() && seconds > 0.0) {
            bail!("--timeout {seconds}: expected a positive number of seconds");
        }
        config = config.timeout(Duration::from_secs_f64(seconds));
    }
    if let Some(n) = llm.retries {
        config = config.retries(n);
    }
    if let Some(format) = llm.row_format {
        config = config.format(match format {
            RowFormatArg::Compact => RowFormat::Compact,
            RowFormatArg::Objects => RowFormat::Objects,
        });
    }
    if let Some(format) = llm.response_format {
        config = config.response_format(match format {
            ResponseFormatArg::JsonSchema => ResponseFormat::JsonSchema,
            ResponseFormatArg::JsonObject => ResponseFormat::JsonObject,
            ResponseFormatArg::Prompt => ResponseFormat::Prompt,
        });
    }
    if let Some(name) = &llm.token_limit_param {
        config = config.token_limit_param(name.clone());
    }
    if let Some(n) = llm.max_tokens {
        if n == 0 {
            bail!("--max-tokens 0: expected at least 1");
        }
        config = config.max_tokens(n);
    }
    if let Some(n) = llm.thinking_budget {
        config = config.thinking_budget(Some(n));
    }
    if let Some(on_stall) = llm.on_stall {
        config = config.on_stall(match on_stall {
            OnStallArg::Complete => OnStall::Complete,
            OnStallArg::Fail => OnStall::Fail,
        });
    }
    config.check()?;
    Ok(config)
}

/// `--amplify`: the model's column designs for `schema` applied to `local`;
/// what was designed and what was left to the offline engine is printed.
pub(crate) fn amplified(
    engine: &LlmEngine,
    schema: &syda::Schema,
    local: syda::engine::OfflineEngine,
) -> anyhow::Result<syda::engine::OfflineEngine> {
    let designs = engine.design_blocking(schema)?;
    let tables = designs.tables.len();
    eprintln!(
        "amplify: the model designed {} column{} of {tables} table{}; every row is made offline",
        designs.columns(),
        if designs.columns() == 1 { "" } else { "s" },
        if tables == 1 { "" } else { "s" },
    );
    for why in &designs.rejected {
        eprintln!("amplify: {why}");
    }
    Ok(designs.apply(local))
}

/// The usage line printed at the end of a run.
pub(crate) fn report(engine: &LlmEngine) {
    let usage: Usage = engine.usage();
    let config = engine.config();
    let cached = if config.cache == CacheMode::Off {
        String::new()
    } else {
        format!(", cache {}", config.cache_dir.display())
    };
    eprintln!(
        "LLM usage ({} {}): {usage}{cached}",
        config.provider, config.model
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn options_win_over_the_environment() {
        let args = LlmArgs {
            provider: Some(ProviderArg::OpenaiCompatible),
            model: Some("qwen2.5".into()),
            base_url: Some("http://127.0.0.1:8000/v1".into()),
            concurrency: Some(2),
            ..LlmArgs::default()
        };
        let config = config(
            &args,
            vars(&[("SYDA_PROVIDER", "gemini"), ("SYDA_MODEL", "gemini-2.5-pro")]),
        )
        .unwrap();
        assert_eq!(config.provider, Provider::OpenAiCompatible);
        assert_eq!(config.model, "qwen2.5");
        assert_eq!(config.concurrency, 2);
    }

    #[test]
    fn a_base_url_applies_to_anthropic_too() {
        let args = LlmArgs {
            provider: Some(ProviderArg::Anthropic),
            base_url: Some("http://127.0.0.1:9999".into()),
            ..LlmArgs::default()
        };
        let config = config(&args, vars(&[("ANTHROPIC_API_KEY", "k")])).unwrap();
        assert_eq!(config.base_url.as_deref(), Some("http://127.0.0.1:9999"));
    }

    #[test]
    fn a_missing_key_names_the_variable() {
        let args = LlmArgs {
            provider: Some(ProviderArg::Gemini),
            ..LlmArgs::default()
        };
        let err = config(&args, vars(&[])).unwrap_err().to_string();
        assert!(err.contains("GEMINI_API_KEY"), "{err}");
    }
}
