//! The dashboard's trend chart: completion per day as a server-rendered SVG that
//! scales to the page (readable on a phone; no script, no external font).

use crate::domain::stats::Counts;
use chrono::NaiveDate;
use plotters::prelude::*;

/// An SVG line of the completion rate per day (days with nothing due are skipped).
pub fn trend_svg(days: &[(NaiveDate, Counts)], label: &str) -> String {
    let (w, h) = (640u32, 240u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        let _ = draw(&root, days, label);
        let _ = root.present();
    }
    // Let the browser scale it to the column's width.
    svg.replacen(
        &format!("<svg width=\"{w}\" height=\"{h}\""),
        &format!("<svg viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" aria-label=\"{label}\""),
        1,
    )
}

fn draw(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    days: &[(NaiveDate, Counts)],
    label: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    root.fill(&WHITE)?;
    let n = days.len().max(1) as i32;
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .caption(label, ("sans-serif", 16))
        .x_label_area_size(28)
        .y_label_area_size(40)
        .build_cartesian_2d(0..n - 1, 0f64..100f64)?;
    let names: Vec<String> = days.iter().map(|(d, _)| d.format("%m-%d").to_string()).collect();
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&|i| names.get(usize::try_from(*i).unwrap_or(0)).cloned().unwrap_or_default())
        .y_label_formatter(&|v| format!("{v:.0}%"))
        .draw()?;
    let points: Vec<(i32, f64)> = days
        .iter()
        .enumerate()
        .filter(|(_, (_, c))| c.due > 0)
        .map(|(i, (_, c))| (i32::try_from(i).unwrap_or(0), c.completion_pct()))
        .collect();
    let blue = RGBColor(31, 78, 121);
    chart.draw_series(LineSeries::new(points.clone(), blue.stroke_width(2)))?;
    chart.draw_series(points.into_iter().map(|p| Circle::new(p, 3, blue.filled())))?;
    Ok(())
}
