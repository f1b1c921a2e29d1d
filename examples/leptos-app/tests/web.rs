//! The example app in a real browser: the component's callbacks reach the app.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos_app_example::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn sleep_ms(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

async fn wait_for(root: &web_sys::HtmlElement, selector: &str) -> web_sys::Element {
    for _ in 0..500 {
        if let Some(el) = root.query_selector(selector).unwrap() {
            return el;
        }
        sleep_ms(20).await;
    }
    panic!("timed out waiting for {selector}");
}

fn type_into(root: &web_sys::HtmlElement, selector: &str, text: &str) {
    let input: web_sys::HtmlInputElement = root
        .query_selector(selector)
        .unwrap()
        .unwrap()
        .unchecked_into();
    input.set_value(text);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn the_app_hears_failure_and_success_through_component_callbacks() {
    let Some(api) = option_env!("AUTH_TEST_API") else {
        panic!("AUTH_TEST_API is set by scripts/browser-tests.sh");
    };
    let root: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&root).unwrap();
    let api_base = format!("{api}/auth");
    let _handle =
        leptos::mount::mount_to(root.clone(), move || view! { <App api_base=api_base /> });

    wait_for(&root, "input[name=email]").await;
    type_into(&root, "input[name=email]", "demo@example.com");
    type_into(&root, "input[name=password]", "not it");
    root.query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    wait_for(&root, "[data-failures='1']").await;

    type_into(
        &root,
        "input[name=password]",
        "correct horse battery staple",
    );
    root.query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    let welcome = wait_for(&root, ".app__welcome").await;
    assert_eq!(welcome.text_content().unwrap(), "Welcome, demo@example.com");
    assert!(
        root.query_selector("input[name=password]")
            .unwrap()
            .is_none(),
        "the widget is gone once signed in"
    );
    root.remove();
}
