//! Markov dynamics of a transition matrix: long-run shares, multi-generation projections,
//! first passage times and the speed of convergence.
//!
//! All functions take a row-stochastic `P` (origin in rows, classes numbered from the bottom) as
//! `&ArrayRef2<f64>`, so an owned [`ndarray::Array2`] or a view can be passed with `&p`. They
//! validate it with [`check_stochastic`]: square, `k >= 2`, entries finite and `>= 0`, every row
//! summing to 1 within `1e-9`. A row of zeros (a class with no observations) is rejected with an
//! error naming the row, since the chain's next step from that class is not defined.
//!
//! Class indices in this module are **0-based** (`0` is the bottom class, `k - 1` the top), as in
//! ndarray. Reachability uses the pattern of strictly positive entries: `i -> j` when `p_ij > 0`.
//!
//! Reducible chains (several closed classes, transient classes, an absorbing class) are handled
//! throughout: nothing panics and nothing returns NaN; quantities that do not exist are errors
//! ([`stationary_distribution`] when it is not unique) or infinities (first passage times to
//! classes that may never be reached).

use std::collections::VecDeque;

use ndarray::{Array1, Array2, ArrayRef2};
use serde::{Deserialize, Serialize};

use crate::error::{MobilityError, Result, check_k};
use crate::linalg::{self, Complex};

/// Tolerance on row sums of a stochastic matrix.
const ROW_SUM_TOLERANCE: f64 = 1e-9;

/// Checks that `p` is a row-stochastic matrix with at least 2 classes; returns `k`.
///
/// # Formula
/// ```text
/// P is k x k, k >= 2;  p_ij finite and >= 0;  |sum_j p_ij - 1| <= 1e-9 for every row i
/// ```
///
/// # Errors
/// [`MobilityError::NotSquare`], [`MobilityError::TooFewClasses`],
/// [`MobilityError::InvalidEntry`] (negative, NaN or infinite entry; 1-based row and column),
/// [`MobilityError::Undefined`] for a row of zeros (a class with no observations, named by its
/// 1-based row), [`MobilityError::RowSum`] for any other row that does not sum to 1.
///
/// # Complexity
/// O(k^2).
///
/// # Example
/// ```
/// use mobility::markov::check_stochastic;
/// use ndarray::array;
/// assert_eq!(check_stochastic(&array![[0.5, 0.5], [0.1, 0.9]]).unwrap(), 2);
/// let err = check_stochastic(&array![[0.5, 0.5], [0.0, 0.0]]).unwrap_err();
/// assert!(err.to_string().contains("row 2"));
/// ```
pub fn check_stochastic(p: &ArrayRef2<f64>) -> Result<usize> {
    let (rows, cols) = p.dim();
    if rows != cols {
        return Err(MobilityError::NotSquare {
            what: "transition matrix".into(),
            rows,
            cols,
        });
    }
    check_k(rows)?;
    if let Some(((r, c), &value)) = p.indexed_iter().find(|(_, v)| !v.is_finite() || **v < 0.0) {
        return Err(MobilityError::InvalidEntry {
            what: "transition matrix".into(),
            row: r + 1,
            col: c + 1,
            value,
        });
    }
    for (i, row) in p.rows().into_iter().enumerate() {
        let sum: f64 = row.sum();
        if sum == 0.0 {
            return Err(MobilityError::Undefined {
                what: format!("the next step from class {}", i + 1),
                reason: format!(
                    "row {} of the transition matrix is all zeros (a class with no \
                     observations); Markov dynamics need every row to sum to 1 (drop or merge \
                     the empty class)",
                    i + 1
                ),
            });
        }
        if (sum - 1.0).abs() > ROW_SUM_TOLERANCE {
            return Err(MobilityError::RowSum {
                row: i + 1,
                sum,
                tolerance: ROW_SUM_TOLERANCE,
            });
        }
    }
    Ok(rows)
}

/// Successor lists of the transition graph (`i -> j` iff `p_ij > 0`).
fn successors(p: &ArrayRef2<f64>) -> Vec<Vec<usize>> {
    p.rows()
        .into_iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .filter(|(_, v)| **v > 0.0)
                .map(|(j, _)| j)
                .collect()
        })
        .collect()
}

/// Predecessor lists of the transition graph.
fn predecessors(succ: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut pred = vec![Vec::new(); succ.len()];
    for (i, s) in succ.iter().enumerate() {
        for &j in s {
            pred[j].push(i);
        }
    }
    pred
}

/// `reach[i][j]`: j can be reached from i in zero or more steps.
fn reachability(succ: &[Vec<usize>]) -> Vec<Vec<bool>> {
    let k = succ.len();
    let mut reach = vec![vec![false; k]; k];
    for (start, r) in reach.iter_mut().enumerate() {
        let mut queue = VecDeque::from([start]);
        r[start] = true;
        while let Some(u) = queue.pop_front() {
            for &v in &succ[u] {
                if !r[v] {
                    r[v] = true;
                    queue.push_back(v);
                }
            }
        }
    }
    reach
}

