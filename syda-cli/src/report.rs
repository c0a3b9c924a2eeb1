//! `syda report`: how close synthetic data is to the real data, how far from copying it.

use anyhow::Context;
use syda::engine::stats::Source;
use syda::report::{compare, to_html};

use crate::cli::ReportArgs;

pub(crate) fn run(args: &ReportArgs) -> anyhow::Result<()> {
    let real = Source::from_path(&args.real)?;
    let synthetic = Source::from_path(&args.synthetic)?;
    let report = compare(&real, &synthetic)?;
    print!("{report}");
    if let Some(path) = &args.html {
        let title = format!(
            "Synthetic data quality: {} vs {}",
            args.synthetic.display(),
            args.real.display()
        );
        std::fs::write(path, to_html(&report, &title))
            .with_context(|| format!("writing the HTML report to {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
