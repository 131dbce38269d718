//! The four modes (`run`, `split`, `text`, `apply`, and `print-config`), the exit codes, and
//! the one-line messages on stderr.

use crate::args::{ApplyArgs, Cli, Command, OutputArgs, RunArgs, SplitArgs};
use crate::progress::Bars;
use clap::Parser;
use policy_themes::analysis::Analysis;
use policy_themes::config::{Config, ReadParams, SplitParams};
use policy_themes::error::{self, Error, Result};
use policy_themes::fitted::FittedModel;
use policy_themes::label::ThemeNames;
use policy_themes::meta::Manifest;
use policy_themes::output::OutputDir;
use policy_themes::pipeline::{self, RunInput};
use policy_themes::read;
use policy_themes::report::outline::Outline;
use policy_themes::split;
use policy_themes::stream::{self, Streamed};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The bundled sample: `data/sample` in the working directory, else beside the sources.
fn sample_dir() -> PathBuf {
    let local = PathBuf::from("data/sample");
    if local.is_dir() {
        local
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample")
    }
}

/// Parses the command line, runs it, prints any error on one line; returns the exit code.
///
/// A failed write is an error like any other: SIGXFSZ is caught (by a handler that only sets a
/// flag nobody reads), so a write past the file-size limit (`ulimit -f`) returns EFBIG and is
/// reported instead of killing the process. A panic (a bug) is reported on one line too, and
/// exits with status 1.
pub fn main() -> i32 {
    // Fails only for the signals a process may not catch, which SIGXFSZ is not.
    let caught = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGXFSZ, caught)
        .expect("SIGXFSZ can be caught");
    let full = std::env::var_os("RUST_BACKTRACE").is_some();
    let standard = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A panic of a library that is caught and becomes an error (a PDF parser on a broken
        // file, the workbook writer on a full disk) is said by that error.
        if error::in_contained() {
            return;
        }
        if full {
            return standard(info);
        }
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("{}", panic_line(&message, info.location()));
    }));
    let cli = Cli::parse();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        match cli.command.unwrap_or(Command::Run(Box::default())) {
            Command::Run(args) => run(*args),
            Command::Split(args) => split_cmd(args),
            Command::Text(args) => text_cmd(&args.file),
            Command::Apply(args) => apply(args),
            Command::PrintConfig => {
                print!("{}", Config::default().to_toml());
                Ok(())
            }
        }
    }));
    match outcome {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            eprintln!("policy-themes: error: {}", error::escaped(&e.to_string()));
            e.exit_code()
        }
        // The hook has said what happened.
        Err(_) => 1,
    }
}

/// The one line a panic prints (unless `RUST_BACKTRACE` asks for the full report).
fn panic_line(message: &str, location: Option<&std::panic::Location>) -> String {
    let at = location.map_or(String::new(), |l| format!(" at {}:{}", l.file(), l.line()));
    format!(
        "policy-themes: internal error (a bug, please report it; RUST_BACKTRACE=1 shows more): {}{at}",
        error::escaped(message)
    )
}

fn run(args: RunArgs) -> Result<()> {
    let config = args.config()?;
    let stream = args.streaming.params()?;
    let default_out = if args.paths.is_empty() {
        "reports/sample"
    } else {
        "policy-themes-out"
    };
    let (out, manifest) = args.output.prepare(default_out)?;
    let names = match &args.labels {
        Some(p) => ThemeNames::from_file(p)?,
        None => ThemeNames::default(),
    };
    let paths = if args.paths.is_empty() {
        vec![sample_dir()]
    } else {
        args.paths.clone()
    };
    let input = RunInput {
        paths,
        manifest,
        names,
    };
    let bars = Bars::new(args.output.progress());
    if let Some(params) = stream {
        let streamed = stream::run(config, &input, params, out.staging(), &bars)?;
        return finish_streamed(&streamed, out, &args.output);
    }
    let analysis = pipeline::run(config, &input, &bars)?;
    let result = finish(&analysis, out, &args.output);
    // The process ends next: returning the memory of hundreds of thousands of small allocations
    // one by one would only delay the exit (a tenth of a second on a large corpus).
    std::mem::forget(analysis);
    result
}

fn apply(args: ApplyArgs) -> Result<()> {
    let stream = args.streaming.params()?;
    let (out, manifest) = args.output.prepare("policy-themes-out")?;
    let model = FittedModel::load(&args.model)?;
    // The model's output options, with the flags over them; the run's policy is this run's.
    let mut report = model.config.report.clone();
    args.output.apply_report(&mut report);
    let strict = args.output.strict;
    let input = RunInput {
        paths: args.paths.clone(),
        manifest,
        names: ThemeNames::default(),
    };
    let bars = Bars::new(args.output.progress());
    if let Some(params) = stream {
        let streamed = stream::apply(model, report, strict, &input, params, out.staging(), &bars)?;
        return finish_streamed(&streamed, out, &args.output);
    }
    let analysis = pipeline::apply(model, report, strict, &input, &bars)?;
    finish(&analysis, out, &args.output)
}

