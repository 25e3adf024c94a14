//! Argument parsing shared by the commands: options, positionals, and the values every command
//! takes (`--pi`, `--delimiter`, `--quantiles`, `--rule`, numbers). Names are parsed by the
//! library's `FromStr`; this file only turns its errors into usage messages.

use std::str::FromStr;

use mobility::measures::Weighting;
use mobility::{MobilityError, Rule};

use crate::{Failure, Outcome};

/// Most classes a command accepts (the k x k tables are allocated per thread chunk).
pub const MAX_K: usize = mobility::error::MAX_CLASSES;

/// One option a command accepts.
pub struct Opt {
    name: &'static str,
    takes_value: bool,
}

pub const fn flag(name: &'static str) -> Opt {
    Opt {
        name,
        takes_value: false,
    }
}

pub const fn value(name: &'static str) -> Opt {
    Opt {
        name,
        takes_value: true,
    }
}

/// Parsed arguments of one command.
pub struct Args {
    pub command: &'static str,
    pub positionals: Vec<String>,
    given: Vec<(&'static str, Option<String>)>,
}

impl Args {
    pub fn has(&self, name: &str) -> bool {
        self.given.iter().any(|(n, _)| *n == name)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.given
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    pub fn required(&self, name: &str) -> Outcome<&str> {
        self.get(name).ok_or_else(|| {
            usage(
                self.command,
                format!("--{name} is required (e.g. --{name} income)"),
            )
        })
    }
}

pub fn usage(command: &str, message: impl std::fmt::Display) -> Failure {
    Failure::Usage(format!("{message} (see mobility {command} --help)"))
}

/// Parses `--name value`, `--name=value`, flags and positionals. `None` means help was asked for.
pub fn parse(command: &'static str, args: &[String], opts: &[Opt]) -> Outcome<Option<Args>> {
    let mut parsed = Args {
        command,
        positionals: Vec::new(),
        given: Vec::new(),
    };
    // Help wins over everything else on the line, even a bad option.
    if args
        .iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "-h" || a == "--help")
    {
        return Ok(None);
    }
    let mut i = 0;
    let mut only_positionals = false;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if only_positionals || arg == "-" || !arg.starts_with('-') {
            parsed.positionals.push(arg.clone());
            continue;
        }
        if arg == "--" {
            only_positionals = true;
            continue;
        }
        let Some(body) = arg.strip_prefix("--") else {
            return Err(usage(command, format!("unknown option '{arg}'")));
        };
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let name = if name == "renormalize" {
            "renormalise"
        } else {
            name
        };
        let Some(opt) = opts.iter().find(|o| o.name == name) else {
            let known: Vec<String> = opts.iter().map(|o| format!("--{}", o.name)).collect();
            return Err(usage(
                command,
                format!(
                    "unknown option '--{name}' for '{command}'; it takes {}",
                    known.join(", ")
                ),
            ));
        };
        if parsed.has(opt.name) {
            return Err(usage(command, format!("--{} is given twice", opt.name)));
        }
        let v = if opt.takes_value {
            match inline {
                Some(v) => Some(v),
                None => match args.get(i) {
                    Some(v) if !v.starts_with("--") => {
                        i += 1;
                        Some(v.clone())
                    }
                    _ => return Err(usage(command, format!("--{} needs a value", opt.name))),
                },
            }
        } else {
            if inline.is_some() {
                return Err(usage(command, format!("--{} takes no value", opt.name)));
            }
            None
        };
        if opt.takes_value && v.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(usage(command, format!("--{} needs a value", opt.name)));
        }
        parsed.given.push((opt.name, v));
    }
    Ok(Some(parsed))
}

/// The single positional argument (the file or the table name).
pub fn one_positional<'a>(args: &'a Args, what: &str) -> Outcome<&'a str> {
    match args.positionals.as_slice() {
        [one] => Ok(one),
        [] => Err(usage(args.command, format!("missing {what}"))),
        [_, extra, ..] => Err(usage(
            args.command,
            format!("unexpected argument '{extra}' (one {what} only)"),
        )),
    }
}

