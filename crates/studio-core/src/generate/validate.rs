//! The first stage: refuse a request before anything is read or sent (empty prompt, parameters the model
//! does not support, an unsafe chat id, an inconsistent branch).

use super::GenerateRequest;
use crate::capabilities::ModelCapabilities;
use crate::error::{Error, Result};

/// Checks the request against the model it will be sent to.
pub(super) fn validate(req: &GenerateRequest, caps: &ModelCapabilities) -> Result<()> {
    if req.prompt.trim().is_empty() {
        return Err(Error::EmptyPrompt);
    }
    crate::params::validate_for(caps, &req.params, req.reference_hashes.len())?;
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
