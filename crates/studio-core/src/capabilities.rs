//! The model capability table: the single source of truth for what each image model accepts (ratios, sizes,
//! thinking levels, search types, reference limits) and what it produces (pixel size and output tokens per
//! ratio and size). The UI reads it through `Studio::capabilities()`; `params::validate` checks every request
//! against it before anything is sent. Figures come from `gemini-api.md` (Google's image-generation guide).

use serde::{Deserialize, Serialize};

/// The default model (Nano Banana 2).
pub const DEFAULT_MODEL: &str = "gemini-3.1-flash-image-preview";

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
}

type Px = (&'static str, [(u32, u32); 4]);

const FLASH_31: &[Px] = &[
    (
        "1:1",
        [(512, 512), (1024, 1024), (2048, 2048), (4096, 4096)],
    ),
    (
        "1:4",
        [(256, 1024), (512, 2048), (1024, 4096), (2048, 8192)],
    ),
    (
        "1:8",
        [(192, 1536), (384, 3072), (768, 6144), (1536, 12288)],
    ),
    ("2:3", [(424, 632), (848, 1264), (1696, 2528), (3392, 5056)]),
    ("3:2", [(632, 424), (1264, 848), (2528, 1696), (5056, 3392)]),
    ("3:4", [(448, 600), (896, 1200), (1792, 2400), (3584, 4800)]),
    (
        "4:1",
        [(1024, 256), (2048, 512), (4096, 1024), (8192, 2048)],
    ),
    ("4:3", [(600, 448), (1200, 896), (2400, 1792), (4800, 3584)]),
    ("4:5", [(464, 576), (928, 1152), (1856, 2304), (3712, 4608)]),
    ("5:4", [(576, 464), (1152, 928), (2304, 1856), (4608, 3712)]),
    (
        "8:1",
        [(1536, 192), (3072, 384), (6144, 768), (12288, 1536)],
    ),
    (
        "9:16",
        [(384, 688), (768, 1376), (1536, 2752), (3072, 5504)],
    ),
    (
        "16:9",
        [(688, 384), (1376, 768), (2752, 1536), (5504, 3072)],
    ),
    // The guide prints 792x168 for 512; kept as printed (792x336 would match the ratio).
    (
        "21:9",
        [(792, 168), (1584, 672), (3168, 1344), (6336, 2688)],
    ),
];
const FLASH_31_TOKENS: [u32; 4] = [747, 1120, 1680, 2520];
const SIZES_4: [&str; 4] = ["512", "1K", "2K", "4K"];

const PRO_RATIOS: &[&str] = &[
    "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9",
];

const FLASH_25: &[(&str, u32, u32)] = &[
    ("1:1", 1024, 1024),
    ("2:3", 832, 1248),
    ("3:2", 1248, 832),
    ("3:4", 864, 1184),
    ("4:3", 1184, 864),
    ("4:5", 896, 1152),
    ("5:4", 1152, 896),
    ("9:16", 768, 1344),
    ("16:9", 1344, 768),
    ("21:9", 1536, 672),
];

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// One output format per size of `ratio`, taking pixel sizes, size names and token costs in step.
fn sized_outputs(ratio: &str, px: &[(u32, u32)], sizes: &[&str], tokens: &[u32]) -> Vec<OutputFormat> {
    px.iter()
        .zip(sizes)
        .zip(tokens)
        .map(|((&(w, h), size), &tokens)| OutputFormat {
            aspect_ratio: ratio.to_string(),
            image_size: Some(size.to_string()),
            width: w,
            height: h,
            tokens,
        })
        .collect()
}

/// The capability table, default model first.
pub fn capabilities() -> Vec<ModelCapabilities> {
    let flash31_outputs = FLASH_31
        .iter()
        .flat_map(|(ratio, px)| sized_outputs(ratio, px, &SIZES_4, &FLASH_31_TOKENS))
        .collect();
    // 3 Pro shares 3.1 Flash's pixel sizes at 1K/2K/4K; 1K and 2K cost 1120 tokens, 4K 2000.
    let pro_outputs = FLASH_31
        .iter()
        .filter(|(r, _)| PRO_RATIOS.contains(r))
        .flat_map(|(ratio, px)| sized_outputs(ratio, &px[1..], &SIZES_4[1..], &[1120, 1120, 2000]))
        .collect();
    let flash25_outputs = FLASH_25
        .iter()
        .map(|&(ratio, w, h)| OutputFormat {
            aspect_ratio: ratio.to_string(),
            image_size: None,
            width: w,
            height: h,
            tokens: 1290,
        })
        .collect();
    vec![
        ModelCapabilities {
            id: DEFAULT_MODEL.into(),
            name: "Nano Banana 2".into(),
            description: "Best balance of quality, speed and cost".into(),
            is_default: true,
            aspect_ratios: FLASH_31.iter().map(|(r, _)| r.to_string()).collect(),
            image_sizes: strings(&SIZES_4),
            default_image_size: Some("1K".into()),
            thinking_levels: strings(&["minimal", "high"]),
            default_thinking_level: Some("minimal".into()),
            thinks: true,
            supports_thoughts: true,
            search_types: vec![SearchType::Web, SearchType::Image],
            max_reference_images: 14,
            max_object_images: 10,
            max_character_images: 4,
            outputs: flash31_outputs,
        },
        ModelCapabilities {
            id: "gemini-3-pro-image-preview".into(),
            name: "Nano Banana Pro".into(),
            description: "Professional assets, complex instructions, best text rendering".into(),
            is_default: false,
            aspect_ratios: strings(PRO_RATIOS),
            image_sizes: strings(&SIZES_4[1..]),
            default_image_size: Some("1K".into()),
            // Always thinks; the level is not a choice.
            thinking_levels: vec![],
            default_thinking_level: None,
            thinks: true,
            supports_thoughts: true,
            search_types: vec![SearchType::Web],
            max_reference_images: 14,
            max_object_images: 6,
            max_character_images: 5,
            outputs: pro_outputs,
        },
        ModelCapabilities {
            id: "gemini-2.5-flash-image".into(),
            name: "Nano Banana".into(),
            description: "Speed, high volume, low latency".into(),
            is_default: false,
            aspect_ratios: FLASH_25.iter().map(|(r, _, _)| r.to_string()).collect(),
            image_sizes: vec![],
            default_image_size: None,
            thinking_levels: vec![],
            default_thinking_level: None,
            thinks: false,
            supports_thoughts: false,
            search_types: vec![],
            max_reference_images: 3,
            max_object_images: 3,
            max_character_images: 3,
            outputs: flash25_outputs,
        },
    ]
}

/// One model's capabilities, if the id is known.
pub fn model(id: &str) -> Option<ModelCapabilities> {
    capabilities().into_iter().find(|m| m.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_guide() {
        let t = capabilities();
        assert_eq!(t.len(), 3);
        let f = &t[0];
        assert_eq!(f.aspect_ratios.len(), 14);
        assert_eq!(f.outputs.len(), 14 * 4);
        let o = f.output(Some("16:9"), Some("4K")).unwrap();
        assert_eq!((o.width, o.height, o.tokens), (5504, 3072, 2520));
        let p = &t[1];
        assert_eq!(p.aspect_ratios.len(), 10);
        assert_eq!(p.output(Some("1:1"), Some("4K")).unwrap().tokens, 2000);
        assert!(p.output(Some("1:1"), Some("512")).is_none());
        let b = &t[2];
        assert_eq!(b.output(Some("9:16"), None).unwrap().height, 1344);
        assert_eq!(b.tokens_per_image(None), 1290);
    }
}