/// `--name` parsed by the library's `FromStr` (`default` when absent); an unknown name is a
/// usage error listing the accepted names.
pub fn option<T: FromStr<Err = MobilityError>>(args: &Args, name: &str, default: T) -> Outcome<T> {
    match args.get(name) {
        None => Ok(default),
        Some(s) => s.parse().map_err(|e| match e {
            MobilityError::UnknownName {
                given, expected, ..
            } => usage(
                args.command,
                format!(
                    "unknown --{name} '{given}'; expected {}",
                    or_list(&expected)
                ),
            ),
            e => usage(args.command, format!("invalid --{name} '{s}': {e}")),
        }),
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

/// `--name` as a number of type `T` (`default` when absent); `what` says what is expected.
pub fn number<T: FromStr>(args: &Args, name: &str, default: T, what: &str) -> Outcome<T> {
    match args.get(name) {
        None => Ok(default),
        Some(s) => s
            .trim()
            .parse()
            .map_err(|_| usage(args.command, format!("--{name} expects {what}, got '{s}'"))),
    }
}

/// `--name` as a whole number >= 0 of type `T` (`default` when absent), at most `max`: a number
/// of digits beyond `max` (or beyond what `T` holds) is "too large (at most max)", anything else
/// that is not a whole number >= 0 "expects `what`".
pub fn whole<T: TryFrom<u64>>(
    args: &Args,
    name: &str,
    default: T,
    what: &str,
    max: u64,
) -> Outcome<T> {
    let Some(s) = args.get(name) else {
        return Ok(default);
    };
    let t = s.trim();
    let digits = t.strip_prefix('+').unwrap_or(t);
    let is_whole = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let too_large = || {
        usage(
            args.command,
            format!("--{name} {t} is too large (at most {max})"),
        )
    };
    match digits.parse::<u64>() {
        Ok(v) if is_whole && v <= max => T::try_from(v).map_err(|_| too_large()),
        _ if is_whole => Err(too_large()),
        _ => Err(usage(
            args.command,
            format!("--{name} expects {what}, got '{s}'"),
        )),
    }
}

/// `--bootstrap B` (`default` when absent; `command` names the command in messages): a whole
/// number >= 2. A number too large for 64 bits is "too large (at most MAX_REPLICATES)"; other
/// numbers above the limit are refused by the library (`limits::check_replicates`), which says
/// how many replicates are enough.
pub fn replicates(args: &Args, default: usize) -> Outcome<usize> {
    let max = mobility::limits::MAX_REPLICATES;
    let Some(b) = args.get("bootstrap") else {
        return Ok(default);
    };
    let t = b.trim();
    let digits = t.strip_prefix('+').unwrap_or(t);
    let is_whole = !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit());
    match digits.parse::<u64>() {
        Ok(v) if is_whole && v >= 2 => Ok(usize::try_from(v).unwrap_or(usize::MAX)),
        Err(_) if is_whole => Err(usage(
            args.command,
            format!("--bootstrap {t} is too large (at most {max})"),
        )),
        _ => Err(usage(
            args.command,
            format!("--bootstrap expects a whole number of replicates (2 or more), got '{b}'"),
        )),
    }
}

/// `--pi`: parent, uniform, stationary or comma-separated weights (finite, >= 0).
pub fn pi(args: &Args) -> Outcome<Weighting> {
    let Some(s) = args.get("pi") else {
        return Ok(Weighting::ParentShares);
    };
    let w: Weighting = s.parse().map_err(|_| {
        usage(
            args.command,
            format!(
                "invalid --pi '{s}': expected parent, uniform, stationary or comma-separated \
                 weights"
            ),
        )
    })?;
    if let Weighting::Custom(v) = &w
        && v.iter().any(|x| !x.is_finite() || *x < 0.0)
    {
        return Err(usage(
            args.command,
            format!("invalid --pi '{s}': weights must be finite and >= 0"),
        ));
    }
    Ok(w)
}

/// `--delimiter`: ',' ';' or tab.
pub fn delimiter(args: &Args) -> Outcome<mobility::io::csv::Delimiter> {
    let s = args.get("delimiter").unwrap_or(",");
    s.parse().map_err(|_| {
        usage(
            args.command,
            format!("invalid --delimiter '{s}': expected ',', ';' or tab"),
        )
    })
}

/// `--drop-missing` as the CSV reader's policy.
pub fn missing(args: &Args) -> mobility::io::csv::Missing {
    if args.has("drop-missing") {
        mobility::io::csv::Missing::DropRow
    } else {
        mobility::io::csv::Missing::Reject
    }
}

/// Checks custom origin weights against `k` (the library would also refuse them; this names the
/// option).
pub fn check_pi_len(pi: &Weighting, k: usize, command: &str) -> Outcome<()> {
    if let Weighting::Custom(v) = pi
        && v.len() != k
    {
        return Err(usage(
            command,
            format!("--pi has {} weights but there are {k} classes", v.len()),
        ));
    }
    Ok(())
}

/// `--quantiles K` (default 5) and `--rule RULE` (default midrank), checked together with
/// `--weight` (only the midrank rule takes weights).
pub fn class_options(args: &Args, weighted: bool) -> Outcome<(usize, Rule)> {
    let command = args.command;
    let k = match args.get("quantiles") {
        None => 5,
        Some(s) => match s.trim().parse::<i64>() {
            Ok(k) if (2..=MAX_K as i64).contains(&k) => k as usize,
            Ok(k) if k < 2 => {
                return Err(usage(
                    command,
                    format!("--quantiles must be at least 2, got {k}"),
                ));
            }
            Ok(k) => {
                return Err(usage(
                    command,
                    format!("--quantiles must be at most {MAX_K}, got {k}"),
                ));
            }
            Err(_) => {
                return Err(usage(
                    command,
                    if matches!(s.trim().parse::<u64>(), Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow)
                        || matches!(s.trim().parse::<u64>(), Ok(x) if x > i64::MAX as u64)
                    {
                        format!("--quantiles {} is too large (at most {MAX_K})", s.trim())
                    } else {
                        format!(
                            "--quantiles expects a whole number of classes (2 or more), got '{s}'"
                        )
                    },
                ));
            }
        },
    };
    let rule: Rule = option(args, "rule", Rule::Midrank)?;
    if weighted && !rule.takes_weights() {
        return Err(usage(
            command,
            format!(
                "--weight needs --rule midrank or split (the {rule} rule reproduces unweighted \
                 software)"
            ),
        ));
    }
    Ok((k, rule))
}

/// Refuses each of `options` that was given: they belong to another mode (`why`).
pub fn refuse(args: &Args, options: &[&str], why: &str) -> Outcome<()> {
    match options.iter().find(|o| args.has(o)) {
        Some(o) => Err(usage(args.command, format!("--{o} {why}"))),
        None => Ok(()),
    }
}

/// A comma-separated list of numbers >= 0.
pub fn list(args: &Args, name: &str) -> Outcome<Option<Vec<f64>>> {
    let Some(s) = args.get(name) else {
        return Ok(None);
    };
    s.split(',')
        .map(|x| match x.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(usage(
                args.command,
                format!(
                    "invalid --{name} '{s}': expected comma-separated numbers >= 0 (e.g. \
                     0.2,0.2,0.2,0.2,0.2)"
                ),
            )),
        })
        .collect::<Outcome<Vec<f64>>>()
        .map(Some)
}

/// A size in bytes: a number with an optional K, M, G or T suffix (powers of 1024; `B`, `iB`
/// and lower case accepted), e.g. `500M`, `4G`, `1000000`.
pub fn bytes(s: &str) -> Option<u64> {
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
