//! Chats: the list, and one chat's turns (with their branches) for the thread view.

use tauri::State;

use studio_core::{ChatDetail, ChatSummary};

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn chat_list(state: State<'_, AppState>, limit: u32, offset: u32) -> CommandResult<Vec<ChatSummary>> {
    Ok(state.studio().chats().list(limit, offset)?)
}

#[tauri::command]
#[specta::specta]
pub fn chat_show(state: State<'_, AppState>, chat_id: String) -> CommandResult<ChatDetail> {
    Ok(state.studio().chats().show(&chat_id)?)
}
