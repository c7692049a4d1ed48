//! Generation: validate and estimate before sending, run with progress on a channel, cancel by job id.

use tauri::ipc::Channel;
use tauri::State;

use studio_core::{CostEstimate, GenerateParams, GenerateRequest, GenerationEvent, GenerationResult};

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// Checks parameters and the reference count against the model, without sending anything.
#[tauri::command]
#[specta::specta]
pub async fn validate_params(state: State<'_, AppState>, params: GenerateParams, reference_count: u32) -> CommandResult<()> {
    Ok(state.studio().validate(&params, reference_count as usize)?)
}

/// The expected cost of a request (all variations) before it is sent.
#[tauri::command]
#[specta::specta]
pub fn estimate_cost(state: State<'_, AppState>, params: GenerateParams, reference_count: u32) -> CostEstimate {
    state.studio().estimate_cost_with(&params, reference_count as usize)
}

/// Runs one generation. Progress (retries, thought text, interim thought images by id) streams on
/// `on_event`; the result arrives when everything is saved. `job_id` names the run for `cancel_generation`.
#[tauri::command]
#[specta::specta]
pub async fn generate(
    state: State<'_, AppState>,
    job_id: String,
    request: GenerateRequest,
    on_event: Channel<GenerationEvent>,
) -> CommandResult<GenerationResult> {
    let studio = state.studio();
    let task = tokio::spawn(async move {
        studio
            .generate(request, move |event| {
                // A closed window drops the channel; the generation still completes and is saved.
                let _ = on_event.send(event);
            })
            .await
    });
    if let Ok(mut jobs) = state.jobs.lock() {
        jobs.insert(job_id.clone(), task.abort_handle());
    }
    let outcome = task.await;
    if let Ok(mut jobs) = state.jobs.lock() {
        jobs.remove(&job_id);
    }
    match outcome {
        Ok(result) => Ok(result?),
        Err(e) if e.is_cancelled() => Err(CommandError::new("cancelled", "Generation cancelled. Nothing was saved.")),
        Err(e) => Err(CommandError::new("other", format!("the generation task failed: {e}"))),
    }
}

/// Stops a running generation at once (the connection is dropped; nothing half-done is saved).
#[tauri::command]
#[specta::specta]
pub fn cancel_generation(state: State<'_, AppState>, job_id: String) -> bool {
    let handle = state.jobs.lock().ok().and_then(|mut jobs| jobs.remove(&job_id));
    match handle {
        Some(h) => {
            h.abort();
            true
        }
        None => false,
    }
}