/// Communicating classes from a validated matrix, ordered by their smallest member.
fn classes_of(succ: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let k = succ.len();
    let reach = reachability(succ);
    let mut assigned = vec![false; k];
    let mut classes = Vec::new();
    for i in 0..k {
        if assigned[i] {
            continue;
        }
        let class: Vec<usize> = (i..k).filter(|&j| reach[i][j] && reach[j][i]).collect();
        for &j in &class {
            assigned[j] = true;
        }
        classes.push(class);
    }
    classes
}

fn is_closed(class: &[usize], succ: &[Vec<usize>]) -> bool {
    class
        .iter()
        .all(|&i| succ[i].iter().all(|j| class.binary_search(j).is_ok()))
}

/// The communicating classes of the chain: maximal sets of classes that reach each other.
///
/// Each set is sorted; the sets are ordered by their smallest member. Indices are 0-based.
///
/// # Formula
/// ```text
/// i <-> j  iff  (P^n)_ij > 0 for some n >= 0 and (P^m)_ji > 0 for some m >= 0
/// ```
///
/// # Errors
/// As [`check_stochastic`].
///
/// # Complexity
/// O(k^3) time (a breadth-first search from every class), O(k^2) memory.
///
/// # Source
/// Kemeny & Snell (1960), *Finite Markov Chains*, ch. 2.
///
/// # Example
/// ```
/// use mobility::markov::communicating_classes;
/// use ndarray::array;
/// // Class 0 leaks into the closed pair {1, 2}.
/// let p = array![[0.5, 0.5, 0.0], [0.0, 0.3, 0.7], [0.0, 0.6, 0.4]];
/// assert_eq!(communicating_classes(&p).unwrap(), vec![vec![0], vec![1, 2]]);
/// ```
pub fn communicating_classes(p: &ArrayRef2<f64>) -> Result<Vec<Vec<usize>>> {
    check_stochastic(p)?;
    Ok(classes_of(&successors(p)))
}

/// The closed (recurrent) communicating classes: those the chain never leaves once inside.
///
/// Each set is sorted; the sets are ordered by their smallest member. Indices are 0-based. An
/// irreducible chain has one closed class holding every state; each closed class carries one
/// stationary distribution (see [`stationary_distributions`]).
///
/// # Formula
/// ```text
/// C closed  iff  p_ij = 0 for all i in C, j not in C
/// ```
///
/// # Errors
/// As [`check_stochastic`].
///
/// # Complexity
/// O(k^3) time, O(k^2) memory.
///
/// # Source
/// Kemeny & Snell (1960), *Finite Markov Chains*, ch. 2.
///
/// # Example
/// ```
/// use mobility::markov::closed_classes;
/// use ndarray::array;
/// let p = array![[0.5, 0.5, 0.0], [0.0, 0.3, 0.7], [0.0, 0.6, 0.4]];
/// assert_eq!(closed_classes(&p).unwrap(), vec![vec![1, 2]]);
/// // The identity: every class is absorbing.
/// let id = ndarray::Array2::<f64>::eye(3);
/// assert_eq!(closed_classes(&id).unwrap(), vec![vec![0], vec![1], vec![2]]);
/// ```
pub fn closed_classes(p: &ArrayRef2<f64>) -> Result<Vec<Vec<usize>>> {
    check_stochastic(p)?;
    let succ = successors(p);
    Ok(classes_of(&succ)
        .into_iter()
        .filter(|c| is_closed(c, &succ))
        .collect())
}

/// GTH on an irreducible stochastic block (rows sum to 1 up to rounding).
fn gth(mut a: Array2<f64>) -> Result<Array1<f64>> {
    let n = a.nrows();
    for m in (1..n).rev() {
        let s: f64 = (0..m).map(|j| a[[m, j]]).sum();
        if s <= 0.0 || !s.is_finite() {
            return Err(MobilityError::Undefined {
                what: "stationary distribution".into(),
                reason: "the elimination met a state that cannot be left (internal error: the \
                         block is not irreducible)"
                    .into(),
            });
        }
        for i in 0..m {
            a[[i, m]] /= s;
        }
        for i in 0..m {
            let aim = a[[i, m]];
            if aim != 0.0 {
                for j in 0..m {
                    a[[i, j]] += aim * a[[m, j]];
                }
            }
        }
    }
    let mut x = Array1::zeros(n);
    x[0] = 1.0;
    for j in 1..n {
        x[j] = (0..j).map(|i| x[i] * a[[i, j]]).sum();
    }
    let total = x.sum();
    Ok(x / total)
}

