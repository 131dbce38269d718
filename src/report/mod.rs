//! Stage 8a: an [`Analysis`] → the output folder of DESIGN.md §4: CSV tables (UTF-8 with a BOM
//! unless `--no-bom`), `workbook.xlsx` (unless `--no-xlsx`), `themes.json`, `run.json`, the charts, `index.html`, the model, and with
//! `--dump` the debug files of §5. Tables stream to any `io::Write`; the JSON and HTML writers
//! return their bytes.

mod guard;
mod html;
mod json;
pub mod outline;
mod tables;
mod xlsx;

pub use html::render_index;
pub use json::{RunCounts, render_dump, render_run, render_themes};
pub use tables::{
    RowTable, write_concreteness, write_copies, write_group_theme, write_measures,
    write_plans_followed, write_promises, write_reports, write_themes_csv,
};
pub use xlsx::{
    MAX_MEASURES, MAX_ROWS, MeasureData, PendingWorkbook, holds_measures, start_workbook,
    write_workbook,
};

use crate::analysis::Analysis;
use crate::error::{Error, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes every output file into `out` (created if missing); returns the file names written.
pub fn write_all(analysis: &Analysis, out: &Path) -> Result<Vec<String>> {
    let started = std::time::Instant::now();
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let bom = analysis.config.report.bom;
    // measures.csv, alone hundreds of megabytes and most of the writing, streams into its file
    // on its own thread (formatted in parallel) while the other outputs are written.
    std::thread::scope(|scope| {
        let measures =
            scope.spawn(|| write_table(out, "measures.csv", &|w| write_measures(analysis, bom, w)));
        // The workbook, as long to write as measures.csv, on a thread of its own too.
        let workbook = analysis
            .config
            .report
            .xlsx
            .then(|| scope.spawn(|| write_workbook(analysis, out)));
        let others = write_others(analysis, out);
        measures
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        let mut written = vec!["measures.csv".to_string()];
        if let Some(workbook) = workbook {
            workbook
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            written.push("workbook.xlsx".to_string());
        }
        written.extend(others?);
        let path = out.join("run.json");
        let counts = RunCounts::of(analysis);
        let run = render_run(analysis, &counts, &written, started.elapsed().as_secs_f64());
        std::fs::write(&path, run).map_err(|e| Error::io(&path, e))?;
        written.push("run.json".to_string());
        Ok(written)
    })
}

/// Streams the table `name` into its file in `out` (tables can be hundreds of megabytes).
pub fn write_table(
    out: &Path,
    name: &str,
    write: &dyn Fn(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    let path = out.join(name);
    let mut file = BufWriter::new(File::create(&path).map_err(|e| Error::io(&path, e))?);
    write(&mut file)?;
    file.flush().map_err(|e| Error::io(&path, e))
}

/// Every output but `measures.csv` and `run.json`; returns the file names written, in order.
fn write_others(analysis: &Analysis, out: &Path) -> Result<Vec<String>> {
    let bom = analysis.config.report.bom;
    let mut written = Vec::new();
    let mut table =
        |name: &str, write: &dyn Fn(&mut BufWriter<File>) -> Result<()>| -> Result<()> {
            write_table(out, name, write)?;
            written.push(name.to_string());
            Ok(())
        };
    table("reports.csv", &|w| write_reports(analysis, bom, w))?;
    table("themes.csv", &|w| write_themes_csv(analysis, bom, w))?;
    table("group_theme.csv", &|w| write_group_theme(analysis, bom, w))?;
    if !crate::recurrence::plans_followed(&analysis.units, &analysis.placements).is_empty() {
        table("plans_followed.csv", &|w| {
            write_plans_followed(analysis, bom, w)
        })?;
        table("promises.csv", &|w| write_promises(analysis, bom, w))?;
    }
    table("copies.csv", &|w| write_copies(analysis, bom, w))?;
    table("concreteness.csv", &|w| {
        write_concreteness(analysis, bom, w)
    })?;
    let mut put = |name: &str, bytes: Vec<u8>| -> Result<()> {
        let path = out.join(name);
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        written.push(name.to_string());
        Ok(())
    };
    put("themes.json", render_themes(analysis))?;
    if analysis.config.run.dump {
        for (name, bytes) in render_dump(analysis) {
            put(name, bytes)?;
        }
    }
    let charts = crate::chart::render_all(analysis, out)?;
    written.extend(charts.iter().map(|c| c.to_string()));
    analysis.model.save(&out.join("model"))?;
    written.push("model/".to_string());
    let index = render_index(analysis, out, &charts)?;
    let path = out.join("index.html");
    std::fs::write(&path, index).map_err(|e| Error::io(&path, e))?;
    written.push("index.html".to_string());
    Ok(written)
}

/// A CSV writer over `out`, which first gets a UTF-8 BOM when asked; its text cells are
/// guarded against formula injection unless `raw` ([`guard`]).
pub(crate) fn csv_writer<W: Write>(
    mut out: W,
    bom: bool,
    raw: bool,
) -> std::io::Result<guard::CsvOut<W>> {
    if bom {
        out.write_all(&[0xEF, 0xBB, 0xBF])?;
    }
    Ok(guard::CsvOut::new(
        csv::WriterBuilder::new().from_writer(out),
        raw,
    ))
}

/// Maps a CSV error on `name`.
pub(crate) fn csv_err(name: &str) -> impl Fn(csv::Error) -> Error + '_ {
    move |source| Error::Csv {
        path: name.into(),
        source,
    }
}
