//! The model catalogue, as data: which models exist, in which state, and what each image model accepts
//! (ratios, sizes with the exact pixel tables of gemini-api.md, thinking levels, search types, input
//! image and video limits, token costs).
//!
//! Google retires and ships models under running apps (the preview ids were shut down on 2026-06-25 while
//! tests kept passing against a fake that still served them), so the list is not code: it is
//! `catalogue/google.json`, bundled with `include_str!` as [`Catalogue::google`], and a test or the binary
//! (`--catalogue FILE`) can start the fake with another one, or edit it while it runs
//! ([`crate::FakeGemini::update_catalogue`]) to simulate Google shipping a model and retiring one.
//!
//! States, as Google treats them: `active` and `deprecated` models are listed and served; `restricted`
//! ones are not listed and answer 403 PERMISSION_DENIED (only projects that used them before keep access);
//! `retired` ones are not listed and answer 404 NOT_FOUND like an id that never existed.
//!
//! The file format (version 1):
//! ```json
//! {"version": 1, "as_of": "2026-12-02", "source": "where the facts come from",
//!  "models": [{
//!    "id": "gemini-3.1-flash-lite-image", "displayName": "Nano Banana 2 Lite", "description": "...",
//!    "state": "active",
//!    "sizes": ["1K"], "imageTokens": [1120],
//!    "pixels": {"1:1": ["1024x1024"], "16:9": ["1376x768"]},
//!    "thinkingLevels": ["MINIMAL", "HIGH"], "thinks": true,
//!    "webSearch": false, "imageSearch": false, "maxInputImages": 14, "videoInput": false, "batch": true},
//!   {"id": "gemini-embedding-001", "displayName": "Gemini Embedding 001", "state": "active",
//!    "imageOutput": false, "methods": ["embedContent"]}]}
//! ```
//! `pixels` keeps its ratios in file order (error messages list them that way, and ties in
//! [`ModelSpec::nearest_ratio`] go to the earlier one); each ratio has one `WxH` per entry of `sizes`, or
//! exactly one when `sizes` is empty (a model without `imageSize`). Optional: `note` (never served),
//! `imageOutput` (default true), `methods` (default: generateContent, countTokens and, when `batch`,
//! batchGenerateContent), `inputTokenLimit` / `outputTokenLimit`. Unknown fields are refused, so a typo
//! in a hand-written catalogue fails loudly instead of silently meaning "false".

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{Error, Result};

/// The catalogue format this crate reads.
pub const CATALOGUE_VERSION: u32 = 1;

/// Google's catalogue as of its `as_of` date.
const GOOGLE_JSON: &str = include_str!("../catalogue/google.json");

/// Where a model stands with Google.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelState {
    /// Listed and served.
    Active,
    /// Listed and served, with a successor announced; it will be retired.
    Deprecated,
    /// Not listed; calls answer 403 PERMISSION_DENIED (kept only for projects that used it before).
    Restricted,
    /// Shut down: not listed; every call answers 404 NOT_FOUND.
    Retired,
}

impl ModelState {
    /// Whether `models.list` shows it.
    pub fn listed(self) -> bool {
        matches!(self, ModelState::Active | ModelState::Deprecated)
    }
}

/// A pixel size, written `"WxH"` in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims(pub u32, pub u32);

impl Serialize for Dims {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{}x{}", self.0, self.1))
    }
}

impl<'de> Deserialize<'de> for Dims {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let parsed = s
            .split_once('x')
            .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
            .filter(|(w, h): &(u32, u32)| *w > 0 && *h > 0);
        parsed.map(|(w, h)| Dims(w, h)).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "pixel size \"{s}\" is not WIDTHxHEIGHT (e.g. \"1024x1024\")"
            ))
        })
    }
}

/// `pixels` as a JSON object whose key order is kept: serde_json's map sorts keys (no `preserve_order`
/// in this workspace), which would turn "1:1, 2:3, 3:2" into "1:1, 16:9, 2:3".
mod pixel_table {
    use super::Dims;
    use serde::de::{MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};

