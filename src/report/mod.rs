//! Stage 8a: an [`Analysis`] → the output folder of DESIGN.md §4: CSV tables (UTF-8 with a BOM
//! unless `--no-bom`), `themes.json`, `run.json`, the charts, `index.html`, the model, and with
//! `--dump` the debug files of §5. Each writer renders bytes first, so it is testable alone.

mod html;
mod json;
mod tables;

pub use html::render_index;
pub use json::{render_dump, render_run, render_themes};
pub use tables::{render_group_theme, render_measures, render_plans_followed, render_reports, render_themes_csv};

use crate::error::{Error, Result};
use crate::pipeline::Analysis;
use std::path::Path;

/// Writes every output file into `out` (created if missing); returns the file names written.
pub fn write_all(analysis: &Analysis, out: &Path) -> Result<Vec<String>> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let bom = analysis.config.report.bom;
    let mut written = Vec::new();
    let mut put = |name: &str, bytes: Vec<u8>| -> Result<()> {
        let path = out.join(name);
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        written.push(name.to_string());
        Ok(())
    };
    put("measures.csv", render_measures(analysis, bom)?)?;
    put("reports.csv", render_reports(analysis, bom)?)?;
    put("themes.csv", render_themes_csv(analysis, bom)?)?;
    put("group_theme.csv", render_group_theme(analysis, bom)?)?;
    put("themes.json", render_themes(analysis))?;
    if !crate::recurrence::plans_followed(&analysis.units, &analysis.assignments).is_empty() {
        put("plans_followed.csv", render_plans_followed(analysis, bom)?)?;
    }
    if analysis.config.report.dump {
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
    let path = out.join("run.json");
    std::fs::write(&path, render_run(analysis, &written)).map_err(|e| Error::io(&path, e))?;
    written.push("run.json".to_string());
    Ok(written)
}

/// A CSV writer over a byte buffer, starting with a UTF-8 BOM when asked.
pub(crate) fn csv_buffer(bom: bool) -> csv::Writer<Vec<u8>> {
    let buf = if bom { vec![0xEF, 0xBB, 0xBF] } else { Vec::new() };
    csv::WriterBuilder::new().from_writer(buf)
}

/// Finishes a CSV buffer.
pub(crate) fn csv_bytes(w: csv::Writer<Vec<u8>>, name: &str) -> Result<Vec<u8>> {
    w.into_inner().map_err(|e| Error::io(name, std::io::Error::other(e.to_string())))
}

/// Maps a CSV error on `name`.
pub(crate) fn csv_err(name: &str) -> impl Fn(csv::Error) -> Error + '_ {
    move |source| Error::Csv { path: name.into(), source }
}
