//! Merging `models.list` into the bundled data: which models this key can call, and capabilities for image
//! models Google shipped after the data file was written.
//!
//! Google ships image models every few months; a model the file does not know is still offered, marked
//! [`ModelStatus::New`], with limits borrowed from the family its id names (the data file's `families`
//! rules) and cut back where the metadata says less (no thinking). Image search, video input and the 512
//! size are never assumed for a new model: a refused request costs the user a round trip, an unused option
//! costs nothing.

use gemini::ModelInfo;

use super::data::FamilyRule;
use crate::capabilities::{Availability, ModelCapabilities, ModelStatus, OutputFormat, SearchType};

/// Whether a listed model generates images with `generateContent` (Imagen's `predict` models and text
/// models do not belong in the picker).
pub fn is_image_model(m: &ModelInfo) -> bool {
    let id = m.id();
    let generates = m.supported_generation_methods.is_empty()
        || m
            .supported_generation_methods
            .iter()
            .any(|x| x == "generateContent");
    generates
        && id.starts_with("gemini-")
        && (id.contains("-image") || id.contains("nano-banana"))
}

/// The bundled model a new id belongs with, by the family rules.
pub fn family_of<'a>(
    id: &str,
    rules: &[FamilyRule],
    known: &'a [ModelCapabilities],
) -> Option<&'a ModelCapabilities> {
    rules
        .iter()
        .find(|r| id.contains(&r.contains))
        .and_then(|r| known.iter().find(|m| m.id == r.like))
}

/// Capabilities for a listed image model the data file does not know.
pub fn infer(info: &ModelInfo, like: Option<&ModelCapabilities>) -> ModelCapabilities {
    let id = info.id().to_string();
    let mut caps = match like {
        Some(base) => {
            let mut c = base.clone();
            c.image_sizes.retain(|s| s != "512");
            c.outputs.retain(|o| o.image_size.as_deref() != Some("512"));
            c.search_types.retain(|t| *t == SearchType::Web);
            c
        }
        None => generic(),
    };
    caps.name = info.display_name.clone().unwrap_or_else(|| id.clone());
    caps.description = info
        .description
        .clone()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| "A model Google added after this version of Banana Studio".into());
    caps.id = id;
    caps.is_default = false;
    caps.status = ModelStatus::New;
    caps.availability = Availability::Available;
    caps.successor = None;
    caps.video_input = false;
    caps.released = None;
    caps.batch = info
        .supported_generation_methods
        .iter()
        .any(|m| m == "batchGenerateContent");
    if info.thinking == Some(false) {
        caps.thinks = false;
        caps.supports_thoughts = false;
        caps.thinking_levels.clear();
        caps.default_thinking_level = None;
    }
    caps.note = Some(match like {
        Some(base) => format!(
            "New: not in this version's model data; limits borrowed from {} and kept conservative.",
            base.name
        ),
        None => "New: not in this version's model data; conservative limits (1K, 10 ratios, 3 references)."
            .into(),
    });
    caps
}

/// Limits that any Gemini image model is expected to accept: the ten common ratios at the API's default
/// size (no size sent), no thinking choice, no search, three references.
fn generic() -> ModelCapabilities {
    const RATIOS: [(&str, u32, u32); 10] = [
        ("1:1", 1024, 1024),
        ("2:3", 848, 1264),
        ("3:2", 1264, 848),
        ("3:4", 896, 1200),
        ("4:3", 1200, 896),
        ("4:5", 928, 1152),
        ("5:4", 1152, 928),
        ("9:16", 768, 1376),
        ("16:9", 1376, 768),
        ("21:9", 1584, 672),
    ];
    ModelCapabilities {
        id: String::new(),
        name: String::new(),
        description: String::new(),
        is_default: false,
        aspect_ratios: RATIOS.iter().map(|r| r.0.to_string()).collect(),
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
        outputs: RATIOS
            .iter()
            .map(|&(r, width, height)| OutputFormat {
                aspect_ratio: r.into(),
                image_size: None,
                width,
                height,
                tokens: 1290,
            })
            .collect(),
        family: "unknown".into(),
        status: ModelStatus::New,
        availability: Availability::Available,
        note: None,
        successor: None,
        video_input: false,
        batch: false,
        released: None,
    }
}
