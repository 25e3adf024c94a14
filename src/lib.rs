//! # mobility
//!
//! Measure social mobility: how a child's place in the income (or any status) distribution
//! depends on the parent's. From paired parent/child status with optional survey weights to the
//! quantile transition matrix, every classic mobility index, Markov dynamics and inference.
//!
//! ## Notation (docs/FORMULAS.md#notation)
//! - Classes `1..k` numbered from the **bottom**; matrices have the **origin (parent) in rows**.
//! - `n_ij` weighted joint counts, `n_i.` row totals, `n` the total;
//!   `P = [p_ij]`, `p_ij = n_ij / n_i.` = P(child in j | parent in i).
//! - `pi`: origin weights for summary measures, parent shares `n_i. / n` by default
//!   ([`Weighting`]).
//! - Tie rules ([`Rule`]): `midrank` (default; Chetty et al. 2014: a unit's rank is the weighted
//!   share below it plus half its tie group, class `ceil(k r)`), and `giddy`, `r-type7`,
//!   `stata-xtile`, which reproduce PySAL giddy, R (mobilityIndexR) and Stata `xtile` exactly,
//!   and `split`, which shares a tie group straddling a class boundary among the classes it
//!   overlaps so every class holds exactly `1/k`. Under the other rules ties share a class; `k`
//!   never shrinks (an empty class is kept and reported).
//!
//! ## The data path
//! ```text
//! CSV / Parquet --io--> status columns (io::csv, io::chunked_csv, io::parquet; stream for
//!                       files larger than memory), k x k tables (io::csv::read_table),
//!                       published place matrices (io::place_matrices)
//!    |
//! status --rank/quantile--> classes --matrix--> counts n_ij --> P --measures--> indices
//!        (Cutoffs: data,                         (mergeable)        (Measures, ClassProfile,
//!         reference, fixed)                                          Spectrum, markov)
//!    |                                                         |
//!    +--rankbased--> rank measures (slope, AUM, tau-b, IGE)    +--inference--> bootstrap
//!    |                                                         |   (resample units/clusters,
//!    +--places--> levelling (one matrix, national classes),    |   re-rank, BCa), analytic
//!         groups (one row per group), report (published places)|   SEs, homogeneity, Altham
//!                                                              v
//!            report::AnalysisReport (matrix report + rank measures + bootstrap)
//!                 --render--> text, and serde JSON for the CLI and Python
//! ```
//! Each step is a type or function you can call on its own: [`rank::fractional_ranks`],
//! [`quantile::Cutoffs`], [`TransitionCounts`], [`TransitionMatrix`], [`measures`], [`markov`],
//! [`rankbased::rank_mobility`], [`inference`], [`places::groups::by_group`],
//! [`places::report::places_report`], [`report::AnalysisReport`], [`render`]. Every measure's name,
//! description and formula is in [`registry`]; the specification is `docs/FORMULAS.md`. The
//! `mobility` tool's commands are library calls too ([`command`]): the binary only parses
//! arguments and prints.
//!
//! ## Example
//! ```
//! use mobility::{ClassSpec, TransitionMatrix, Weighting};
//!
//! // parent and child incomes (any strictly increasing transform gives the same matrix)
//! let parent = [12.0, 25.0, 31.0, 48.0, 52.0, 60.0, 75.0, 90.0, 110.0, 150.0];
//! let child = [15.0, 20.0, 45.0, 30.0, 70.0, 50.0, 65.0, 140.0, 95.0, 120.0];
//! let tm = TransitionMatrix::from_status(&parent, &child, None, &ClassSpec::quantiles(5)).unwrap();
//! let m = tm.measures(&Weighting::ParentShares).unwrap();
//! assert_eq!(m.bottom_persistence, Some(1.0)); // both bottom-quintile children stayed
//! assert!((m.shorrocks_trace.unwrap() - 0.5).abs() < 1e-12);
//!
//! // a published table: Chetty et al. (2014), US national quintiles
//! let us = mobility::published::us_chetty_2014_quintiles();
//! let m = us.measures(&Weighting::ParentShares).unwrap();
//! assert!((m.bottom_to_top.unwrap() - 0.075).abs() < 5e-4); // P(Q5 | Q1) = 7.5%
//! ```
#![deny(missing_docs)]

pub mod binned;
pub mod command;
pub mod error;
pub mod exact;
pub mod inference;
pub mod io;
pub mod limits;
pub mod linalg;
pub mod markov;
pub mod matrix;
pub mod measures;
mod normal;
pub mod panel;
pub mod places;
pub mod progress;
pub mod published;
pub mod quantile;
pub mod rank;
pub mod rankbased;
pub mod ranking;
pub mod registry;
pub mod render;
pub mod report;
pub(crate) mod serde_nd;
pub mod simulate;
pub mod stream;
pub mod weights;

/// The README's Rust example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use error::{MobilityError, Parameter, Result};
pub use matrix::{ClassSpec, TransitionCounts, TransitionMatrix};
pub use measures::{Measures, Weighting};
pub use rank::Rule;
pub use registry::{Measure, RankMeasure};
pub use weights::WeightKind;
