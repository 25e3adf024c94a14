//! Plain-text renderings of the library's outputs, for a terminal (at most 100 columns).
//!
//! Every text the `mobility` tool prints is built here from a serde output type
//! ([`crate::report`], [`crate::places::groups::GroupTable`], [`crate::places::report::PlacesReport`]), so the
//! examples and other frontends print the same: [`text`] renders a matrix [`Report`], [`analysis`]
//! the rank measures and the bootstrap of an [`AnalysisReport`], [`places`] group and place tables.
//! [`html`] writes the shareable one-file HTML report of an analysis; [`demo`] is the quickstart
//! demonstration (`mobility demo`).
//!
//! [`Report`]: crate::report::Report
//! [`AnalysisReport`]: crate::report::AnalysisReport

pub mod analysis;
pub mod demo;
pub mod html;
pub mod panel;
pub mod places;
pub mod text;
