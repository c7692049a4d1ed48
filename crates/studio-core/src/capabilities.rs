//! What one image model accepts (ratios, sizes, thinking levels, search types, reference limits, video) and
//! produces (pixel size and output tokens per ratio and size), and where it stands (current, deprecated,
//! restricted, new, available to this key or not). The figures come from one data file,
//! `data/models.json`, read by [`crate::catalogue`]; `models.list` decides at run time which of them a key
//! can call. The UI builds every control from these; `params::validate` checks every request against them.

use serde::{Deserialize, Serialize};

/// The default model (Nano Banana 2.1). The data file names the same one; a test keeps them equal.
pub const DEFAULT_MODEL: &str = "gemini-nano-banana-2.1";

/// One output format: a ratio at a size, with its pixel dimensions and output-token cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OutputFormat {
    pub aspect_ratio: String,
    /// `None` on models without a size choice (2.5 Flash Image).
    pub image_size: Option<String>,
    pub width: u32,
    pub height: u32,
    /// Output tokens billed for one image of this format.
    pub tokens: u32,
}

/// A Google Search grounding type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SearchType {
    Web,
    Image,
}

/// Everything one model accepts and produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModelCapabilities {
    pub id: String,
    /// Marketing name ("Nano Banana 2").
    pub name: String,
    pub description: String,
    pub is_default: bool,
    /// Accepted `aspectRatio` values, in display order.
    pub aspect_ratios: Vec<String>,
    /// Accepted `imageSize` values; empty when the model has no size choice.
    pub image_sizes: Vec<String>,
    /// The size the API uses when none is sent.
    pub default_image_size: Option<String>,
    /// Accepted `thinkingLevel` values (lower case as the UI shows them); empty when not selectable.
    pub thinking_levels: Vec<String>,
    pub default_thinking_level: Option<String>,
    /// Whether the model thinks (Gemini 3: always, billed whether or not thoughts are shown).
    pub thinks: bool,
    /// Whether `includeThoughts` can return thought summaries and interim thought images.
    pub supports_thoughts: bool,
    pub search_types: Vec<SearchType>,
    /// Total reference images accepted in one request.
    pub max_reference_images: u32,
    /// Guidance: high-fidelity object images (of the total).
    pub max_object_images: u32,
    /// Guidance: character images for consistency (of the total).
    pub max_character_images: u32,
    /// Every ratio x size with pixels and tokens.
    pub outputs: Vec<OutputFormat>,
    /// The line of models it belongs to (e.g. "nano-banana-2"); a new model of a known family borrows its
    /// limits.
    pub family: String,
    pub status: ModelStatus,
    /// Whether this key can call it, as `models.list` said.
    pub availability: Availability,
    /// Why it is unavailable, or what to know about it (restrictions, unconfirmed figures).
    pub note: Option<String>,
    /// The model that replaces it, for deprecated and restricted models.
    pub successor: Option<String>,
    /// Accepts a video as context (through the Files API).
    pub video_input: bool,
    /// Served by the Batch API.
    pub batch: bool,
    /// Release date (`YYYY-MM-DD`), when known.
    pub released: Option<String>,
}

/// Where a model stands in Google's line-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ModelStatus {
    Current,
    /// Still served, but Google named a successor and will shut it down.
    Deprecated,
    /// Kept for projects that used it before; new keys should not expect it.
    Restricted,
    /// Listed by `models.list` but not in the data file: limits are borrowed from its family, conservatively.
    New,
}

/// Whether the key can call a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// `models.list` offers it to this key.
    Available,
    /// `models.list` did not list it for this key, or the API answered that it is gone.
    Unavailable,
    /// Not checked (offline, or the list could not be read): the data file alone.
    Unchecked,
}

impl ModelCapabilities {
    /// The output format for a ratio and size (defaults applied: 1:1, the model's default size).
    pub fn output(
        &self,
        aspect_ratio: Option<&str>,
        image_size: Option<&str>,
    ) -> Option<&OutputFormat> {
        let ratio = aspect_ratio.unwrap_or("1:1");
        let size = image_size.or(self.default_image_size.as_deref());
        self.outputs
            .iter()
            .find(|o| o.aspect_ratio == ratio && o.image_size.as_deref() == size)
    }

    /// Output tokens for one image at a size (any ratio costs the same).
    pub fn tokens_per_image(&self, image_size: Option<&str>) -> u32 {
        self.output(None, image_size).map(|o| o.tokens).unwrap_or(0)
    }

    pub fn supports_search(&self, t: SearchType) -> bool {
        self.search_types.contains(&t)
    }

    /// Whether the picker offers it for generation (not known to be closed to this key).
    pub fn is_usable(&self) -> bool {
        self.availability != Availability::Unavailable
    }
}

/// The bundled data file's models that are still served (current, deprecated and restricted), default
/// first; availability is unchecked. A studio's live view is [`crate::Studio::catalogue`].
pub fn capabilities() -> Vec<ModelCapabilities> {
    crate::catalogue::Catalogue::bundled().models
}

/// One bundled model's capabilities, if the id is in the data file (retired ids are not: see
/// [`crate::catalogue::Catalogue::resolve`]).
pub fn model(id: &str) -> Option<ModelCapabilities> {
    capabilities().into_iter().find(|m| m.id == id)
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_data_file() {
        let t = capabilities();
        assert_eq!(t[0].id, DEFAULT_MODEL);
        assert!(t[0].is_default);
        let f = &t[0];
        assert_eq!(f.aspect_ratios.len(), 14);
        assert_eq!(f.outputs.len(), 14 * 3, "Nano Banana 2.1 has no 512");
        let o = f.output(Some("16:9"), Some("4K")).unwrap();
        assert_eq!((o.width, o.height, o.tokens), (5504, 3072, 2520));
        assert_eq!(f.output(Some("16:9"), None).unwrap().width, 1376);
        assert!(f.output(Some("1:1"), Some("512")).is_none());
        assert_eq!(f.thinking_levels, ["minimal", "medium", "high"]);
        let p = model("gemini-3-pro-image").unwrap();
        assert_eq!(p.aspect_ratios.len(), 10);
        assert_eq!(p.output(Some("1:1"), Some("4K")).unwrap().tokens, 2000);
        assert!(p.output(Some("1:1"), Some("512")).is_none());
        let lite = model("gemini-3.1-flash-lite-image").unwrap();
        assert_eq!(lite.image_sizes, ["1K"]);
        assert!(lite.search_types.is_empty());
        let b = model("gemini-2.5-flash-image").unwrap();
        assert_eq!(b.status, ModelStatus::Restricted);
        assert_eq!(b.output(Some("9:16"), None).unwrap().height, 1344);
        assert_eq!(b.tokens_per_image(None), 1290);
        let v = model("gemini-3.1-flash-image").unwrap();
        assert!(v.video_input && v.status == ModelStatus::Deprecated);
        assert_eq!(v.output(Some("21:9"), Some("512")).unwrap().tokens, 747);
        assert!(model("gemini-3.1-flash-image-preview").is_none(), "retired ids are aliases only");
    }
}
