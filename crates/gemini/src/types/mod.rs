//! Wire models of the `generateContent` API: the shared [`Content`]/[`Part`], the request, the response.

pub mod content;
pub mod request;
pub mod response;

pub use content::*;
pub use request::*;
pub use response::*;
