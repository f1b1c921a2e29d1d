//! Client-side checks, run on submit only (fields-7): missing fields, an email that
//! cannot be an address, and a sign-up password shorter than the minimum.

use crate::copy::Key;
use crate::form::Mode;
use crate::taxonomy::{Field, FieldError, FieldErrorCode};

/// Longest email address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: u32 = 254;

/// True when `email` looks like an address: text, one `@`, text, a dot in the domain.
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// The problems with a submitted form, email first. Empty when it may be sent.
/// `password` is the password field, or a second step's code field (its only field).
/// The password is checked as typed: spaces and any Unicode count (fields-4, fields-9).
pub fn validate(mode: Mode, email: &str, password: &str, min_password: u32) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let email = email.trim();
    let email_code = if !mode.has_email() {
        None
    } else if email.is_empty() {
        Some(FieldErrorCode::Missing)
    } else if email.chars().count() as u32 > MAX_EMAIL_LEN {
        Some(FieldErrorCode::TooLong)
    } else if !plausible_email(email) {
        Some(FieldErrorCode::Malformed)
    } else {
        None
    };
    if let Some(code) = email_code {
        let max = (code == FieldErrorCode::TooLong).then_some(MAX_EMAIL_LEN);
        errors.push(FieldError {
            field: Field::Email,
            code,
            min: None,
            max,
        });
    }
    if mode.has_code() && password.trim().is_empty() {
        errors.push(FieldError {
            field: Field::Code,
            code: FieldErrorCode::Missing,
            min: None,
            max: None,
        });
    }
    let Some(autocomplete) = mode.password_autocomplete() else {
        return errors;
    };
    if password.is_empty() {
        errors.push(FieldError {
            field: Field::Password,
            code: FieldErrorCode::Missing,
            min: None,
            max: None,
        });
    } else if autocomplete == "new-password" && (password.chars().count() as u32) < min_password {
        errors.push(FieldError {
            field: Field::Password,
            code: FieldErrorCode::TooShort,
            min: Some(min_password),
            max: None,
        });
    }
    errors
}

/// Copy key of a field error's message. An email refused for a reason only passwords have
/// reads as a format problem.
pub fn field_error_key(e: &FieldError) -> Key {
    use FieldErrorCode as C;
    match (e.field, e.code) {
        (Field::Email, C::Missing) => Key::FieldEmailMissing,
        (Field::Email, C::TooLong) => Key::FieldEmailTooLong,
        (Field::Email, C::Malformed | C::TooShort | C::Common | C::ContainsEmail) => {
            Key::FieldEmailMalformed
        }
        (Field::Password, C::Missing) => Key::FieldPasswordMissing,
        (Field::Password, C::Malformed) => Key::FieldPasswordMalformed,
        (Field::Password, C::TooShort) => Key::FieldPasswordTooShort,
        (Field::Password, C::TooLong) => Key::FieldPasswordTooLong,
        (Field::Password, C::Common) => Key::FieldPasswordCommon,
        (Field::Password, C::ContainsEmail) => Key::FieldPasswordContainsEmail,
        (Field::Code, _) => Key::FieldCodeMissing,
    }
}

/// The number a field error's message states (for plurals and `{n}`).
pub fn field_error_number(e: &FieldError) -> Option<u64> {
    e.min.or(e.max).map(u64::from)
}
