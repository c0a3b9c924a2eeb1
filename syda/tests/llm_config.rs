//! Configuration from the environment, prices, and keeping keys secret.
#![cfg(feature = "llm")]

mod llm_support;

use llm_support::{Fake, KEY, Reply, employees};
use syda::Error;
use syda::engine::llm::{CacheMode, LlmConfig, LlmEngine, Provider, RowFormat};

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

#[test]
fn the_provider_comes_from_syda_provider_or_the_key_that_is_set() {
    let config = LlmConfig::from_lookup(lookup(&[
        ("OPENAI_API_KEY", "sk-1"),
        ("SYDA_MODEL", "gpt-4.1-mini"),
    ]))
    .unwrap();
    assert_eq!(config.provider, Provider::OpenAi);
    assert_eq!(config.model, "gpt-4.1-mini");
    let config = LlmConfig::from_lookup(lookup(&[("GEMINI_API_KEY", "g-1")])).unwrap();
    assert_eq!(config.provider, Provider::Gemini);
    assert_eq!(config.model, "gemini-3.5-flash");
    let config = LlmConfig::from_lookup(lookup(&[
        ("SYDA_PROVIDER", "anthropic"),
        ("ANTHROPIC_API_KEY", "a-1"),
        ("OPENAI_API_KEY", "sk-1"),
        ("SYDA_CACHE", "replay-only"),
        ("SYDA_CACHE_DIR", "fixtures/llm"),
    ]))
    .unwrap();
    assert_eq!(config.provider, Provider::Anthropic);
    assert_eq!(config.cache, CacheMode::ReplayOnly);
    assert_eq!(config.cache_dir, std::path::PathBuf::from("fixtures/llm"));
}

#[test]
fn an_openai_base_url_means_an_openai_compatible_server() {
    let config = LlmConfig::from_lookup(lookup(&[
        ("OPENAI_BASE_URL", "http://localhost:11434/v1"),
        ("SYDA_MODEL", "llama3.1"),
    ]))
    .unwrap();
    assert_eq!(config.provider, Provider::OpenAiCompatible);
    assert_eq!(config.base_url.as_deref(), Some("http://localhost:11434/v1"));
    assert!(config.api_key.is_none(), "a local server needs no key");
}

#[test]
fn missing_or_wrong_settings_are_clear_errors() {
    let message = |vars: &[(&str, &str)]| LlmConfig::from_lookup(lookup(vars)).unwrap_err().to_string();
    assert!(message(&[]).contains("SYDA_PROVIDER"));
    assert!(message(&[("SYDA_PROVIDER", "mistral")]).contains("SYDA_PROVIDER=mistral"));
    assert!(message(&[("SYDA_PROVIDER", "gemini")]).contains("GEMINI_API_KEY"));
    assert!(message(&[("OPENAI_BASE_URL", "http://x")]).contains("SYDA_MODEL"));
    assert!(
        message(&[("OPENAI_API_KEY", "k"), ("SYDA_CACHE", "sometimes")]).contains("SYDA_CACHE=sometimes")
    );
}

#[test]
fn prices_come_from_the_built_in_list_or_an_override() {
    let config = LlmConfig::new(Provider::OpenAi, "gpt-4o-mini-2024-07-18");
    let price = config.model_price().unwrap();
    assert_eq!(
        (price.input, price.output),
        (0.15, 0.60),
        "longest prefix wins over gpt-4o"
    );
    let custom = LlmConfig::new(Provider::OpenAiCompatible, "llama3.1:8b").price("llama3.1", 0.0, 0.0);
    assert_eq!(custom.model_price().unwrap().output, 0.0);
    assert!(
        LlmConfig::new(Provider::OpenAiCompatible, "mystery")
            .model_price()
            .is_none()
    );
}

#[test]
fn keys_never_show_in_debug_output() {
    let config = LlmConfig::new(Provider::OpenAi, "gpt-4o-mini").api_key(KEY);
    let engine = LlmEngine::new(config.clone());
    for shown in [
        format!("{config:?}"),
        format!("{engine:?}"),
        format!("{:?}", config.api_key),
    ] {
        assert!(!shown.contains(KEY), "{shown}");
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
    }
    assert!(format!("{config:?}").contains("ApiKey(***)"));
}

#[tokio::test]
async fn keys_echoed_by_a_provider_never_reach_an_error() {
    let schema = employees();
    let table = schema.table("employees").unwrap();
    for provider in [Provider::OpenAi, Provider::Anthropic, Provider::Gemini] {
        // Providers quote the key they rejected; the error must not.
        let fake = Fake::start(
            provider,
            table,
            RowFormat::Compact,
            |_| Reply::Text(String::new()),
        )
        .await;
        let config = fake
            .config(provider, RowFormat::Compact)
            .api_key(format!("{KEY}-wrong"));
        let err = LlmEngine::new(config).rows_async(table, 2).await.unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(
            matches!(err, Error::Provider { status: 404, .. }),
            "{provider}: {shown}"
        );
        assert!(!shown.contains(KEY), "{provider}: {shown}");
    }
}

#[tokio::test]
async fn a_provider_message_quoting_the_key_is_redacted() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let body = format!(
        r#"{{"error":{{"message":"Incorrect API key provided: {KEY}. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","code":"invalid_api_key"}}}}"#
    );
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_string(body))
        .mount(&server)
        .await;
    let schema = employees();
    let table = schema.table("employees").unwrap();
    let config = LlmConfig::new(Provider::OpenAi, "gpt-4o-mini")
        .api_key(KEY)
        .base_url(format!("{}/v1", server.uri()));
    let err = LlmEngine::new(config).rows_async(table, 2).await.unwrap_err();
    let shown = format!("{err} | {err:?}");
    assert!(
        shown.contains("HTTP 401") && shown.contains("Incorrect API key provided: ***"),
        "{shown}"
    );
    assert!(!shown.contains(KEY), "{shown}");
}
