//! WebKitGTK settings that must be in the environment before GTK starts.
//!
//! Accelerated compositing is turned off unless the user asks for it (`BANANA_GPU_COMPOSITING=1`) or set
//! `WEBKIT_DISABLE_COMPOSITING_MODE` themselves. The app's pages are a grid of thumbnails and one image:
//! painted directly they scroll at 60 fps and the web process stays near 200 MB, while the composited path,
//! on machines without a usable GPU (software GL, VMs, Xvfb), measured 85-110 ms per frame and 310-380 MB
//! (docs/benchmarks.md, "compositing").

pub fn apply() {
    #[cfg(target_os = "linux")]
    {
        let opted_in = std::env::var("BANANA_GPU_COMPOSITING").is_ok_and(|v| v == "1");
        if !opted_in && std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
            // Runs first thing in main, before any thread exists.
            std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        }
    }
}
