//! `models.list` and `models.get`: what a key can use, and a cheap way to check a key works.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::{model_id, Client};
use crate::error::Result;

/// A model as `GET /v1beta/models/{model}` describes it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    /// `models/{id}`.
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_model_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_token_limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_token_limit: Option<u64>,
    /// e.g. `generateContent`, `countTokens`, `batchGenerateContent`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supported_generation_methods: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ModelInfo {
    /// The id without the `models/` prefix, as [`Client::generate_content`] takes it.
    pub fn id(&self) -> &str {
        self.name.strip_prefix("models/").unwrap_or(&self.name)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListModelsResponse {
    #[serde(default)]
    models: Vec<ModelInfo>,
    #[serde(default)]
    next_page_token: Option<String>,
}

/// Pages are followed until the end; this bound only stops a server that keeps returning tokens.
const MAX_PAGES: usize = 100;

impl Client {
    /// `GET /v1beta/models/{model}`: the cheapest authenticated call, used to check a key.
    pub async fn get_model(&self, model: &str) -> Result<ModelInfo> {
        let url = format!("{}/v1beta/models/{}", self.base, model_id(model)?);
        self.get_json(&url).await
    }

    /// `GET /v1beta/models`, all pages. All pages together are bounded like one JSON reply (a full list
    /// is about 100 KB): a server that keeps sending pages gets [`crate::Error::ReplyTooLarge`].
    pub async fn list_models(&self) -> Result<Vec<ModelInfo>> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        let mut total = 0usize;
        for _ in 0..MAX_PAGES {
            let mut url = reqwest::Url::parse(&format!("{}/v1beta/models", self.base))
                .map_err(|e| crate::Error::Config(format!("bad base URL: {e}")))?;
            url.query_pairs_mut().append_pair("pageSize", "1000");
            if let Some(t) = &token {
                url.query_pairs_mut().append_pair("pageToken", t);
            }
            let (page, size): (ListModelsResponse, usize) =
                self.get_json_sized(url.as_str()).await?;
            total += size;
            if total > self.limits.json_body {
                return Err(crate::limits::too_large(
                    "the model list",
                    self.limits.json_body,
                ));
            }
            all.extend(page.models);
            match page.next_page_token {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => break,
            }
        }
        Ok(all)
    }
}
