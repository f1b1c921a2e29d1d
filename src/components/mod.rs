//! The widget's components. Only this module touches the DOM.

mod banner;
mod events;
mod fields;
mod form_state;
#[cfg(feature = "demo")]
mod gallery;
mod i18n;
mod reactive;
mod signed_in;
mod status;
mod theme;
mod widget;

pub use events::{FailureDetail, OutcomeDetail, SuccessDetail};
#[cfg(feature = "demo")]
pub use gallery::mount_gallery;
pub use i18n::{I18n, Override, Texts};
pub use theme::Theme;
pub use widget::{AuthWidget, DEFAULT_TIMEOUT_MS};
