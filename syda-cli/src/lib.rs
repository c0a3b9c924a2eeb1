//! The `syda` command line. `main` parses arguments, runs one command and
//! turns errors into a message on stderr and an exit code: 0 success, 1 a
//! user error (bad schema, impossible constraints, I/O), 2 a usage error.

#![warn(clippy::unwrap_used)]

mod check;
mod cli;
mod convert;
mod engine;
#[cfg(feature = "stats")]
mod fit;
mod generate;
#[cfg(feature = "db")]
mod introspect;
#[cfg(feature = "llm")]
mod llm;
#[cfg(feature = "stats")]
mod report;
#[cfg(feature = "db")]
mod seed;
#[cfg(feature = "serve")]
mod serve;
mod validate;

use std::process::ExitCode;

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

/// The schema of a Diesel `schema.rs` (`--diesel`).
fn diesel_schema(path: &std::path::Path) -> anyhow::Result<syda::Schema> {
    #[cfg(feature = "diesel")]
    return Ok(syda_diesel::schema_from_file(path)?);
    #[cfg(not(feature = "diesel"))]
    anyhow::bail!(
        "--diesel {}: this syda was built without the `diesel` feature; reinstall with it (a default feature)",
        path.display()
    )
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Validate { schema } => validate::run(&schema).map(|()| ExitCode::SUCCESS),
        Command::Generate(args) => generate::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Check(args) => check::run(&args),
        #[cfg(feature = "stats")]
        Command::Fit(args) => fit::run(&args).map(|()| ExitCode::SUCCESS),
        #[cfg(feature = "stats")]
        Command::Report(args) => report::run(&args).map(|()| ExitCode::SUCCESS),
        #[cfg(not(feature = "stats"))]
        Command::Fit { .. } | Command::Report { .. } => {
            anyhow::bail!("{}", engine::missing_feature("stats"))
        }
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
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(&args),
        #[cfg(not(feature = "serve"))]
        Command::Serve { .. } => anyhow::bail!(
            "this syda was built without the REST service; install it with \
             `cargo install syda-cli --features serve` (or `cargo run -p syda-cli --features serve -- serve`)"
        ),
        Command::Convert(args) => convert::run(&args).map(|()| ExitCode::SUCCESS),
    }
}
