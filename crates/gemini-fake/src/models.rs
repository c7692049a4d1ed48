//! The three image models and what each accepts: ratios, sizes (with the exact pixel tables of
//! gemini-api.md), thinking levels, search types, input image limits, token costs.

use serde_json::{json, Value};

/// What one model accepts and produces.
#[derive(Debug)]
pub struct ModelSpec {
    pub id: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
    /// The `imageSize` values, exactly as the API spells them. Empty: the model takes no `imageSize`.
    pub sizes: &'static [&'static str],
    /// Output tokens per image, one per entry of `sizes` (or one entry when `sizes` is empty).
    pub image_tokens: &'static [u32],
    /// Per aspect ratio, the pixel size for each entry of `sizes` (or a single one when `sizes` is empty).
    pub table: &'static [(&'static str, &'static [(u32, u32)])],
    /// Accepted `thinkingLevel` values (upper case). Empty: no `thinkingLevel` at all.
    pub thinking_levels: &'static [&'static str],
    /// Gemini 3 models think always, bill thought tokens and sign their parts.
    pub gemini3: bool,
    /// Google Search grounding (`tools: [{"google_search": {}}]`): the Gemini 3 image models only; the
    /// guide lists no search for 2.5.
    pub web_search: bool,
    /// `searchTypes.imageSearch`: 3.1 Flash only.
    pub image_search: bool,
    /// Most input images one request may carry.
    ///
    /// Gemini 3 models: 14, as documented. `gemini-2.5-flash-image` is only documented to "work best with up
    /// to 3": refusing a fourth is this fake's chosen strictness, so a client that respects the documented
    /// guidance passes and one that ignores it fails loudly.
    pub max_input_images: usize,
}

impl ModelSpec {
    /// Index of the default size (1K), or 0 for a model without sizes.
    pub fn default_size(&self) -> usize {
        self.sizes.iter().position(|s| *s == "1K").unwrap_or(0)
    }

    pub fn size_index(&self, size: &str) -> Option<usize> {
        self.sizes.iter().position(|s| *s == size)
    }

    pub fn ratios(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.table.iter().map(|(r, _)| *r)
    }

    pub fn has_ratio(&self, ratio: &str) -> bool {
        self.table.iter().any(|(r, _)| *r == ratio)
    }

    /// Pixel size of the output for a ratio and size index.
    pub fn dims(&self, ratio: &str, size: usize) -> Option<(u32, u32)> {
        self.table
            .iter()
            .find(|(r, _)| *r == ratio)
            .and_then(|(_, d)| d.get(size).copied())
    }

    pub fn tokens_for(&self, size: usize) -> u32 {
        self.image_tokens
            .get(size)
            .or(self.image_tokens.first())
            .copied()
            .unwrap_or(1290)
    }

    /// The supported ratio closest to `w`:`h` (compared on a log scale, so 2:1 is as far from 1:1 as 1:2).
    pub fn nearest_ratio(&self, w: u32, h: u32) -> &'static str {
        let target = (w.max(1) as f64 / h.max(1) as f64).ln();
        let mut best = ("1:1", f64::MAX);
        for (r, _) in self.table {
            let (a, b) = r.split_once(':').unwrap_or(("1", "1"));
            let v = (a.parse::<f64>().unwrap_or(1.0) / b.parse::<f64>().unwrap_or(1.0)).ln();
            let d = (v - target).abs();
            if d < best.1 {
                best = (r, d);
            }
        }
        best.0
    }

    /// The resource `GET /v1beta/models/{id}` answers.
    pub fn resource(&self) -> Value {
        json!({
            "name": format!("models/{}", self.id),
            "version": "001",
            "displayName": self.display_name,
            "description": self.description,
            "inputTokenLimit": if self.gemini3 { 65536 } else { 32768 },
            "outputTokenLimit": 32768,
            "supportedGenerationMethods": ["generateContent", "countTokens", "batchGenerateContent"],
            "temperature": 1.0,
            "topP": 0.95,
            "topK": 64,
            "maxTemperature": 2.0,
            "thinking": self.gemini3
        })
    }
}

