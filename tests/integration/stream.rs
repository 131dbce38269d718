use crate::util::{fit_sample, read_csv, run, run_ok, sample, tempdir};
use std::path::Path;

/// The seeds with a duplicate of one of them and a file that cannot be read as text.
fn seeds_with_bad_files(dir: &Path) -> std::path::PathBuf {
    let corpus = dir.join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for entry in std::fs::read_dir(sample()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, corpus.join(path.file_name().unwrap())).unwrap();
    }
    let first = std::fs::read_dir(sample())
        .unwrap()
        .map(|e| e.unwrap().path())
        .min()
        .unwrap();
    std::fs::copy(&first, corpus.join("zz-duplicate.txt")).unwrap();
    std::fs::write(corpus.join("zz-binary.txt"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    corpus
}

#[test]
fn streamed_apply_in_chunks_of_one_file_writes_the_tables_apply_writes() {
    let dir = tempdir();
    let fit = fit_sample(dir.path());
    let model = fit.join("model");
    let corpus = seeds_with_bad_files(dir.path());
    let applied = dir.path().join("applied");
    let streamed = dir.path().join("streamed");
    let apply = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "apply",
            "--model",
            model.to_str().unwrap(),
            corpus.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ];
        args.extend_from_slice(extra);
        run_ok(&args)
    };
    apply(&applied, &[]);
    // A chunk is at least one file: a thousandth of a megabyte puts each file in its own.
    let out = apply(&streamed, &["--stream", "--chunk-mb", "0.001"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Bad files are named with their reasons, as by `apply`.
    assert!(stderr.contains("zz-binary.txt"), "{stderr}");
    assert!(stderr.contains("duplicate of"), "{stderr}");

    // The seeds have no text copied between reports, and their place names are their own, so
    // every table is the same bytes as apply's.
    for table in [
        "measures.csv",
        "reports.csv",
        "copies.csv",
        "themes.csv",
        "group_theme.csv",
        "concreteness.csv",
    ] {
        assert_eq!(
            std::fs::read(applied.join(table)).unwrap(),
            std::fs::read(streamed.join(table)).unwrap(),
            "{table}"
        );
    }
    let (_, reports) = read_csv(&streamed.join("reports.csv"));
    assert_eq!(reports.len(), 7, "every input has its row");
    assert_eq!(
        reports.iter().filter(|r| r["status"] == "skipped").count(),
        2
    );
    let counts = |out: &Path| {
        let run: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
        (run["counts"].clone(), run["inputs"].clone())
    };
    assert_eq!(counts(&applied), counts(&streamed));
    // The streamed outputs are the tables, run.json and the model: no page, charts or workbook.
    assert!(streamed.join("model").is_dir());
    for left_out in ["index.html", "workbook.xlsx", "heatmap.svg", "themes.json"] {
        assert!(!streamed.join(left_out).exists(), "{left_out}");
    }
}

#[test]
fn a_chunk_size_that_is_no_size_is_a_usage_error() {
    let dir = tempdir();
    let out = dir.path().join("out");
    for chunk in ["0", "-1", "NaN"] {
        let res = run(&[
            "apply",
            "--model",
            "no-such-model",
            sample().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--stream",
            "--chunk-mb",
            chunk,
        ]);
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(2), "{chunk}: {stderr}");
        assert!(stderr.contains("--chunk-mb"), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
    for bad in [&["--sample-units", "0"][..], &["--dump"][..]] {
        let mut args = vec!["run", "--stream", "--out", out.to_str().unwrap()];
        args.extend_from_slice(bad);
        let res = run(&args);
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(2), "{bad:?}: {stderr}");
        assert!(stderr.contains(bad[0]), "{stderr}");
        assert!(!out.exists(), "nothing is written");
    }
    // --chunk-mb means nothing without --stream.
    let res = run(&["apply", "--model", "m", "x", "--chunk-mb", "8"]);
    assert_eq!(res.status.code(), Some(2));
}

#[test]
fn streamed_run_of_one_chunk_and_a_whole_sample_is_the_run_and_its_tables() {
    let dir = tempdir();
    let ran = dir.path().join("ran");
    let streamed = dir.path().join("streamed");
    let seeds = sample();
    let run_on = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "run",
            seeds.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ];
        args.extend_from_slice(extra);
        run_ok(&args)
    };
    run_on(&ran, &[]);
    run_on(&streamed, &["--stream"]);
    // The sample is every unit, so the fit in sample/ is the run, outputs and all.
    for file in [
        "measures.csv",
        "themes.csv",
        "group_theme.csv",
        "heatmap.svg",
        "themes.json",
    ] {
        assert_eq!(
            std::fs::read(ran.join(file)).unwrap(),
            std::fs::read(streamed.join("sample").join(file)).unwrap(),
            "sample/{file}"
        );
    }
    // The second pass places every unit where the run put it: the same tables.
    for table in [
        "measures.csv",
        "reports.csv",
        "themes.csv",
        "group_theme.csv",
    ] {
        assert_eq!(
            std::fs::read(ran.join(table)).unwrap(),
            std::fs::read(streamed.join(table)).unwrap(),
            "{table}"
        );
    }
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(streamed.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["theme_source"], "fitted");
    let note = run["warnings"][0].as_str().unwrap();
    assert!(note.contains("sample of 69 of the 69 units"), "{note}");
}

#[test]
fn a_streamed_run_samples_the_same_units_however_it_is_chunked() {
    let dir = tempdir();
    let seeds = sample();
    let measure_ids = |chunk_mb: &str, threads: &str| {
        let out = dir.path().join(format!("out-{chunk_mb}-{threads}"));
        run_ok(&[
            "run",
            seeds.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--k",
            "4",
            "--stream",
            "--sample-units",
            "40",
            "--chunk-mb",
            chunk_mb,
            "--threads",
            threads,
        ]);
        let (_, sampled) = read_csv(&out.join("sample").join("measures.csv"));
        let (_, all) = read_csv(&out.join("measures.csv"));
        assert_eq!(all.len(), 69, "every unit is placed");
        assert!(all.iter().all(|r| !r["theme"].is_empty()));
        let ids: Vec<String> = sampled.iter().map(|r| r["measure_id"].clone()).collect();
        (ids, std::fs::read(out.join("measures.csv")).unwrap())
    };
    let (whole, whole_rows) = measure_ids("64", "2");
    assert_eq!(whole.len(), 40);
    // Units from every report, in corpus order.
    let reports: std::collections::BTreeSet<&str> = whole
        .iter()
        .map(|id| id.split('-').next().unwrap())
        .collect();
    assert_eq!(reports.len(), 5, "{whole:?}");
    let mut sorted = whole.clone();
    sorted.sort();
    assert_eq!(sorted, whole);
    let (chunked, _) = measure_ids("0.001", "2");
    assert_eq!(chunked, whole, "one file a chunk samples the same units");
    // Same input, chunks and seed: the same bytes at any thread count.
    let (_, one_thread_rows) = measure_ids("64", "1");
    assert_eq!(one_thread_rows, whole_rows);
}
