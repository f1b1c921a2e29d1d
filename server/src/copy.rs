//! Live copy for designers: `GET /copy/{locale}.json` reads `--locales-dir/{locale}.toml` on
//! every request and answers it as the flat JSON the widget's `copy-url` takes, so an edit
//! to a locale file shows after a reload, with no rebuild.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::problem::{Code, Problem};
use crate::state::Shared;

use auth_contract::locale_file;

/// The locale file as flat JSON: dotted keys; a plural is an object of its forms.
pub fn to_json(table: &toml::Table) -> Map<String, Value> {
    let mut out = Map::new();
    locale_file::walk(table, &mut |key, item| match item {
        locale_file::Item::Text(s) => {
            out.insert(key, Value::String(s.to_string()));
        }
        locale_file::Item::Plural(forms) => {
            let forms = forms
                .into_iter()
                .filter_map(|(c, t)| Some((c.to_string(), Value::String(t?.to_string()))))
                .collect();
            out.insert(key, Value::Object(forms));
        }
        locale_file::Item::Invalid => {}
    });
    out
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
    let mut r = Value::Object(to_json(&table)).to_string().into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
