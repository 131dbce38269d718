use crate::encodings::units_of;
use crate::util::{read_csv, root, run, run_ok, tempdir};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The committed fixtures made by `scripts/make_fixtures.sh`.
fn fixtures() -> PathBuf {
    root().join("tests/fixtures/office")
}

fn seeds() -> Vec<PathBuf> {
    // The seeds as the repository ships them (`data/sample`), the fixtures' sources.
    let mut files: Vec<_> = std::fs::read_dir(root().join("data/sample"))
        .expect("the bundled sample")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

/// The share of `want`'s units that `got` has with the same text (blanks ignored), each unit
/// matched once.
fn matched(got: &Path, want: &Path) -> (usize, usize) {
    let mut have: HashMap<String, usize> = HashMap::new();
    for (_, _, text) in units_of(got) {
        *have.entry(text).or_default() += 1;
    }
    let want = units_of(want);
    let same = want
        .iter()
        .filter(|(_, _, text)| {
            have.get_mut(text)
                .filter(|n| **n > 0)
                .map(|n| *n -= 1)
                .is_some()
        })
        .count();
    (same, want.len())
}

#[test]
fn docx_and_pdf_of_each_seed_give_its_units() {
    for seed in seeds() {
        let stem = seed.file_stem().unwrap().to_str().unwrap();
        for (format, floor) in [("docx", 0.95), ("pdf", 0.90)] {
            let (same, all) = matched(&fixtures().join(format!("{stem}.{format}")), &seed);
            eprintln!("{stem}.{format}: {same}/{all} units");
            assert!(
                all > 0 && same as f64 >= floor * all as f64,
                "{stem}.{format}: {same}/{all}"
            );
        }
    }
}

#[test]
fn list_numbered_headings_give_the_units_of_the_text() {
    let seed = root().join("data/sample/004_b0bbcd55e46bbf4d.txt");
    let docx = units_of(&fixtures().join("listnumbered.docx"));
    assert_eq!(docx, units_of(&seed));
    let (same, all) = matched(&fixtures().join("listnumbered.pdf"), &seed);
    assert!(same as f64 >= 0.9 * all as f64, "{same}/{all}");
}

#[test]
fn running_headers_and_page_numbers_of_a_pdf_are_chrome() {
    let report = policy_themes::read::read_one(
        "r0",
        &fixtures().join("listnumbered.pdf"),
        &Default::default(),
        &Default::default(),
    )
    .unwrap();
    let chrome: Vec<&str> = report.chrome.iter().map(|s| s.of(&report.text)).collect();
    let pages = chrome.iter().filter(|c| c.starts_with("- ")).count();
    assert!(pages >= 2, "{chrome:?}");
    assert!(
        chrome.contains(&"- 1 -") && chrome.contains(&"法治政府建设年度报告"),
        "{chrome:?}"
    );
    // Page furniture never lands inside a paragraph.
    for line in report.text.lines() {
        assert!(!line.contains("- 2 -") || line == "- 2 -", "{line}");
    }
}

#[test]
fn a_run_reads_office_files_skips_bad_ones_and_its_spans_index_the_text() {
    let dir = tempdir();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for name in [
        "001_848877a066f19620.docx",
        "002_080feac8481725d6.pdf",
        "encrypted.pdf",
        "scanned.pdf",
        "old.doc",
    ] {
        std::fs::copy(fixtures().join(name), input.join(name)).unwrap();
    }
    std::fs::copy(fixtures().join("old.doc"), input.join("old.wps")).unwrap();
    std::fs::write(input.join("corrupt.docx"), b"PK\x03\x04 not really a zip").unwrap();
    let out = dir.path().join("out");
    run_ok(&[
        "run",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--k",
        "3",
        "--quiet",
    ]);
    let (_, reports) = read_csv(&out.join("reports.csv"));
    let by_file = |name: &str| {
        reports
            .iter()
            .find(|r| r["file"].ends_with(name))
            .unwrap_or_else(|| panic!("{name} not in reports.csv"))
    };
    assert_eq!(by_file("001_848877a066f19620.docx")["encoding"], "docx");
    assert_eq!(by_file("002_080feac8481725d6.pdf")["encoding"], "pdf");
    for (name, reason) in [
        (
            "encrypted.pdf",
            "encrypted PDF: it needs a password to open (save a copy without one)",
        ),
        ("scanned.pdf", "no text layer (scanned PDF: OCR it first)"),
        (
            "old.doc",
            "an old Word or WPS document (.doc/.wps, not readable here): save it as .docx",
        ),
        (
            "old.wps",
            "an old Word or WPS document (.doc/.wps, not readable here): save it as .docx",
        ),
    ] {
        assert_eq!(
            (
                by_file(name)["status"].as_str(),
                by_file(name)["reason"].as_str()
            ),
            ("skipped", reason)
        );
    }
    assert!(
        by_file("corrupt.docx")["reason"].starts_with("corrupt .docx: not a readable zip archive")
    );
    // `text` prints the text whose code points start and end index.
    let (_, measures) = read_csv(&out.join("measures.csv"));
    let mut texts: HashMap<String, Vec<char>> = HashMap::new();
    for m in &measures {
        let text = texts.entry(m["file"].clone()).or_insert_with(|| {
            String::from_utf8(run_ok(&["text", &m["file"]]).stdout)
                .unwrap()
                .chars()
                .collect()
        });
        let (start, end) = (
            m["start"].parse::<usize>().unwrap(),
            m["end"].parse::<usize>().unwrap(),
        );
        // A unit's text is its span with the blanks that open its lines taken away.
        let squash = |s: &str| -> String {
            s.chars()
                .filter(|c| !policy_themes::text::is_blank(*c))
                .collect()
        };
        let span: String = text[start..end].iter().collect();
        assert_eq!(squash(&span), squash(&m["text"]), "{}", m["measure_id"]);
    }
    assert_eq!(texts.len(), 2);
    let skipped = run(&["text", input.join("scanned.pdf").to_str().unwrap()]);
    assert_eq!(skipped.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&skipped.stderr)
            .contains("no text layer (scanned PDF: OCR it first)")
    );
}
