//! A real SMTP server on loopback for browser tests and local runs: every message it receives
//! is written to DIR as `<n>.eml` (the raw message). Prints its address (`127.0.0.1:PORT`) on
//! stdout, then runs until killed.
//!
//! ```sh
//! cargo run -p auth-server --example smtp_sink -- DIR [PORT]
//! auth-server --smtp-url smtp://127.0.0.1:PORT --mail-from 'Demo <no-reply@example.com>' ...
//! ```
//!
//! A test reads the newest file in DIR and takes the token from the link's `#auth-reset=` or
//! `#auth-verify=` fragment (the body may be quoted-printable: join `=`-ended lines first).

#[path = "../tests/support/smtp_sink.rs"]
mod smtp_sink;

use std::io::Write;
use std::time::Duration;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: smtp_sink DIR [PORT]");
        return std::process::ExitCode::FAILURE;
    };
    let port = match args.next().map(|p| p.parse::<u16>()) {
        None => 0,
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            eprintln!("smtp_sink: bad port: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match smtp_sink::start(std::path::Path::new(&dir), port, Duration::ZERO) {
        Ok(sink) => {
            println!("{}", sink.addr);
            let _ = std::io::stdout().flush();
            loop {
                std::thread::park();
            }
        }
        Err(e) => {
            eprintln!("smtp_sink: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
