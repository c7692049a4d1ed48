//! The first stage: refuse a request before anything is sent (empty prompt, parameters the model does not
//! support, references it cannot take, an unsafe chat id, an inconsistent branch). Only the references'
//! rows are read, to tell images from videos and name the files in messages.

use super::{Engine, GenerateRequest};
use crate::error::{Error, Result};
use crate::references::{self, ReferenceInfo};

/// Checks the request against the model it will be sent to.
pub(super) fn validate(engine: &Engine<'_>, req: &GenerateRequest) -> Result<()> {
    if req.prompt.trim().is_empty() {
        return Err(Error::EmptyPrompt);
    }
    let refs = req
        .reference_hashes
        .iter()
        .map(|h| references::info(engine.store, h))
        .collect::<Result<Vec<ReferenceInfo>>>()?;
    let kinds: Vec<_> = refs.iter().map(|r| (r.kind, r.name.as_str())).collect();
    crate::params::validate_with_references(
        engine.caps,
        &req.params,
        &kinds,
        &engine.video_models,
    )?;
    if let Some(id) = &req.chat_id {
        if !crate::paths::is_safe_id(id) {
            return Err(Error::NotFound {
                what: "chat",
                id: id.clone(),
            });
        }
    }
    if (req.parent_turn_id.is_some() || req.from_start) && req.chat_id.is_none() {
        return Err(Error::InvalidParams("a branch needs its chat_id".into()));
    }
    if req.parent_turn_id.is_some() && req.from_start {
        return Err(Error::InvalidParams(
            "branch either from a turn or from the start of the chat, not both".into(),
        ));
    }
    Ok(())
}