    pub type Table = Vec<(String, Vec<Dims>)>;

    pub fn serialize<S: Serializer>(t: &Table, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(t.len()))?;
        for (ratio, dims) in t {
            m.serialize_entry(ratio, dims)?;
        }
        m.end()
    }

    struct InOrder;

    impl<'de> Visitor<'de> for InOrder {
        type Value = Table;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of aspect ratio -> [\"WxH\", ...]")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Table, A::Error> {
            let mut out = Table::new();
            while let Some((k, v)) = map.next_entry::<String, Vec<Dims>>()? {
                out.push((k, v));
            }
            Ok(out)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Table, D::Error> {
        d.deserialize_map(InOrder)
    }
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// What one model is and, for an image model, what it accepts and produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModelSpec {
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    pub state: ModelState,
    /// For people reading the catalogue (dates, successors); never served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// False for the text, embedding and Imagen models listed beside the image models: a client that
    /// shows `models.list` must filter on what a model does, not take every entry.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub image_output: bool,
    /// `supportedGenerationMethods`; `None`: derived (see [`Self::supported_methods`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_token_limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_token_limit: Option<u32>,
    /// The `imageSize` values, exactly as the API spells them. Empty: the model takes no `imageSize`.
    #[serde(default)]
    pub sizes: Vec<String>,
    /// Output tokens per image, one per entry of `sizes` (or one entry when `sizes` is empty).
    #[serde(default)]
    pub image_tokens: Vec<u32>,
    /// Per aspect ratio, the pixel size for each entry of `sizes` (or a single one when `sizes` is empty).
    #[serde(default, with = "pixel_table")]
    pub pixels: Vec<(String, Vec<Dims>)>,
    /// Accepted `thinkingLevel` values (upper case). Empty: no `thinkingLevel` at all.
    #[serde(default)]
    pub thinking_levels: Vec<String>,
    /// Gemini 3 image models think always, bill thought tokens and sign their parts (`gemini3` before the
    /// catalogue was data).
    #[serde(default)]
    pub thinks: bool,
    /// Google Search grounding (`tools: [{"google_search": {}}]`).
    #[serde(default)]
    pub web_search: bool,
    /// `searchTypes.imageSearch`.
    #[serde(default)]
    pub image_search: bool,
    /// Most input images one request may carry.
    ///
    /// Gemini 3 models: 14, as documented. `gemini-2.5-flash-image` is only documented to "work best with up
    /// to 3": refusing a fourth is this fake's chosen strictness, so a client that respects the documented
    /// guidance passes and one that ignores it fails loudly.
    #[serde(default)]
    pub max_input_images: usize,
    /// Video parts (`video/*` inline or through the Files API) as context: `gemini-3.1-flash-image` only.
    #[serde(default)]
    pub video_input: bool,
    /// `batchGenerateContent`.
    #[serde(default)]
    pub batch: bool,
}

/// The `imageSize` spellings the API knows; anything else in a catalogue is a typo.
const KNOWN_SIZES: &[&str] = &["512", "1K", "2K", "4K"];

/// Thinking levels of the API's enum, as [`crate::schema`] normalizes them.
const KNOWN_LEVELS: &[&str] = &["MINIMAL", "LOW", "MEDIUM", "HIGH"];

fn ratio_value(r: &str) -> Option<f64> {
    let (a, b) = r.split_once(':')?;
    let (a, b) = (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?);
    (a > 0 && b > 0).then(|| f64::from(a) / f64::from(b))
}

impl ModelSpec {
    /// Index of the default size (1K), or 0 for a model without sizes.
    pub fn default_size(&self) -> usize {
        self.sizes.iter().position(|s| s == "1K").unwrap_or(0)
    }

    pub fn size_index(&self, size: &str) -> Option<usize> {
        self.sizes.iter().position(|s| s == size)
    }

    pub fn ratios(&self) -> impl Iterator<Item = &str> + '_ {
        self.pixels.iter().map(|(r, _)| r.as_str())
    }

    pub fn has_ratio(&self, ratio: &str) -> bool {
        self.pixels.iter().any(|(r, _)| r == ratio)
    }

    /// Pixel size of the output for a ratio and size index.
    pub fn dims(&self, ratio: &str, size: usize) -> Option<(u32, u32)> {
        self.pixels
            .iter()
            .find(|(r, _)| r == ratio)
            .and_then(|(_, d)| d.get(size))
            .map(|d| (d.0, d.1))
    }

    pub fn tokens_for(&self, size: usize) -> u32 {
        self.image_tokens
            .get(size)
            .or(self.image_tokens.first())
            .copied()
            .unwrap_or(1290)
    }

    /// The supported ratio closest to `w`:`h` (compared on a log scale, so 2:1 is as far from 1:1 as 1:2).
    pub fn nearest_ratio(&self, w: u32, h: u32) -> &str {
        let target = (w.max(1) as f64 / h.max(1) as f64).ln();
        let mut best = ("1:1", f64::MAX);
        for (r, _) in &self.pixels {
            let d = (ratio_value(r).unwrap_or(1.0).ln() - target).abs();
            if d < best.1 {
                best = (r, d);
            }
        }
        best.0
    }

    /// `supportedGenerationMethods`: the catalogue's `methods`, or for an image model generateContent,
    /// countTokens and, when it has the Batch API, batchGenerateContent.
    pub fn supported_methods(&self) -> Vec<String> {
        if let Some(m) = &self.methods {
            return m.clone();
        }
        let mut m = vec!["generateContent".to_string(), "countTokens".to_string()];
        if self.batch {
            m.push("batchGenerateContent".into());
        }
        m
    }

    /// Whether a call of `action` (an API method name) is served; streaming comes with generateContent,
    /// as Google never lists it separately.
    pub fn supports(&self, action: &str) -> bool {
        let action = match action {
            "streamGenerateContent" => "generateContent",
            a => a,
        };
        self.supported_methods().iter().any(|m| m == action)
    }

    /// The resource `GET /v1beta/models/{id}` answers.
    pub fn resource(&self) -> Value {
        json!({
            "name": format!("models/{}", self.id),
            "version": "001",
            "displayName": self.display_name,
            "description": self.description,
            "inputTokenLimit": self.input_token_limit.unwrap_or(if self.thinks { 65536 } else { 32768 }),
            "outputTokenLimit": self.output_token_limit.unwrap_or(32768),
            "supportedGenerationMethods": self.supported_methods(),
            "temperature": 1.0,
            "topP": 0.95,
            "topK": 64,
            "maxTemperature": 2.0,
            "thinking": self.thinks
        })
    }

    /// The same spec under another id, active: what "Google ships gemini-nano-banana-2.2" looks like.
    pub fn renamed(&self, id: &str) -> ModelSpec {
        ModelSpec {
            id: id.to_string(),
            state: ModelState::Active,
            note: None,
            ..self.clone()
        }
    }

    /// Checks the invariants the server relies on (one pixel size and token count per size, known size
    /// and level spellings, parseable ratios).
    pub fn check(&self) -> Result<()> {
        let bad = |reason: String| {
            Err(Error::InvalidModel {
                id: self.id.clone(),
                reason,
            })
        };
        if self.id.is_empty() || self.id.contains(['/', ':', ' ', '?', '#']) {
            return bad("an id must be non-empty, without '/', ':', spaces, '?' or '#'".into());
        }
        if !self.image_output {
            return Ok(());
        }
        if self.pixels.is_empty() {
            return bad("an image model needs a pixel table (`pixels`)".into());
        }
        let per_ratio = self.sizes.len().max(1);
        if self.image_tokens.len() != per_ratio {
            return bad(format!(
                "imageTokens has {} entries; it needs one per size ({per_ratio})",
                self.image_tokens.len()
            ));
        }
        for s in &self.sizes {
            if !KNOWN_SIZES.contains(&s.as_str()) {
                return bad(format!(
                    "size \"{s}\" is not one of the API's spellings {KNOWN_SIZES:?}"
                ));
            }
        }
        let mut seen = HashSet::new();
        for (r, d) in &self.pixels {
            if ratio_value(r).is_none() {
                return bad(format!("aspect ratio \"{r}\" is not W:H"));
            }
            if !seen.insert(r) {
                return bad(format!("aspect ratio {r} is listed twice"));
            }
            if d.len() != per_ratio {
                return bad(format!(
                    "ratio {r} has {} pixel sizes; it needs one per size ({per_ratio})",
                    d.len()
                ));
            }
        }
        for l in &self.thinking_levels {
            if !KNOWN_LEVELS.contains(&l.as_str()) {
                return bad(format!(
                    "thinking level \"{l}\" is not one of {KNOWN_LEVELS:?} (upper case)"
                ));
            }
        }
        if self.image_search && !self.web_search {
            return bad(
                "imageSearch needs webSearch: both come with the google_search tool".into(),
            );
        }
        Ok(())
    }
}

