//! Prints the copy of the embed script's first screen as JSON (see `src/shell.rs`).
//! `scripts/embed.sh` writes it into `dist/embed/auth-widget.js`.

fn main() {
    println!("{}", auth_widget::shell::shell_copy_json());
}
