//! Chat sessions: turns stored with the model's content exactly as received, history rebuilt for the next
//! request, and branches.
//!
//! A turn's history is the chain of its ancestors (`parent_turn_id`), root first: each contributes the user
//! turn (prompt + references from `refs/`, built the same way as when it was first sent) and the model turn
//! (the stored `Content` JSON, thought signatures and images untouched). Continuing from an earlier turn
//! simply names it as the parent: that is a branch. Only successful turns are ever stored, so a failed or
//! blocked attempt never enters a history.

use std::sync::Arc;

use gemini::{Content, Part};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::gallery::store::Store;
use crate::params::GenerateParams;

/// A chat as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChatSummary {
    pub id: String,
    pub title: String,
    pub model: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub turn_count: i64,
    /// The most recent turn: where "continue" picks up.
    pub head_turn_id: Option<String>,
}

/// One turn of a chat, for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TurnView {
    pub id: String,
    pub chat_id: String,
    /// The turn this one continues; `None` for the first turn. Turns sharing a parent are branches.
    pub parent_turn_id: Option<String>,
    pub prompt: String,
    pub reference_hashes: Vec<String>,
    pub params: GenerateParams,
    pub text: String,
    pub thoughts: String,
    /// Gallery image ids, in the order the model produced them (deleted images are left out).
    pub image_ids: Vec<String>,
    pub grounding: Option<serde_json::Value>,
    pub usage: Option<serde_json::Value>,
    pub finish_reason: Option<String>,
    pub created_at: i64,
    /// Set where the chat moved to another model and restarted from the previous image (the old model's
    /// context could not carry over): history replay starts at this turn.
    pub context_note: Option<String>,
}

/// A chat with all its turns (every branch), oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChatDetail {
    #[serde(flatten)]
    pub chat: ChatSummary,
    pub turns: Vec<TurnView>,
}

/// The chats handle.
#[derive(Clone)]
pub struct Chats {
    pub(crate) store: Arc<Store>,
}

const CHAT_COLUMNS: &str = "c.id, c.title, c.model, c.created_at, c.updated_at, \
     (SELECT COUNT(*) FROM turns t WHERE t.chat_id = c.id), \
     (SELECT t.id FROM turns t WHERE t.chat_id = c.id ORDER BY t.created_at DESC, t.rowid DESC LIMIT 1)";

fn chat_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChatSummary> {
    Ok(ChatSummary {
        id: r.get(0)?,
        title: r.get(1)?,
        model: r.get(2)?,
        created_at: r.get(3)?,
        updated_at: r.get(4)?,
        turn_count: r.get(5)?,
        head_turn_id: r.get(6)?,
    })
}

impl Chats {
    /// Chats, most recently active first.
    pub fn list(&self, limit: u32, offset: u32) -> Result<Vec<ChatSummary>> {
        let conn = self.store.conn();
        let mut st = conn.prepare_cached(&format!(
            "SELECT {CHAT_COLUMNS} FROM chats c ORDER BY c.updated_at DESC, c.id DESC LIMIT ?1 OFFSET ?2"
        ))?;
        let rows = st.query_map(
            [limit.clamp(1, 10_000) as i64, offset as i64],
            chat_from_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One chat with all its turns.
    pub fn show(&self, chat_id: &str) -> Result<ChatDetail> {
        let conn = self.store.conn();
        let chat = conn
            .query_row(
                &format!("SELECT {CHAT_COLUMNS} FROM chats c WHERE c.id = ?1"),
                [chat_id],
                chat_from_row,
            )
            .optional()?
            .ok_or_else(|| Error::NotFound {
                what: "chat",
                id: chat_id.to_string(),
            })?;
        let mut st = conn.prepare_cached(
            "SELECT t.id, t.chat_id, t.parent_turn_id, t.prompt, t.reference_hashes, t.params, t.text, t.thoughts, \
             t.grounding, t.usage, t.finish_reason, t.created_at, \
             (SELECT group_concat(i.id, ',') FROM (SELECT id FROM images WHERE turn_id = t.id ORDER BY rowid) i), \
             t.context_note \
             FROM turns t WHERE t.chat_id = ?1 ORDER BY t.created_at, t.rowid",
        )?;
        let rows = st.query_map([chat_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, Option<String>>(10)?,
                r.get::<_, i64>(11)?,
                r.get::<_, Option<String>>(12)?,
                r.get::<_, Option<String>>(13)?,
            ))
        })?;
        let mut turns = Vec::new();
        for row in rows {
            let (
                id,
                chat_id,
                parent,
                prompt,
                refs,
                params,
                text,
                thoughts,
                grounding,
                usage,
                finish_reason,
                created_at,
                images,
                context_note,
            ) = row?;
            let params: GenerateParams = serde_json::from_str(&params)
                .map_err(|e| Error::CorruptStore(format!("parameters of turn {id}: {e}")))?;
            let json = |s: Option<String>| {
                s.and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
                    .filter(|v| !v.is_null())
            };
            turns.push(TurnView {
                reference_hashes: serde_json::from_str(&refs).unwrap_or_default(),
                image_ids: images
                    .map(|s| s.split(',').map(str::to_string).collect())
                    .unwrap_or_default(),
                grounding: json(grounding),
                usage: json(usage),
                id,
                chat_id,
                parent_turn_id: parent,
                prompt,
                params,
                text,
                thoughts,
                finish_reason,
                created_at,
                context_note,
            });
        }
        Ok(ChatDetail { chat, turns })
    }

