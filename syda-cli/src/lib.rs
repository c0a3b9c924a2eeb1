//! The `syda` command line: `validate` (more subcommands arrive with the engines).

#![warn(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Synthetic data for your schemas.
#[derive(Debug, Parser)]
#[command(name = "syda", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and validate a schema file, then print its tables.
    Validate {
        /// A YAML or JSON schema file.
        schema: PathBuf,
    },
}

/// Runs the CLI: exit code 0 on success, 1 on a user error (message on
/// stderr), 2 on a usage error.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Validate { schema } => {
            let schema = syda::Schema::from_path(&schema)?;
            for table in &schema.tables {
                println!("{}", table.name);
                println!("{}", table.describe());
            }
            Ok(())
        }
    }
}
