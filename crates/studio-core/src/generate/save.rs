//! Saving a generation: each classified answer becomes a turn (placed in the chat) and a ledger entry, or a
//! failure whose billed tokens still go to the ledger; then the successes go to the store in one commit.
//!
//! Each write runs as one blocking task, which dropping the future does not interrupt half-way.

use std::sync::Arc;

use super::classify::classify;
use super::summary::title_of;
use super::variations::Answers;
use super::{map_client_error, GenerateRequest};
use crate::capabilities::ModelCapabilities;
use crate::cost::Usage;
use crate::error::{Error, Result};
use crate::gallery::store::{NewChat, NewTurn, Store, UsageEvent};

/// What a generation saves: the successes' turns, a ledger entry per billed answer, and the failures.
pub(super) struct Batch {
    pub turns: Vec<NewTurn>,
    pub events: Vec<UsageEvent>,
    pub failures: Vec<(u32, Error)>,
}

impl Batch {
    /// Classifies every answer; a success becomes a turn after `parent` in `chat_id`.
    #[allow(clippy::result_large_err)] // the per-variation results of `classify`, see there
    pub(super) fn from_answers(
        caps: &ModelCapabilities,
        req: &GenerateRequest,
        parent: Option<&String>,
        chat_id: &str,
        answers: Answers,
    ) -> Result<Batch> {
        let params_json =
            serde_json::to_string(&req.params).map_err(|e| Error::Other(e.to_string()))?;
        let mut batch = Batch {
            turns: Vec::new(),
            events: Vec::new(),
            failures: Vec::new(),
        };
        for (v, res) in answers {
            match res
                .map_err(map_client_error)
                .map(|a| classify(caps, &req.params, a))
            {
                Ok(Ok((mut turn, usage))) => {
                    turn.parent_turn_id = parent.cloned();
                    turn.prompt = req.prompt.clone();
                    turn.reference_hashes = req.reference_hashes.clone();
                    turn.params_json = params_json.clone();
                    batch
                        .events
                        .push(turn_usage(&caps.id, chat_id, &turn, usage));
                    batch.turns.push(turn);
                }
                Ok(Err((err, usage, outcome))) => {
                    // Billed anyway: recorded in the ledger, not in the chat (the chat may not exist).
                    batch.events.push(UsageEvent {
                        at: crate::time::now_ms(),
                        model: caps.id.clone(),
                        chat_id: req.chat_id.clone(),
                        turn_id: None,
                        outcome: outcome.into(),
                        images: 0,
                        usage,
                    });
                    batch.failures.push((v, err));
                }
                Err(err) => batch.failures.push((v, err)),
            }
        }
        Ok(batch)
    }

    /// When no variation succeeded: records what was billed anyway, and gives the first failure.
    pub(super) async fn record_failure(self, store: &Arc<Store>) -> Error {
        let billed: Vec<UsageEvent> = self
            .events
            .into_iter()
            .filter(|e| e.usage.total_tokens > 0)
            .collect();
        let s = Arc::clone(store);
        let _ = tokio::task::spawn_blocking(move || s.record_usage(&billed)).await;
        self.failures
            .into_iter()
            .next()
            .map(|(_, first)| first)
            .unwrap_or_else(|| Error::Other("no variation ran".into()))
    }

    /// Saves the turns, their images and the ledger entries (and `new_chat`) in one commit.
    pub(super) async fn commit(
        self,
        store: &Arc<Store>,
        chat_id: &str,
        new_chat: Option<NewChat>,
    ) -> Result<()> {
        let Batch { turns, events, .. } = self;
        let s = Arc::clone(store);
        let cid = chat_id.to_string();
        tokio::task::spawn_blocking(move || {
            s.commit_generation(new_chat.as_ref(), &cid, &turns, &events)
        })
        .await
        .map_err(|e| Error::Other(format!("save task failed: {e}")))?
    }
}

/// The ledger entry of a saved turn.
fn turn_usage(model: &str, chat_id: &str, turn: &NewTurn, usage: Usage) -> UsageEvent {
    UsageEvent {
        at: turn.created_at,
        model: model.to_string(),
        chat_id: Some(chat_id.to_string()),
        turn_id: Some(turn.id.clone()),
        outcome: if turn.images.is_empty() {
            "text".into()
        } else {
            "image".into()
        },
        images: turn.images.len() as i64,
        usage,
    }
}

/// The chat to create when the request starts one, titled after its prompt.
pub(super) fn new_chat(req: &GenerateRequest, chat_id: &str, model: &str) -> Option<NewChat> {
    req.chat_id.is_none().then(|| NewChat {
        id: chat_id.to_string(),
        title: title_of(&req.prompt),
        model: model.to_string(),
    })
}