    /// Renames a chat.
    pub fn rename(&self, chat_id: &str, title: &str) -> Result<()> {
        let n = self.store.conn().execute(
            "UPDATE chats SET title = ?2 WHERE id = ?1",
            [chat_id, title],
        )?;
        if n == 0 {
            return Err(Error::NotFound {
                what: "chat",
                id: chat_id.to_string(),
            });
        }
        Ok(())
    }
}

/// Puts the externalized image data back into a stored model turn (standard padded base64, which is what
/// was received: only canonical data is ever externalized).
fn restore_blobs(store: &Store, content: &mut Content, blobs: &str) -> Result<()> {
    use base64::Engine as _;
    let list: Vec<serde_json::Value> = serde_json::from_str(blobs)
        .map_err(|e| Error::CorruptStore(format!("blob list of a turn: {e}")))?;
    for b in list {
        let part = b.get("part").and_then(|v| v.as_u64()).map(|v| v as usize);
        let file = b
            .get("file")
            .and_then(|v| v.as_str())
            .filter(|f| !f.contains('/') && !f.contains('\\') && !f.starts_with('.'));
        let (Some(part), Some(file)) = (part, file) else {
            return Err(Error::CorruptStore(format!("blob entry {b}")));
        };
        let path = store.dirs.blobs.join(file);
        let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::ChatImageMissing { path: path.clone() },
            _ => Error::io("cannot read the image of a chat turn", &path, e),
        })?;
        let blob = content
            .parts
            .get_mut(part)
            .and_then(|p| p.inline_data.as_mut())
            .ok_or_else(|| Error::CorruptStore(format!("blob entry {b} names no inline part")))?;
        blob.data = base64::engine::general_purpose::STANDARD.encode(&bytes);
    }
    Ok(())
}

/// The user turn as sent: the prompt, then the references in order (images inline, videos as `fileData`
/// whose upload the request stage does).
pub fn user_content(prompt: &str, references: &[crate::references::Loaded]) -> Content {
    let mut parts = vec![Part::text(prompt)];
    parts.extend(references.iter().map(crate::references::Loaded::part));
    Content::user(parts)
}

/// Where in a chat a new turn attaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parent {
    /// After the chat's most recent turn (plain "continue").
    Latest,
    /// After this turn, which must belong to the chat (a branch).
    Turn(String),
    /// As a new first turn, with no history (a branch from the start).
    Start,
}

/// The turn a new turn in `chat_id` continues from (`None`: it is a first turn).
pub fn resolve_parent(store: &Store, chat_id: &str, parent: &Parent) -> Result<Option<String>> {
    let conn = store.conn();
    let exists: bool = conn
        .query_row("SELECT 1 FROM chats WHERE id = ?1", [chat_id], |_| Ok(true))
        .optional()?
        .unwrap_or(false);
    if !exists {
        return Err(Error::NotFound {
            what: "chat",
            id: chat_id.to_string(),
        });
    }
    match parent {
        Parent::Start => Ok(None),
        Parent::Turn(p) => {
            let ok: Option<String> = conn
                .query_row("SELECT id FROM turns WHERE id = ?1 AND chat_id = ?2", [p, chat_id], |r| r.get(0))
                .optional()?;
            ok.map(Some).ok_or_else(|| Error::NotFound { what: "turn", id: format!("{p} (in chat {chat_id})") })
        }
        Parent::Latest => Ok(conn
            .query_row(
                "SELECT id FROM turns WHERE chat_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT 1",
                [chat_id],
                |r| r.get(0),
            )
            .optional()?),
    }
}

/// The history ending with `turn_id` (inclusive), root first, as contents to send: user, model, user, ...
/// It starts at the nearest turn with a context note (where the chat restarted on another model): the turns
/// before it belong to a model whose thought signatures the new one refuses.
pub fn history(store: &Store, turn_id: Option<&str>) -> Result<Vec<Content>> {
    let mut chain: Vec<(String, String, String, Option<String>)> = Vec::new();
    let mut next = turn_id.map(str::to_string);
    {
        let conn = store.conn();
        let mut st = conn.prepare_cached(
            "SELECT CASE WHEN context_note IS NULL THEN parent_turn_id END, prompt, reference_hashes, \
             model_content, model_blobs FROM turns WHERE id = ?1",
        )?;
        while let Some(id) = next.take() {
            if chain.len() > 10_000 {
                return Err(Error::CorruptStore(format!(
                    "turn {id}: parent chain loops"
                )));
            }
            let (parent, prompt, refs, model, blobs): (
                Option<String>,
                String,
                String,
                String,
                Option<String>,
            ) = st
                .query_row([&id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()?
                .ok_or_else(|| Error::NotFound {
                    what: "turn",
                    id: id.clone(),
                })?;
            chain.push((prompt, refs, model, blobs));
            next = parent;
        }
    }
    chain.reverse();
    let mut contents = Vec::with_capacity(chain.len() * 2);
    for (prompt, refs, model, blobs) in chain {
        let hashes: Vec<String> = serde_json::from_str(&refs)
            .map_err(|e| Error::CorruptStore(format!("reference list: {e}")))?;
        let mut loaded = Vec::with_capacity(hashes.len());
        for h in &hashes {
            loaded.push(crate::references::load(store, h)?);
        }
        contents.push(user_content(&prompt, &loaded));
        let mut content = Content::from_json(&model)
            .map_err(|e| Error::CorruptStore(format!("stored model turn: {e}")))?;
        if let Some(blobs) = blobs {
            restore_blobs(store, &mut content, &blobs)?;
        }
        contents.push(content);
    }
    Ok(contents)
}
