//! Issue 20's probes: what the program promises about its output folder, its inputs and its
//! messages (README, "Reliability").

use crate::util::{bin, read_csv, run, run_ok, sample, tempdir};
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every file under `dir` (links not followed) with its bytes; links as `-> target`.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(dir).unwrap().to_path_buf();
            if meta.file_type().is_symlink() {
                let target = fs::read_link(&path).unwrap();
                files.insert(rel, format!("-> {}", target.display()).into_bytes());
            } else if meta.is_dir() {
                todo.push(path);
            } else {
                files.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// The names in `dir` other than `keep`: what a run left beside its output folder.
fn beside(dir: &Path, keep: &str) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != keep)
        .collect()
}

/// stderr's lines.
fn stderr_lines(out: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(String::from)
        .collect()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_failed_write_ends_with_one_line_and_leaves_the_old_result_whole() {
    let dir = tempdir();
    let out = dir.path().join("o");
    run_ok(&["run", "--out", s(&out), "--quiet"]);
    let before = snapshot(&out);
    // A file-size limit smaller than the outputs: SIGXFSZ killed the run mid-write, leaving old
    // and new files mixed. Now the write fails with EFBIG, is reported, and nothing changes.
    let res = Command::new("bash")
        .arg("-c")
        .arg(r#"ulimit -f 40; exec "$0" run --out "$1" --k 7 --quiet"#)
        .arg(bin())
        .arg(&out)
        .current_dir(crate::util::root())
        .output()
        .unwrap();
    let lines = stderr_lines(&res);
    assert_eq!(res.status.code(), Some(1), "{lines:?}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("File too large"), "{lines:?}");
    assert!(snapshot(&out) == before, "the old result changed");
    assert_eq!(beside(dir.path(), "o"), Vec::<String>::new());
}

#[test]
fn a_folder_of_other_files_is_refused_and_left_alone() {
    let dir = tempdir();
    let theirs = dir.path().join("thesis");
    fs::create_dir(&theirs).unwrap();
    fs::write(theirs.join("chapter1.docx"), "years of work").unwrap();
    let res = run(&["run", "--out", s(&theirs), "--quiet"]);
    let lines = stderr_lines(&res);
    assert_eq!(res.status.code(), Some(2), "{lines:?}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("thesis") && lines[0].contains("not a policy-themes output"),
        "{lines:?}"
    );
    assert_eq!(snapshot(&theirs).len(), 1);
    // An empty folder, or a new one, is fine; the result carries the marker.
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    run_ok(&["run", "--out", s(&empty), "--quiet"]);
    let marker = fs::read_to_string(empty.join(".policy-themes-output")).unwrap();
    assert!(marker.starts_with("policy-themes "), "{marker}");
    for name in ["measures.csv", "run.json", "model/model.json", "index.html"] {
        assert!(
            marker.lines().any(|l| l == name),
            "{name} not listed: {marker}"
        );
    }
}

#[test]
fn a_rerun_keeps_the_user_s_files_and_drops_stale_outputs() {
    let dir = tempdir();
    let out = dir.path().join("o");
    let o = s(&out);
    run_ok(&[
        "run",
        "--out",
        o,
        "--k",
        "auto",
        "--k-range",
        "4..6",
        "--dump",
        "--quiet",
    ]);
    for stale in [
        "k.svg",
        "tokens.json",
        "tfidf.json",
        "reduced.csv",
        "centroids.csv",
    ] {
        assert!(out.join(stale).is_file(), "{stale}");
    }
    fs::write(out.join("notes.txt"), "my notes").unwrap();
    fs::create_dir_all(out.join("drafts/old")).unwrap();
    fs::write(out.join("drafts/old/v1.md"), "draft").unwrap();
    fs::write(out.join("model/README"), "which corpus").unwrap();
    run_ok(&["run", "--out", o, "--k", "7", "--quiet"]);
    for stale in [
        "k.svg",
        "tokens.json",
        "tfidf.json",
        "reduced.csv",
        "centroids.csv",
    ] {
        assert!(!out.join(stale).exists(), "{stale} survived");
    }
    assert_eq!(
        fs::read_to_string(out.join("notes.txt")).unwrap(),
        "my notes"
    );
    assert_eq!(
        fs::read_to_string(out.join("drafts/old/v1.md")).unwrap(),
        "draft"
    );
    assert_eq!(
        fs::read_to_string(out.join("model/README")).unwrap(),
        "which corpus"
    );
    let (_, themes) = read_csv(&out.join("themes.csv"));
    assert_eq!(themes.len(), 7);
    assert_eq!(beside(dir.path(), "o"), Vec::<String>::new());
}

#[test]
fn links_inside_the_output_folder_are_never_followed() {
    let dir = tempdir();
    let out = dir.path().join("o");
    run_ok(&["run", "--out", s(&out), "--quiet"]);
    let victims: Vec<PathBuf> = ["a", "b", "c"]
        .iter()
        .map(|n| dir.path().join(format!("victim-{n}.txt")))
        .collect();
    for v in &victims {
        fs::write(v, "precious").unwrap();
    }
    fs::remove_file(out.join("index.html")).unwrap();
    std::os::unix::fs::symlink(&victims[0], out.join("index.html")).unwrap();
    std::os::unix::fs::symlink(&victims[1], out.join(".policy-themes-write-test")).unwrap();
    fs::remove_file(out.join("model/model.json")).unwrap();
    std::os::unix::fs::symlink(&victims[2], out.join("model/model.json")).unwrap();
    run_ok(&["run", "--out", s(&out), "--quiet"]);
    for v in &victims {
        assert_eq!(
            fs::read_to_string(v).unwrap(),
            "precious",
            "{}",
            v.display()
        );
    }
    let index = fs::symlink_metadata(out.join("index.html")).unwrap();
    assert!(
        index.is_file(),
        "index.html is written anew, not through the link"
    );
    // A link the program did not write is the user's: carried over, still a link.
    let link = fs::read_link(out.join(".policy-themes-write-test")).unwrap();
    assert_eq!(link, victims[1]);
    // An --out that is itself a link is refused.
    let link_out = dir.path().join("link-out");
    std::os::unix::fs::symlink(&out, &link_out).unwrap();
    assert_eq!(
        run(&["run", "--out", s(&link_out), "--quiet"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_second_run_into_a_busy_folder_fails_or_waits() {
    let dir = tempdir();
    let out = dir.path().join("o");
    // Hold the lock as a running policy-themes would.
    let lock = fs::File::create(dir.path().join(".o.policy-themes-lock")).unwrap();
    lock.lock().unwrap();
    let res = run(&["run", "--out", s(&out), "--quiet"]);
    let lines = stderr_lines(&res);
    assert_eq!(res.status.code(), Some(1), "{lines:?}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("in use"), "{lines:?}");
    assert!(!out.exists());
    let mut waiting = Command::new(bin())
        .args(["run", "--out", s(&out), "--quiet", "--wait"])
        .current_dir(crate::util::root())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "--wait did not wait for the lock"
    );
    drop(lock);
    let status = waiting.wait().unwrap();
    assert!(status.success());
    assert!(out.join("measures.csv").is_file());
    assert_eq!(beside(dir.path(), "o"), Vec::<String>::new());
}

#[test]
fn an_output_inside_an_input_folder_is_not_read_back() {
    let dir = tempdir();
    let input = dir.path().join("in");
    fs::create_dir(&input).unwrap();
    for f in fs::read_dir(sample()).unwrap() {
        let f = f.unwrap().path();
        fs::copy(&f, input.join(f.file_name().unwrap())).unwrap();
    }
    let out = input.join("results");
    let units = || read_csv(&out.join("measures.csv")).1.len();
    run_ok(&["run", s(&input), "--out", s(&out), "--quiet"]);
    let first = units();
    assert_eq!(first, 69);
    run_ok(&["run", s(&input), "--out", s(&out), "--quiet"]);
    assert_eq!(units(), first);
    let (_, reports) = read_csv(&out.join("reports.csv"));
    assert_eq!(reports.len(), 5, "{reports:?}");
}

#[test]
fn csv_cells_that_would_be_formulas_get_a_quote_unless_raw() {
    let dir = tempdir();
    let out = dir.path().join("o");
    run_ok(&["run", "--out", s(&out), "--quiet"]);
    // The sample's units as a table, some of them made into formulas, with a formula label.
    let (_, units) = read_csv(&out.join("measures.csv"));
    let table = dir.path().join("units.csv");
    let mut w = csv::Writer::from_path(&table).unwrap();
    w.write_record(["id", "text", "township", "label"]).unwrap();
    let formulas = [
        "=HYPERLINK(\"http://x\",\"点击\")",
        "+1+2",
        "-依法",
        "@SUM(A1)",
    ];
    for (i, u) in units.iter().enumerate() {
        let text = match formulas.get(i) {
            Some(f) => format!("{f}{}", u["text"]),
            None => u["text"].clone(),
        };
        w.write_record([&format!("u{i}"), &text, "=甲镇", "-1"])
            .unwrap();
    }
    w.flush().unwrap();
    let guarded = dir.path().join("guarded");
    run_ok(&[
        "run",
        s(&table),
        "--out",
        s(&guarded),
        "--k",
        "3",
        "--quiet",
    ]);
    let (_, rows) = read_csv(&guarded.join("measures.csv"));
    for (row, f) in rows.iter().zip(formulas) {
        assert!(row["text"].starts_with(&format!("'{f}")), "{}", row["text"]);
    }
    assert!(rows.iter().all(|r| r["township"] == "'=甲镇"));
    // A number is not a formula.
    assert!(rows.iter().all(|r| r["label"] == "-1"));
    let (_, groups) = read_csv(&guarded.join("group_theme.csv"));
    assert_eq!(groups[0]["group"], "'=甲镇");
    let raw = dir.path().join("raw");
    run_ok(&[
        "run",
        s(&table),
        "--out",
        s(&raw),
        "--k",
        "3",
        "--raw-csv",
        "--quiet",
    ]);
    let (_, rows) = read_csv(&raw.join("measures.csv"));
    assert!(rows[0]["text"].starts_with(formulas[0]));
    assert!(rows.iter().all(|r| r["township"] == "=甲镇"));
}

/// Runs `args`, killing the run if it has not ended in a minute (the old walk hung on FIFOs).
fn run_bounded(cmd: &mut Command) -> std::process::Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn devices_fifos_loops_and_unreadable_folders_are_skipped_with_a_reason() {
    let dir = tempdir();
    // Readable by an unprivileged user: as root the run drops to `nobody`, for whom a folder
    // without permissions is unreadable (root reads every folder).
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
    let input = dir.path().join("in");
    fs::create_dir_all(input.join("sub")).unwrap();
    for f in fs::read_dir(sample()).unwrap() {
        let f = f.unwrap().path();
        fs::copy(&f, input.join(f.file_name().unwrap())).unwrap();
    }
    std::os::unix::fs::symlink("/dev/zero", input.join("zero.txt")).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(input.join("pipe.txt"))
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("..", input.join("sub/loop")).unwrap();
    let locked = input.join("locked");
    fs::create_dir(&locked).unwrap();
    fs::write(locked.join("hidden.txt"), "江湾镇").unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    for p in [&input, &input.join("sub")] {
        fs::set_permissions(p, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = dir.path().join("o");
    let mut cmd = Command::new(bin());
    cmd.args(["run", s(&input), "--out", s(&out), "--quiet"])
        .current_dir(dir.path());
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        use std::os::unix::process::CommandExt;
        cmd.uid(65534).gid(65534);
    }
    let res = run_bounded(&mut cmd);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{stderr}");
    let (_, reports) = read_csv(&out.join("reports.csv"));
    let reason = |name: &str| {
        reports
            .iter()
            .find(|r| r["file"].ends_with(name))
            .map(|r| (r["status"].clone(), r["reason"].clone()))
            .unwrap_or_else(|| panic!("{name} not in reports.csv: {reports:?}"))
    };
    for (name, why) in [
        ("zero.txt", "not a regular file (a character device)"),
        ("pipe.txt", "not a regular file (a FIFO)"),
        ("sub/loop", "a symbolic link loop"),
        ("locked", "unreadable folder"),
    ] {
        let (status, reason) = reason(name);
        assert_eq!(status, "skipped", "{name}");
        assert!(reason.starts_with(why), "{name}: {reason}");
        assert!(
            stderr.contains(name),
            "{name} not named on stderr: {stderr}"
        );
    }
    assert_eq!(reports.iter().filter(|r| r["status"] == "ok").count(), 5);
}

#[test]
#[ignore = "reads ../shared/corpus beside the repository (.ci/run runs it)"]
fn the_walk_lists_files_in_the_sorted_order_of_their_paths() {
    let root = crate::util::shared_corpus();
    let found = policy_themes::read::list_files(&[root]).unwrap();
    assert!(found.len() > 3475);
    assert!(found.iter().all(|f| f.skip.is_none()));
    let paths: Vec<&PathBuf> = found.iter().map(|f| &f.path).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert!(paths == sorted);
}

#[test]
fn absurd_threads_and_stability_are_capped_or_refused() {
    let dir = tempdir();
    let out = dir.path().join("o");
    let res = run(&["run", "--out", s(&out), "--threads", "10000"]);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{stderr}");
    assert!(
        stderr.contains("--threads 10000 lowered to"),
        "no warning: {stderr}"
    );
    let run_json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("run.json")).unwrap()).unwrap();
    let cores = std::thread::available_parallelism().unwrap().get() as u64;
    assert!(run_json["threads"].as_u64().unwrap() <= 4 * cores);
    let res = run(&["run", "--out", s(&out), "--stability", "1000000"]);
    let lines = stderr_lines(&res);
    assert_eq!(res.status.code(), Some(2), "{lines:?}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("cluster.stability must be <= 100"),
        "{lines:?}"
    );
}

#[test]
fn a_table_with_a_repeated_id_is_skipped_naming_the_lines() {
    let dir = tempdir();
    let table = dir.path().join("units.jsonl");
    fs::write(
        &table,
        "{\"id\": \"a\", \"text\": \"江湾镇加强组织领导\"}\n{\"id\": \"b\", \"text\": \"覃斗镇推进依法行政\"}\n{\"id\": \"a\", \"text\": \"洪山镇完善制度\"}\n",
    )
    .unwrap();
    let res = run(&["run", s(&table), "--out", s(&dir.path().join("o"))]);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("duplicate id \"a\" on lines 1 and 3"),
        "{stderr}"
    );
}

#[test]
fn messages_are_one_line_whatever_the_names_and_the_toml() {
    let dir = tempdir();
    let input = dir.path().join("in");
    fs::create_dir(&input).unwrap();
    for f in fs::read_dir(sample()).unwrap() {
        let f = f.unwrap().path();
        fs::copy(&f, input.join(f.file_name().unwrap())).unwrap();
    }
    // A file name with a line break would forge a line of its own.
    fs::write(
        input.join("x\npolicy-themes: error: forged.txt"),
        b"\x00\x01binary",
    )
    .unwrap();
    let out = dir.path().join("o");
    let res = run(&["run", s(&input), "--out", s(&out), "--quiet"]);
    assert!(res.status.success());
    // Warnings about the fit (reduce.dims clamped) are lines of their own.
    let lines: Vec<String> = stderr_lines(&res)
        .into_iter()
        .filter(|l| !l.starts_with("policy-themes: warning: "))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("policy-themes: skipped "), "{lines:?}");
    assert!(lines[0].contains("x\\npolicy-themes"), "{lines:?}");
    // A broken TOML file: one line, with its position, without the quoted source.
    let config = dir.path().join("c.toml");
    fs::write(&config, "[cluster]\nk = \"x\"\n").unwrap();
    let res = run(&["run", "--config", s(&config), "--out", s(&out)]);
    let lines = stderr_lines(&res);
    assert_eq!(res.status.code(), Some(2));
    assert_eq!(
        lines,
        [format!(
            "policy-themes: error: {}: line 2, column 5: cluster.k: cannot read \"x\": a number of themes or `auto`",
            config.display()
        )]
    );
}

#[test]
fn utf16_without_a_bom_and_html_templates_read_right() {
    let dir = tempdir();
    let seed = fs::read_dir(sample())
        .unwrap()
        .map(|e| e.unwrap().path())
        .min()
        .unwrap();
    let text = fs::read_to_string(&seed).unwrap();
    let le = dir.path().join("le.txt");
    fs::write(
        &le,
        text.encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let read = |p: &Path| {
        policy_themes::read::read_one(
            "r0",
            p,
            &policy_themes::config::ReadParams::default(),
            &policy_themes::meta::Manifest::default(),
        )
        .unwrap_or_else(|s| panic!("{}: {}", s.file, s.reason))
    };
    let report = read(&le);
    assert_eq!(
        (report.text.as_str(), report.encoding.as_str()),
        (text.as_str(), "UTF-16LE")
    );
    let page = dir.path().join("page.html");
    fs::write(
        &page,
        "<html><body><p>江湾镇报告</p><template><p>模板文字不是报告</p></template></body></html>",
    )
    .unwrap();
    assert_eq!(read(&page).text, "江湾镇报告\n");
}
