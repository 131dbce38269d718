use crate::util::shared_corpus;
use policy_themes::config::{ReadParams, SplitParams};
use policy_themes::corpus::UnitLevel;
use policy_themes::meta::Manifest;
use policy_themes::read::{list_files, read_one};
use policy_themes::split::{accounting_errors, split_report};
use rayon::prelude::*;

/// Every file of one shared corpus folder, split at every unit level, loses nothing.
fn accounts_for(folder: &str, unit: UnitLevel) -> usize {
    let files: Vec<_> = list_files(&[shared_corpus().join(folder)])
        .expect("../shared/corpus beside the repository")
        .into_iter()
        .map(|found| found.path)
        .collect();
    let params = SplitParams {
        unit,
        ..SplitParams::default()
    };
    let failures: Vec<String> = files
        .par_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "txt"))
        .filter_map(|f| {
            let report = read_one("r0000", f, &ReadParams::default(), &Manifest::default()).ok()?;
            let split = split_report(&report, 0, &params);
            let errors = accounting_errors(&report, &split);
            (!errors.is_empty()).then(|| format!("{}: {}", f.display(), errors.join("; ")))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} file(s) lose text, e.g. {}",
        failures.len(),
        failures[0]
    );
    files.len()
}

#[test]
#[ignore = "reads ../shared/corpus beside the repository (.ci/run runs it)"]
fn seeds_and_provincial_reports_lose_nothing() {
    for unit in [UnitLevel::Measure, UnitLevel::Clause, UnitLevel::Paragraph] {
        assert_eq!(accounts_for("seeds", unit), 5);
        assert!(accounts_for("provincial-2025", unit) >= 31);
    }
}

#[test]
#[ignore = "reads ../shared/corpus beside the repository (.ci/run runs it)"]
fn every_law_loses_nothing() {
    assert!(accounts_for("laws", UnitLevel::Measure) >= 3475);
    assert!(accounts_for("laws", UnitLevel::Paragraph) >= 3475);
}
