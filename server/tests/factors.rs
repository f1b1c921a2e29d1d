//! One-time codes as a second factor (factors-33 to factors-35): setup, the sign-in's second
//! step, replay, recovery codes, and the pause after wrong codes. Codes are computed here from
//! the enrolled secret, as an authenticator app does.

mod common;

use common::*;
use serde_json::json;
use sqlx::Row;
use totp_rs::{Algorithm, Secret, TOTP};

const PASSWORD: &str = "a long enough passphrase 7";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The code an authenticator app shows for `secret` at `at` (seconds since the epoch).
fn code(secret: &str, at: u64) -> String {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    TOTP::new(Algorithm::SHA1, 6, 0, 30, bytes, None, "x".into())
        .unwrap()
        .generate(at)
}

/// A new account with one-time codes on: its email, secret, recovery codes and the code that
/// confirmed the setup (with the time it was computed for).
async fn enrolled(s: &Server, what: &str) -> (String, String, Vec<String>, (String, u64)) {
    let email = format!("{what}@example.com");
    let a = s.signup(&email, PASSWORD).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let session = a.cookie_token().expect("signed in");
    let setup = s
        .post_with_cookie("/auth/totp/setup", &session, &json!({}))
        .await;
    assert_eq!(setup.status, 200, "{}", setup.text);
    assert_eq!(setup.header("cache-control").as_deref(), Some("no-store"));
    let secret = setup.json()["secret"].as_str().unwrap().to_string();
    let uri = setup.json()["uri"].as_str().unwrap().to_string();
    assert!(
        uri.starts_with("otpauth://totp/") && uri.contains(&format!("secret={secret}")),
        "{uri}"
    );
    // The QR code reads back as the URI, as a phone's camera reads it.
    let svg = setup.json()["qr_svg"].as_str().unwrap().to_string();
    assert_eq!(read_qr(&svg), uri);
    // Until a first code confirms it, the setup asks for nothing at sign-in.
    assert_eq!(s.login(&email, PASSWORD).await.status, 200);

    let wrong = s
        .post_with_cookie("/auth/totp/confirm", &session, &json!({"code": "000000"}))
        .await;
    if wrong.status != 200 {
        wrong.problem(401, "code_invalid");
    }
    let at = now();
    let typed = code(&secret, at);
    let spaced = format!("{} {}", &typed[..3], &typed[3..]);
    let ok = s
        .post_with_cookie("/auth/totp/confirm", &session, &json!({"code": spaced}))
        .await;
    assert_eq!(ok.status, 200, "a pasted code with a space: {}", ok.text);
    let codes: Vec<String> = ok.json()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10, "factors-34: ten recovery codes");
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 10, "all different");
    let again = s
        .post_with_cookie("/auth/totp/setup", &session, &json!({}))
        .await;
    again.problem(403, "forbidden");
    (email, secret, codes, (typed, at))
}

/// Draws the SVG of a QR code (as the server renders it: a white `rect` and one black `path`
/// of `M{x} {y}h{w}v{h}H{x}V{y}` rectangles) onto a grey image and decodes the code from the
/// pixels. Panics when the document is not of that form, has no quiet zone or does not decode.
fn read_qr(svg: &str) -> String {
    assert!(
        svg.starts_with("<svg "),
        "an SVG element, nothing before: {svg:.80}"
    );
    assert!(svg.ends_with("</svg>"));
    assert!(
        svg.contains(&format!(
            "<title>{}</title>",
            auth_server::factors::QR_TITLE
        )),
        "a title for screen readers"
    );
    for outside in ["href", "<script", "<image", "url(", "<?xml"] {
        assert!(
            !svg.contains(outside),
            "nothing external or active: {outside}"
        );
    }
    let attr = |name: &str| -> String {
        let start = svg.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
        svg[start..][..svg[start..].find('"').unwrap()].to_string()
    };
    let view: Vec<usize> = attr("viewBox")
        .split(' ')
        .map(|n| n.parse().unwrap())
        .collect();
    let (w, h) = (view[2], view[3]);
    assert_eq!(view[..2], [0, 0]);
    assert!(w >= 200 && w == h, "square, at least 200 units: {w}x{h}");
    assert!(svg.contains(&format!(
        r##"<rect x="0" y="0" width="{w}" height="{h}" fill="#fff"/>"##
    )));
    let d_start = svg
        .find(r##"<path fill="#000" d=""##)
        .expect("one black path")
        + 21;
    let d = &svg[d_start..][..svg[d_start..].find('"').unwrap()];
    let mut pixels = vec![255u8; w * h];
    for rect in d.split('M').filter(|r| !r.is_empty()) {
        let nums: Vec<usize> = rect
            .split(|c: char| c == ' ' || c.is_ascii_alphabetic())
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().unwrap())
            .collect();
        let [x, y, rw, rh, x2, y2] = nums[..] else {
            panic!("not a rectangle: {rect}")
        };
        assert_eq!((x, y), (x2, y2), "{rect}");
        for row in y..y + rh {
            pixels[row * w + x..row * w + x + rw].fill(0);
        }
    }
    // The quiet zone: four modules (of at least one unit each) of white all round.
    let module = (0..w)
        .find(|&i| pixels[i * w + i] == 0)
        .expect("a finder pattern")
        / 4;
    assert!(module >= 1);
    assert!(
        pixels[..4 * module * w].iter().all(|&p| p == 255),
        "quiet zone"
    );
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("the QR code decodes").1
}