/// As [`finish`], for a streamed `apply` whose outputs are written.
fn finish_streamed(streamed: &Streamed, out: OutputDir, flags: &OutputArgs) -> Result<()> {
    let path = out.path().to_path_buf();
    let summary = &streamed.summary;
    for warning in summary.warnings.iter().cloned().chain(out.commit()?) {
        eprintln!("policy-themes: warning: {warning}");
    }
    let c = &streamed.counts;
    if !flags.quiet {
        eprintln!(
            "policy-themes: {} report(s), {} skipped, {} units in {} chunk(s), {} themes over {} groups → {}",
            c.reports,
            c.skipped,
            c.units,
            streamed.chunks,
            c.themes,
            c.groups,
            path.display()
        );
    }
    if summary.config.run.strict && c.skipped > 0 {
        return Err(Error::Strict(c.skipped));
    }
    Ok(())
}

/// Writes the outputs into the new folder, switches it in, prints a summary, applies `--strict`.
fn finish(analysis: &Analysis, out: OutputDir, flags: &OutputArgs) -> Result<()> {
    policy_themes::report::write_all(analysis, out.staging())?;
    let path = out.path().to_path_buf();
    for warning in analysis.warnings.iter().cloned().chain(out.commit()?) {
        eprintln!("policy-themes: warning: {warning}");
    }
    if !flags.quiet {
        eprintln!(
            "policy-themes: {} report(s), {} skipped, {} units, {} themes over {} groups → {}",
            analysis.reports.len(),
            analysis.skipped.len(),
            analysis.units.len(),
            analysis.themes.len(),
            analysis.recurrence.groups.len(),
            path.display()
        );
    }
    if analysis.config.run.strict && !analysis.skipped.is_empty() {
        return Err(Error::Strict(analysis.skipped.len()));
    }
    Ok(())
}

/// Prints exactly the text a report's spans index (as read by `run`, chrome included).
fn text_cmd(file: &Path) -> Result<()> {
    let params = ReadParams::default();
    let report = read::read_one("r0000", file, &params, &Manifest::default()).map_err(|s| {
        eprintln!("policy-themes: skipped {}", s.message());
        Error::EmptyCorpus("the file could not be read".to_string())
    })?;
    let mut out = std::io::stdout().lock();
    let wrote = out
        .write_all(report.text.as_bytes())
        .and_then(|()| out.flush());
    stdout_result(wrote)
}

/// Shows the sections and units found in each file ([`Outline`]); a file that cannot be read
/// is named on stderr, and only when none can the command fails.
fn split_cmd(args: SplitArgs) -> Result<()> {
    let mut params = SplitParams::default();
    if let Some(u) = args.unit {
        params.unit = u.into();
    }
    let read_params = ReadParams::default();
    let mut outline = match Outline::new(std::io::stdout().lock(), args.format.into()) {
        Ok(o) => o,
        Err(e) => return stdout_result(Err(e)),
    };
    let mut failed = 0;
    for (i, file) in args.files.iter().enumerate() {
        let report = match read::read_one(
            &format!("r{i:04}"),
            file,
            &read_params,
            &Manifest::default(),
        ) {
            Ok(r) => r,
            Err(s) => {
                eprintln!("policy-themes: skipped {}", s.message());
                failed += 1;
                continue;
            }
        };
        let split = split::split_report(&report, 0, &params);
        if let Err(e) = outline.write(&report, &split) {
            return stdout_result(Err(e));
        }
    }
    stdout_result(outline.finish().map(drop))?;
    if failed == args.files.len() {
        return Err(Error::EmptyCorpus(format!(
            "none of the {failed} file(s) could be read"
        )));
    }
    Ok(())
}

/// A write to stdout that failed is an error, except a closed pipe (`… | head`): the reader
/// has what it wanted.
fn stdout_result(wrote: std::io::Result<()>) -> Result<()> {
    match wrote {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Error::io("stdout", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_one_line_with_where_it_happened() {
        let line = panic_line("index out of bounds\nsecond line", None);
        assert!(!line.contains('\n'), "{line}");
        assert!(
            line.ends_with("index out of bounds\\nsecond line"),
            "{line}"
        );
        let here = std::panic::Location::caller();
        let line = panic_line("boom", Some(here));
        assert!(line.contains(&format!(" at {}:{}", here.file(), here.line())));
    }
}
