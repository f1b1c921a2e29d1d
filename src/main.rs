//! Demo entry: the panic hook, `<auth-widget>` and the demo controls; everything else lives
//! in the library.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    auth_widget::embed::define();
    #[cfg(feature = "demo")]
    auth_widget::demo::mount_controls();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("auth-widget runs in the browser: build it with `make demo`.");
}