/// Stationary distribution of the closed class `class`, embedded in a length-k vector.
fn stationary_on(p: &ArrayRef2<f64>, class: &[usize]) -> Result<Array1<f64>> {
    let k = p.nrows();
    let block = Array2::from_shape_fn((class.len(), class.len()), |(a, b)| p[[class[a], class[b]]]);
    let x = gth(block)?;
    let mut pi = Array1::zeros(k);
    for (a, &i) in class.iter().enumerate() {
        pi[i] = x[a];
    }
    Ok(pi)
}

/// The unique stationary distribution `pi*` of the chain (the long-run class shares).
///
/// Computed by the GTH algorithm on the chain's single closed class, with zeros on transient
/// classes. GTH eliminates states one at a time and uses only additions, multiplications and
/// divisions of non-negative numbers (the diagonal is never used, `1 - p_ii` is never formed), so
/// it is accurate to rounding even for nearly decomposable chains where solving `pi (I - P) = 0`
/// loses digits.
///
/// # Formula
/// ```text
/// pi* P = pi*,  sum_i pi*_i = 1,  pi*_i >= 0
/// GTH: for m = k-1 down to 1:  s = sum_{j<m} p_mj;  p_im /= s (i < m);  p_ij += p_im p_mj (i, j < m)
///      x_0 = 1;  x_j = sum_{i<j} x_i p_ij;  pi* = x / sum x
/// ```
///
/// # Errors
/// As [`check_stochastic`]; [`MobilityError::Undefined`] when the chain has more than one closed
/// class (the stationary distribution is then not unique: use [`stationary_distributions`]).
///
/// # Complexity
/// O(k^3) time, O(k^2) memory.
///
/// # Source
/// Grassmann, Taksar & Heyman (1985), "Regenerative analysis and steady state distributions for
/// Markov chains", *Operations Research* 33(5). Example numbers: PySAL giddy `Markov.steady_state`
/// on US state incomes (Rey et al.).
///
/// # Example
/// ```
/// use mobility::markov::stationary_distribution;
/// use ndarray::{array, Axis};
/// // giddy's US state per-capita income quintile transitions, 1929-2009 (counts).
/// let counts = array![
///     [729.0, 71.0, 1.0, 0.0, 0.0],
///     [72.0, 567.0, 80.0, 3.0, 0.0],
///     [0.0, 81.0, 631.0, 86.0, 2.0],
///     [0.0, 3.0, 86.0, 573.0, 56.0],
///     [0.0, 0.0, 1.0, 57.0, 741.0],
/// ];
/// let p = &counts / &counts.sum_axis(Axis(1)).insert_axis(Axis(1));
/// let pi = stationary_distribution(&p).unwrap();
/// let giddy = [0.20774716, 0.18725774, 0.20740537, 0.18821787, 0.20937187];
/// for (a, b) in pi.iter().zip(giddy) {
///     assert!((a - b).abs() < 1e-8);
/// }
/// ```
pub fn stationary_distribution(p: &ArrayRef2<f64>) -> Result<Array1<f64>> {
    let closed = closed_classes(p)?;
    if closed.len() != 1 {
        let list: Vec<String> = closed
            .iter()
            .map(|c| {
                let one_based: Vec<String> = c.iter().map(|i| (i + 1).to_string()).collect();
                format!("{{{}}}", one_based.join(", "))
            })
            .collect();
        return Err(MobilityError::Undefined {
            what: "the stationary distribution".into(),
            reason: format!(
                "it is not unique: the chain has {} closed classes (1-based: {}); use \
                 stationary_distributions for one distribution per closed class",
                closed.len(),
                list.join(", ")
            ),
        });
    }
    stationary_on(p, &closed[0])
}

/// One stationary distribution per closed class, in the order of [`closed_classes`].
///
/// Each is zero outside its closed class and sums to 1; every stationary distribution of the
/// chain is a mixture of these. For an irreducible chain the result holds the single `pi*` of
/// [`stationary_distribution`].
///
/// # Formula
/// ```text
/// for each closed class C:  pi^C P = pi^C,  pi^C_i = 0 for i not in C,  sum pi^C = 1
/// (GTH on the block P[C, C])
/// ```
///
/// # Errors
/// As [`check_stochastic`].
///
/// # Complexity
/// O(k^3) time, O(k^2) memory.
///
/// # Source
/// Grassmann, Taksar & Heyman (1985); Kemeny & Snell (1960), ch. 4.
///
/// # Example
/// ```
/// use mobility::markov::stationary_distributions;
/// use ndarray::array;
/// // Classes 0 and 2 are absorbing; class 1 is transient.
/// let p = array![[1.0, 0.0, 0.0], [0.3, 0.4, 0.3], [0.0, 0.0, 1.0]];
/// let all = stationary_distributions(&p).unwrap();
/// assert_eq!(all, vec![array![1.0, 0.0, 0.0], array![0.0, 0.0, 1.0]]);
/// ```
pub fn stationary_distributions(p: &ArrayRef2<f64>) -> Result<Vec<Array1<f64>>> {
    closed_classes(p)?
        .iter()
        .map(|c| stationary_on(p, c))
        .collect()
}

