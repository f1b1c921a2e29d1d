//! Fuzzes the whole response path: any status, headers and body through `classify` and
//! `guide` must give exactly one outcome without panicking, and a 5xx must never become a
//! credentials message.
#![no_main]

use auth_widget::guidance::{GuideOptions, guide};
use auth_widget::taxonomy::{FailureKind, Flow, Response, Transport, classify};
use libfuzzer_sys::fuzz_target;

const FLOWS: [Flow; Flow::ALL.len()] = Flow::ALL;
const TYPES: [&str; 4] = [
    "application/problem+json",
    "application/json",
    "text/html",
    "",
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let flow = FLOWS[data[0] as usize % FLOWS.len()];
    let status = u16::from_le_bytes([data[1], data[2]]);
    let mut headers = vec![(
        "content-type".to_string(),
        TYPES[data[3] as usize % 4].to_string(),
    )];
    let rest = &data[4..];
    // An optional Retry-After header taken from the first line of the rest.
    let body = match rest.iter().position(|b| *b == b'\n') {
        Some(i) if data[3] & 0x80 != 0 => {
            headers.push((
                "Retry-After".to_string(),
                String::from_utf8_lossy(&rest[..i]).into_owned(),
            ));
            &rest[i + 1..]
        }
        _ => rest,
    };
    let response = Response {
        status,
        headers: &headers,
        body,
        now_unix: 1_700_000_000,
    };
    match classify(flow, Transport::Response(response)) {
        Ok(_) => assert!((200..300).contains(&status)),
        Err(failure) => {
            let g = guide(
                flow,
                &failure,
                GuideOptions {
                    enumeration_safe: data[3] & 1 == 0,
                },
            );
            if status >= 500 {
                assert_ne!(failure.kind, FailureKind::InvalidCredentials);
                assert!(!g.words.blame_details());
            }
        }
    }
});