pub static FLASH_31: ModelSpec = ModelSpec {
    id: "gemini-3.1-flash-image-preview",
    display_name: "Nano Banana 2",
    description: "Gemini 3.1 Flash Image: the best balance of quality, speed and cost.",
    sizes: &["512", "1K", "2K", "4K"],
    image_tokens: &[747, 1120, 1680, 2520],
    table: &[
        (
            "1:1",
            &[(512, 512), (1024, 1024), (2048, 2048), (4096, 4096)],
        ),
        (
            "1:4",
            &[(256, 1024), (512, 2048), (1024, 4096), (2048, 8192)],
        ),
        (
            "1:8",
            &[(192, 1536), (384, 3072), (768, 6144), (1536, 12288)],
        ),
        (
            "2:3",
            &[(424, 632), (848, 1264), (1696, 2528), (3392, 5056)],
        ),
        (
            "3:2",
            &[(632, 424), (1264, 848), (2528, 1696), (5056, 3392)],
        ),
        (
            "3:4",
            &[(448, 600), (896, 1200), (1792, 2400), (3584, 4800)],
        ),
        (
            "4:1",
            &[(1024, 256), (2048, 512), (4096, 1024), (8192, 2048)],
        ),
        (
            "4:3",
            &[(600, 448), (1200, 896), (2400, 1792), (4800, 3584)],
        ),
        (
            "4:5",
            &[(464, 576), (928, 1152), (1856, 2304), (3712, 4608)],
        ),
        (
            "5:4",
            &[(576, 464), (1152, 928), (2304, 1856), (4608, 3712)],
        ),
        (
            "8:1",
            &[(1536, 192), (3072, 384), (6144, 768), (12288, 1536)],
        ),
        (
            "9:16",
            &[(384, 688), (768, 1376), (1536, 2752), (3072, 5504)],
        ),
        (
            "16:9",
            &[(688, 384), (1376, 768), (2752, 1536), (5504, 3072)],
        ),
        // 792x168 is what the guide prints for 21:9 at 512 (792x336 would match the ratio); we answer what
        // is documented, so a client test pinned on the table agrees with the fake.
        (
            "21:9",
            &[(792, 168), (1584, 672), (3168, 1344), (6336, 2688)],
        ),
    ],
    thinking_levels: &["MINIMAL", "HIGH"],
    gemini3: true,
    web_search: true,
    image_search: true,
    max_input_images: 14,
};

pub static PRO_3: ModelSpec = ModelSpec {
    id: "gemini-3-pro-image-preview",
    display_name: "Nano Banana Pro",
    description:
        "Gemini 3 Pro Image: professional assets, complex instructions, best text rendering.",
    sizes: &["1K", "2K", "4K"],
    image_tokens: &[1120, 1120, 2000],
    table: &[
        ("1:1", &[(1024, 1024), (2048, 2048), (4096, 4096)]),
        ("2:3", &[(848, 1264), (1696, 2528), (3392, 5056)]),
        ("3:2", &[(1264, 848), (2528, 1696), (5056, 3392)]),
        ("3:4", &[(896, 1200), (1792, 2400), (3584, 4800)]),
        ("4:3", &[(1200, 896), (2400, 1792), (4800, 3584)]),
        ("4:5", &[(928, 1152), (1856, 2304), (3712, 4608)]),
        ("5:4", &[(1152, 928), (2304, 1856), (4608, 3712)]),
        ("9:16", &[(768, 1376), (1536, 2752), (3072, 5504)]),
        ("16:9", &[(1376, 768), (2752, 1536), (5504, 3072)]),
        ("21:9", &[(1584, 672), (3168, 1344), (6336, 2688)]),
    ],
    // Pro "always thinks" at its full depth: only HIGH (or no level) is accepted.
    thinking_levels: &["HIGH"],
    gemini3: true,
    web_search: true,
    image_search: false,
    max_input_images: 14,
};

pub static FLASH_25: ModelSpec = ModelSpec {
    id: "gemini-2.5-flash-image",
    display_name: "Nano Banana",
    description: "Gemini 2.5 Flash Image: speed, high volume, low latency.",
    sizes: &[],
    image_tokens: &[1290],
    table: &[
        ("1:1", &[(1024, 1024)]),
        ("2:3", &[(832, 1248)]),
        ("3:2", &[(1248, 832)]),
        ("3:4", &[(864, 1184)]),
        ("4:3", &[(1184, 864)]),
        ("4:5", &[(896, 1152)]),
        ("5:4", &[(1152, 896)]),
        ("9:16", &[(768, 1344)]),
        ("16:9", &[(1344, 768)]),
        ("21:9", &[(1536, 672)]),
    ],
    thinking_levels: &[],
    gemini3: false,
    web_search: false,
    image_search: false,
    max_input_images: 3,
};

pub static MODELS: [&ModelSpec; 3] = [&FLASH_31, &PRO_3, &FLASH_25];

pub fn find(id: &str) -> Option<&'static ModelSpec> {
    MODELS.iter().copied().find(|m| m.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_row_has_one_entry_per_size() {
        for m in MODELS {
            for (r, d) in m.table {
                assert_eq!(d.len(), m.sizes.len().max(1), "{} {}", m.id, r);
            }
            assert_eq!(m.image_tokens.len(), m.sizes.len().max(1));
        }
    }

    #[test]
    fn nearest_ratio_snaps() {
        assert_eq!(FLASH_31.nearest_ratio(1920, 1080), "16:9");
        assert_eq!(FLASH_31.nearest_ratio(100, 100), "1:1");
        assert_eq!(FLASH_25.nearest_ratio(1000, 100), "21:9");
        assert_eq!(FLASH_31.nearest_ratio(1000, 100), "8:1");
    }
}
