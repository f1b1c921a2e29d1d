//! Prints the OpenAPI 3.1 document of the reference server's API, the machine-readable
//! source of docs/contract.md: `cargo run -p auth-server --example openapi > docs/openapi.json`.

fn main() {
    match auth_server::app::openapi().to_pretty_json() {
        Ok(json) => println!("{json}"),
        Err(e) => {
            eprintln!("openapi: {e}");
            std::process::exit(1);
        }
    }
}
