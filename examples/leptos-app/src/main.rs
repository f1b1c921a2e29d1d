//! Mounts the example app against the API on the same origin (`/auth`).

#[cfg(target_arch = "wasm32")]
fn main() {
    leptos::mount::mount_to_body(|| leptos::view! { <leptos_app_example::App api_base="/auth" /> });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("This example runs in the browser: build it with trunk.");
}
