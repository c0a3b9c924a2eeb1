//! What a generation cost: requests, retries, tokens and an estimate in dollars.

use std::fmt;

use super::config::Price;

/// Requests, tokens and estimated cost of LLM calls.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Usage {
    /// HTTP requests sent (retries included; cache hits not).
    pub requests: u64,
    /// Requests repeated after an error, a timeout or a rate limit.
    pub retries: u64,
    /// Answers replayed from the record/replay cache.
    pub cache_hits: u64,
    /// Prompt tokens, as the provider counted them.
    pub input_tokens: u64,
    /// Output tokens, as the provider counted them.
    pub output_tokens: u64,
    /// Rows returned to the caller.
    pub rows: u64,
    /// Rows the model wrote that were dropped: invalid, or repeating a unique value.
    pub rejected_rows: u64,
    /// Values the model wrote that were repaired locally where nothing
    /// material is lost: text cut at a word boundary to `max_length`, an
    /// enum value's case or spacing, a unique email, username, slug or code
    /// given a short suffix.
    pub repaired_values: u64,
    /// Rows whose model columns were filled by the offline engine because
    /// the model could not finish them ([`crate::engine::llm::OnStall::Complete`]).
    pub completed_rows: u64,
    /// Estimated cost in US dollars; `None` when the model's price is unknown.
    pub cost_usd: Option<f64>,
    /// What the engine changed on its own to get answers ("the server
    /// refused response_format json-schema; asking with json-object").
    pub notes: Vec<String>,
}

impl Usage {
    /// Adds `other` to this one.
    pub fn add(&mut self, other: &Usage) {
        self.requests += other.requests;
        self.retries += other.retries;
        self.cache_hits += other.cache_hits;
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.rows += other.rows;
        self.rejected_rows += other.rejected_rows;
        self.repaired_values += other.repaired_values;
        self.completed_rows += other.completed_rows;
        for note in &other.notes {
            if !self.notes.contains(note) {
                self.notes.push(note.clone());
            }
        }
        self.cost_usd = match (self.cost_usd, other.cost_usd) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }

    pub(crate) fn price(&mut self, price: Option<Price>) {
        self.cost_usd = price.map(|p| {
            (self.input_tokens as f64 * p.input + self.output_tokens as f64 * p.output) / 1_000_000.0
        });
    }
}

/// `12 requests (1 retry, 0 cached), 3410 input + 5120 output tokens, 40 rows (2 rejected, 3 values repaired, 1 row completed locally), ~$0.0036`
impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |n: u64| if n == 1 { "" } else { "s" };
        write!(
            f,
            "{} request{} ({} retr{}, {} cached), {} input + {} output tokens, {} row{} ({} rejected, {} value{} repaired, {} row{} completed locally)",
            self.requests,
            s(self.requests),
            self.retries,
            if self.retries == 1 { "y" } else { "ies" },
            self.cache_hits,
            self.input_tokens,
            self.output_tokens,
            self.rows,
            s(self.rows),
            self.rejected_rows,
            self.repaired_values,
            s(self.repaired_values),
            self.completed_rows,
            s(self.completed_rows),
        )?;
        match self.cost_usd {
            Some(cost) => write!(f, ", ~${cost:.4}")?,
            None => write!(f, ", cost unknown (no price for the model)")?,
        }
        for note in &self.notes {
            write!(f, "; {note}")?;
        }
        Ok(())
    }
}
