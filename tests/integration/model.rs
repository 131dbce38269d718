use crate::util::{read_csv, run, run_ok, sample, tempdir};
use policy_themes::fitted::FittedModel;

#[test]
fn apply_on_the_fitted_corpus_and_a_gbk_copy_gives_the_run_s_themes() {
    let dir = tempdir();
    let fit = dir.path().join("fit");
    run_ok(&[
        "run",
        sample().to_str().unwrap(),
        "--out",
        fit.to_str().unwrap(),
        "--quiet",
    ]);
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
    let html = std::fs::read_to_string(applied.join("index.html")).unwrap();
    assert!(html.contains("themes come from a fitted model"));

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
    let fit = dir.path().join("fit");
    run_ok(&[
        "run",
        sample().to_str().unwrap(),
        "--out",
        fit.to_str().unwrap(),
        "--quiet",
    ]);
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
