//! The model catalogue: the bundled data file, merged with what `models.list` offers this key.
//!
//! The data file (`data/models.json`, see [`data`]) knows each model's limits and which ids Google retired
//! for which successor; the API has the last word on what a key can call. [`Catalogue::resolve`] is the one
//! place a model id from a draft, saved parameters, a chat or the CLI becomes the model a request uses:
//! retired ids move to their successors with a notice, models closed to this key are refused before anything
//! is sent, and unknown ids are refused with the list of models on offer.

pub(crate) mod cache;
pub(crate) mod data;
pub(crate) mod live;

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::capabilities::{Availability, ModelCapabilities, ModelStatus, DEFAULT_MODEL};
use crate::error::{Error, Result};
use data::{DataFile, FamilyRule};

/// How the note of a model closed to this key starts (the UI shows the note as a sentence).
const UNAVAILABLE: &str = "Unavailable for this key: ";

/// How far a chain of successors is followed (a retired id whose successor was retired in turn).
const MAX_SUCCESSION: usize = 8;

/// A model id that no longer works, and what replaces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RetiredModel {
    pub id: String,
    pub name: String,
    /// The model used instead: always one the catalogue offers (the chain is followed).
    pub successor: String,
    /// `YYYY-MM-DD`, or `None` when the API answered 404 and the data file did not know.
    pub retired_on: Option<String>,
}

/// Where the catalogue's availability comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CatalogueSource {
    /// `models.list` was read for this key (now or from the cache, see `fetched_at`).
    Live,
    /// The bundled data file alone: offline, or the list could not be read.
    Bundled,
}

/// What the picker and Settings show: every model with its state, the retired ids, and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Catalogue {
    /// Usable models first (the default at the top), then those closed to this key.
    pub models: Vec<ModelCapabilities>,
    pub retired: Vec<RetiredModel>,
    pub source: CatalogueSource,
    /// When `models.list` was read (ISO 8601 UTC), for a live catalogue.
    pub fetched_at: Option<String>,
    /// The data file's date and format version.
    pub data_as_of: String,
    pub data_version: u32,
    /// One sentence for Settings: where the list comes from, or why it is the bundled one.
    pub note: String,
    /// Google's inline request limit, in bytes (the reference pipeline's budget follows it).
    pub inline_limit_bytes: u64,
}

/// A model id resolved for a request.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub caps: ModelCapabilities,
    /// Set when the id asked for is retired: the sentence telling the user which model is used instead.
    pub notice: Option<String>,
}

fn file() -> &'static DataFile {
    static FILE: OnceLock<DataFile> = OnceLock::new();
    FILE.get_or_init(|| {
        // The file is compiled in and checked by the tests; a broken one is a build defect, not input.
        DataFile::parse(data::MODELS_JSON).expect("data/models.json is valid (see its tests)")
    })
}

impl Catalogue {
    /// The data file alone: every served model, availability unchecked.
    pub fn bundled() -> Catalogue {
        let f = file();
        Catalogue {
            models: f.capabilities(),
            retired: f
                .retired
                .iter()
                .map(|r| RetiredModel {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    successor: r.successor.clone(),
                    retired_on: Some(r.retired_on.clone()),
                })
                .collect(),
            source: CatalogueSource::Bundled,
            fetched_at: None,
            data_as_of: f.as_of.clone(),
            data_version: f.version,
            note: format!(
                "The model list bundled with this version (data of {}); it could not be checked with Google yet",
                f.as_of
            ),
            inline_limit_bytes: f.inline_limit_bytes,
        }
    }

    /// The bundled data with a note saying why the live list is missing.
    pub fn bundled_because(why: &str) -> Catalogue {
        let mut c = Catalogue::bundled();
        c.note = format!("{why}: showing the model list bundled with this version (data of {})", c.data_as_of);
        c
    }

    /// The data file merged with the image models `models.list` offered this key.
    pub fn from_listing(listed: &[gemini::ModelInfo], fetched_at: &str) -> Catalogue {
        let mut c = Catalogue::bundled();
        let rules: &[FamilyRule] = &file().families;
        let listed: Vec<&gemini::ModelInfo> =
            listed.iter().filter(|m| live::is_image_model(m)).collect();
        // A deprecated model Google stopped listing has been shut down: it retires into its successor.
        let gone: Vec<RetiredModel> = c
            .models
            .iter()
            .filter(|m| m.status == ModelStatus::Deprecated && !listed.iter().any(|l| l.id() == m.id))
            .filter_map(|m| {
                Some(RetiredModel {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    successor: m.successor.clone()?,
                    retired_on: None,
                })
            })
            .collect();
        c.models.retain(|m| !gone.iter().any(|g| g.id == m.id));
        c.retired.extend(gone);
        for m in c.models.iter_mut() {
            if listed.iter().any(|l| l.id() == m.id) {
                m.availability = Availability::Available;
            } else {
                m.availability = Availability::Unavailable;
                let why = match m.status {
                    ModelStatus::Restricted => "Google offers it only to projects that used it before",
                    _ => "models.list does not offer it to this key",
                };
                m.note = Some(format!("{UNAVAILABLE}{why}."));
            }
        }
        let mut new: Vec<ModelCapabilities> = Vec::new();
        for l in &listed {
            let id = l.id();
            if c.models.iter().any(|m| m.id == id) {
                continue;
            }
            new.push(live::infer(l, live::family_of(id, rules, &c.models)));
        }
        c.models.extend(new);
        // A retired id Google lists again is served again: the API has the last word.
        c.retired.retain(|r| !listed.iter().any(|l| l.id() == r.id));
        c.ensure_default();
        c.sort();
        c.source = CatalogueSource::Live;
        c.fetched_at = Some(fetched_at.to_string());
        let usable = c.models.iter().filter(|m| m.is_usable()).count();
        c.note = format!("{usable} image models offered to this key by Google's models.list");
        c.resolve_successors();
        c
    }

