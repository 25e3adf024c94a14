//! Option values as the tool reads them: whole numbers with a limit, numbers, sizes, the class
//! count, the origin weights, lists. Each parser fails with a [`ValueError`], which
//! [`ValueError::message`] words with the option's name and the value given. Names (rules,
//! methods, formats) are parsed by each type's `FromStr`, whose [`MobilityError`] converts.

use crate::MobilityError;
use crate::error::MAX_CLASSES;
use crate::io::csv::Delimiter;
use crate::measures::Weighting;

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueError {
    /// Said after the option: `--NAME {0}`, e.g. "expects a number >= 0, got 'x'".
    After(String),
    /// `invalid --NAME 'VALUE': {0}`.
    Invalid(String),
    /// The message as it is (it names the option itself).
    Plain(String),
    /// `unknown --NAME 'given'; expected a, b or c`.
    Unknown {
        /// What was given.
        given: String,
        /// The accepted names.
        expected: Vec<String>,
    },
}

impl ValueError {
    /// The one-line message for option `--name` given `value`.
    pub fn message(&self, name: &str, value: &str) -> String {
        match self {
            ValueError::After(m) => format!("--{name} {m}"),
            ValueError::Invalid(m) => format!("invalid --{name} '{value}': {m}"),
            ValueError::Plain(m) => m.clone(),
            ValueError::Unknown { given, expected } => {
                format!("unknown --{name} '{given}'; expected {}", or_list(expected))
            }
        }
    }
}

impl From<MobilityError> for ValueError {
    fn from(e: MobilityError) -> ValueError {
        match e {
            MobilityError::UnknownName {
                given, expected, ..
            } => ValueError::Unknown { given, expected },
            e => ValueError::Invalid(e.to_string()),
        }
    }
}

/// `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A whole number >= 0 at most `max`: more digits than `max` allows is "too large (at most
/// max)", anything else that is not a whole number >= 0 "expects `what`".
///
/// # Errors
/// [`ValueError::After`] as above.
pub fn whole(s: &str, what: &str, max: u64) -> Result<u64, ValueError> {
    let t = s.trim();
    let digits = t.strip_prefix('+').unwrap_or(t);
    let is_whole = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    match digits.parse::<u64>() {
        Ok(v) if is_whole && v <= max => Ok(v),
        _ if is_whole => Err(ValueError::After(format!(
            "{t} is too large (at most {max})"
        ))),
        _ => Err(ValueError::After(format!("expects {what}, got '{s}'"))),
    }
}

/// A seed, a minimum size, a count: a whole number >= 0 (64 bits).
///
/// # Errors
/// As [`whole`].
pub fn count(s: &str) -> Result<u64, ValueError> {
    whole(s, "a whole number >= 0", u64::MAX)
}

/// `--bins N` of the report's rank-rank picture: a whole number, `2..=1000`.
///
/// # Errors
/// [`ValueError::After`]: not a whole number, outside `2..=1000`.
pub fn bins(s: &str) -> Result<usize, ValueError> {
    let bins = whole(s, "a whole number of bins, 2..=1000", 1000)?;
    if bins < 2 {
        return Err(ValueError::After(format!(
            "must lie between 2 and 1000, got {bins}"
        )));
    }
    Ok(bins as usize)
}

/// `--n N` pairs to simulate: a whole number, at most [`crate::limits::MAX_SIMULATED`].
///
/// # Errors
/// As [`whole`].
pub fn simulated(s: &str) -> Result<usize, ValueError> {
    let max = crate::limits::MAX_SIMULATED as u64;
    Ok(whole(s, "a whole number of pairs", max)? as usize)
}

/// A number (`what` says which, e.g. "a number in [0.5, 1)").
///
/// # Errors
/// [`ValueError::After`]: "expects `what`, got 's'".
pub fn number(s: &str, what: &str) -> Result<f64, ValueError> {
    s.trim()
        .parse()
        .map_err(|_| ValueError::After(format!("expects {what}, got '{s}'")))
}

/// `--bootstrap B`: a whole number >= 2. A number too large for 64 bits is "too large (at most
/// MAX_REPLICATES)"; other numbers above the limit are refused by the library
/// ([`crate::limits::check_replicates`]), which says how many replicates are enough.
///
/// # Errors
/// [`ValueError::After`] as above.
pub fn replicates(s: &str) -> Result<usize, ValueError> {
    let t = s.trim();
    let digits = t.strip_prefix('+').unwrap_or(t);
    let is_whole = !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit());
    match digits.parse::<u64>() {
        Ok(v) if is_whole && v >= 2 => Ok(usize::try_from(v).unwrap_or(usize::MAX)),
        Err(_) if is_whole => Err(ValueError::After(format!(
            "{t} is too large (at most {})",
            crate::limits::MAX_REPLICATES
        ))),
        _ => Err(ValueError::After(format!(
            "expects a whole number of replicates (2 or more), got '{s}'"
        ))),
    }
}

