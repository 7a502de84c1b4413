//! SVG figures, written by hand: a spike raster of one phase, the learned weight images of
//! the hidden layer, and a test-accuracy curve. Every document is standalone SVG 1.1 (XML
//! declaration, `xmlns`, `viewBox`), so a browser opens it as a file.

use std::fmt::Write;

/// Text escaped for XML character data and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn document(width: usize, height: usize, title: &str, body: &str) -> String {
    // Wide enough for the title at 14 px (about 8 px per character).
    let width = width.max(20 + 8 * title.chars().count());
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <title>{}</title>\n<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"18\" font-size=\"14\">{}</text>\n{body}</svg>\n",
        escape(title),
        escape(title)
    )
}

/// One layer's spikes: `spikes[step][neuron]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRaster {
    /// Name shown on the figure.
    pub name: String,
    /// Spikes per step, per neuron.
    pub spikes: Vec<Vec<bool>>,
}

/// Pixels per step and per neuron row in the raster.
const RASTER_STEP: usize = 8;
const RASTER_ROW: usize = 3;
const MARGIN: usize = 60;

/// A spike raster: time steps left to right, one row per neuron, the layers stacked.
pub fn raster(title: &str, layers: &[LayerRaster]) -> String {
    let steps = layers.iter().map(|l| l.spikes.len()).max().unwrap_or(0);
    let mut body = String::new();
    let mut y = 40;
    let width = MARGIN + steps * RASTER_STEP + 20;
    for layer in layers {
        let neurons = layer.spikes.first().map_or(0, Vec::len);
        let total: usize = layer
            .spikes
            .iter()
            .map(|s| s.iter().filter(|&&x| x).count())
            .sum();
        let height = neurons * RASTER_ROW;
        let _ = writeln!(
            body,
            "<text x=\"10\" y=\"{}\">{} ({neurons} neurons, {total} spikes)</text>",
            y + 12,
            escape(&layer.name)
        );
        y += 18;
        let _ = writeln!(
            body,
            "<rect x=\"{MARGIN}\" y=\"{y}\" width=\"{}\" height=\"{height}\" fill=\"none\" stroke=\"#888\"/>",
            steps * RASTER_STEP
        );
        for (t, step) in layer.spikes.iter().enumerate() {
            for (n, _) in step.iter().enumerate().filter(|(_, &s)| s) {
                let _ = writeln!(
                    body,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{RASTER_ROW}\" fill=\"black\"/>",
                    MARGIN + t * RASTER_STEP + 1,
                    y + n * RASTER_ROW,
                    RASTER_STEP - 2
                );
            }
        }
        y += height + 12;
    }
    let _ = writeln!(
        body,
        "<text x=\"{MARGIN}\" y=\"{}\">time step 0..{steps}</text>",
        y + 4
    );
    document(width, y + 16, title, &body)
}

/// Pixels per weight in the weight images.
const CELL: usize = 4;

/// The incoming pixel weights of every hidden neuron as a `width` x `height` image, in a grid
/// of `columns`; blue negative, red positive, white 0, full colour at `w_max`.
pub fn weight_images(
    title: &str,
    weights: &[i16],
    hidden: usize,
    width: usize,
    height: usize,
    w_max: i16,
    columns: std::num::NonZeroUsize,
) -> String {
    let columns = columns.get();
    let rows = hidden.div_ceil(columns);
    let tile = width * CELL + 4;
    let tile_h = height * CELL + 4;
    let mut body = String::new();
    let scale = f64::from(w_max.max(1));
    for n in 0..hidden {
        let (gx, gy) = (10 + (n % columns) * tile, 30 + (n / columns) * tile_h);
        let _ = writeln!(
            body,
            "<g transform=\"translate({gx},{gy})\"><title>hidden neuron {n}</title>"
        );
        for p in 0..width * height {
            let w = f64::from(weights[p * hidden + n]) / scale;
            let fade = (255.0 * (1.0 - w.abs().min(1.0))).round() as u8;
            let colour = if w >= 0.0 {
                format!("rgb(255,{fade},{fade})")
            } else {
                format!("rgb({fade},{fade},255)")
            };
            let _ = writeln!(
                body,
                "<rect x=\"{}\" y=\"{}\" width=\"{CELL}\" height=\"{CELL}\" fill=\"{colour}\"/>",
                (p % width) * CELL,
                (p / width) * CELL
            );
        }
        let _ = writeln!(body, "</g>");
    }
    document(20 + columns * tile, 40 + rows * tile_h, title, &body)
}

/// Test accuracy after each epoch, 0..100 %.
pub fn accuracy_curve(title: &str, accuracy: &[f64]) -> String {
    let (w, h) = (480usize, 300usize);
    let (left, top, right, bottom) = (60.0, 40.0, 460.0, 260.0);
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#888\"/>",
        right - left,
        bottom - top
    );
    for pct in [0, 25, 50, 75, 100] {
        let y = bottom - (bottom - top) * f64::from(pct) / 100.0;
        let _ = writeln!(
            body,
            "<line x1=\"{left}\" y1=\"{y}\" x2=\"{right}\" y2=\"{y}\" stroke=\"#ddd\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\">{pct}%</text>",
            left - 6.0,
            y + 4.0
        );
    }
    let n = accuracy.len();
    let x = |i: usize| {
        if n <= 1 {
            (left + right) / 2.0
        } else {
            left + (right - left) * i as f64 / (n - 1) as f64
        }
    };
    let y = |a: f64| bottom - (bottom - top) * a.clamp(0.0, 1.0);
    let points: Vec<String> = accuracy
        .iter()
        .enumerate()
        .map(|(i, &a)| format!("{:.1},{:.1}", x(i), y(a)))
        .collect();
    let _ = writeln!(
        body,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#c00\" stroke-width=\"2\"/>",
        points.join(" ")
    );
    for (i, &a) in accuracy.iter().enumerate() {
        let _ = writeln!(
            body,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#c00\"><title>epoch {}: {:.2}%</title></circle>\
             <text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x(i),
            y(a),
            i + 1,
            a * 100.0,
            x(i),
            bottom + 16.0,
            i + 1
        );
    }
    let _ = writeln!(
        body,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">epoch</text>",
        (left + right) / 2.0,
        bottom + 34.0
    );
    document(w, h, title, &body)
}
