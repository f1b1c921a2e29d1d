//! The contract is defined once (the `auth-contract` crate) and documented by the OpenAPI
//! document in docs/openapi.json: the server's own document must match both.

use auth_contract::{Call, Code};

fn committed() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_committed_openapi_document_is_the_one_the_server_serves() {
    let served = auth_server::app::openapi()
        .to_pretty_json()
        .expect("OpenAPI JSON");
    assert!(
        committed().trim_end() == served.trim_end(),
        "docs/openapi.json is out of date: run \
         `cargo run -p auth-server --example openapi > docs/openapi.json`"
    );
}

#[test]
fn every_call_of_the_contract_is_in_the_openapi_document_with_its_method() {
    let doc: serde_json::Value = serde_json::from_str(&committed()).expect("JSON");
    for call in Call::ALL {
        let path = format!("/auth/{}", call.path());
        let method = call.method().to_ascii_lowercase();
        assert!(
            doc["paths"][&path][&method].is_object(),
            "{} {path} is not documented",
            call.method()
        );
    }
}

#[test]
fn every_code_of_the_contract_has_its_status_on_the_server() {
    for code in Code::ALL {
        let server = auth_server::problem::Code::parse(code.as_str()).expect("a server code");
        assert_eq!(server.status().as_u16(), code.status(), "{}", code.as_str());
    }
}
