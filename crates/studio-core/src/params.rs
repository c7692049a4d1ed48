//! Generation parameters and their validation against the capability table.
//!
//! `validate` runs before anything is sent; its messages name the model, the refused value and every value
//! the model offers, so the user (or a script) can fix the request without reading docs.

use serde::{Deserialize, Serialize};

use crate::capabilities::{ModelCapabilities, SearchType, DEFAULT_MODEL};
use crate::error::{Error, Result};
use crate::references::ReferenceKind;

/// Most variations one request may ask for (each is a separate API call).
pub const MAX_COUNT: u32 = 8;

/// Google Search grounding switches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct SearchParams {
    pub web: bool,
    pub image: bool,
}

impl SearchParams {
    pub fn any(&self) -> bool {
        self.web || self.image
    }
}

/// Everything that shapes one generation, besides the prompt and references.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct GenerateParams {
    pub model: String,
    /// e.g. "16:9"; `None` lets the API match the input image or use 1:1.
    pub aspect_ratio: Option<String>,
    /// "512", "1K", "2K" or "4K" (exact case); `None` = the model's default.
    pub image_size: Option<String>,
    /// "minimal" or "high" where the model offers a choice.
    pub thinking_level: Option<String>,
    /// Return thought summaries and interim thought images.
    pub include_thoughts: bool,
    pub search: SearchParams,
    /// `responseModalities: ["IMAGE"]` instead of text and image.
    pub images_only: bool,
    /// Variations: this many parallel requests (the API refuses more than one candidate per request).
    pub count: u32,
    /// Positions (0-based, in `reference_hashes`) of the references marked as characters (people, pets,
    /// figures to keep consistent); the others are objects. Each model keeps only so many characters
    /// consistent, so more are refused; objects beyond the high-fidelity count are still sent.
    pub character_references: Vec<u32>,
}

impl Default for GenerateParams {
    fn default() -> Self {
        GenerateParams {
            model: DEFAULT_MODEL.to_string(),
            aspect_ratio: None,
            image_size: None,
            thinking_level: None,
            include_thoughts: false,
            search: SearchParams::default(),
            images_only: false,
            count: 1,
            character_references: Vec::new(),
        }
    }
}

fn offers(list: &[String]) -> String {
    list.join(", ")
}

/// Checks `params` (and the number of references) against the bundled catalogue; retired ids resolve to
/// their successors. A studio checks against its live catalogue instead ([`crate::Studio::validate`]).
pub fn validate(params: &GenerateParams, reference_count: usize) -> Result<ModelCapabilities> {
    let caps = crate::catalogue::Catalogue::bundled().resolve(&params.model)?.caps;
    validate_for(&caps, params, reference_count)?;
    Ok(caps)
}

/// Checks `params` (and the number of reference images) against one model's capabilities.
pub fn validate_for(
    caps: &ModelCapabilities,
    params: &GenerateParams,
    reference_count: usize,
) -> Result<()> {
    let images = vec![(ReferenceKind::Image, ""); reference_count];
    validate_with_references(caps, params, &images, &[])
}

/// Checks `params` and the references (kind and file name, in request order) against one model's
/// capabilities. Videos go only to models with `video_input` (`video_models` are named in the refusal:
/// those on offer that take them) and do not count against the image limits.
pub fn validate_with_references(
    caps: &ModelCapabilities,
    params: &GenerateParams,
    references: &[(ReferenceKind, &str)],
    video_models: &[ModelCapabilities],
) -> Result<()> {
    check_settings(caps, params)?;
    check_references(caps, params, references, video_models)
}