/// Signs in with the password: the second step's token (and no session).
async fn step(s: &Server, email: &str) -> String {
    let a = s.login(email, PASSWORD).await;
    assert_eq!(a.status, 202, "{}", a.text);
    assert!(
        a.cookie_token().is_none(),
        "never a session before the code"
    );
    assert_eq!(a.json()["next"], "second_factor");
    assert_eq!(a.json()["methods"], json!(["totp", "recovery_code"]));
    a.json()["step"].as_str().unwrap().to_string()
}

async fn second(s: &Server, step: &str, code: &str) -> Answer {
    s.post_json(
        "/auth/login/second-factor",
        &json!({"step": step, "code": code}),
    )
    .await
}

#[tokio::test]
async fn factors_33_a_code_signs_in_once_and_a_replayed_code_is_refused() {
    let s = server(&[]).await;
    let (email, secret, _, (confirmed, at)) = enrolled(&s, "totp-replay").await;

    // The code that confirmed the setup has been used: it cannot sign in too.
    let first = step(&s, &email).await;
    second(&s, &first, &confirmed)
        .await
        .problem(401, "code_used");

    // The next step's code (a clock a little ahead is within the window) signs in once.
    let next = code(&secret, at + 30);
    let signed_in = second(&s, &first, &next).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    let token = signed_in.cookie_token().expect("a session");
    assert_eq!(s.session_with_cookie(&token).await.status, 200);
    assert_eq!(signed_in.json()["user"]["email"], email.as_str());

    // The step token is single use, and the code cannot be replayed with a new step.
    second(&s, &first, &next).await.problem(410, "step_expired");
    let again = step(&s, &email).await;
    second(&s, &again, &next).await.problem(401, "code_used");
    // A code from outside the window (two steps old) does not match.
    second(&s, &again, &code(&secret, at - 90))
        .await
        .problem(401, "code_invalid");
    second(&s, &"ab".repeat(32), &next)
        .await
        .problem(410, "step_expired");
    // A step past its lifetime is over too, whatever the code.
    let late = step(&s, &email).await;
    sqlx::query("UPDATE login_steps SET expires_at = 0 WHERE used_at IS NULL")
        .execute(&s.running.state.db)
        .await
        .unwrap();
    second(&s, &late, &code(&secret, at + 60))
        .await
        .problem(410, "step_expired");
}

#[tokio::test]
async fn factors_34_recovery_codes_work_once_and_are_stored_hashed() {
    let s = server(&[]).await;
    let (email, _, codes, _) = enrolled(&s, "totp-recovery").await;
    // Typed in capitals with spaces instead of dashes: the same code.
    let typed = codes[3].replace('-', " ").to_uppercase();
    let first = step(&s, &email).await;
    let ok = second(&s, &first, &typed).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let again = step(&s, &email).await;
    second(&s, &again, &codes[3])
        .await
        .problem(401, "code_invalid");
    let other = second(&s, &again, &codes[4]).await;
    assert_eq!(other.status, 200, "another recovery code still works");

    let rows = sqlx::query("SELECT code_hash FROM recovery_codes")
        .fetch_all(&s.running.state.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 10);
    for row in rows {
        let stored: String = row.try_get("code_hash").unwrap();
        assert_eq!(stored.len(), 64, "a SHA-256 hash");
        for c in &codes {
            assert!(
                !stored.contains(&c.replace('-', "")),
                "a code stored as it is"
            );
        }
    }
}

