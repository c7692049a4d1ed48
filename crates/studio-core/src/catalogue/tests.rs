use super::*;

fn listed(id: &str) -> gemini::ModelInfo {
    gemini::ModelInfo {
        name: format!("models/{id}"),
        display_name: Some(format!("Display {id}")),
        supported_generation_methods: vec!["generateContent".into(), "batchGenerateContent".into()],
        thinking: Some(true),
        ..Default::default()
    }
}

fn today() -> Vec<gemini::ModelInfo> {
    [
        "gemini-nano-banana-2.1",
        "gemini-3-pro-image",
        "gemini-3.1-flash-lite-image",
        "gemini-3.1-flash-image",
        "gemini-2.5-flash",
    ]
    .into_iter()
    .map(listed)
    .collect()
}

#[test]
fn bundled_serves_alone_and_says_so() {
    let c = Catalogue::bundled_because("offline");
    assert_eq!(c.source, CatalogueSource::Bundled);
    assert!(c.note.starts_with("offline: showing the model list bundled"), "{}", c.note);
    assert!(c.models.iter().all(|m| m.availability == Availability::Unchecked));
    assert_eq!(c.default_model().unwrap().id, DEFAULT_MODEL);
    assert_eq!(c.inline_limit_bytes, 100_000_000);
}

#[test]
fn the_listing_decides_what_this_key_can_call() {
    let c = Catalogue::from_listing(&today(), "2026-12-02T10:00:00Z");
    assert_eq!(c.source, CatalogueSource::Live);
    assert_eq!(c.models[0].id, DEFAULT_MODEL);
    let b = c.find("gemini-2.5-flash-image").unwrap();
    assert_eq!(b.availability, Availability::Unavailable);
    assert!(b.note.as_deref().unwrap().contains("projects that used it before"));
    assert_eq!(c.models.last().unwrap().id, "gemini-2.5-flash-image", "closed models go last");
    assert!(c.find("gemini-2.5-flash").is_none(), "text models are not offered");
    let e = c.resolve("gemini-2.5-flash-image").unwrap_err();
    assert_eq!(e.kind(), "model_unavailable");
    assert!(e.to_string().contains("use Nano Banana 2 Lite"), "{e}");
    assert!(e.is_invalid_input());
}

#[test]
fn a_new_model_is_offered_with_its_familys_limits() {
    let mut l = today();
    let mut new = listed("gemini-nano-banana-2.2");
    new.description = Some("Newer".into());
    l.push(new);
    let mut odd = listed("gemini-4-image-experimental");
    odd.thinking = Some(false);
    odd.supported_generation_methods = vec!["generateContent".into()];
    l.push(odd);
    let c = Catalogue::from_listing(&l, "t");
    let m = c.find("gemini-nano-banana-2.2").unwrap();
    assert_eq!(m.status, ModelStatus::New);
    assert_eq!(m.name, "Display gemini-nano-banana-2.2");
    assert_eq!(m.image_sizes, ["1K", "2K", "4K"]);
    assert_eq!(m.search_types, [crate::SearchType::Web], "image search is not assumed");
    assert!(m.batch && !m.video_input);
    assert!(c.resolve("gemini-nano-banana-2.2").is_ok());
    // Not in any family: the generic conservative limits; thinking off as its metadata says.
    let g = c.find("gemini-4-image-experimental").unwrap();
    assert!(g.image_sizes.is_empty() && g.thinking_levels.is_empty() && !g.thinks);
    assert_eq!(g.max_reference_images, 3);
    assert!(!g.batch);
    assert_eq!(c.models.iter().filter(|m| m.is_default).count(), 1);
}

#[test]
fn retired_ids_move_to_their_successors_with_a_notice() {
    let c = Catalogue::from_listing(&today(), "t");
    let r = c.resolve("gemini-3.1-flash-image-preview").unwrap();
    assert_eq!(r.caps.id, "gemini-nano-banana-2.1");
    assert_eq!(
        r.notice.unwrap(),
        "Google retired gemini-3.1-flash-image-preview on 2026-06-25; Nano Banana 2.1 (gemini-nano-banana-2.1) replaces it, so this request uses it"
    );
    assert_eq!(c.current_id("gemini-3-pro-image-preview"), "gemini-3-pro-image");
    assert_eq!(c.current_id("gemini-3-pro-image"), "gemini-3-pro-image");
}

#[test]
fn a_404_retires_a_model_and_names_its_successor() {
    let mut c = Catalogue::from_listing(&today(), "t");
    let r = c.mark_retired("gemini-3.1-flash-image");
    assert_eq!(r.successor, "gemini-nano-banana-2.1", "the data file's successor");
    assert!(c.find("gemini-3.1-flash-image").is_none());
    assert_eq!(c.current_id("gemini-3.1-flash-image"), "gemini-nano-banana-2.1");
    // A model the file never knew retires into its family.
    let mut l = today();
    l.push(listed("gemini-3.5-pro-image"));
    let mut c = Catalogue::from_listing(&l, "t");
    assert_eq!(c.mark_retired("gemini-3.5-pro-image").successor, "gemini-3-pro-image");
    // When the successor itself goes, the chain follows to one that is offered.
    let r = c.mark_retired("gemini-3-pro-image");
    assert_eq!(r.successor, DEFAULT_MODEL);
    assert_eq!(c.current_id("gemini-3-pro-image-preview"), DEFAULT_MODEL);
    assert_eq!(c.current_id("gemini-3.5-pro-image"), DEFAULT_MODEL);
}

#[test]
fn when_the_default_is_gone_the_first_usable_model_is_default() {
    let l: Vec<_> = ["gemini-3-pro-image"].into_iter().map(listed).collect();
    let c = Catalogue::from_listing(&l, "t");
    let d = c.default_model().unwrap();
    assert_eq!(d.id, "gemini-3-pro-image");
    assert!(d.is_default);
    assert_eq!(c.models.iter().filter(|m| m.is_default).count(), 1);
    // The retired preview of 2.1 now lands on what is offered.
    assert_eq!(c.current_id("gemini-3.1-flash-image-preview"), "gemini-3-pro-image");
}

#[test]
fn a_deprecated_model_google_stops_listing_retires_into_its_successor() {
    let l: Vec<_> = today().into_iter().filter(|m| m.id() != "gemini-3.1-flash-image").collect();
    let c = Catalogue::from_listing(&l, "t");
    assert!(c.find("gemini-3.1-flash-image").is_none());
    let r = c.resolve("gemini-3.1-flash-image").unwrap();
    assert_eq!(r.caps.id, "gemini-nano-banana-2.1");
    assert!(r.notice.unwrap().starts_with("Google retired gemini-3.1-flash-image;"));
}

#[test]
fn a_retired_id_google_lists_again_is_served() {
    let mut l = today();
    l.push(listed("gemini-3-pro-image-preview"));
    let c = Catalogue::from_listing(&l, "t");
    let r = c.resolve("gemini-3-pro-image-preview").unwrap();
    assert_eq!(r.caps.id, "gemini-3-pro-image-preview");
    assert!(r.notice.is_none());
    assert_eq!(r.caps.status, ModelStatus::New);
}
