//! `spikeforge plot`: every figure is an SVG document that an XML parser accepts, with the
//! elements the data asks for, and text from file names is escaped.

mod common;

use common::{dir, spikeforge, DIGITS};

use std::path::Path;

use spikeforge_host::plot::{accuracy_curve, escape};
use spikeforge_host::weights::write_learned;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::network::Network;

fn plot(args: &[&str], out: &Path) -> String {
    let mut all = vec!["plot"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().expect("path")]);
    let output = spikeforge(&all);
    assert!(
        output.status.success(),
        "{all:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_to_string(out).expect("SVG written")
}

/// Parse `svg` as XML; the root must be an SVG 1.1 `svg` element. Count elements by name.
fn count(svg: &str, name: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not XML: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert!(root.attribute("viewBox").is_some());
    doc.descendants()
        .filter(|n| n.tag_name().name() == name)
        .count()
}

#[test]
fn t_plot_weights_accuracy_and_raster_are_xml() {
    let dir = dir("t_plot & <figures>");
    let cfg = NetworkConfig::default_network().expect("default network");
    let net = Network::new(&cfg);
    let weights = dir.join("w.json");
    write_learned(&weights, &net.learned()).expect("weights");
    let svg = plot(
        &["weights", "--from", weights.to_str().expect("path")],
        &dir.join("weights.svg"),
    );
    // One group per hidden neuron, one cell per pixel, the background.
    assert_eq!(count(&svg, "g"), 256);
    assert_eq!(count(&svg, "rect"), 256 * 64 + 1);
    assert!(
        svg.contains("t_plot &amp; &lt;figures&gt;"),
        "the path is escaped"
    );

    let report = dir.join("report.json");
    std::fs::write(&report, r#"{"epoch_test_accuracy": [0.5, 0.75, 0.8125]}"#).expect("report");
    let svg = plot(
        &["accuracy", "--report", report.to_str().expect("path")],
        &dir.join("accuracy.svg"),
    );
    assert_eq!(count(&svg, "circle"), 3);
    assert_eq!(count(&svg, "polyline"), 1);
    assert!(svg.contains("epoch 3: 81.25%"), "{svg}");

    let dataset = format!("digits:{DIGITS}");
    let svg = plot(
        &[
            "raster",
            "--port",
            "sim",
            "--dataset",
            &dataset,
            "--sample",
            "3",
        ],
        &dir.join("raster.svg"),
    );
    let doc = roxmltree::Document::parse(&svg).expect("XML");
    let spikes = doc
        .descendants()
        .filter(|n| n.attribute("fill") == Some("black"))
        .count();
    assert!(spikes > 0, "the sample makes neurons spike");
    assert!(count(&svg, "text") >= 3);
    assert!(svg.contains("test sample 3 (label"), "{svg}");

    let not_a_report = dir.join("weights-as-report.json");
    std::fs::copy(&weights, &not_a_report).expect("copy");
    let output = spikeforge(&[
        "plot",
        "accuracy",
        "--report",
        not_a_report.to_str().expect("path"),
        "--out",
        dir.join("x.svg").to_str().expect("path"),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("no \"epoch_test_accuracy\" array"),
        "{stderr}"
    );
}

#[test]
fn t_plot_escapes_markup_in_titles() {
    assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
    let svg = accuracy_curve("<script>&", &[]);
    assert_eq!(count(&svg, "circle"), 0);
    assert!(svg.contains("&lt;script&gt;&amp;"));
}
