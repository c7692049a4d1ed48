//! Token cost: an estimate before sending (from the capability table) and the billed figures after (from
//! `usageMetadata`, thought tokens included). Every billed attempt is recorded in the `usage_events` ledger,
//! including those that produced no image, so per-day and per-chat totals match the bill.

use serde::{Deserialize, Serialize};

use crate::capabilities::ModelCapabilities;
use crate::params::GenerateParams;

/// Rough prompt-token figure for one reference image, used only by the estimate.
pub const ESTIMATED_TOKENS_PER_REFERENCE: u32 = 560;

/// What a request is expected to cost, before it is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CostEstimate {
    pub model: String,
    pub images: u32,
    /// Output tokens of one image at the requested size (table figure).
    pub tokens_per_image: u32,
    /// `images * tokens_per_image` (thought and prompt tokens come on top and are not known in advance).
    pub output_tokens: u32,
    /// Rough prompt tokens for the references.
    pub reference_tokens: u32,
    /// Price at the configured rate, if one is set.
    pub price: Option<f64>,
    pub note: String,
}

/// Token counts from `usageMetadata` (what the API bills).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Usage {
    pub prompt_tokens: i64,
    pub output_tokens: i64,
    pub thought_tokens: i64,
    pub total_tokens: i64,
}

impl Usage {
    /// From the raw `usageMetadata` JSON (camelCase as the API sends it); missing counts are 0.
    pub fn from_metadata(v: &serde_json::Value) -> Usage {
        // Counts are clamped to 0..=i64::MAX: a negative or u64-sized figure from the server stays in range.
        let n = |k: &str| {
            v.get(k)
                .and_then(|x| x.as_i64().or_else(|| x.as_u64().map(|_| i64::MAX)))
                .unwrap_or(0)
                .max(0)
        };
        let prompt = n("promptTokenCount");
        let output = n("candidatesTokenCount");
        let thoughts = n("thoughtsTokenCount");
        let total = match n("totalTokenCount") {
            0 => prompt.saturating_add(output).saturating_add(thoughts),
            t => t,
        };
        Usage {
            prompt_tokens: prompt,
            output_tokens: output,
            thought_tokens: thoughts,
            total_tokens: total,
        }
    }

    /// Saturating: the counts come from the server, and a hostile or broken one must not overflow them.
    pub fn add(&mut self, o: &Usage) {
        self.prompt_tokens = self.prompt_tokens.saturating_add(o.prompt_tokens);
        self.output_tokens = self.output_tokens.saturating_add(o.output_tokens);
        self.thought_tokens = self.thought_tokens.saturating_add(o.thought_tokens);
        self.total_tokens = self.total_tokens.saturating_add(o.total_tokens);
    }
}

/// Totals over a period or a chat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CostTotals {
    /// `YYYY-MM-DD` (UTC) for per-day totals, the chat id for per-chat totals.
    pub key: String,
    pub attempts: i64,
    pub images: i64,
    pub usage: Usage,
    pub price: Option<f64>,
}

/// The price of a number of tokens at a rate per million.
pub fn price(tokens: i64, per_million: Option<f64>) -> Option<f64> {
    per_million.map(|p| tokens as f64 * p / 1_000_000.0)
}

/// The estimate for `params` with `reference_count` references.
pub fn estimate(
    caps: &ModelCapabilities,
    params: &GenerateParams,
    reference_count: usize,
    per_million: Option<f64>,
) -> CostEstimate {
    let tokens_per_image = caps.tokens_per_image(params.image_size.as_deref());
    let images = params.count.max(1);
    let output_tokens = tokens_per_image * images;
    let reference_tokens = ESTIMATED_TOKENS_PER_REFERENCE * reference_count as u32 * images;
    let note = if caps.thinks {
        "thought tokens are billed on top (Gemini 3 models always think)".to_string()
    } else {
        "prompt tokens come on top".to_string()
    };
    CostEstimate {
        model: caps.id.clone(),
        images,
        tokens_per_image,
        output_tokens,
        reference_tokens,
        price: price(i64::from(output_tokens + reference_tokens), per_million),
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities::model;

    #[test]
    fn estimate_uses_the_table() {
        let caps = model("gemini-3.1-flash-image").unwrap();
        let p = GenerateParams {
            image_size: Some("4K".into()),
            count: 2,
            ..Default::default()
        };
        let e = estimate(&caps, &p, 0, Some(30.0));
        assert_eq!(e.output_tokens, 5040);
        assert!((e.price.unwrap() - 0.1512).abs() < 1e-9);
    }

    /// Issue 9: token counts past i64 overflowed (a debug build panicked).
    #[test]
    fn huge_token_counts_saturate() {
        let v = serde_json::json!({"promptTokenCount": u64::MAX, "candidatesTokenCount": i64::MAX, "thoughtsTokenCount": -5});
        let mut u = Usage::from_metadata(&v);
        assert_eq!((u.prompt_tokens, u.thought_tokens, u.total_tokens), (i64::MAX, 0, i64::MAX));
        u.add(&u.clone());
        assert_eq!(u.total_tokens, i64::MAX);
    }

    #[test]
    fn usage_from_metadata() {
        let v = serde_json::json!({"promptTokenCount": 12, "candidatesTokenCount": 1120, "thoughtsTokenCount": 240, "totalTokenCount": 1372});
        let u = Usage::from_metadata(&v);
        assert_eq!(u.total_tokens, 1372);
        assert_eq!(u.thought_tokens, 240);
    }
}
