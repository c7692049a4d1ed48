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

/// Runs one generation. The first event on `on_event` is `accepted` with the job id the backend minted for
/// it (what `cancel_generation` takes); then progress (retries, thought text, interim thought images by id);
/// the result arrives when everything is saved. A cancel before the save begins ends with the error kind
/// `cancelled` and nothing saved; one after it (`saving` was sent) ends with the result, all saved, and
/// `cancel_too_late` set.
#[tauri::command]
#[specta::specta]
pub async fn generate(
    state: State<'_, AppState>,
    request: GenerateRequest,
    on_event: Channel<GenerationEvent>,
) -> CommandResult<GenerationResult> {
    let studio = state.studio();
    let (job_id, cancel) = state.jobs.start();
    let _ = on_event.send(GenerationEvent::Accepted { job_id: job_id.clone() });
    // Its own task, so a closed window (which drops the channel, and maybe this future) does not stop the
    // generation: it still completes and is saved. It is never aborted: cancelling goes through the token.
    let task = tokio::spawn(async move {
        studio
            .generate_cancellable(request, &cancel, move |event| {
                let _ = on_event.send(event);
            })
            .await
    });
    let outcome = task.await;
    state.jobs.finish(&job_id);
    match outcome {
        Ok(result) => Ok(result?),
        Err(e) => Err(CommandError::new("other", format!("the generation task failed: {e}"))),
    }
}

/// Asks a running generation to stop: before its save begins the connection is dropped and nothing is
/// saved; once the save has begun it completes (see `generate`). `false` when no job has that id.
#[tauri::command]
#[specta::specta]
pub fn cancel_generation(state: State<'_, AppState>, job_id: String) -> bool {
    state.jobs.cancel(&job_id)
}
