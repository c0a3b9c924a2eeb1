//! The `syda` command line. `main` parses arguments, runs one command and
//! turns errors into a message on stderr and an exit code: 0 success, 1 a
//! user error (bad schema, impossible constraints, I/O), 2 a usage error.

#![warn(clippy::unwrap_used)]

mod cli;
mod fit;
mod generate;
#[cfg(feature = "db")]
mod introspect;
mod llm;
mod report;
#[cfg(feature = "db")]
mod seed;
mod serve;
mod validate;

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

pub use cli::Cli;
use cli::Command;

/// Runs the CLI with the process arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Validate { schema } => validate::run(&schema).map(|()| ExitCode::SUCCESS),
        Command::Generate(args) => generate::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Check { schema, dir, realism } => {
            let schema = syda::Schema::from_path(&schema)?;
            let data = syda::Dataset::read_dir(schema, &dir)
                .with_context(|| format!("reading data from {}", dir.display()))?;
            let report = syda::check::check(&data);
            print!("{report}");
            if realism {
                print!("{}", syda::realism::score(&data));
            }
            Ok(if report.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Fit(args) => fit::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Report(args) => report::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Kinds => {
            let width = syda::schema::KINDS
                .iter()
                .map(|k| k.name.len())
                .max()
                .unwrap_or(0);
            for kind in syda::schema::KINDS {
                println!("{:width$}  {:8}  {}", kind.name, kind.ty.name(), kind.description);
            }
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(feature = "db")]
        Command::Introspect(args) => introspect::run(&args).map(|()| ExitCode::SUCCESS),
        #[cfg(feature = "db")]
        Command::Seed(args) => seed::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Serve(args) => serve::run(&args),
    }
}
