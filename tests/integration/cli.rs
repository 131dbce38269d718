use crate::util::{read_csv, run, run_ok, sample, tempdir};

/// Runs, expects `code`, and returns stderr, which must be one line naming the problem.
fn fails(args: &[&str], code: i32, names: &str) {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(errors.len(), 1, "{args:?}: {stderr}");
    assert!(errors[0].contains(names), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_missing_path_is_named() {
    let dir = tempdir();
    let out = dir.path().join("o");
    fails(
        &["run", "no/such/folder", "--out", out.to_str().unwrap()],
        1,
        "no/such/folder",
    );
}

#[test]
fn an_empty_corpus_says_so() {
    let dir = tempdir();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = dir.path().join("o");
    fails(
        &[
            "run",
            empty.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        1,
        "empty corpus",
    );
    // A folder whose only file is empty: skipped with a reason, then nothing usable.
    std::fs::write(empty.join("blank.txt"), "  \n\n").unwrap();
    let res = run(&[
        "run",
        empty.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(res.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(
        stderr.contains("blank.txt") && stderr.contains("empty"),
        "{stderr}"
    );
}

#[test]
fn k_larger_than_the_units_is_refused() {
    let dir = tempdir();
    let out = dir.path().join("o");
    fails(
        &[
            "run",
            sample().to_str().unwrap(),
            "--k",
            "5000",
            "--out",
            out.to_str().unwrap(),
        ],
        1,
        "cluster.k = 5000",
    );
}

#[test]
fn an_unwritable_out_is_named() {
    let dir = tempdir();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = file.join("sub");
    fails(
        &[
            "run",
            sample().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        1,
        "a-file",
    );
}

#[test]
fn bad_flags_and_config_are_usage_errors() {
    let dir = tempdir();
    let out = dir.path().join("o");
    let o = out.to_str().unwrap();
    fails(
        &["run", "--k", "1", "--out", o],
        2,
        "cluster.k must be >= 2",
    );
    fails(&["run", "--k", "many", "--out", o], 2, "cluster.k");
    fails(&["run", "--max-df", "1.5", "--out", o], 2, "tfidf.max_df");
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "[cluster]\nkay = 3\n").unwrap();
    fails(
        &["run", "--config", config.to_str().unwrap(), "--out", o],
        2,
        "kay",
    );
    assert_eq!(run(&["run", "--no-such-flag"]).status.code(), Some(2));
}

#[test]
fn help_explains_every_flag_and_print_config_round_trips() {
    let help = String::from_utf8(run(&["run", "--help"]).stdout).unwrap();
    for flag in [
        "--out",
        "--k",
        "--k-range",
        "--seed",
        "--unit",
        "--sections",
        "--group-by",
        "--manifest",
        "--min-df",
        "--max-df",
        "--max-features",
        "--dims",
        "--config",
        "--threads",
        "--no-bom",
        "--raw-csv",
        "--wait",
        "--strict",
        "--quiet",
        "--dump",
        "--labels",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
    let toml = String::from_utf8(run(&["print-config"]).stdout).unwrap();
    assert!(
        policy_themes::config::Config::from_toml(&toml).unwrap()
            == (policy_themes::config::Config::default(), Vec::new())
    );
}

#[test]
fn strict_turns_a_skip_into_failure_and_no_bom_drops_it() {
    let dir = tempdir();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for f in std::fs::read_dir(sample()).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, input.join(f.file_name().unwrap())).unwrap();
    }
    std::fs::write(input.join("broken.txt"), b"\x00\x01\x02binary").unwrap();
    let out = dir.path().join("o");
    let o = out.to_str().unwrap();
    let res = run(&[
        "run",
        input.to_str().unwrap(),
        "--out",
        o,
        "--no-bom",
        "--quiet",
    ]);
    assert!(res.status.success());
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(
        stderr.contains("broken.txt") && stderr.contains("binary"),
        "{stderr}"
    );
    let reports = std::fs::read(out.join("reports.csv")).unwrap();
    assert!(!reports.starts_with(b"\xef\xbb\xbf"));
    let text = String::from_utf8(reports).unwrap();
    assert!(
        text.lines()
            .any(|l| l.contains("broken.txt") && l.contains(",skipped,binary")),
        "{text}"
    );
    let res = run(&[
        "run",
        input.to_str().unwrap(),
        "--out",
        o,
        "--strict",
        "--quiet",
    ]);
    assert_eq!(res.status.code(), Some(1));
}

#[test]
fn split_shows_the_tree() {
    let file = sample().join("001_848877a066f19620.txt");
    let out = run(&["split", file.to_str().unwrap()]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("township=覃斗镇")
            && table.contains("shortcomings")
            && table.contains("plans"),
        "{table}"
    );
    let json =
        String::from_utf8(run(&["split", file.to_str().unwrap(), "--format", "json"]).stdout)
            .unwrap();
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert!(
        v["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["role"] == "unit")
    );
    let csv = String::from_utf8(run(&["split", file.to_str().unwrap(), "--format", "csv"]).stdout)
        .unwrap();
    assert!(csv.starts_with("file,role,kind,level,start,end,unit_id,heading,text"));
}

#[test]
fn a_codebook_guides_and_names_the_themes() {
    let dir = tempdir();
    let guided = dir.path().join("guided");
    let free = dir.path().join("free");
    let sample = sample();
    let sample = sample.to_str().unwrap();
    run_ok(&[
        "run",
        sample,
        "--out",
        guided.to_str().unwrap(),
        "--k",
        "12",
        "--codebook",
        "gangyao",
        "--quiet",
    ]);
    run_ok(&[
        "run",
        sample,
        "--out",
        free.to_str().unwrap(),
        "--k",
        "12",
        "--quiet",
    ]);
    let (header, guided_themes) = read_csv(&guided.join("themes.csv"));
    assert!(header.contains(&"codebook".to_string()));
    let (_, free_themes) = read_csv(&free.join("themes.csv"));
    // Every theme is named after its nearest 纲要 entry, guided or not.
    for t in guided_themes.iter().chain(&free_themes) {
        assert!(!t["codebook"].is_empty(), "{t:?}");
        assert!(t["codebook_similarity"].parse::<f64>().unwrap() > 0.0);
    }
    // Guided, the themes follow the entries: more of them are named after distinct entries.
    let distinct = |ts: &[std::collections::HashMap<String, String>]| {
        ts.iter()
            .map(|t| t["codebook"].clone())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    assert!(distinct(&guided_themes) >= distinct(&free_themes));
    assert_ne!(
        std::fs::read(guided.join("measures.csv")).unwrap(),
        std::fs::read(free.join("measures.csv")).unwrap()
    );
    // A codebook that is not one is refused before anything runs.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[theme]]\nid = 'a'\nname = '甲'\nterms = []\n").unwrap();
    fails(
        &[
            "run",
            sample,
            "--out",
            dir.path().join("x").to_str().unwrap(),
            "--codebook",
            bad.to_str().unwrap(),
        ],
        2,
        "no terms",
    );
}

#[test]
fn the_page_is_chinese_by_default_and_english_with_lang_en() {
    let dir = tempdir();
    let sample = sample();
    let zh_sections = [
        "<h2>复制的文本</h2>",
        "<h2>具体程度</h2>",
        "<h2>全部报告中计划的兑现</h2>",
    ];
    let en_sections = [
        "<h2>Copied text</h2>",
        "<h2>Concreteness</h2>",
        "<h2>Promises kept across the corpus</h2>",
    ];
    for (lang, html_lang, heading, sections, others) in [
        (
            None,
            "<html lang=\"zh-CN\">",
            "<h2>举措</h2>",
            zh_sections,
            en_sections,
        ),
        (
            Some("en"),
            "<html lang=\"en\">",
            "<h2>Measures</h2>",
            en_sections,
            zh_sections,
        ),
    ] {
        let out = dir.path().join(lang.unwrap_or("zh"));
        let mut args = vec![
            "run",
            sample.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ];
        if let Some(lang) = lang {
            args.extend(["--lang", lang]);
        }
        run_ok(&args);
        let html = std::fs::read_to_string(out.join("index.html")).unwrap();
        assert!(html.contains(html_lang), "{lang:?}");
        assert!(html.contains(heading), "{lang:?}");
        for (section, other) in sections.iter().zip(others) {
            assert!(
                html.contains(section) && !html.contains(other),
                "{lang:?}: {section}"
            );
        }
        // The charts speak the page's language only.
        let sections_svg = std::fs::read_to_string(out.join("sections.svg")).unwrap();
        let (kind, not) = if lang.is_some() {
            (">\nmeasures\n<", "举措成效")
        } else {
            (">\n举措成效\n<", "Theme mix")
        };
        assert!(
            sections_svg.contains(kind) && !sections_svg.contains(not),
            "{lang:?}"
        );
        assert!(html.contains("<section id=\"drill\""));
        assert!(html.contains("<script type=\"application/json\" id=\"pt-data\">"));
        // CSV headers never change with the language.
        let (header, _) = read_csv(&out.join("measures.csv"));
        assert_eq!(header[0], "measure_id");
    }
}