/// A set of models with their states, as `models.list` would reveal them. Ids are unique.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    version: u32,
    /// The day the catalogue describes (YYYY-MM-DD).
    as_of: String,
    /// Where its facts come from.
    #[serde(default)]
    source: String,
    models: Vec<ModelSpec>,
}

impl Default for Catalogue {
    fn default() -> Self {
        Catalogue::google()
    }
}

impl Catalogue {
    /// Google's catalogue today (`catalogue/google.json`, bundled).
    pub fn google() -> Catalogue {
        static GOOGLE: OnceLock<Catalogue> = OnceLock::new();
        GOOGLE
            .get_or_init(|| {
                // The bundled file is part of the crate; the models tests load it, so this cannot fail
                // in a build that passed them.
                Catalogue::from_json(GOOGLE_JSON)
                    .expect("catalogue/google.json is a valid catalogue")
            })
            .clone()
    }

    /// An empty catalogue, to build one model by model.
    pub fn empty(as_of: &str) -> Catalogue {
        Catalogue {
            version: CATALOGUE_VERSION,
            as_of: as_of.to_string(),
            source: String::new(),
            models: Vec::new(),
        }
    }

    /// A catalogue in the format of `catalogue/google.json` (see the module doc), checked.
    pub fn from_json(text: &str) -> Result<Catalogue> {
        let c: Catalogue = serde_json::from_str(text)?;
        if c.version != CATALOGUE_VERSION {
            return Err(Error::CatalogueVersion {
                found: c.version,
                supported: CATALOGUE_VERSION,
            });
        }
        let mut ids = HashSet::new();
        for m in &c.models {
            m.check()?;
            if !ids.insert(m.id.as_str()) {
                return Err(Error::DuplicateModel(m.id.clone()));
            }
        }
        Ok(c)
    }

