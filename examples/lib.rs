//! Nothing but examples: `cargo run --example tv` runs the demo (see `Cargo.toml`).
