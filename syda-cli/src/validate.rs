//! `syda validate`: checks a schema file and shows, per table, what the
//! generator will do — the columns and the relations declared or inferred —
//! so a user can see and override them (`infer: false`, `after:`, `expr:`).

use std::path::Path;

use syda::relation::{self, Rule};

pub(crate) fn run(path: &Path) -> anyhow::Result<()> {
    let schema = syda::Schema::from_path(path)?;
    let inferred = relation::infer_schema(&schema);
    for table in &schema.tables {
        println!("{}", table.name);
        println!("{}", table.describe());
        let applied = relation::rules_for(table, &schema.relations, true);
        let declared: Vec<&Rule> = schema
            .relations
            .iter()
            .filter(|d| d.table == table.name)
            .map(|d| &d.rule)
            .collect();
        let off = |column: &str| {
            declared
                .iter()
                .any(|r| matches!(r, Rule::NotInferred { column: c } if c == column || c == "*"))
        };
        let mut lines = Vec::new();
        for rule in &declared {
            lines.push(format!("  declared  {}", rule.describe()));
        }
        for rule in applied.iter().filter(|r| !declared.contains(r)) {
            lines.push(format!("  inferred  {}", rule.describe()));
        }
        for d in inferred
            .iter()
            .filter(|d| d.table == table.name && !d.rule.is_row_level() && !off(d.rule.target()))
        {
            lines.push(format!("  inferred  {}", d.rule.describe()));
        }
        if !lines.is_empty() {
            println!("Relations (switch one off with `infer: false` on its column):");
            for line in lines {
                println!("{line}");
            }
        }
        println!();
    }
    Ok(())
}