    /// [`Self::from_json`] on a file's contents.
    pub fn from_file(path: &Path) -> Result<Catalogue> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::CatalogueRead {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json(&text)
    }

    /// The catalogue in its file format, loadable with [`Self::from_json`].
    pub fn to_json(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn as_of(&self) -> &str {
        &self.as_of
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every model, in catalogue order, whatever its state.
    pub fn models(&self) -> &[ModelSpec] {
        &self.models
    }

    /// The models `models.list` shows (active and deprecated), in catalogue order.
    pub fn listed(&self) -> impl Iterator<Item = &ModelSpec> + '_ {
        self.models.iter().filter(|m| m.state.listed())
    }

    pub fn get(&self, id: &str) -> Option<&ModelSpec> {
        self.models.iter().find(|m| m.id == id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut ModelSpec> {
        self.models.iter_mut().find(|m| m.id == id)
    }

    fn known(&mut self, id: &str) -> Result<&mut ModelSpec> {
        self.get_mut(id)
            .ok_or_else(|| Error::UnknownModel(id.to_string()))
    }

    /// Adds a model at the end, or replaces the one with its id in place.
    pub fn add(&mut self, spec: ModelSpec) -> Result<&mut Self> {
        spec.check()?;
        match self.models.iter_mut().find(|m| m.id == spec.id) {
            Some(m) => *m = spec,
            None => self.models.push(spec),
        }
        Ok(self)
    }

    /// [`Self::add`], by value.
    pub fn with_model(mut self, spec: ModelSpec) -> Result<Self> {
        self.add(spec)?;
        Ok(self)
    }

    pub fn set_state(&mut self, id: &str, state: ModelState) -> Result<&mut Self> {
        self.known(id)?.state = state;
        Ok(self)
    }

    /// Shuts a model down: it leaves `models.list` and every call naming it answers 404.
    pub fn retire(&mut self, id: &str) -> Result<&mut Self> {
        self.set_state(id, ModelState::Retired)
    }

    /// Gives this project access to a restricted model (as if it had used it before): it becomes active.
    /// Active and deprecated models are left as they are; a retired one is an error, since access cannot
    /// bring back a model Google shut down.
    pub fn grant(&mut self, id: &str) -> Result<&mut Self> {
        let m = self.known(id)?;
        match m.state {
            ModelState::Restricted => m.state = ModelState::Active,
            ModelState::Retired => return Err(Error::GrantRetired(id.to_string())),
            ModelState::Active | ModelState::Deprecated => {}
        }
        Ok(self)
    }

    /// Adds a copy of model `from` under `new_id`, active, and returns it for further edits (a display
    /// name, a size dropped). Refuses an id already present, so a typo cannot silently overwrite a model.
    pub fn clone_model(&mut self, from: &str, new_id: &str) -> Result<&mut ModelSpec> {
        if self.get(new_id).is_some() {
            return Err(Error::DuplicateModel(new_id.to_string()));
        }
        let spec = self.known(from)?.renamed(new_id);
        spec.check()?;
        self.models.push(spec);
        let last = self.models.len() - 1;
        Ok(&mut self.models[last])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_catalogue_loads_and_round_trips() {
        let c = Catalogue::from_json(GOOGLE_JSON).unwrap();
        assert_eq!(c.as_of(), "2026-12-02");
        let again = Catalogue::from_json(&c.to_json()).unwrap();
        assert_eq!(again, c);
        // Ratio order survives the round trip (serde_json's own map would sort it).
        let pro = again.get("gemini-3-pro-image").unwrap();
        assert_eq!(
            pro.ratios().take(3).collect::<Vec<_>>(),
            ["1:1", "2:3", "3:2"]
        );
    }

    #[test]
    fn todays_states() {
        let c = Catalogue::google();
        let state = |id: &str| c.get(id).unwrap().state;
        assert_eq!(state("gemini-nano-banana-2.1"), ModelState::Active);
        assert_eq!(state("gemini-3.1-flash-image"), ModelState::Deprecated);
        assert_eq!(state("gemini-2.5-flash-image"), ModelState::Restricted);
        assert_eq!(state("gemini-3.1-flash-image-preview"), ModelState::Retired);
        assert_eq!(state("gemini-3-pro-image-preview"), ModelState::Retired);
        let listed: Vec<&str> = c.listed().map(|m| m.id.as_str()).collect();
        assert!(
            !listed.iter().any(|id| id.ends_with("-preview")),
            "{listed:?}"
        );
        assert!(!listed.contains(&"gemini-2.5-flash-image"));
    }

    #[test]
    fn tables_match_the_guide() {
        let c = Catalogue::google();
        let nb21 = c.get("gemini-nano-banana-2.1").unwrap();
        let flash = c.get("gemini-3.1-flash-image").unwrap();
        let lite = c.get("gemini-3.1-flash-lite-image").unwrap();
        assert_eq!(nb21.pixels.len(), 14);
        assert_eq!(nb21.dims("16:9", 0), Some((1376, 768)));
        assert_eq!(nb21.size_index("512"), None);
        // 2.1 and Lite take 3.1 Flash's pixels, without its 512 column.
        for (r, _) in &nb21.pixels {
            for i in 0..3 {
                assert_eq!(nb21.dims(r, i), flash.dims(r, i + 1), "{r}");
            }
        }
        assert_eq!(lite.pixels.len(), 10);
        for (r, _) in &lite.pixels {
            assert_eq!(lite.dims(r, 0), flash.dims(r, 1), "{r}");
        }
        assert!(flash.video_input && !nb21.video_input && !lite.web_search);
        // The GA Pro is the preview's spec under its new id.
        let pro = c.get("gemini-3-pro-image").unwrap();
        let preview = c.get("gemini-3-pro-image-preview").unwrap();
        assert_eq!(
            pro.renamed("x"),
            ModelSpec {
                description: pro.description.clone(),
                ..preview.renamed("x")
            }
        );
    }

    #[test]
    fn nearest_ratio_snaps() {
        let c = Catalogue::google();
        let flash = c.get("gemini-3.1-flash-image").unwrap();
        let nb1 = c.get("gemini-2.5-flash-image").unwrap();
        assert_eq!(flash.nearest_ratio(1920, 1080), "16:9");
        assert_eq!(flash.nearest_ratio(100, 100), "1:1");
        assert_eq!(nb1.nearest_ratio(1000, 100), "21:9");
        assert_eq!(flash.nearest_ratio(1000, 100), "8:1");
    }

    #[test]
    fn edits() {
        let mut c = Catalogue::google();
        c.grant("gemini-2.5-flash-image").unwrap();
        assert!(c.get("gemini-2.5-flash-image").unwrap().state.listed());
        assert!(matches!(
            c.grant("gemini-3-pro-image-preview"),
            Err(Error::GrantRetired(_))
        ));
        c.clone_model("gemini-nano-banana-2.1", "gemini-nano-banana-2.2")
            .unwrap()
            .display_name = "Nano Banana 2.2".into();
        c.retire("gemini-nano-banana-2.1").unwrap();
        assert_eq!(
            c.get("gemini-nano-banana-2.2").unwrap().display_name,
            "Nano Banana 2.2"
        );
        assert!(matches!(
            c.clone_model("gemini-3-pro-image", "gemini-nano-banana-2.2"),
            Err(Error::DuplicateModel(_))
        ));
        assert!(matches!(c.retire("nope"), Err(Error::UnknownModel(_))));
    }

    #[test]
    fn bad_catalogues_are_refused_with_the_reason() {
        let err = |text: &str| Catalogue::from_json(text).unwrap_err().to_string();
        assert!(err(r#"{"version": 2, "as_of": "x", "models": []}"#).contains("version 2"));
        let one = |m: &str| format!(r#"{{"version": 1, "as_of": "x", "models": [{m}]}}"#);
        let m = err(&one(
            r#"{"id": "a", "displayName": "A", "state": "active", "sizes": ["1k"], "imageTokens": [1], "pixels": {"1:1": ["1x1"]}}"#,
        ));
        assert!(m.contains("size \"1k\""), "{m}");
        let m = err(&one(
            r#"{"id": "a", "displayName": "A", "state": "active", "sizes": ["1K", "2K"], "imageTokens": [1, 2], "pixels": {"1:1": ["1x1"]}}"#,
        ));
        assert!(m.contains("ratio 1:1 has 1 pixel sizes"), "{m}");
        let m = err(&one(
            r#"{"id": "a", "displayName": "A", "state": "gone", "imageOutput": false}"#,
        ));
        assert!(m.contains("gone"), "{m}");
        let m = err(&one(
            r#"{"id": "a", "displayName": "A", "state": "active", "imageOutput": false, "webSerch": true}"#,
        ));
        assert!(m.contains("webSerch"), "{m}");
        let m = err(&one(
            r#"{"id": "a", "displayName": "A", "state": "active", "imageTokens": [1], "pixels": {"1:1": ["1024"]}}"#,
        ));
        assert!(m.contains("WIDTHxHEIGHT"), "{m}");
        let twice = r#"{"version": 1, "as_of": "x", "models": [
            {"id": "a", "displayName": "A", "state": "active", "imageOutput": false},
            {"id": "a", "displayName": "A", "state": "active", "imageOutput": false}]}"#;
        assert!(err(twice).contains("twice"));
    }
}