/// Everything but the references.
fn check_settings(caps: &ModelCapabilities, params: &GenerateParams) -> Result<()> {
    let m = &caps.id;
    if let Some(r) = &params.aspect_ratio {
        if !caps.aspect_ratios.contains(r) {
            return Err(Error::InvalidParams(format!(
                "{m} has no aspect ratio {r}; it offers {}",
                offers(&caps.aspect_ratios)
            )));
        }
    }
    if let Some(s) = &params.image_size {
        if caps.image_sizes.is_empty() {
            return Err(Error::InvalidParams(format!(
                "{m} has no image size choice (it always renders about 1024 px); leave the size unset"
            )));
        }
        if !caps.image_sizes.contains(s) {
            let hint = if caps.image_sizes.iter().any(|x| x.eq_ignore_ascii_case(s)) {
                " (sizes are case-sensitive: upper-case K)"
            } else {
                ""
            };
            return Err(Error::InvalidParams(format!(
                "{m} has no image size {s}{hint}; it offers {}",
                offers(&caps.image_sizes)
            )));
        }
    }
    if let Some(t) = &params.thinking_level {
        if caps.thinking_levels.is_empty() {
            let why = if caps.thinks {
                "it always thinks, at a level it chooses"
            } else {
                "it does not think"
            };
            return Err(Error::InvalidParams(format!(
                "{m} has no thinking level choice ({why}); leave it unset"
            )));
        }
        if !caps.thinking_levels.contains(t) {
            return Err(Error::InvalidParams(format!(
                "{m} has no thinking level {t}; it offers {}",
                offers(&caps.thinking_levels)
            )));
        }
    }
    if params.include_thoughts && !caps.supports_thoughts {
        return Err(Error::InvalidParams(format!(
            "{m} does not think, so it has no thoughts to show"
        )));
    }
    let names = |ts: &[SearchType]| {
        let v: Vec<String> = ts
            .iter()
            .map(|t| match t {
                SearchType::Web => "web".to_string(),
                SearchType::Image => "image".to_string(),
            })
            .collect();
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    if params.search.web && !caps.supports_search(SearchType::Web) {
        return Err(Error::InvalidParams(format!(
            "{m} has no Google Search grounding; search types offered: {}",
            names(&caps.search_types)
        )));
    }
    if params.search.image && !caps.supports_search(SearchType::Image) {
        return Err(Error::InvalidParams(format!(
            "{m} has no image search grounding; search types offered: {} (image search is on {DEFAULT_MODEL})",
            names(&caps.search_types)
        )));
    }
    if params.count == 0 || params.count > MAX_COUNT {
        return Err(Error::InvalidParams(format!(
            "count must be between 1 and {MAX_COUNT} (each variation is one request); {} was given",
            params.count
        )));
    }
    Ok(())
}

/// `"a"`, `"a" and "b"`, `"a", "b" and "c"`.
fn quoted_list(names: &[&str]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    match q.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => q.join(""),
    }
}

/// The refusal of videos on a model without video input, naming the models that take them.
fn no_video(caps: &ModelCapabilities, videos: &[&str], video_models: &[ModelCapabilities]) -> Error {
    let remove = quoted_list(videos);
    let model = format!("{} ({})", caps.name, caps.id);
    let takers: Vec<String> = video_models
        .iter()
        .filter(|v| v.video_input && v.id != caps.id)
        .map(|v| format!("{} ({})", v.name, v.id))
        .collect();
    Error::InvalidParams(if takers.is_empty() {
        format!("{model} does not take video, and no model on offer does: remove {remove}")
    } else {
        format!(
            "{model} does not take video; videos work with {}: remove {remove} or switch model",
            takers.join(" or ")
        )
    })
}

