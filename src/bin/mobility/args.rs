//! The command line of one command: `--name value`, `--name=value`, flags, positionals, `--`.
//! Values are parsed by `mobility::command::values` (and the library's `FromStr`), which words
//! the errors; this file only splits the line and names the option.

use mobility::command::values::{self, ValueError, name};
use mobility::command::{BootstrapArgs, CommandError, Pairs, Result};

/// Parsed arguments of one command.
pub struct Args {
    command: &'static str,
    pub positionals: Vec<String>,
    given: Vec<(&'static str, Option<String>)>,
}

impl Args {
    /// Parses `args` against `spec`: the command's options in order, `=` after each that takes
    /// a value. `None` means help was asked for (it wins over everything else on the line).
    pub fn parse(
        command: &'static str,
        args: &[String],
        spec: &'static str,
    ) -> Result<Option<Args>> {
        let usage = |m: String| CommandError::usage(command, m);
        let opts: Vec<(&str, bool)> = (spec.split_whitespace())
            .map(|o| (o.trim_end_matches('='), o.ends_with('=')))
            .collect();
        let dashdash = args.iter().position(|a| a == "--").unwrap_or(args.len());
        if args[..dashdash].iter().any(|a| a == "-h" || a == "--help") {
            return Ok(None);
        }
        let (mut positionals, mut given) = (Vec::new(), Vec::new());
        let mut rest = args[..dashdash].iter().peekable();
        while let Some(arg) = rest.next() {
            if arg == "-" || !arg.starts_with('-') {
                positionals.push(arg.clone());
                continue;
            }
            let Some(body) = arg.strip_prefix("--") else {
                return Err(usage(format!("unknown option '{arg}'")));
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
            let Some(&(name, takes_value)) = opts.iter().find(|o| o.0 == name) else {
                let known: Vec<String> = opts.iter().map(|o| format!("--{}", o.0)).collect();
                let known = known.join(", ");
                return Err(usage(format!(
                    "unknown option '--{name}' for '{command}'; it takes {known}"
                )));
            };
            if given.iter().any(|g: &(&str, _)| g.0 == name) {
                return Err(usage(format!("--{name} is given twice")));
            }
            let value = match (takes_value, inline) {
                (false, Some(_)) => return Err(usage(format!("--{name} takes no value"))),
                (false, None) => None,
                (true, Some(v)) => Some(v),
                (true, None) => rest.next_if(|v| !v.starts_with("--")).cloned(),
            };
            if takes_value && value.as_deref().is_none_or(|v| v.trim().is_empty()) {
                return Err(usage(format!("--{name} needs a value")));
            }
            given.push((name, value));
        }
        positionals.extend(args.iter().skip(dashdash + 1).cloned());
        Ok(Some(Args {
            command,
            positionals,
            given,
        }))
    }

    /// Whether flag `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.given.iter().any(|g| g.0 == name)
    }

    /// The text of `--name`.
    pub fn text(&self, name: &str) -> Option<String> {
        self.given
            .iter()
            .find(|g| g.0 == name)
            .and_then(|g| g.1.clone())
    }

    /// `--name` parsed by `parse`; its error names the option.
    pub fn get<T>(
        &self,
        name: &str,
        parse: fn(&str) -> std::result::Result<T, ValueError>,
    ) -> Result<Option<T>> {
        let Some(v) = self.text(name) else {
            return Ok(None);
        };
        parse(&v)
            .map(Some)
            .map_err(|e| CommandError::usage(self.command, e.message(name, &v)))
    }

    /// `--parent`, `--child`, `--weight`, `--quantiles`, `--rule`, `--pi`, `--delimiter`,
    /// `--drop-missing`.
    pub fn pairs(&self) -> Result<Pairs> {
        Ok(Pairs {
            parent: self.text("parent"),
            child: self.text("child"),
            weight: self.text("weight"),
            quantiles: self.get("quantiles", values::quantiles)?,
            rule: self.get("rule", name)?,
            pi: self.get("pi", values::pi)?,
            delimiter: self.get("delimiter", values::delimiter)?,
            drop_missing: self.flag("drop-missing"),
        })
    }

    /// `--bootstrap`, `--seed`, `--ci`.
    pub fn bootstrap(&self) -> Result<BootstrapArgs> {
        Ok(BootstrapArgs {
            replicates: self.get("bootstrap", values::replicates)?,
            seed: self.get("seed", values::count)?,
            ci: self.get("ci", name)?,
        })
    }
}