    /// The model marked default, or the first usable one when the default is closed to this key.
    pub fn default_model(&self) -> Option<&ModelCapabilities> {
        self.models
            .iter()
            .find(|m| m.is_default && m.is_usable())
            .or_else(|| self.models.iter().find(|m| m.is_usable()))
    }

    pub fn find(&self, id: &str) -> Option<&ModelCapabilities> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The model a request for `id` uses, or why none can be used.
    pub fn resolve(&self, id: &str) -> Result<Resolved> {
        if let Some(m) = self.find(id) {
            if !m.is_usable() {
                return Err(self.unavailable(m));
            }
            return Ok(Resolved {
                caps: m.clone(),
                notice: None,
            });
        }
        if let Some(r) = self.retired.iter().find(|r| r.id == id) {
            let to = self.find(&r.successor).filter(|m| m.is_usable()).ok_or_else(|| {
                Error::ModelRetired {
                    model: id.to_string(),
                    successor: r.successor.clone(),
                    successor_name: r.successor.clone(),
                }
            })?;
            let when = r
                .retired_on
                .as_deref()
                .map(|d| format!(" on {d}"))
                .unwrap_or_default();
            return Ok(Resolved {
                notice: Some(format!(
                    "Google retired {id}{when}; {} ({}) replaces it, so this request uses it",
                    to.name, to.id
                )),
                caps: to.clone(),
            });
        }
        let offered: Vec<&str> = self
            .models
            .iter()
            .filter(|m| m.is_usable())
            .map(|m| m.id.as_str())
            .collect();
        Err(Error::InvalidParams(format!(
            "unknown model \"{id}\"; the models are {}",
            offered.join(", ")
        )))
    }

    /// The id a stored or typed model id should become (itself, or its successor when retired).
    pub fn current_id(&self, id: &str) -> String {
        self.resolve(id)
            .map(|r| r.caps.id)
            .unwrap_or_else(|_| id.to_string())
    }

    /// Records that the API answered 404 for `id`: it moves to the retired list, pointing at its successor
    /// (the data file's, else its family's model, else the default). Returns the retirement.
    pub fn mark_retired(&mut self, id: &str) -> RetiredModel {
        if let Some(r) = self.retired.iter().find(|r| r.id == id) {
            return r.clone();
        }
        let known = self.find(id).cloned();
        self.models.retain(|m| m.id != id);
        let named = known.as_ref().and_then(|m| m.successor.clone());
        let family = live::family_of(id, &file().families, &self.models).map(|m| m.id.clone());
        let fallback = self.default_model().map(|m| m.id.clone());
        let successor = [named, family, fallback]
            .into_iter()
            .flatten()
            .find(|s| self.find(s).is_some_and(|m| m.is_usable()))
            .unwrap_or_else(|| DEFAULT_MODEL.to_string());
        let r = RetiredModel {
            id: id.to_string(),
            name: known.map(|m| m.name).unwrap_or_else(|| id.to_string()),
            successor,
            retired_on: None,
        };
        self.retired.push(r.clone());
        self.resolve_successors();
        r
    }

    fn unavailable(&self, m: &ModelCapabilities) -> Error {
        let instead = m
            .successor
            .as_deref()
            .and_then(|s| self.find(s))
            .filter(|s| s.is_usable())
            .or_else(|| self.default_model());
        Error::ModelUnavailable {
            model: m.id.clone(),
            why: m
                .note
                .as_deref()
                .map(|n| n.trim_start_matches(UNAVAILABLE).trim_end_matches('.').to_string())
                .unwrap_or_else(|| "models.list does not offer it to this key".into()),
            instead: instead.map(|s| format!("{} ({})", s.name, s.id)),
        }
    }

    /// Points every retired id (and deprecated model) at a successor the catalogue offers, following chains.
    fn resolve_successors(&mut self) {
        let usable = |c: &Catalogue, id: &str| c.find(id).is_some_and(|m| m.is_usable());
        let fallback = self.default_model().map(|m| m.id.clone());
        for i in 0..self.retired.len() {
            let mut next = self.retired[i].successor.clone();
            for _ in 0..MAX_SUCCESSION {
                if usable(self, &next) {
                    break;
                }
                let step = self
                    .retired
                    .iter()
                    .find(|r| r.id == next)
                    .map(|r| r.successor.clone())
                    .or_else(|| self.find(&next).and_then(|m| m.successor.clone()));
                match step {
                    Some(s) => next = s,
                    None => break,
                }
            }
            if !usable(self, &next) {
                if let Some(f) = &fallback {
                    next = f.clone();
                }
            }
            self.retired[i].successor = next;
        }
    }

    /// Keeps exactly one default: the data file's when usable, else the first usable model.
    fn ensure_default(&mut self) {
        let default_usable = self.models.iter().any(|m| m.is_default && m.is_usable());
        if !default_usable {
            for m in self.models.iter_mut() {
                m.is_default = false;
            }
            if let Some(m) = self.models.iter_mut().find(|m| m.is_usable()) {
                m.is_default = true;
            }
        }
    }

    fn sort(&mut self) {
        // Stable: within each group the data file's order (then the order Google listed new ones) stays.
        self.models
            .sort_by_key(|m| (!m.is_default, !m.is_usable(), m.status == ModelStatus::New));
    }
}

#[cfg(test)]
mod tests;
