//! The `yui` binary's subcommands, one module each (declared by `main.rs`, not by the library).

pub mod admin;
pub mod seed_demo;
pub mod solve;
