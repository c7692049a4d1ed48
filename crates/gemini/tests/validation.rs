//! Each validation rule of the fake (which mirrors Google's): the request is refused and the client
//! surfaces the API's own message in the right variant, without retrying.

mod common;

use common::*;
use gemini::{Error, GenerateContentRequest, GenerationConfig, ImageConfig, Part, Tool};

async fn refused(model: &str, req: &GenerateContentRequest) -> String {
    let fake = fake_with_flash_25().await;
    let client = client_for(&fake);
    let notices = Notices::default();
    let err = client
        .generate_content(model, req, &notices.callback())
        .await
        .unwrap_err();
    assert!(notices.list().is_empty(), "a 400 is never retried");
    assert_eq!(fake.requests().len(), 1);
    match err {
        Error::InvalidArgument { message } => message,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

fn with_image_config(ratio: Option<&str>, size: Option<&str>) -> GenerateContentRequest {
    let mut req = image_request("a banana");
    req.generation_config = Some(GenerationConfig {
        image_config: Some(ImageConfig {
            aspect_ratio: ratio.map(Into::into),
            image_size: size.map(Into::into),
            ..Default::default()
        }),
        ..Default::default()
    });
    req
}

#[tokio::test]
async fn lower_case_image_size_is_refused_with_the_api_message() {
    let msg = refused(FLASH, &with_image_config(Some("1:1"), Some("1k"))).await;
    assert!(msg.contains("\"1k\"") && msg.contains("1K"), "{msg}");
}

#[tokio::test]
async fn size_512_only_exists_on_flash_31() {
    let msg = refused(PRO, &with_image_config(None, Some("512"))).await;
    assert!(msg.contains("512"), "{msg}");
}

#[tokio::test]
async fn image_size_is_refused_on_flash_25() {
    let msg = refused(FLASH_25, &with_image_config(None, Some("1K"))).await;
    assert!(
        msg.to_lowercase().contains("image_size") || msg.contains("imageSize"),
        "{msg}"
    );
}

#[tokio::test]
async fn a_ratio_the_model_lacks_is_refused() {
    let msg = refused(PRO, &with_image_config(Some("1:8"), Some("1K"))).await;
    assert!(msg.contains("1:8"), "{msg}");
}

#[tokio::test]
async fn too_many_input_images_are_refused() {
    let img = png(8, 8);
    let mut parts = vec![Part::text("combine these")];
    parts.extend((0..15).map(|_| Part::inline_bytes("image/png", &img)));
    let msg = refused(FLASH, &GenerateContentRequest::new(parts)).await;
    assert!(msg.contains("Too many input images"), "{msg}");
}

#[tokio::test]
async fn image_search_is_refused_on_pro() {
    let mut req = with_image_config(None, Some("1K"));
    req.tools = Some(vec![Tool::google_search_with(true, true)]);
    let msg = refused(PRO, &req).await;
    assert!(msg.contains("Image search is not supported"), "{msg}");
}

#[tokio::test]
async fn two_candidates_are_refused() {
    let mut req = image_request("a banana");
    req.generation_config.as_mut().unwrap().candidate_count = Some(2);
    let msg = refused(FLASH, &req).await;
    assert!(msg.contains("Multiple candidates is not enabled"), "{msg}");
}

#[tokio::test]
async fn unsupported_mime_type_is_refused() {
    let req = GenerateContentRequest::new([
        Part::text("what is this"),
        Part::inline_bytes("image/gif", b"GIF89a"),
    ]);
    let msg = refused(FLASH, &req).await;
    assert!(msg.contains("Unsupported MIME type"), "{msg}");
}

#[tokio::test]
async fn unknown_fields_are_refused() {
    let mut req = image_request("a banana");
    req.extra.insert("notAField".into(), serde_json::json!(1));
    let msg = refused(FLASH, &req).await;
    assert!(msg.contains("notAField"), "{msg}");
}

#[tokio::test]
async fn wrong_key_is_invalid_key_and_never_retried() {
    let fake = fake().await;
    let client = client_with(&fake, "not-the-key", fast_retry());
    let notices = Notices::default();
    let err = client
        .generate_content(FLASH, &image_request("a banana"), &notices.callback())
        .await
        .unwrap_err();
    assert_eq!(err, Error::InvalidKey);
    assert!(err.to_string().contains("Settings"));
    assert!(notices.list().is_empty());
    assert_eq!(fake.requests().len(), 1);
    assert_eq!(
        client.get_model(FLASH).await.unwrap_err(),
        Error::InvalidKey,
        "models.get checks a key"
    );
}

#[tokio::test]
async fn unknown_model_is_not_found() {
    let fake = fake().await;
    let client = client_for(&fake);
    let err = client
        .generate_content("gemini-0-nothing", &image_request("x"), &no_retry_cb())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn retired_and_restricted_models_are_not_found_and_permission_denied() {
    let fake = fake().await;
    let client = client_for(&fake);
    let notices = Notices::default();
    let err = client
        .generate_content(RETIRED, &image_request("x"), &notices.callback())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { message } if message.contains(RETIRED)),
        "{err:?}"
    );
    assert!(matches!(
        client.get_model(RETIRED).await,
        Err(Error::NotFound { .. })
    ));
    let mut req = image_request("x");
    req.generation_config.as_mut().unwrap().image_config = None;
    let err = client
        .generate_content(FLASH_25, &req, &notices.callback())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PermissionDenied { .. }), "{err:?}");
    assert!(notices.list().is_empty(), "a 403 or 404 is never retried");
}