/// The n-step transition matrix `P^n` (multi-generation projection; grandchildren: `n = 2`).
///
/// # Formula
/// ```text
/// P^0 = I;  P^n = P^(n/2) P^(n/2) (n even),  P^n = P P^(n-1) (n odd)
/// (P^n)_ij = P(descendant n generations on is in class j | ancestor in class i)
/// ```
///
/// # Errors
/// As [`check_stochastic`].
///
/// # Complexity
/// O(k^3 log n) time (repeated squaring), O(k^2) memory.
///
/// # Source
/// Kemeny & Snell (1960), ch. 2; Prais (1955).
///
/// # Example
/// ```
/// use mobility::markov::matrix_power;
/// use ndarray::array;
/// let p = array![[0.8, 0.2], [0.4, 0.6]];
/// let p2 = matrix_power(&p, 2).unwrap();
/// assert!((p2[[0, 0]] - 0.72).abs() < 1e-15); // 0.8 * 0.8 + 0.2 * 0.4
/// ```
pub fn matrix_power(p: &ArrayRef2<f64>, n: u32) -> Result<Array2<f64>> {
    let k = check_stochastic(p)?;
    let mut result = Array2::<f64>::eye(k);
    let mut base = p.to_owned();
    let mut e = n;
    while e > 0 {
        if e & 1 == 1 {
            result = result.dot(&base);
        }
        e >>= 1;
        if e > 0 {
            base = base.dot(&base);
        }
    }
    Ok(result)
}

/// Expected number of steps to first enter `target` from every state (0 on `target` itself),
/// `f64::INFINITY` where the target is reached with probability below 1.
fn hitting_times(p: &ArrayRef2<f64>, succ: &[Vec<usize>], target: &[bool]) -> Result<Vec<f64>> {
    let k = succ.len();
    let pred = predecessors(succ);
    // States (outside the target) that can reach the target.
    let mut reaches = target.to_vec();
    let mut queue: VecDeque<usize> = (0..k).filter(|&i| target[i]).collect();
    while let Some(v) = queue.pop_front() {
        for &u in &pred[v] {
            if !reaches[u] {
                reaches[u] = true;
                queue.push_back(u);
            }
        }
    }
    // States that may, with positive probability, get stuck where the target is out of reach.
    let mut bad: Vec<bool> = (0..k).map(|i| !reaches[i]).collect();
    let mut queue: VecDeque<usize> = (0..k).filter(|&i| bad[i]).collect();
    while let Some(v) = queue.pop_front() {
        for &u in &pred[v] {
            if !target[u] && !bad[u] {
                bad[u] = true;
                queue.push_back(u);
            }
        }
    }
    let good: Vec<usize> = (0..k).filter(|&i| !target[i] && !bad[i]).collect();
    let mut h: Vec<f64> = (0..k)
        .map(|i| if target[i] { 0.0 } else { f64::INFINITY })
        .collect();
    if !good.is_empty() {
        let n = good.len();
        let a = Array2::from_shape_fn((n, n), |(r, c)| {
            let id = if r == c { 1.0 } else { 0.0 };
            id - p[[good[r], good[c]]]
        });
        let x = linalg::solve(a.view(), Array1::ones(n).view()).map_err(|e| {
            MobilityError::Undefined {
                what: "expected hitting times".into(),
                reason: format!("the linear system could not be solved accurately ({e})"),
            }
        })?;
        for (r, &i) in good.iter().enumerate() {
            h[i] = x[r];
        }
    }
    Ok(h)
}

