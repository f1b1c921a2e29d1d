//! Demo entry: the panic hook, `<auth-widget>` and the demo controls; everything else lives
//! in the library.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    #[cfg(feature = "demo")]
    {
        let path = leptos::prelude::window()
            .location()
            .pathname()
            .unwrap_or_default();
        if path.ends_with("/gallery.html") {
            auth_widget::components::mount_gallery();
            return;
        }
    }
    auth_widget::embed::define();
    #[cfg(feature = "demo")]
    auth_widget::demo::mount_controls();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("auth-widget runs in the browser: build it with `make demo`.");
}
