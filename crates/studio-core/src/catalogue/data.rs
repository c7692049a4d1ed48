//! The bundled model data file (`data/models.json`): its serde shape and how each entry becomes
//! [`ModelCapabilities`]. The file is dated and versioned; it is compiled in, so the app knows every model it
//! was built with even offline, and `models.list` then says which of them a key can call.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::capabilities::{
    Availability, ModelCapabilities, ModelStatus, OutputFormat, SearchType,
};

/// The file, compiled in.
pub(crate) const MODELS_JSON: &str = include_str!("../../data/models.json");

#[derive(Debug, Deserialize)]
pub(crate) struct DataFile {
    pub version: u32,
    pub as_of: String,
    pub default_model: String,
    pub inline_limit_bytes: u64,
    pixel_tables: BTreeMap<String, PixelTable>,
    models: Vec<ModelEntry>,
    pub retired: Vec<RetiredEntry>,
    pub families: Vec<FamilyRule>,
}

/// Pixel sizes per ratio, one per entry of `sizes`.
#[derive(Debug, Deserialize)]
struct PixelTable {
    sizes: Vec<String>,
    ratios: BTreeMap<String, Vec<(u32, u32)>>,
}

#[derive(Debug, Deserialize)]
struct ModelEntry {
    id: String,
    name: String,
    family: String,
    description: String,
    status: FileStatus,
    #[serde(default)]
    successor: Option<String>,
    #[serde(default)]
    released: Option<String>,
    pixels: String,
    aspect_ratios: Vec<String>,
    image_sizes: Vec<String>,
    default_image_size: Option<String>,
    /// Keyed by size; a model without a size choice uses its table's only column ("1K").
    tokens_per_image: BTreeMap<String, u32>,
    thinking_levels: Vec<String>,
    default_thinking_level: Option<String>,
    thinks: bool,
    supports_thoughts: bool,
    search_types: Vec<SearchType>,
    max_reference_images: u32,
    max_object_images: u32,
    max_character_images: u32,
    video_input: bool,
    batch: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FileStatus {
    Current,
    Deprecated,
    Restricted,
}

/// A model id Google has shut down, and what replaces it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RetiredEntry {
    pub id: String,
    pub name: String,
    pub successor: String,
    pub retired_on: String,
}

/// How a model the file does not know is placed in a family: the first rule whose `contains` is in its id.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct FamilyRule {
    pub contains: String,
    pub like: String,
}

impl DataFile {
    pub fn parse(text: &str) -> Result<DataFile, String> {
        let file: DataFile =
            serde_json::from_str(text).map_err(|e| format!("models.json: {e}"))?;
        for m in &file.models {
            m.outputs(&file).map_err(|e| format!("models.json, {}: {e}", m.id))?;
        }
        if !file.models.iter().any(|m| m.id == file.default_model) {
            return Err(format!("models.json: default model {} is not listed", file.default_model));
        }
        Ok(file)
    }

    /// Every model of the file as capabilities, the default first, availability unchecked.
    pub fn capabilities(&self) -> Vec<ModelCapabilities> {
        let mut out: Vec<ModelCapabilities> = self
            .models
            .iter()
            .filter_map(|m| m.capabilities(self).ok())
            .collect();
        out.sort_by_key(|m| !m.is_default);
        out
    }
}

impl ModelEntry {
    fn outputs(&self, file: &DataFile) -> Result<Vec<OutputFormat>, String> {
        let table = file
            .pixel_tables
            .get(&self.pixels)
            .ok_or_else(|| format!("no pixel table {}", self.pixels))?;
        // A model without a size choice renders its table's 1K column and is sent no imageSize.
        let columns: Vec<(Option<&String>, &str)> = if self.image_sizes.is_empty() {
            vec![(None, "1K")]
        } else {
            self.image_sizes.iter().map(|s| (Some(s), s.as_str())).collect()
        };
        let mut out = Vec::new();
        for ratio in &self.aspect_ratios {
            let px = table
                .ratios
                .get(ratio)
                .ok_or_else(|| format!("no pixels for {ratio}"))?;
            for (size, column) in &columns {
                let i = table
                    .sizes
                    .iter()
                    .position(|s| s == column)
                    .ok_or_else(|| format!("table {} has no size {column}", self.pixels))?;
                let &(width, height) = px.get(i).ok_or_else(|| format!("{ratio} lacks {column}"))?;
                let tokens = *self
                    .tokens_per_image
                    .get(*column)
                    .ok_or_else(|| format!("no token figure for {column}"))?;
                out.push(OutputFormat {
                    aspect_ratio: ratio.clone(),
                    image_size: size.cloned(),
                    width,
                    height,
                    tokens,
                });
            }
        }
        Ok(out)
    }

    fn capabilities(&self, file: &DataFile) -> Result<ModelCapabilities, String> {
        Ok(ModelCapabilities {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            is_default: self.id == file.default_model,
            aspect_ratios: self.aspect_ratios.clone(),
            image_sizes: self.image_sizes.clone(),
            default_image_size: self.default_image_size.clone(),
            thinking_levels: self.thinking_levels.clone(),
            default_thinking_level: self.default_thinking_level.clone(),
            thinks: self.thinks,
            supports_thoughts: self.supports_thoughts,
            search_types: self.search_types.clone(),
            max_reference_images: self.max_reference_images,
            max_object_images: self.max_object_images,
            max_character_images: self.max_character_images,
            outputs: self.outputs(file)?,
            family: self.family.clone(),
            status: match self.status {
                FileStatus::Current => ModelStatus::Current,
                FileStatus::Deprecated => ModelStatus::Deprecated,
                FileStatus::Restricted => ModelStatus::Restricted,
            },
            availability: Availability::Unchecked,
            note: self.note.clone(),
            successor: self.successor.clone(),
            video_input: self.video_input,
            batch: self.batch,
            released: self.released.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_file_parses_and_is_dated() {
        let f = DataFile::parse(MODELS_JSON).unwrap();
        assert!(f.version >= 2);
        assert_eq!(f.as_of.len(), 10, "as_of is YYYY-MM-DD");
        assert_eq!(f.default_model, crate::capabilities::DEFAULT_MODEL);
        assert_eq!(f.inline_limit_bytes, 100_000_000);
        let ids: Vec<String> = f.capabilities().into_iter().map(|m| m.id).collect();
        for id in [
            "gemini-nano-banana-2.1",
            "gemini-3-pro-image",
            "gemini-3.1-flash-lite-image",
            "gemini-3.1-flash-image",
            "gemini-2.5-flash-image",
        ] {
            assert!(ids.iter().any(|i| i == id), "{id} missing");
        }
        // Every retired id points at a model the file serves.
        for r in &f.retired {
            assert!(ids.contains(&r.successor), "{} -> {}", r.id, r.successor);
        }
    }

    #[test]
    fn a_broken_entry_is_refused_with_its_name() {
        let text = MODELS_JSON.replace("\"pixels\": \"flash-2.5\"", "\"pixels\": \"nope\"");
        let e = DataFile::parse(&text).unwrap_err();
        assert!(e.contains("gemini-2.5-flash-image") && e.contains("nope"), "{e}");
    }
}
