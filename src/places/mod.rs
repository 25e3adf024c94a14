//! Places and groups against the national distribution: levelling up and social mobility, one
//! row per group of microdata or per published place matrix.
//!
//! ```text
//! one matrix over national classes --levelling--> shares, T = S + E, levelling-up score,
//!                                                  downward fall, access to the top
//! microdata + a group column ------groups------> one row per group: matrix, measures, rank
//!   (national cut-offs, ranks, medians)            measures, Levelling, downward fall
//! published place matrices --------report------> places ranked on levelling up and on
//!   (crate::io::place_matrices)                    mobility, and the places that do well on
//!                                                  one and badly on the other
//! ```
//!
//! [`levelling`] measures one matrix and depends on nothing else here; [`groups`] and
//! [`report`] build on it. The inference for groups is [`crate::inference::places_bootstrap`];
//! honest rankings of places are [`crate::ranking`]; the text renderers are
//! [`crate::render::places`].

pub mod groups;
pub mod levelling;
pub mod report;
