//! Draws `reports/scaling.svg` from `reports/scaling.csv` (written by `benches/scaling.sh`): whole-run
//! seconds against units, one line per mode (held whole, or `--stream`), with the line of linear
//! growth from the smallest run held whole, using the same plotters SVG backend and font list as
//! the program's charts.
//!
//! `cargo run --release --example scaling_chart -- reports/scaling.csv reports/scaling.svg`

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let input = args
        .next()
        .unwrap_or_else(|| "reports/scaling.csv".to_string());
    let output = args
        .next()
        .unwrap_or_else(|| "reports/scaling.svg".to_string());
    let mut reader = csv::Reader::from_path(&input)?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(format!("{input}: no column {name}"))
    };
    let (units_col, secs_col, mode_col, mem_col) = (
        col("units")?,
        col("seconds")?,
        col("mode")?,
        col("peak_mib")?,
    );
    // (thousands of units, seconds, peak memory, mode)
    let mut points: Vec<(f64, f64, String, String)> = Vec::new();
    for record in reader.records() {
        let r = record?;
        let label = format!("{:.1} GiB", r[mem_col].parse::<f64>()? / 1024.0);
        points.push((
            r[units_col].parse::<f64>()? / 1000.0,
            r[secs_col].parse()?,
            label,
            r[mode_col].to_string(),
        ));
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (x_max, y_max) = points
        .iter()
        .fold((0.0f64, 0.0f64), |(x, y), p| (x.max(p.0), y.max(p.1)));
    let font = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, sans-serif";
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 480)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Whole run against corpus size (laws replicated, --unit paragraph, k = 30)",
                (font, 18),
            )
            .margin(20)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..x_max * 1.1, 0.0..y_max * 1.25)?;
        chart
            .configure_mesh()
            .x_desc("units (thousands)")
            .y_desc("seconds, 2 cores")
            .label_style((font, 13))
            .max_light_lines(0)
            .draw()?;
        if let Some(first) = points.iter().find(|p| p.3 == "held") {
            let rate = first.1 / first.0;
            chart
                .draw_series(LineSeries::new(
                    [(0.0, 0.0), (x_max * 1.1, rate * x_max * 1.1)],
                    BLACK.mix(0.35).stroke_width(1),
                ))?
                .label("linear from the smallest run held whole")
                .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], BLACK.mix(0.35)));
        }
        // One line per mode, Okabe–Ito colours.
        let mut modes: Vec<&str> = points.iter().map(|p| p.3.as_str()).collect();
        modes.sort_unstable();
        modes.dedup();
        let palette = [
            RGBColor(0, 114, 178),
            RGBColor(213, 94, 0),
            RGBColor(0, 158, 115),
        ];
        for (i, mode) in modes.iter().enumerate() {
            let color = palette[i % palette.len()];
            let series: Vec<(f64, f64)> = points
                .iter()
                .filter(|p| p.3 == *mode)
                .map(|p| (p.0, p.1))
                .collect();
            chart
                .draw_series(LineSeries::new(series.clone(), color.stroke_width(2)))?
                .label(match *mode {
                    "held" => "policy-themes run, held whole".to_string(),
                    other => format!("policy-themes run --{other}"),
                })
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], color.stroke_width(2))
                });
            chart.draw_series(
                series
                    .into_iter()
                    .map(|p| Circle::new(p, 4, color.filled())),
            )?;
        }
        let darker = |c: u8| (u16::from(c) * 4 / 5) as u8;
        let label_colours: Vec<RGBColor> = palette
            .iter()
            .map(|&RGBColor(r, g, b)| RGBColor(darker(r), darker(g), darker(b)))
            .collect();
        chart.draw_series(points.iter().map(|p| {
            // Anchored at the label's right, left of the point, so it stays on the canvas (in
            // the left fifth of the plot, at its left instead); of two runs of one size, the
            // slower labelled above its point and the faster below, so the labels do not meet
            // where the lines cross.
            let h = if p.0 < x_max * 0.2 {
                HPos::Left
            } else {
                HPos::Right
            };
            let slower = points
                .iter()
                .filter(|q| q.0 == p.0 && q.3 != p.3)
                .all(|q| p.1 >= q.1);
            let v = if slower { VPos::Bottom } else { VPos::Top };
            // In its line's colour, darkened for legibility.
            let line = modes.iter().position(|m| *m == p.3).unwrap_or(0);
            let style = TextStyle::from((font, 12).into_font())
                .color(&label_colours[line % label_colours.len()])
                .pos(Pos::new(h, v));
            Text::new(format!("{:.0} s, {}", p.1, p.2), (p.0, p.1), style)
        }))?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font((font, 13))
            .border_style(BLACK.mix(0.2))
            .draw()?;
        root.present()?;
    }
    std::fs::write(&output, svg)?;
    println!("wrote {output}");
    Ok(())
}
