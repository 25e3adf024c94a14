//! Helpers shared by the integration tests (each test file is its own crate and uses part of
//! them, hence the `dead_code` allowance): [`cli`] runs the `mobility` binary and compares its
//! JSON with the library's, [`inference`] draws the Gaussian samples of the inference tests
//! (also included by `examples/coverage.rs`).
#![allow(dead_code)]

pub mod cli;
pub mod inference;
