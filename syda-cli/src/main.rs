//! The `syda` command.

fn main() -> std::process::ExitCode {
    syda_cli::main()
}
