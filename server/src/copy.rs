//! Live copy for designers: `GET /copy/{locale}.json` reads `--locales-dir/{locale}.toml` on
//! every request and answers it as the flat JSON the widget's `copy-url` takes, so an edit
//! to a locale file shows after a reload, with no rebuild.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::app::Shared;
use crate::problem::{Code, Problem};

/// Flattens nested TOML tables into dotted keys; a table of plural categories stays an object.
pub fn flatten(prefix: &str, table: &toml::Table, out: &mut Map<String, Value>) {
    const PLURALS: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, Value::String(s.clone()));
            }
            toml::Value::Table(t) if t.keys().all(|c| PLURALS.contains(&c.as_str())) => {
                let forms = t
                    .iter()
                    .filter_map(|(c, v)| Some((c.clone(), Value::String(v.as_str()?.to_string()))))
                    .collect();
                out.insert(key, Value::Object(forms));
            }
            toml::Value::Table(t) => flatten(&key, t, out),
            _ => {}
        }
    }
}

pub async fn locale_json(State(s): State<Shared>, Path(file): Path<String>) -> Response {
    let Some(dir) = &s.cfg.locales_dir else {
        return Problem::new(Code::NotFound).into_response();
    };
    let Some(locale) = file.strip_suffix(".json").filter(|l| {
        !l.is_empty() && l.len() <= 16 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    }) else {
        return Problem::new(Code::NotFound).into_response();
    };
    let text = match tokio::fs::read_to_string(dir.join(format!("{locale}.toml"))).await {
        Ok(t) => t,
        Err(_) => return Problem::new(Code::NotFound).into_response(),
    };
    let table: toml::Table = match toml::from_str(&text) {
        Ok(t) => t,
        Err(e) => {
            let detail = format!("{locale}.toml is not valid TOML: {e}");
            return Problem::new(Code::InternalError)
                .detail(detail)
                .into_response();
        }
    };
    let mut out = Map::new();
    flatten("", &table, &mut out);
    let mut r = Value::Object(out).to_string().into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
