//! Demo entry: the panic hook and the mount; everything else lives in the library.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    auth_widget::components::mount_demo();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("auth-widget runs in the browser: build it with `make demo`.");
}
