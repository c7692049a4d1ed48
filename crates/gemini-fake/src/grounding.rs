//! `groundingMetadata` for requests with the `google_search` tool: deterministic sources on example
//! domains, supports pointing into the answer text, the queries, and the required search chip.

use serde_json::{json, Value};

fn slug(prompt: &str) -> String {
    let s: String = prompt
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s: Vec<&str> = s.split('-').filter(|w| !w.is_empty()).take(6).collect();
    if s.is_empty() {
        "image".into()
    } else {
        s.join("-")
    }
}

/// The metadata for `prompt`; `answer` is the text part the supports point into (byte offsets, as Google
/// counts them), if the answer has one.
pub fn metadata(prompt: &str, answer: Option<&str>, web: bool, image: bool) -> Value {
    let slug = slug(prompt);
    let query = prompt
        .split_whitespace()
        .take(8)
        .collect::<Vec<_>>()
        .join(" ");
    let mut chunks = Vec::new();
    if web {
        for (domain, kind, title) in [
            ("example.com", "guide", "A visual guide"),
            ("example.org", "reference", "Reference notes"),
        ] {
            chunks.push(json!({"web": {
                "uri": format!("https://{domain}/{kind}/{slug}"),
                "title": format!("{title}: {query}"),
                "domain": domain
            }}));
        }
    }
    if image {
        chunks.push(json!({"image": {
            "sourceUri": format!("https://example.net/gallery/{slug}"),
            "imageUri": format!("https://images.example.net/{slug}.jpg"),
            "title": format!("Photo of {}", slug.replace('-', " ")),
            "domain": "example.net"
        }}));
    }
    let mut supports = Vec::new();
    if let Some(text) = answer.filter(|t| !t.is_empty()) {
        let end = text.find(". ").map(|i| i + 1).unwrap_or(text.len());
        supports.push(json!({
            "segment": {"startIndex": 0, "endIndex": end, "text": &text[..end]},
            "groundingChunkIndices": (0..chunks.len()).collect::<Vec<_>>()
        }));
    }
    let chip = format!(
        "<style>.container{{align-items:center;border-radius:8px;display:flex;font-family:Google Sans,Roboto,sans-serif;\
         font-size:14px;line-height:20px;padding:8px 12px;}}.chip{{display:inline-block;border:solid 1px;border-radius:16px;\
         min-width:14px;padding:5px 16px;text-align:center;user-select:none;margin:0 8px;}}.carousel{{overflow:auto;\
         scrollbar-width:none;white-space:nowrap;margin-right:-12px;}}@media (prefers-color-scheme:light){{.container{{\
         background-color:#fafafa;box-shadow:0 0 0 1px #0000000f inset;}}.chip{{background-color:#ffffff;border-color:#d2d2d2;\
         color:#5e5e5e;text-decoration:none;}}}}@media (prefers-color-scheme:dark){{.container{{background-color:#1f1f1f;\
         box-shadow:0 0 0 1px #ffffff26 inset;}}.chip{{background-color:#2c2c2c;border-color:#3c4043;color:#fff;\
         text-decoration:none;}}}}</style><div class=\"container\"><div class=\"headline\">Google Search</div>\
         <div class=\"carousel\"><a class=\"chip\" href=\"https://www.google.com/search?q={}\">{}</a></div></div>",
        query.replace(' ', "+").replace('"', "%22").replace('<', "%3C"),
        query.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;")
    );
    let mut meta = json!({
        "searchEntryPoint": {"renderedContent": chip},
        "groundingChunks": chunks,
        "groundingSupports": supports,
        "webSearchQueries": if web { vec![query.clone()] } else { vec![] },
    });
    if image {
        meta["imageSearchQueries"] = json!([format!("{query} photo")]);
    }
    meta
}