/// Mean first passage times `m_ij`: the expected number of generations to first reach class `j`
/// from class `i`; the diagonal is the mean return time.
///
/// For an irreducible chain this matches PySAL giddy's `mfpt` (diagonal `1 / pi*_i`). Unlike
/// giddy it never fails on reducible chains: `m_ij = f64::INFINITY` when `j` cannot be reached
/// from `i`, or is reached with probability below 1 (the expectation is then infinite); the
/// diagonal is infinite for transient classes and `1 / pi_i` (with `pi` the stationary
/// distribution of the closed class of `i`) for recurrent ones.
///
/// # Formula
/// ```text
/// m_ij = 1 + sum_{l != j} p_il m_lj          (i != j; solved as (I - P_{-j}) m_.j = 1 on the
///                                             states that reach j with probability 1)
/// m_jj = 1 + sum_{l != j} p_jl m_lj = 1 / pi*_j   (Kac's formula, recurrent j)
/// ```
///
/// # Errors
/// As [`check_stochastic`]; [`MobilityError::Undefined`] if a linear system is singular to
/// working precision (a chain within rounding of a reducible one).
///
/// # Complexity
/// O(k^4) time in the worst case (one O(k^3) solve per target class), O(k^2) memory.
///
/// # Source
/// Kemeny & Snell (1960), *Finite Markov Chains*, ch. 4.4; PySAL giddy `ergodic.mfpt`.
///
/// # Example
/// ```
/// use mobility::markov::mean_first_passage_times;
/// use ndarray::array;
/// let p = array![[0.9, 0.1], [0.3, 0.7]];
/// let m = mean_first_passage_times(&p).unwrap();
/// assert!((m[[0, 1]] - 10.0).abs() < 1e-12); // 1 / p_12
/// assert!((m[[1, 0]] - 1.0 / 0.3).abs() < 1e-12);
/// assert!((m[[0, 0]] - 4.0 / 3.0).abs() < 1e-12); // 1 / pi*_1, pi* = (3/4, 1/4)
/// // The identity: no class ever reaches another.
/// let m = mean_first_passage_times(&ndarray::Array2::<f64>::eye(2)).unwrap();
/// assert_eq!(m, array![[1.0, f64::INFINITY], [f64::INFINITY, 1.0]]);
/// ```
pub fn mean_first_passage_times(p: &ArrayRef2<f64>) -> Result<Array2<f64>> {
    let k = check_stochastic(p)?;
    let succ = successors(p);
    let mut m = Array2::zeros((k, k));
    let mut target = vec![false; k];
    for j in 0..k {
        target[j] = true;
        let h = hitting_times(p, &succ, &target).map_err(|e| match e {
            MobilityError::Undefined { reason, .. } => MobilityError::Undefined {
                what: format!("the mean first passage times to class {}", j + 1),
                reason,
            },
            other => other,
        })?;
        target[j] = false;
        for i in 0..k {
            m[[i, j]] = h[i];
        }
        let mut ret = 1.0;
        for &l in &succ[j] {
            if l != j {
                ret += p[[j, l]] * h[l];
            }
        }
        m[[j, j]] = ret;
    }
    Ok(m)
}

/// Expected stay in each class: the expected number of consecutive generations a dynasty spends
/// in class `i` (counting the current one) before first leaving it (giddy `sojourn_time`).
///
/// `1 - p_ii` is computed as the sum of the off-diagonal entries of row `i` (no cancellation);
/// the stay is `f64::INFINITY` when the class is absorbing (`p_ii = 1`). `expected_stay(p)[0]` is
/// the expected number of generations in the bottom class (the OECD's "sticky floor" in time).
///
/// # Formula
/// ```text
/// stay_i = 1 / (1 - p_ii) = 1 / sum_{j != i} p_ij      (geometric number of generations)
/// ```
///
/// # Errors
/// As [`check_stochastic`].
///
/// # Complexity
/// O(k^2).
///
/// # Source
/// Kemeny & Snell (1960); PySAL giddy `sojourn_time`; OECD (2018), *A Broken Social Elevator?*.
///
/// # Example
/// ```
/// use mobility::markov::expected_stay;
/// use ndarray::array;
/// let s = expected_stay(&array![[0.75, 0.25], [0.0, 1.0]]).unwrap();
/// assert_eq!(s, array![4.0, f64::INFINITY]);
/// ```
pub fn expected_stay(p: &ArrayRef2<f64>) -> Result<Array1<f64>> {
    check_stochastic(p)?;
    Ok(Array1::from_iter(p.rows().into_iter().enumerate().map(
        |(i, row)| {
            let leave: f64 = row
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, v)| *v)
                .sum();
            if leave > 0.0 {
                1.0 / leave
            } else {
                f64::INFINITY
            }
        },
    )))
}

