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

/// Who and when of every labelled report opening, read from its lines and from the same text
/// flattened as scraping flattens it: the reporting unit, county, province and year agree for
/// every opening joined by two U+3000, and for all but a few joined by nothing (where a page
/// label and a title can run into one another).
#[test]
#[ignore = "reads ../shared/corpus beside the repository (.ci/run runs it)"]
fn openings_flattened_keep_who_and_when() {
    use policy_themes::chrome::find_chrome;
    use policy_themes::meta::find_meta;
    let who = |text: &str| {
        let m = find_meta(text, &find_chrome(text), "opening");
        (m.unit, m.county, m.province, m.year)
    };
    let mut files: Vec<_> = std::fs::read_dir(shared_corpus().join("openings"))
        .expect("../shared/corpus/openings beside the repository")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 80);
    let mut agree = [0usize; 2];
    for path in &files {
        let text = std::fs::read_to_string(path).expect("an opening");
        let lined = who(&text);
        let lines: Vec<&str> = text
            .lines()
            .map(policy_themes::text::trim_blank)
            .filter(|l| !l.is_empty())
            .collect();
        for (n, joiner) in ["\u{3000}\u{3000}", ""].into_iter().enumerate() {
            agree[n] += usize::from(who(&lines.join(joiner)) == lined);
        }
    }
    assert_eq!(agree[0], files.len(), "joined by two U+3000");
    assert!(agree[1] + 3 >= files.len(), "joined by nothing: {agree:?}");
}