/// The references: videos only where the model takes them; the images (videos do not count) within the
/// model's limits; characters pointing at images.
fn check_references(
    caps: &ModelCapabilities,
    params: &GenerateParams,
    references: &[(ReferenceKind, &str)],
    video_models: &[ModelCapabilities],
) -> Result<()> {
    let m = &caps.id;
    let videos: Vec<&str> = references
        .iter()
        .filter(|(k, _)| *k == ReferenceKind::Video)
        .map(|(_, n)| *n)
        .collect();
    if !videos.is_empty() && !caps.video_input {
        return Err(no_video(caps, &videos, video_models));
    }
    let given = (references.len() - videos.len()) as u32;
    if given > caps.max_reference_images {
        return Err(Error::TooManyReferences {
            model: m.clone(),
            max: caps.max_reference_images,
            given,
            excess: given - caps.max_reference_images,
        });
    }
    let mut marked = params.character_references.clone();
    marked.sort_unstable();
    marked.dedup();
    if marked.len() != params.character_references.len() {
        return Err(Error::InvalidParams("a reference is marked as a character twice".into()));
    }
    let total = references.len();
    if let Some(bad) = marked.iter().find(|&&i| i as usize >= total) {
        return Err(Error::InvalidParams(format!(
            "reference {} is marked as a character, but only {total} references were given",
            u64::from(*bad) + 1
        )));
    }
    if let Some(&i) = marked
        .iter()
        .find(|&&i| references[i as usize].0 == ReferenceKind::Video)
    {
        return Err(Error::InvalidParams(format!(
            "reference {} (\"{}\") is a video and cannot be marked as a character: only images can",
            u64::from(i) + 1,
            references[i as usize].1
        )));
    }
    let characters = marked.len() as u32;
    if characters > caps.max_character_images {
        return Err(Error::TooManyCharacters {
            model: m.clone(),
            max: caps.max_character_images,
            given: characters,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(model: &str) -> GenerateParams {
        GenerateParams {
            model: model.into(),
            ..Default::default()
        }
    }

    #[test]
    fn ratio_message_lists_what_is_offered() {
        let mut x = p("gemini-3-pro-image");
        x.aspect_ratio = Some("1:8".into());
        let e = validate(&x, 0).unwrap_err().to_string();
        assert_eq!(
            e,
            "gemini-3-pro-image has no aspect ratio 1:8; it offers 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9"
        );
    }

    #[test]
    fn lower_case_size_is_refused_with_a_hint() {
        let mut x = p(DEFAULT_MODEL);
        x.image_size = Some("1k".into());
        assert!(validate(&x, 0)
            .unwrap_err()
            .to_string()
            .contains("upper-case K"));
    }

    #[test]
    fn no_size_on_25_and_no_512_on_pro() {
        let mut x = p("gemini-2.5-flash-image");
        x.image_size = Some("1K".into());
        assert!(validate(&x, 0).is_err());
        let mut y = p("gemini-3-pro-image");
        y.image_size = Some("512".into());
        assert!(validate(&y, 0).is_err());
        y.image_size = Some("4K".into());
        assert!(validate(&y, 14).is_ok());
        assert!(matches!(
            validate(&y, 15),
            Err(Error::TooManyReferences { excess: 1, .. })
        ));
    }

    #[test]
    fn characters_are_limited_per_model_and_must_point_at_a_reference() {
        let mut x = p(DEFAULT_MODEL);
        x.character_references = vec![0, 1, 2, 3];
        assert!(validate(&x, 14).is_ok(), "4 characters and 10 objects on 3.1 Flash");
        x.character_references = vec![0, 1, 2, 3, 4];
        let e = validate(&x, 14).unwrap_err();
        assert!(matches!(e, Error::TooManyCharacters { max: 4, given: 5, .. }));
        assert_eq!(e.kind(), "too_many_references");
        assert!(e.to_string().contains("mark 1 as an object"), "{e}");
        x.model = "gemini-3-pro-image".into();
        assert!(validate(&x, 14).is_ok(), "Pro keeps 5 characters");
        x.character_references = vec![2, 2];
        assert!(matches!(validate(&x, 3), Err(Error::InvalidParams(_))));
        x.character_references = vec![3];
        assert!(validate(&x, 3).unwrap_err().to_string().contains("reference 4 is marked"));
        // Parameters stored before roles existed read back as all objects.
        let old: GenerateParams = serde_json::from_str(r#"{"model":"gemini-3-pro-image","count":1}"#).unwrap();
        assert!(old.character_references.is_empty());
    }

    #[test]
    fn image_search_not_on_pro_nor_lite() {
        let mut x = p("gemini-3-pro-image");
        x.search.image = true;
        assert!(validate(&x, 0).is_err());
        x.model = DEFAULT_MODEL.into();
        assert!(validate(&x, 0).is_ok());
        x.model = "gemini-3.1-flash-lite-image".into();
        x.search = SearchParams { web: true, image: false };
        assert!(validate(&x, 0).unwrap_err().to_string().contains("no Google Search grounding"));
    }

    #[test]
    fn no_512_on_21_and_only_1k_on_lite() {
        let mut x = p(DEFAULT_MODEL);
        x.image_size = Some("512".into());
        assert!(validate(&x, 0).unwrap_err().to_string().contains("offers 1K, 2K, 4K"));
        x.model = "gemini-3.1-flash-lite-image".into();
        x.image_size = Some("2K".into());
        assert!(validate(&x, 0).unwrap_err().to_string().contains("offers 1K"));
        x.model = "gemini-3.1-flash-image".into();
        x.image_size = Some("512".into());
        assert!(validate(&x, 0).is_ok(), "3.1 Flash keeps 512");
    }

    #[test]
    fn videos_only_where_the_model_takes_them_and_never_counted_as_images() {
        let v = |n| (ReferenceKind::Video, n);
        let i = (ReferenceKind::Image, "a.png");
        let flash = crate::capabilities::model("gemini-3.1-flash-image").unwrap();
        let nb21 = crate::capabilities::model(DEFAULT_MODEL).unwrap();
        let takers = [flash.clone()];
        let e = validate_with_references(&nb21, &p(DEFAULT_MODEL), &[i, v("a.mp4"), v("b.mov"), v("c.webm")], &takers)
            .unwrap_err();
        assert!(e.to_string().ends_with(r#"remove "a.mp4", "b.mov" and "c.webm" or switch model"#), "{e}");
        let e = validate_with_references(&nb21, &p(DEFAULT_MODEL), &[v("a.mp4")], &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"Nano Banana 2.1 (gemini-nano-banana-2.1) does not take video, and no model on offer does: remove "a.mp4""#
        );
        let mut refs = vec![i; 14];
        refs.insert(3, v("clip.mp4"));
        assert!(validate_with_references(&flash, &p(&flash.id), &refs, &takers).is_ok());
        refs.push(i);
        assert!(matches!(
            validate_with_references(&flash, &p(&flash.id), &refs, &takers),
            Err(Error::TooManyReferences { given: 15, .. })
        ));
    }

    #[test]
    fn retired_ids_resolve_to_their_successors() {
        let mut x = p("gemini-3.1-flash-image-preview");
        x.image_size = Some("2K".into());
        assert_eq!(validate(&x, 0).unwrap().id, "gemini-nano-banana-2.1");
        x.model = "gemini-3-pro-image-preview".into();
        assert_eq!(validate(&x, 0).unwrap().id, "gemini-3-pro-image");
        x.model = "gemini-9-imaginary".into();
        assert!(validate(&x, 0).unwrap_err().to_string().starts_with("unknown model"));
    }
}