/// `--quantiles K`: `2 <= K <=` [`MAX_CLASSES`].
///
/// # Errors
/// [`ValueError::After`]: below 2, above the limit, too large, not a whole number.
pub fn quantiles(s: &str) -> Result<usize, ValueError> {
    let t = s.trim();
    match t.parse::<i64>() {
        Ok(k) if (2..=MAX_CLASSES as i64).contains(&k) => Ok(k as usize),
        Ok(k) if k < 2 => Err(ValueError::After(format!("must be at least 2, got {k}"))),
        Ok(k) => Err(ValueError::After(format!(
            "must be at most {MAX_CLASSES}, got {k}"
        ))),
        Err(_) => Err(ValueError::After(
            if matches!(t.parse::<u64>(), Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow)
                || matches!(t.parse::<u64>(), Ok(x) if x > i64::MAX as u64)
            {
                format!("{t} is too large (at most {MAX_CLASSES})")
            } else {
                format!("expects a whole number of classes (2 or more), got '{s}'")
            },
        )),
    }
}

/// `--pi`: parent, uniform, stationary or comma-separated weights (finite, >= 0).
///
/// # Errors
/// [`ValueError::Invalid`]: another name, a weight that is negative or not finite.
pub fn pi(s: &str) -> Result<Weighting, ValueError> {
    let w: Weighting = s.parse().map_err(|_| {
        ValueError::Invalid(
            "expected parent, uniform, stationary or comma-separated weights".into(),
        )
    })?;
    if let Weighting::Custom(v) = &w
        && v.iter().any(|x| !x.is_finite() || *x < 0.0)
    {
        return Err(ValueError::Invalid(
            "weights must be finite and >= 0".into(),
        ));
    }
    Ok(w)
}

/// `--delimiter`: ',' ';' or tab.
///
/// # Errors
/// [`ValueError::Invalid`]: another character.
pub fn delimiter(s: &str) -> Result<Delimiter, ValueError> {
    s.parse()
        .map_err(|_| ValueError::Invalid("expected ',', ';' or tab".into()))
}

/// A comma-separated list of numbers >= 0.
///
/// # Errors
/// [`ValueError::Invalid`]: an item that is not a finite number >= 0.
pub fn list(s: &str) -> Result<Vec<f64>, ValueError> {
    s.split(',')
        .map(|x| match x.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(ValueError::Invalid(
                "expected comma-separated numbers >= 0 (e.g. 0.2,0.2,0.2,0.2,0.2)".into(),
            )),
        })
        .collect()
}

/// A size in bytes: a number with an optional K, M, G or T suffix (powers of 1024; `B`, `iB`
/// and lower case accepted), e.g. `500M`, `4G`, `1000000`.
///
/// # Errors
/// [`ValueError::After`]: not such a size.
pub fn size(s: &str) -> Result<u64, ValueError> {
    bytes(s).ok_or_else(|| {
        ValueError::After(format!(
            "expects a size such as 500M, 4G or 1000000 bytes, got '{s}'"
        ))
    })
}

fn bytes(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_uppercase();
    let t = t
        .strip_suffix("IB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(&t);
    let (num, shift) = match t.chars().last()? {
        'K' => (&t[..t.len() - 1], 10),
        'M' => (&t[..t.len() - 1], 20),
        'G' => (&t[..t.len() - 1], 30),
        'T' => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    let v: f64 = num.trim().parse().ok()?;
    (v.is_finite() && v >= 0.0).then(|| (v * (1u64 << shift) as f64) as u64)
}

/// A name parsed by its type's `FromStr` (rules, methods, measures, formats).
///
/// # Errors
/// [`ValueError::Unknown`] listing the accepted names.
pub fn name<T: std::str::FromStr<Err = MobilityError>>(s: &str) -> Result<T, ValueError> {
    s.parse().map_err(ValueError::from)
}

/// `--format`: csv or parquet (the library's message, which names the format).
///
/// # Errors
/// [`ValueError::Plain`]: another name.
pub fn format(s: &str) -> Result<crate::stream::file::FileFormat, ValueError> {
    s.parse()
        .map_err(|e: MobilityError| ValueError::Plain(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        assert_eq!(
            quantiles("1").unwrap_err().message("quantiles", "1"),
            "--quantiles must be at least 2, got 1"
        );
        assert_eq!(
            count("-3").unwrap_err().message("seed", "-3"),
            "--seed expects a whole number >= 0, got '-3'"
        );
        assert_eq!(size("4G"), Ok(4 << 30));
        assert_eq!(size("500mb"), Ok(500 << 20));
        assert!(size("lots").is_err());
        assert_eq!(
            replicates("99999999999999999999999")
                .unwrap_err()
                .message("bootstrap", ""),
            "--bootstrap 99999999999999999999999 is too large (at most 100000)"
        );
    }
}
