//! Markov dynamics of a transition matrix.
