//! Helpers shared by the integration tests (each test file is its own crate and uses part of
//! them, hence the `dead_code` allowance): [`cli`] runs the `mobility` binary and compares its
//! JSON with the library's; [`figures`] holds published figures several tests check; [`pool`] runs code on a pool of a given size; [`samples`] simulates the samples of the inference and rank tests
//! (also included by path in `examples/coverage.rs` and the benches).
#![allow(dead_code)]

pub mod cli;
pub mod figures;
pub mod pool;
pub mod samples;