/// Expected number of generations before a dynasty starting in class `i` first leaves the set of
/// classes `states` (e.g. `&[0]` the bottom class, `&[0, 1]` the bottom two quintiles).
///
/// Entry `i` counts the generations spent in the set, the current one included: `0` for classes
/// outside the set, `1 / (1 - p_ii)` for a one-class set (as [`expected_stay`]), and
/// `f64::INFINITY` where the dynasty may stay in the set for ever (it can reach a closed part of
/// the set).
///
/// # Formula
/// ```text
/// S = states;  t_S = (I - P[S, S])^-1 1   on the classes of S that leave S with probability 1
/// t_i = 0 for i not in S;  t_i = infinity if P(ever leaving S | start in i) < 1
/// ```
///
/// # Errors
/// As [`check_stochastic`]; [`MobilityError::InvalidParameter`] when `states` is empty or holds an
/// index `>= k` (indices are 0-based); [`MobilityError::Undefined`] if the linear system is
/// singular to working precision.
///
/// # Complexity
/// O(k^3) time, O(k^2) memory.
///
/// # Source
/// Kemeny & Snell (1960), ch. 3 (absorbing chains, fundamental matrix `N = (I - Q)^-1`).
///
/// # Example
/// ```
/// use mobility::markov::expected_time_to_exit;
/// use ndarray::array;
/// let p = array![[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6]];
/// let bottom = expected_time_to_exit(&p, &[0]).unwrap();
/// assert!((bottom[0] - 2.5).abs() < 1e-12); // 1 / (1 - 0.6)
/// assert_eq!(bottom[1], 0.0);
/// // Leaving the bottom two classes: t = (I - Q)^-1 1 with Q = [[0.6, 0.3], [0.2, 0.5]].
/// let t = expected_time_to_exit(&p, &[0, 1]).unwrap();
/// assert!((t[0] - 0.8 / 0.14).abs() < 1e-12 && (t[1] - 0.6 / 0.14).abs() < 1e-12);
/// ```
pub fn expected_time_to_exit(p: &ArrayRef2<f64>, states: &[usize]) -> Result<Array1<f64>> {
    let k = check_stochastic(p)?;
    if states.is_empty() {
        return Err(MobilityError::invalid(
            crate::error::Parameter::States,
            "the set of classes to leave is empty",
        ));
    }
    if let Some(&bad) = states.iter().find(|&&s| s >= k) {
        return Err(MobilityError::invalid(
            crate::error::Parameter::States,
            format!("class index {bad} is out of range 0..{k} (indices are 0-based)"),
        ));
    }
    let mut target = vec![true; k];
    for &s in states {
        target[s] = false;
    }
    let h = hitting_times(p, &successors(p), &target).map_err(|e| match e {
        MobilityError::Undefined { reason, .. } => MobilityError::Undefined {
            what: "the expected time to exit".into(),
            reason,
        },
        other => other,
    })?;
    Ok(Array1::from(h))
}

/// `|lambda_2|` of a validated stochastic matrix, with the unit-modulus case decided exactly.
///
/// The eigenvalues of `P` are those of its communicating classes' blocks: a transient class's
/// block is substochastic and irreducible (spectral radius below 1), a closed class's block
/// stochastic, with eigenvalues on the unit circle exactly its period's roots of unity (Perron-
/// Frobenius). So `|lambda_2| = 1` exactly when there are two or more closed classes or a
/// closed class has period above 1; this is read off the zero pattern, and 1.0 returned. In
/// every other case `|lambda_2| < 1` is proven, so the solver's modulus is capped at the largest
/// double below 1 (rounding can push it to or above 1).
///
/// ```text
/// |lambda_2| = 1  iff  #closed classes >= 2  or  some closed class has period d > 1
/// ```
pub(crate) fn second_modulus(p: &ArrayRef2<f64>, lambda2: Complex) -> f64 {
    let succ = successors(p);
    let closed: Vec<Vec<usize>> = classes_of(&succ)
        .into_iter()
        .filter(|c| is_closed(c, &succ))
        .collect();
    if closed.len() >= 2 || closed.iter().any(|c| period(c, &succ) > 1) {
        1.0
    } else {
        lambda2.modulus().min(1.0 - f64::EPSILON / 2.0)
    }
}

/// Period of a closed communicating class: the gcd of `level(u) + 1 - level(v)` over its edges,
/// with breadth-first levels from its first member.
fn period(class: &[usize], succ: &[Vec<usize>]) -> usize {
    let mut level = vec![usize::MAX; succ.len()];
    level[class[0]] = 0;
    let mut queue = VecDeque::from([class[0]]);
    while let Some(u) = queue.pop_front() {
        for &v in &succ[u] {
            if level[v] == usize::MAX {
                level[v] = level[u] + 1;
                queue.push_back(v);
            }
        }
    }
    let gcd = |mut a: usize, mut b: usize| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    class.iter().fold(0, |g, &u| {
        succ[u]
            .iter()
            .fold(g, |g, &v| gcd(g, (level[u] + 1).abs_diff(level[v])))
    })
}

/// Speed of convergence of the chain to its long-run distribution, from the second eigenvalue.
///
/// Produced by [`convergence`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Convergence {
    /// `lambda_2`, the eigenvalue of second-largest modulus (may be complex: oscillating decay).
    pub lambda2: Complex,
    /// `|lambda_2|`, the factor by which the distance to the long-run distribution shrinks per
    /// step of the matrix (capped at 1).
    pub lambda2_modulus: f64,
    /// Steps of the matrix (generations, for a parent-child matrix) for that distance to halve:
    /// `ln(1/2) / ln |lambda_2|`; infinity when `|lambda_2| = 1`, 0 when it is 0.
    pub half_life: f64,
    /// Length of one step in years, when given.
    pub period_years: Option<f64>,
    /// `|lambda_2|^(1/s)` with `s = period_years`: the per-year factor, comparable across
    /// matrices that span different numbers of years.
    pub lambda2_modulus_per_year: Option<f64>,
    /// `half_life * s`: the half-life in years.
    pub half_life_years: Option<f64>,
}

