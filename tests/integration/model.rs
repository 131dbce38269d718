use crate::util::{fit_sample, read_csv, run, run_ok, sample, tempdir};
use policy_themes::fitted::FittedModel;
use std::path::{Path, PathBuf};

#[test]
fn apply_on_the_fitted_corpus_and_a_gbk_copy_gives_the_run_s_themes() {
    let dir = tempdir();
    let fit = fit_sample(dir.path());
    let model = FittedModel::load(&fit.join("model")).expect("the saved model loads");
    assert_eq!(model.labels.len(), model.themes.rank.len());

    let applied = dir.path().join("applied");
    run_ok(&[
        "apply",
        "--model",
        fit.join("model").to_str().unwrap(),
        sample().to_str().unwrap(),
        "--out",
        applied.to_str().unwrap(),
        "--quiet",
    ]);
    let (_, ran) = read_csv(&fit.join("measures.csv"));
    let (_, got) = read_csv(&applied.join("measures.csv"));
    let themes = |rows: &[std::collections::HashMap<String, String>]| {
        rows.iter()
            .map(|r| (r["measure_id"].clone(), r["theme"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(themes(&ran), themes(&got));
    // Concreteness is measured with the fit's lists, not the model's (which hold place names).
    let concrete = |rows: &[std::collections::HashMap<String, String>]| {
        rows.iter()
            .map(|r| (r["quantities"].clone(), r["slogan_share"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(concrete(&ran), concrete(&got));
    let html = std::fs::read_to_string(applied.join("index.html")).unwrap();
    // The page of apply names the model and when it was fitted.
    assert!(html.contains("来自已拟合的模型"));
    assert!(html.contains(&format!(
        "已拟合的模型 {}",
        esc(&fit.join("model").display().to_string())
    )));
    assert!(html.contains("拟合于 20"));

    // The same reports in GB18030 land on the same themes.
    let gbk = dir.path().join("gbk");
    std::fs::create_dir(&gbk).unwrap();
    for entry in std::fs::read_dir(sample()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            gbk.join(path.file_name().unwrap()),
            encoding_rs::GB18030.encode(&text).0,
        )
        .unwrap();
    }
    let applied_gbk = dir.path().join("applied-gbk");
    run_ok(&[
        "apply",
        "--model",
        fit.join("model").to_str().unwrap(),
        gbk.to_str().unwrap(),
        "--out",
        applied_gbk.to_str().unwrap(),
        "--quiet",
    ]);
    let (_, got_gbk) = read_csv(&applied_gbk.join("measures.csv"));
    assert_eq!(themes(&ran), themes(&got_gbk));
    let (_, reports) = read_csv(&applied_gbk.join("reports.csv"));
    assert!(
        reports
            .iter()
            .all(|r| r["encoding"] == "GBK" || r["encoding"] == "gb18030"),
        "{reports:?}"
    );
}

#[test]
fn a_model_of_another_format_version_is_refused() {
    let dir = tempdir();
    let fit = fit_sample(dir.path());
    let path = fit.join("model/model.json");
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    json["format_version"] = serde_json::json!(99);
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
    let out = run(&[
        "apply",
        "--model",
        fit.join("model").to_str().unwrap(),
        sample().to_str().unwrap(),
        "--out",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("format version 99") && stderr.contains("reads version 2"),
        "{stderr}"
    );
}

/// A copy of the model folder `model` in `to`, changed by `tamper`.
fn tampered(model: &Path, to: &Path, tamper: impl FnOnce(&Path)) -> PathBuf {
    std::fs::create_dir_all(to).unwrap();
    for f in ["model.json", "kmeans.json", "components.npy"] {
        std::fs::copy(model.join(f), to.join(f)).unwrap();
    }
    tamper(to);
    to.to_path_buf()
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(path, serde_json::to_vec(&v).unwrap()).unwrap();
}

#[test]
fn a_tampered_model_is_refused_naming_the_file_and_the_problem() {
    let dir = tempdir();
    let model = fit_sample(dir.path()).join("model");
    type Tamper = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Tamper, &str, &str)> = vec![
        (
            "huge",
            // A header declaring 10^12 × 68 values: the old reader allocated them and aborted.
            Box::new(|m: &Path| {
                let path = m.join("components.npy");
                let mut bytes = std::fs::read(&path).unwrap();
                let len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
                let header = String::from_utf8(bytes[10..10 + len].to_vec()).unwrap();
                let start = header.find("'shape': (").unwrap() + "'shape': (".len();
                let end = start + header[start..].find(')').unwrap();
                let grown = format!("{}1000000000000, 68{}", &header[..start], &header[end..]);
                let padding = " ".repeat(grown.len() - header.len()) + "\n";
                let same_length = grown.replacen(&padding, "\n", 1);
                assert_eq!(same_length.len(), header.len());
                bytes[10..10 + len].copy_from_slice(same_length.as_bytes());
                std::fs::write(&path, bytes).unwrap();
            }),
            "components.npy",
            "",
        ),
        (
            "rank",
            Box::new(|m: &Path| edit_json(&m.join("kmeans.json"), |v| v["rank"][0] = 99.into())),
            "kmeans.json",
            "not a numbering",
        ),
        (
            "labels",
            Box::new(|m: &Path| {
                edit_json(&m.join("model.json"), |v| {
                    let extra = v["labels"][0].clone();
                    v["labels"].as_array_mut().unwrap().push(extra);
                })
            }),
            "model.json",
            "theme labels",
        ),
        (
            "idf",
            Box::new(|m: &Path| {
                edit_json(&m.join("model.json"), |v| {
                    v["tfidf"]["idf"].as_array_mut().unwrap().pop();
                })
            }),
            "model.json",
            "idf values",
        ),
        (
            "nan",
            Box::new(|m: &Path| {
                let path = m.join("components.npy");
                let mut bytes = std::fs::read(&path).unwrap();
                let data = 10 + u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
                bytes[data..data + 8].copy_from_slice(&f64::NAN.to_le_bytes());
                std::fs::write(&path, bytes).unwrap();
            }),
            "components.npy",
            "NaN",
        ),
        (
            "centres",
            Box::new(|m: &Path| {
                edit_json(&m.join("kmeans.json"), |v| {
                    let c = &mut v["model"]["centroids"];
                    let d = c["dim"][1].as_u64().unwrap() as usize;
                    c["dim"][0] = 9.into();
                    let data = c["data"].as_array_mut().unwrap();
                    data.truncate(data.len() - d);
                })
            }),
            "kmeans.json",
            "",
        ),
    ];
    for (name, tamper, file, problem) in cases {
        let m = tampered(&model, &dir.path().join(name), tamper);
        let out = run(&[
            "apply",
            "--model",
            m.to_str().unwrap(),
            sample().to_str().unwrap(),
            "--out",
            dir.path().join(format!("out-{name}")).to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(
            stderr.contains(file) && stderr.contains(problem),
            "{name}: {stderr}"
        );
    }
}

/// One change to a saved model.
#[derive(Debug, Clone)]
enum Mutation {
    /// Cut the file at this share of its length.
    Truncate(usize, f64),
    /// XOR one byte, at this share of the length.
    Flip(usize, f64, u8),
    /// Set a number inside the JSON (the n-th number met) to another value.
    Number(usize, usize, i64),
}

const FILES: [&str; 3] = ["model.json", "kmeans.json", "components.npy"];

fn mutation() -> impl proptest::strategy::Strategy<Value = Mutation> {
    use proptest::prelude::*;
    prop_oneof![
        (0..3usize, 0.0..1.0f64).prop_map(|(f, at)| Mutation::Truncate(f, at)),
        (0..3usize, 0.0..1.0f64, 1..=255u8).prop_map(|(f, at, x)| Mutation::Flip(f, at, x)),
        (0..2usize, 0..2000usize, -3..1_000_000i64).prop_map(|(f, n, v)| Mutation::Number(f, n, v)),
    ]
}

/// Sets the n-th number of a JSON value (depth first), if there are that many.
fn set_number(v: &mut serde_json::Value, n: &mut usize, to: i64) -> bool {
    match v {
        serde_json::Value::Number(_) => {
            if *n == 0 {
                *v = to.into();
                return true;
            }
            *n -= 1;
            false
        }
        serde_json::Value::Array(items) => items.iter_mut().any(|i| set_number(i, n, to)),
        serde_json::Value::Object(map) => map.values_mut().any(|i| set_number(i, n, to)),
        _ => false,
    }
}

fn mutate(dir: &Path, m: &Mutation) {
    let at = |len: usize, share: f64| ((len as f64 * share) as usize).min(len.saturating_sub(1));
    match *m {
        Mutation::Truncate(f, share) => {
            let path = dir.join(FILES[f]);
            let bytes = std::fs::read(&path).unwrap();
            std::fs::write(&path, &bytes[..at(bytes.len(), share)]).unwrap();
        }
        Mutation::Flip(f, share, x) => {
            let path = dir.join(FILES[f]);
            let mut bytes = std::fs::read(&path).unwrap();
            let i = at(bytes.len(), share);
            bytes[i] ^= x;
            std::fs::write(&path, bytes).unwrap();
        }
        Mutation::Number(f, n, to) => {
            let path = dir.join(FILES[f]);
            // Only while the file is still JSON (an earlier mutation may have cut it).
            if let Ok(mut v) = serde_json::from_slice(&std::fs::read(&path).unwrap()) {
                set_number(&mut v, &mut { n }, to);
                std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
            }
        }
    }
}

#[test]
fn mutated_models_load_or_fail_cleanly_and_never_panic() {
    use policy_themes::config::ReportParams;
    use policy_themes::pipeline::{RunInput, apply};
    use policy_themes::runtime::NoProgress;
    let dir = tempdir();
    let model = fit_sample(dir.path()).join("model");
    let input = RunInput {
        paths: vec![sample().join("001_848877a066f19620.txt")],
        ..RunInput::default()
    };
    let case = std::sync::atomic::AtomicUsize::new(0);
    let config = proptest::test_runner::Config {
        cases: 96,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    runner
        .run(&proptest::collection::vec(mutation(), 1..3), |mutations| {
            let n = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let m = tampered(&model, &dir.path().join(format!("m{n}")), |m| {
                mutations.iter().for_each(|x| mutate(m, x))
            });
            match FittedModel::load(&m) {
                Err(e) => {
                    let message = e.to_string();
                    proptest::prop_assert!(!message.contains('\n'), "{}", message);
                    proptest::prop_assert!(
                        FILES.iter().any(|f| message.contains(f)),
                        "{}",
                        message
                    );
                }
                // A change that leaves a valid model (a flipped digit of a weight, a stop word
                // changed) is a model: placing text on it must work.
                Ok(loaded) => {
                    let placed = apply(loaded, ReportParams::default(), false, &input, &NoProgress);
                    if let Err(e) = placed {
                        proptest::prop_assert!(!e.to_string().contains('\n'), "{}", e);
                    }
                }
            }
            std::fs::remove_dir_all(&m).unwrap();
            Ok(())
        })
        .unwrap();
}

/// Borrows a list of owned arguments.
fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// A `[merge]` table folds themes of the run without merges into one named theme: one theme
/// fewer, its size the sum of theirs, its units theirs; names refer to the unmerged themes; the
/// model places the reports on the merged themes; a key that names no theme is warned about.
#[test]
fn merged_themes_fold_units_and_names_and_apply_keeps_them() {
    let dir = tempdir();
    let plain = dir.path().join("plain");
    let sample = sample();
    let args = |out: &Path| {
        vec![
            "run".to_string(),
            sample.to_str().unwrap().to_string(),
            "--out".to_string(),
            out.to_str().unwrap().to_string(),
            "--quiet".to_string(),
        ]
    };
    run_ok(&strs(&args(&plain)));
    let (_, themes) = read_csv(&plain.join("themes.csv"));
    let (_, units) = read_csv(&plain.join("measures.csv"));
    let members = |rows: &[std::collections::HashMap<String, String>], theme: &str| {
        rows.iter()
            .filter(|r| r["theme"] == theme)
            .map(|r| r["measure_id"].clone())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let mut folded = members(&units, "T02");
    folded.extend(members(&units, "T05"));
    let t03_label = themes[2]["label"].clone();

    let labels = dir.path().join("labels.toml");
    std::fs::write(
        &labels,
        "[names]\nT03 = \"决策\"\n[merge]\n\"学法\" = [\"T02\", \"T05\", \"T99\"]\n",
    )
    .unwrap();
    let merged = dir.path().join("merged");
    let mut with_labels = args(&merged);
    with_labels.extend(["--labels".to_string(), labels.to_str().unwrap().to_string()]);
    let out = run_ok(&strs(&with_labels));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("\"T99\" names no theme"), "{stderr}");
    let (_, merged_themes) = read_csv(&merged.join("themes.csv"));
    let (_, merged_units) = read_csv(&merged.join("measures.csv"));
    assert_eq!(merged_themes.len(), themes.len() - 1);
    let theme_of = |label: &str| {
        merged_themes
            .iter()
            .find(|t| t["label"] == label)
            .unwrap_or_else(|| panic!("no theme {label}: {merged_themes:?}"))["theme"]
            .clone()
    };
    assert_eq!(members(&merged_units, &theme_of("学法")), folded);
    // T03's name follows T03's units (its id may change as themes are numbered by size).
    let t03 = members(&units, "T03");
    assert_eq!(
        members(&merged_units, &theme_of("决策")),
        t03,
        "{t03_label}"
    );

    let applied = dir.path().join("applied");
    run_ok(&[
        "apply",
        "--model",
        merged.join("model").to_str().unwrap(),
        sample.to_str().unwrap(),
        "--out",
        applied.to_str().unwrap(),
        "--quiet",
    ]);
    let (_, applied_units) = read_csv(&applied.join("measures.csv"));
    let themes_of = |rows: &[std::collections::HashMap<String, String>]| {
        rows.iter().map(|r| r["theme"].clone()).collect::<Vec<_>>()
    };
    assert_eq!(themes_of(&applied_units), themes_of(&merged_units));
}

/// `s` escaped as the page writes text: by askama's HTML escaper, which its template uses.
fn esc(s: &str) -> String {
    let Ok(escaped) = askama::filters::escape(s, askama::filters::Html);
    escaped.to_string()
}
