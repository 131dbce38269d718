use crate::util::{read_csv, root, run_ok, sample, tempdir};
use policy_themes::decode::decode;
use std::collections::{HashMap, HashSet};

const SEEDS: [(&str, &str, u16); 5] = [
    ("000_befa4e22df0f3e2b.txt", "江湾镇", 2023),
    ("001_848877a066f19620.txt", "覃斗镇", 2019),
    ("002_080feac8481725d6.txt", "渠南街道", 2024),
    ("003_01a9da65d0d1e63d.txt", "洪山镇", 2023),
    ("004_b0bbcd55e46bbf4d.txt", "濮院镇", 2022),
];

#[test]
fn default_run_writes_every_file_with_real_content() {
    let dir = tempdir();
    let out = dir.path().join("sample");
    run_ok(&["run", "--out", out.to_str().unwrap(), "--quiet"]);
    for name in [
        "measures.csv",
        "reports.csv",
        "themes.csv",
        "themes.json",
        "group_theme.csv",
        "run.json",
        "index.html",
        "model/model.json",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }

    // reports.csv: the right township and year for every seed, all read.
    let (_, reports) = read_csv(&out.join("reports.csv"));
    assert_eq!(reports.len(), 5);
    for (file, township, year) in SEEDS {
        let r = reports
            .iter()
            .find(|r| r["file"].ends_with(file))
            .expect("a row per file");
        assert_eq!(
            (
                r["status"].as_str(),
                r["township"].as_str(),
                r["year"].as_str()
            ),
            ("ok", township, year.to_string().as_str()),
            "{file}"
        );
        assert!(
            r["units"].parse::<usize>().unwrap() >= 10,
            "{file}: {}",
            r["units"]
        );
    }

    // measures.csv: the contract's columns; every span gives back its text.
    let (header, units) = read_csv(&out.join("measures.csv"));
    let want = [
        "measure_id",
        "report_id",
        "file",
        "township",
        "county",
        "province",
        "year",
        "section_kind",
        "section_heading",
        "heading",
        "start",
        "end",
        "theme",
        "theme_label",
        "similarity",
        "label",
        "text",
        "theme2",
        "similarity2",
        "quantities",
        "slogan_share",
    ];
    assert_eq!(header, want);
    // Every assigned unit has a next-nearest theme other than its own.
    for u in &units {
        assert_ne!(u["theme2"], u["theme"], "{}", u["measure_id"]);
        assert!(
            u["similarity2"].parse::<f64>().is_ok(),
            "{}",
            u["measure_id"]
        );
    }
    assert!(units.len() >= 60, "{} units", units.len());
    let mut sources: HashMap<String, Vec<char>> = HashMap::new();
    for u in &units {
        let chars = sources.entry(u["file"].clone()).or_insert_with(|| {
            let bytes = std::fs::read(root().join(&u["file"])).unwrap();
            decode(bytes).unwrap().0.chars().collect()
        });
        let (start, end): (usize, usize) = (u["start"].parse().unwrap(), u["end"].parse().unwrap());
        let back: String = chars[start..end]
            .iter()
            .filter(|c| !c.is_whitespace())
            .collect();
        let text: String = u["text"].chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(back, text, "{}", u["measure_id"]);
    }
    let kinds: HashSet<&str> = units.iter().map(|u| u["section_kind"].as_str()).collect();
    for kind in ["measures", "leadership", "shortcomings", "plans"] {
        assert!(kinds.contains(kind), "no {kind} unit");
    }

    // themes.csv covers every unit; sizes add up.
    let (header, themes) = read_csv(&out.join("themes.csv"));
    assert_eq!(
        header[..7],
        [
            "theme",
            "label",
            "size",
            "groups",
            "recurrence",
            "top_terms",
            "examples"
        ]
    );
    let ids: HashSet<&str> = themes.iter().map(|t| t["theme"].as_str()).collect();
    assert!(units.iter().all(|u| ids.contains(u["theme"].as_str())));
    let sizes: usize = themes
        .iter()
        .map(|t| t["size"].parse::<usize>().unwrap())
        .sum();
    assert_eq!(sizes, units.len());
    assert!(
        themes
            .iter()
            .all(|t| t["top_terms"].contains(':') && !t["examples"].is_empty())
    );

    // group_theme.csv: one row per township, rows sum to their units.
    let (header, groups) = read_csv(&out.join("group_theme.csv"));
    assert_eq!(header.first().map(String::as_str), Some("group"));
    assert_eq!(groups.len(), 5);
    for g in &groups {
        let sum: usize = header[1..header.len() - 1]
            .iter()
            .map(|t| g[t].parse::<usize>().unwrap())
            .sum();
        assert_eq!(sum.to_string(), g["total"]);
    }

    // run.json records every input with its hash.
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["inputs"].as_array().unwrap().len(), 5);
    assert!(run["inputs"][0]["sha256"].as_str().unwrap().len() == 64);
}

#[test]
fn charts_parse_and_name_the_groups() {
    let dir = tempdir();
    let out = dir.path().join("sample");
    run_ok(&["run", "--out", out.to_str().unwrap(), "--quiet"]);
    for chart in [
        "heatmap.svg",
        "recurrence.svg",
        "terms.svg",
        "map.svg",
        "sections.svg",
    ] {
        let svg =
            std::fs::read_to_string(out.join(chart)).unwrap_or_else(|e| panic!("{chart}: {e}"));
        let doc = roxmltree::Document::parse(&svg)
            .unwrap_or_else(|e| panic!("{chart} is not well-formed XML: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg", "{chart}");
    }
    let heatmap = std::fs::read_to_string(out.join("heatmap.svg")).unwrap();
    for (_, township, _) in SEEDS {
        assert!(heatmap.contains(township), "heatmap.svg lacks {township}");
    }
    assert!(heatmap.contains("<title>"), "heatmap cells carry tooltips");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("江湾镇"));
}

#[test]
fn the_committed_sample_report_is_current() {
    // reports/sample/ is committed so a visitor sees the charts; it must be what the program writes.
    let committed = root().join("reports/sample");
    let dir = tempdir();
    let out = dir.path().join("sample");
    run_ok(&[
        "run",
        sample().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    for name in ["themes.csv", "group_theme.csv", "heatmap.svg"] {
        let old = std::fs::read(committed.join(name))
            .unwrap_or_else(|e| panic!("reports/sample/{name}: {e}"));
        let new = std::fs::read(out.join(name)).unwrap();
        assert!(
            old == new,
            "reports/sample/{name} is stale: rerun `cargo run --release`"
        );
    }
}