/// The second eigenvalue of `P` and the half-life of the distance to the stationary distribution.
///
/// `|P^n - 1 pi*|` decays like `|lambda_2|^n`, so the gap to the long-run distribution halves
/// every `ln(1/2) / ln |lambda_2|` steps. For an s-year matrix (e.g. a 5-year panel, or a
/// 30-year generation) `|lambda_2|^(1/s)` puts matrices of different spans on a yearly scale.
/// A chain with several closed classes, or a periodic one, has `|lambda_2| = 1` and never
/// converges (infinite half-life, JSON `null`). That case is decided from the transition graph
/// (which `p_ij` are zero), not from the eigenvalue solver, whose rounding gives e.g.
/// `0.9999999999999993` for a cyclic permutation.
///
/// # Formula
/// ```text
/// |lambda_1| = 1 >= |lambda_2| >= ...
/// half_life = ln(1/2) / ln |lambda_2|        (inf if |lambda_2| = 1, 0 if |lambda_2| = 0)
/// per year  = |lambda_2|^(1/s),  half_life_years = s * half_life
/// ```
///
/// # Errors
/// As [`check_stochastic`]; [`MobilityError::InvalidParameter`] when `period_years` is not a
/// finite positive number; [`MobilityError::Undefined`] if the eigenvalue iteration fails.
///
/// # Complexity
/// O(k^3).
///
/// # Source
/// Sommers & Conlisk (1979), "Eigenvalue immobility measures for Markov chains", *Journal of
/// Mathematical Sociology* 6; Shorrocks (1978).
///
/// # Example
/// ```
/// use mobility::markov::convergence;
/// use ndarray::array;
/// // Eigenvalues 1 and 0.5: the gap halves every generation.
/// let c = convergence(&array![[0.75, 0.25], [0.25, 0.75]], Some(30.0)).unwrap();
/// assert!((c.lambda2_modulus - 0.5).abs() < 1e-12);
/// assert!((c.half_life - 1.0).abs() < 1e-9);
/// assert!((c.half_life_years.unwrap() - 30.0).abs() < 1e-7);
/// ```
pub fn convergence(p: &ArrayRef2<f64>, period_years: Option<f64>) -> Result<Convergence> {
    check_stochastic(p)?;
    if let Some(s) = period_years
        && !(s.is_finite() && s > 0.0)
    {
        return Err(MobilityError::invalid(
            crate::error::Parameter::PeriodYears,
            format!("must be a finite number of years > 0, got {s}"),
        ));
    }
    let ev = linalg::eigenvalues(p.view())?;
    let lambda2 = ev[1];
    let modulus = second_modulus(p, lambda2);
    let half_life = if modulus >= 1.0 {
        f64::INFINITY
    } else if modulus == 0.0 {
        0.0
    } else {
        0.5f64.ln() / modulus.ln()
    };
    Ok(Convergence {
        lambda2,
        lambda2_modulus: modulus,
        half_life,
        period_years,
        lambda2_modulus_per_year: period_years.map(|s| modulus.powf(1.0 / s)),
        half_life_years: period_years.map(|s| half_life * s),
    })
}

/// Result of [`generations_to_mean`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationsToMean {
    /// `n*`: the number of generations until the log gap to the mean is at most the tolerance.
    pub generations: u64,
    /// The intergenerational elasticity used.
    pub beta: f64,
    /// The income ratio to the mean used (e.g. bottom decile mean over overall mean).
    pub ratio: f64,
    /// The tolerance `eps` on the absolute log gap.
    pub tolerance: f64,
    /// `ln(ratio)`, the log gap today.
    pub initial_log_gap: f64,
    /// `beta^n* ln(ratio)`, the log gap after `n*` generations.
    pub final_log_gap: f64,
}

