//! Chats: the list, and one chat's turns (with their branches) for the thread view. Both read the store off
//! the main thread.

use tauri::State;

use studio_core::{ChatDetail, ChatSummary};

use crate::error::{blocking, CommandResult};
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn chat_list(state: State<'_, AppState>, limit: u32, offset: u32) -> CommandResult<Vec<ChatSummary>> {
    let studio = state.studio();
    blocking(move || studio.chats().list(limit, offset)).await
}

#[tauri::command]
#[specta::specta]
pub async fn chat_show(state: State<'_, AppState>, chat_id: String) -> CommandResult<ChatDetail> {
    let studio = state.studio();
    blocking(move || studio.chats().show(&chat_id)).await
}