#[tokio::test]
async fn factors_35_wrong_codes_pause_codes_with_a_wait_even_for_the_right_one() {
    let s = server(&["--rate-limit-per-minute", "0"]).await;
    let (email, secret, _, _) = enrolled(&s, "totp-pause").await;
    let st = step(&s, &email).await;
    // Four wrong codes in a row are answered as wrong; the fifth starts a pause (the right
    // code that confirmed the setup cleared the wrong one before it).
    for _ in 0..4 {
        second(&s, &st, "123456").await.problem(401, "code_invalid");
    }
    let paused = second(&s, &st, "654321").await;
    paused.problem(429, "codes_paused");
    let wait: u64 = paused.header("retry-after").unwrap().parse().unwrap();
    assert!((25..=30).contains(&wait), "a first pause of 30 s: {wait}");
    second(&s, &st, &code(&secret, now() + 30))
        .await
        .problem(429, "codes_paused");
    // An operator's unlock (`PUT /_admin/users {"unlock": true}`) lets codes in again.
    let unlock = s
        .admin_put("/_admin/users", &json!({"email": email, "unlock": true}))
        .await;
    assert_eq!(unlock.status, 200, "{}", unlock.text);
    let ok = second(&s, &st, &code(&secret, now() + 30)).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
}

#[test]
fn pauses_grow_to_fifteen_minutes_and_stop_for_good_at_a_hundred() {
    use auth_server::factors::{MAX_FAILURES, pause_secs};
    assert_eq!(pause_secs(4), 0);
    assert_eq!(pause_secs(5), 30);
    assert_eq!(pause_secs(6), 60);
    assert_eq!(pause_secs(9), 480);
    assert_eq!(pause_secs(10), 900);
    assert_eq!(pause_secs(99), 900);
    assert!(pause_secs(MAX_FAILURES) > 10 * 365 * 86_400);
}

#[test]
fn the_qr_code_is_the_same_for_the_same_uri_and_grows_with_it() {
    use auth_server::factors::qr_svg;
    let uri =
        "otpauth://totp/auth-widget:a%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=auth-widget";
    let svg = qr_svg(uri).unwrap();
    assert_eq!(svg, qr_svg(uri).unwrap(), "deterministic");
    assert_eq!(read_qr(&svg), uri);
    let long = format!("{uri}&{}", "x".repeat(200));
    let bigger = qr_svg(&long).unwrap();
    assert_eq!(read_qr(&bigger), long);
    assert!(bigger.len() > svg.len(), "more data, more modules");
    // An answer stays small: the QR code of a real setup is a few kilobytes.
    assert!(svg.len() < 16 * 1024, "{} bytes", svg.len());
}

#[test]
fn pasted_codes_lose_their_spaces_and_dashes() {
    use auth_server::factors::normalize;
    assert_eq!(normalize(" 123 456\t"), "123456");
    assert_eq!(normalize("ABCD-EFGH-2345"), "abcdefgh2345");
}

/// The demo's second account asks for a code from the published demo secret after its password.
#[tokio::test]
async fn the_seeded_codes_account_asks_for_a_code_from_the_demo_secret() {
    use auth_server::{DEMO_CODES_EMAIL, DEMO_CODES_SECRET};
    let s = server(&[]).await;
    let a = s.login(DEMO_CODES_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(a.status, 202, "{}", a.text);
    assert!(
        a.cookie_token().is_none(),
        "never a session before the code"
    );
    let step = a.json()["step"].as_str().unwrap().to_string();
    let wrong = second(&s, &step, "000000").await;
    if code(DEMO_CODES_SECRET, now()) != "000000" {
        wrong.problem(401, "code_invalid");
    }
    let ok = second(&s, &step, &code(DEMO_CODES_SECRET, now())).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json()["user"]["email"], DEMO_CODES_EMAIL);
    // The first demo account still signs in with its password alone.
    assert_eq!(s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status, 200);
}