/// Generations for a family at a given income ratio to the mean to reach the mean, in the OECD
/// (2018) framing ("it would take 4.5 generations on average ...").
///
/// With intergenerational elasticity `beta`, the expected log gap to the mean after `n`
/// generations is `beta^n ln y`; `n*` is the first `n` at which its absolute value is at most
/// `eps`. The OECD does not publish its tolerance; FORMULAS.md records that `eps = 0.05` is said to
/// reproduce the published US (5) and Denmark (2) figures, which this crate has not verified (the
/// inputs are not reproduced here). The tests check the closed form on hand-computed values.
///
/// # Formula
/// ```text
/// n* = min { n >= 0 : beta^n |ln y| <= eps } = max(0, ceil( ln(eps / |ln y|) / ln beta ))
/// ```
///
/// # Errors
/// [`MobilityError::InvalidParameter`] unless `0 < beta < 1`, `ratio > 0` and `tolerance > 0`
/// (all finite).
///
/// # Complexity
/// O(1).
///
/// # Source
/// OECD (2018), *A Broken Social Elevator? How to Promote Social Mobility*, OECD Publishing,
/// Paris, ch. 1 (figure 1.1).
///
/// # Example
/// ```
/// use mobility::markov::generations_to_mean;
/// // beta = 0.5, bottom income half the mean: |ln 0.5| = 0.693; ln(0.05 / 0.693) / ln 0.5 = 3.79.
/// let g = generations_to_mean(0.5, 0.5, 0.05).unwrap();
/// assert_eq!(g.generations, 4);
/// assert!(g.final_log_gap.abs() <= 0.05);
/// ```
pub fn generations_to_mean(beta: f64, ratio: f64, tolerance: f64) -> Result<GenerationsToMean> {
    if !(beta.is_finite() && beta > 0.0 && beta < 1.0) {
        return Err(MobilityError::invalid(
            crate::error::Parameter::Beta,
            format!(
                "the intergenerational elasticity must lie strictly between 0 and 1, got {beta}"
            ),
        ));
    }
    if !(ratio.is_finite() && ratio > 0.0) {
        return Err(MobilityError::invalid(
            crate::error::Parameter::Ratio,
            format!("the income ratio to the mean must be a finite number > 0, got {ratio}"),
        ));
    }
    if !(tolerance.is_finite() && tolerance > 0.0) {
        return Err(MobilityError::invalid(
            crate::error::Parameter::Tolerance,
            format!("must be a finite number > 0, got {tolerance}"),
        ));
    }
    let gap = ratio.ln();
    let generations = if gap.abs() <= tolerance {
        0
    } else {
        let x = (tolerance / gap.abs()).ln() / beta.ln(); // > 0
        let mut n = x.ceil() as u64;
        // Guard against rounding in the quotient: take the smallest n that satisfies the rule.
        while n > 1 && beta.powf((n - 1) as f64) * gap.abs() <= tolerance {
            n -= 1;
        }
        while beta.powf(n as f64) * gap.abs() > tolerance {
            n += 1;
        }
        n
    };
    Ok(GenerationsToMean {
        generations,
        beta,
        ratio,
        tolerance,
        initial_log_gap: gap,
        final_log_gap: beta.powf(generations as f64) * gap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn zero_row_is_named() {
        let p = array![[0.5, 0.5, 0.0], [0.0, 0.0, 0.0], [0.1, 0.1, 0.8]];
        let err = stationary_distribution(&p).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("row 2"), "{msg}");
        assert!(matches!(err, MobilityError::Undefined { .. }));
        assert!(mean_first_passage_times(&p).is_err());
    }

    #[test]
    fn validation_errors() {
        assert!(matches!(
            check_stochastic(&Array2::<f64>::zeros((2, 3))),
            Err(MobilityError::NotSquare { .. })
        ));
        assert!(matches!(
            check_stochastic(&array![[1.0]]),
            Err(MobilityError::TooFewClasses { k: 1 })
        ));
        assert!(matches!(
            check_stochastic(&array![[1.2, -0.2], [0.5, 0.5]]),
            Err(MobilityError::InvalidEntry { row: 1, col: 2, .. })
        ));
        assert!(matches!(
            check_stochastic(&array![[0.5, f64::NAN], [0.5, 0.5]]),
            Err(MobilityError::InvalidEntry { row: 1, col: 2, .. })
        ));
        assert!(matches!(
            check_stochastic(&array![[0.5, 0.5], [0.5, 0.6]]),
            Err(MobilityError::RowSum { row: 2, .. })
        ));
        assert!(check_stochastic(&array![[0.5, 0.5 + 5e-10], [0.5, 0.5]]).is_ok());
    }

    #[test]
    fn gth_matches_two_state_closed_form() {
        let (a, b) = (0.1, 0.3);
        let pi = stationary_distribution(&array![[1.0 - a, a], [b, 1.0 - b]]).unwrap();
        assert_abs_diff_eq!(pi[0], b / (a + b), epsilon = 1e-15);
        assert_abs_diff_eq!(pi[1], a / (a + b), epsilon = 1e-15);
    }

    #[test]
    fn gth_nearly_decomposable() {
        // Two nearly absorbing states joined by tiny probabilities: pi_0 / pi_1 = e2 / e1.
        let (e1, e2) = (1e-13, 3e-13);
        let p = array![[1.0 - e1, e1], [e2, 1.0 - e2]];
        let pi = stationary_distribution(&p).unwrap();
        assert_abs_diff_eq!(pi[0], 0.75, epsilon = 1e-12);
        assert_abs_diff_eq!(pi[1], 0.25, epsilon = 1e-12);
    }

    #[test]
    fn generations_to_mean_rounding_guard() {
        // eps = |ln y| / 8 exactly, beta = 0.5: beta^3 |ln y| = eps -> exactly 3 generations.
        let y = 0.3f64;
        let eps = y.ln().abs() * 0.125;
        let g = generations_to_mean(0.5, y, eps).unwrap();
        assert_eq!(g.generations, 3);
        // beta = 0.25: ln(eps / |ln y|) / ln beta = 1.5 -> 2.
        let g = generations_to_mean(0.25, y, eps).unwrap();
        assert_eq!(g.generations, 2);
    }
}
