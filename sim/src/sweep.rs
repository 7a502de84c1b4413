//! Parameter sweeps: a grid of network variants times seeds, trained on a pool of threads from
//! one shared dataset and summarised best first.
//!
//! A variant is made by editing the network's TOML at a dotted path (`--set PATH=V1,V2,...`)
//! and validating the edited text with [`NetworkConfig::from_toml_str`], so every config field
//! and every range check applies to a sweep with no change here. [`Grid::new`] validates every
//! point before anything runs. Every run is seeded, so its results do not depend on the number
//! of threads or on the order in which runs finish.

use std::fmt;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::Deserialize;

use crate::config::{ConfigError, NetworkConfig, DEFAULT_NETWORK_NAME, DEFAULT_NETWORK_TOML};
use crate::data::{Dataset, DatasetError, DatasetSpec};
use crate::diag::layer_name;
use crate::float::FloatNetwork;
use crate::model::Model;
use crate::network::Network;
use crate::report::ModelKind;
use crate::report::OutputError;
use crate::train::{train, TrainOptions, TrainOutcome};

/// Why a sweep cannot start. Every message is one line naming the argument, path or value.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A `--set` argument that cannot be used; `arg` is the argument as given.
    #[error("--set '{arg}': {problem}")]
    Set {
        /// The argument, `PATH=V1,V2,...`.
        arg: String,
        /// What is wrong with it.
        problem: SetProblem,
    },
    /// Two `--set` arguments with the same path.
    #[error("--set {path} is given twice")]
    DuplicatePath {
        /// The path, as normalised by [`TomlPath`]'s `Display`.
        path: String,
    },
    /// A grid point whose edited network does not validate, or does not fit the dataset.
    #[error("{}{message}", settings_prefix(.settings))]
    Point {
        /// The assignments that make the point, `PATH=VALUE` each.
        settings: Vec<String>,
        /// The validator's (or the dataset check's) message.
        message: String,
    },
    /// A `--seeds` list that cannot be used.
    #[error("--seeds: {message}")]
    Seeds {
        /// What is wrong with it.
        message: String,
    },
    /// The base network file cannot be read or does not validate.
    #[error(transparent)]
    Network(#[from] ConfigError),
    /// The dataset cannot be loaded.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// The CSV file cannot be created where `--out` says (the sweep creates no directories).
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The CSV file could not be written.
    #[error("{}: cannot write the sweep CSV: {cause}", path.display())]
    Write {
        /// The CSV path.
        path: PathBuf,
        /// The IO error.
        cause: std::io::Error,
    },
    /// The thread pool could not be started.
    #[error("cannot start {jobs} threads: {cause}")]
    Threads {
        /// Threads asked for.
        jobs: usize,
        /// Why rayon refused.
        cause: rayon::ThreadPoolBuildError,
    },
}

/// `--set 'a=1' --set 'b=2': ` before a point's message; nothing for the unedited network.
fn settings_prefix(settings: &[String]) -> String {
    if settings.is_empty() {
        return String::new();
    }
    let sets: Vec<String> = settings.iter().map(|s| format!("--set '{s}'")).collect();
    format!("{}: ", sets.join(" "))
}

/// What is wrong with one `--set` argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetProblem {
    /// No `=` between path and values.
    #[error("expected PATH=V1,V2,...")]
    NoEquals,
    /// The path does not parse.
    #[error("malformed path `{path}`: {reason}")]
    Path {
        /// The path as given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Nothing after `=`.
    #[error("no values after '='")]
    NoValues,
    /// An empty item in the value list.
    #[error("value {position} of {count} is empty")]
    EmptyValue {
        /// 1-based position in the list.
        position: usize,
        /// Items in the list.
        count: usize,
    },
    /// A quoted value that is not a valid TOML string.
    #[error("value `{value}` is not a valid TOML string")]
    BadString {
        /// The value as given.
        value: String,
    },
    /// The same value twice in the list.
    #[error("value {value} is listed twice")]
    DuplicateValue {
        /// The value.
        value: String,
    },
    /// A section on the path that the network does not have.
    #[error("the network has no section `{at}`")]
    NoSection {
        /// The path up to the missing section.
        at: String,
    },
    /// An index past the end of a list of layers.
    #[error("the network has {len} {key} layer(s)")]
    IndexOutOfRange {
        /// The list's key.
        key: String,
        /// The index asked for.
        index: usize,
        /// The list's length.
        len: usize,
    },
    /// A list (array of tables) used without an index.
    #[error("`{at}` is a list: give an index, as in `{at}[0]`")]
    NeedsIndex {
        /// The path up to the list.
        at: String,
    },
    /// An index on something that is not a list.
    #[error("`{at}` is not a list")]
    NotAList {
        /// The path up to the key that was indexed.
        at: String,
    },
    /// A key below a plain value.
    #[error("`{at}` is a value, not a section")]
    NotASection {
        /// The path up to the value.
        at: String,
    },
}

/// One step of a [`TomlPath`]: a key, and an index when the key holds a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// A bare TOML key (`A-Z a-z 0-9 _ -`).
    pub key: String,
    /// The index into the list the key holds.
    pub index: Option<usize>,
}

/// A dotted path into the network TOML: `steps`, `classifier.learn_shift`, `hidden[1].threshold`.
/// Keys are bare TOML keys; each may carry one index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlPath {
    segments: Vec<Segment>,
}

impl TomlPath {
    /// The steps of the path, outermost first (never empty).
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }
}

impl FromStr for TomlPath {
    type Err = SetProblem;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason: String| SetProblem::Path {
            path: s.to_string(),
            reason,
        };
        if s.is_empty() {
            return Err(bad("empty path".into()));
        }
        let segments = s
            .split('.')
            .map(|part| {
                let (key, index) = match part.split_once('[') {
                    None => (part, None),
                    Some((key, rest)) => {
                        let Some((digits, after)) = rest.split_once(']') else {
                            return Err(bad(format!("missing `]` in `{part}`")));
                        };
                        if !after.is_empty() {
                            return Err(bad(format!("unexpected `{after}` after `]`")));
                        }
                        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                            return Err(bad(format!("index `{digits}` is not a number")));
                        }
                        let index = digits
                            .parse::<usize>()
                            .map_err(|_| bad(format!("index `{digits}` is too large")))?;
                        (key, Some(index))
                    }
                };
                if key.is_empty() {
                    return Err(bad("empty key".into()));
                }
                if let Some(c) = key
                    .chars()
                    .find(|&c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                {
                    return Err(bad(format!(
                        "`{c}` is not allowed in a key (A-Z a-z 0-9 _ -)"
                    )));
                }
                Ok(Segment {
                    key: key.to_string(),
                    index,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { segments })
    }
}

impl fmt::Display for TomlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(&segment.key)?;
            if let Some(index) = segment.index {
                write!(f, "[{index}]")?;
            }
        }
        Ok(())
    }
}

/// Parse one value of a `--set` list: a TOML value (integer, float, bool, quoted string, ...),
/// or, when the text is not valid TOML, the text itself as a string (`self-supervised`).
pub fn parse_value(text: &str) -> Result<toml::Value, SetProblem> {
    match toml::Value::deserialize(toml::de::ValueDeserializer::new(text)) {
        Ok(value) => Ok(value),
        Err(_) if text.starts_with(['"', '\'']) => Err(SetProblem::BadString {
            value: text.to_string(),
        }),
        Err(_) => Ok(toml::Value::String(text.to_string())),
    }
}

/// A value as shown in the table, the progress lines and the CSV: strings without quotes.
pub fn value_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `list` split at the commas that are outside quotes (`"a,b",c` is two items).
fn split_values(list: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut quote = None;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in list.char_indices() {
        match (quote, c) {
            // A backslash escapes the next character in a basic ("...") string only.
            (Some('"'), _) if escaped => escaped = false,
            (Some('"'), '\\') => escaped = true,
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, ',') => {
                items.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&list[start..]);
    items
}

/// One `--set PATH=V1,V2,...`: a path and the values it takes, in the order given. A value
/// with a comma must be quoted (`name="a,b"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Where the values go.
    pub path: TomlPath,
    /// The values, in order (at least one, no two equal).
    pub values: Vec<toml::Value>,
    /// The argument as given, for messages.
    pub arg: String,
}

impl FromStr for Axis {
    type Err = SweepError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let arg = s.trim();
        let fail = |problem: SetProblem| SweepError::Set {
            arg: arg.to_string(),
            problem,
        };
        let (path, list) = arg
            .split_once('=')
            .ok_or_else(|| fail(SetProblem::NoEquals))?;
        let path: TomlPath = path.trim().parse().map_err(fail)?;
        if list.trim().is_empty() {
            return Err(fail(SetProblem::NoValues));
        }
        let items: Vec<&str> = split_values(list).into_iter().map(str::trim).collect();
        let mut values: Vec<toml::Value> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if item.is_empty() {
                return Err(fail(SetProblem::EmptyValue {
                    position: i + 1,
                    count: items.len(),
                }));
            }
            let value = parse_value(item).map_err(fail)?;
            if values.contains(&value) {
                return Err(fail(SetProblem::DuplicateValue {
                    value: value_text(&value),
                }));
            }
            values.push(value);
        }
        Ok(Self {
            path,
            values,
            arg: arg.to_string(),
        })
    }
}

/// Set `value` at `path` in `table`. Every section on the way must exist; the last key is
/// inserted when missing (an unknown one is left to the validator, which names it).
pub fn set_path(
    table: &mut toml::Table,
    path: &TomlPath,
    value: toml::Value,
) -> Result<(), SetProblem> {
    let mut current = table;
    let mut at = String::new();
    // A parsed path has at least one segment.
    let (last, sections) = path.segments.split_last().ok_or_else(|| SetProblem::Path {
        path: String::new(),
        reason: "empty path".into(),
    })?;
    for segment in sections {
        let slot = lookup(current, segment, &mut at)?;
        current = match slot {
            toml::Value::Table(table) => table,
            toml::Value::Array(_) => return Err(SetProblem::NeedsIndex { at }),
            _ => return Err(SetProblem::NotASection { at }),
        };
    }
    match last.index {
        None => {
            current.insert(last.key.clone(), value);
        }
        Some(_) => *lookup(current, last, &mut at)? = value,
    }
    Ok(())
}

/// The value `segment` names in `table` (indexed when it has an index); `at` is the path so
/// far and grows by the segment.
fn lookup<'t>(
    table: &'t mut toml::Table,
    segment: &Segment,
    at: &mut String,
) -> Result<&'t mut toml::Value, SetProblem> {
    if !at.is_empty() {
        at.push('.');
    }
    at.push_str(&segment.key);
    let value = table
        .get_mut(&segment.key)
        .ok_or_else(|| SetProblem::NoSection { at: at.clone() })?;
    let Some(index) = segment.index else {
        return Ok(value);
    };
    let toml::Value::Array(items) = value else {
        return Err(SetProblem::NotAList { at: at.clone() });
    };
    let len = items.len();
    at.push_str(&format!("[{index}]"));
    items
        .get_mut(index)
        .ok_or_else(|| SetProblem::IndexOutOfRange {
            key: segment.key.clone(),
            index,
            len,
        })
}

/// The network a sweep edits: its TOML text and the name shown in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkSource {
    /// The TOML text.
    pub text: String,
    /// The file it came from, or [`DEFAULT_NETWORK_NAME`].
    pub origin: String,
}

impl NetworkSource {
    /// The embedded default network.
    pub fn default_network() -> Self {
        Self {
            text: DEFAULT_NETWORK_TOML.to_string(),
            origin: DEFAULT_NETWORK_NAME.to_string(),
        }
    }

    /// The network file at `path`, or the embedded default when `None`.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let Some(path) = path else {
            return Ok(Self::default_network());
        };
        let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::Io {
            path: path.to_path_buf(),
            cause,
        })?;
        Ok(Self {
            text,
            origin: path.display().to_string(),
        })
    }
}

/// A grid point: one value per axis and the validated network they make.
#[derive(Debug, Clone)]
pub struct Point {
    /// One value per axis, in axis order.
    pub values: Vec<toml::Value>,
    /// The edited network (its own `seed`; a run may replace it).
    pub network: NetworkConfig,
}

/// One training run of the sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// Index of the grid point.
    pub point: usize,
    /// The run seed (replaces the network's `seed`).
    pub seed: u64,
    /// Fixed-point golden model or `f32` reference.
    pub model: ModelKind,
}

/// What a finished run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// The run.
    pub run: Run,
    /// Test accuracy after the last epoch (0..1).
    pub test_accuracy: f64,
    /// Training-set accuracy after the last epoch (0..1).
    pub train_accuracy: f64,
    /// Mean spikes per neuron per step on the test set (hidden layers, then the classifier).
    pub per_layer_rate: Vec<f64>,
    /// FNV-1a digest of all final weights.
    pub weights_digest: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// How every run of a sweep trains, and on how many threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepOptions {
    /// Epochs and sample counts of every run.
    pub train: TrainOptions,
    /// Also run the `f32` reference at every point and seed.
    pub float: bool,
    /// Threads that run training runs side by side.
    pub jobs: NonZeroUsize,
}

/// The summary of one grid point over its seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Index of the grid point.
    pub point: usize,
    /// Mean fixed-point test accuracy (0..1).
    pub test: f64,
    /// Sample standard deviation of the fixed-point test accuracy; `None` for one seed.
    pub test_sd: Option<f64>,
    /// Mean `f32` reference test accuracy, when the reference ran.
    pub float_test: Option<f64>,
    /// Mean fixed-point training-set accuracy.
    pub train: f64,
    /// Mean fixed-point test spike rate per layer (hidden layers, then the classifier).
    pub rates: Vec<f64>,
    /// Mean seconds per fixed-point run.
    pub seconds: f64,
}

/// A validated grid: the axes, every point's network, and the seeds each point trains with.
#[derive(Debug, Clone)]
pub struct Grid {
    axes: Vec<Axis>,
    points: Vec<Point>,
    seeds: Option<Vec<u64>>,
}

impl Grid {
    /// The cartesian product of the axes' values (the last axis varies fastest), each point
    /// validated, first one axis value at a time (so a bad value is named alone), then as
    /// combined. `seeds` replace every point's `seed`; `None` keeps each point's own.
    pub fn new(
        source: &NetworkSource,
        axes: Vec<Axis>,
        seeds: Option<Vec<u64>>,
    ) -> Result<Self, SweepError> {
        NetworkConfig::from_toml_str(&source.text, &source.origin)?;
        // The text parsed just above, so this cannot fail; were it to, it is still reported.
        let base: toml::Table = toml::from_str(&source.text).map_err(|e| ConfigError::Parse {
            path: source.origin.clone(),
            line: 0,
            column: 0,
            message: e.message().replace('\n', " "),
        })?;
        for (i, axis) in axes.iter().enumerate() {
            if axis.values.is_empty() {
                return Err(SweepError::Set {
                    arg: axis.arg.clone(),
                    problem: SetProblem::NoValues,
                });
            }
            if axes[..i].iter().any(|a| a.path == axis.path) {
                return Err(SweepError::DuplicatePath {
                    path: axis.path.to_string(),
                });
            }
        }
        if let Some(seeds) = &seeds {
            check_seeds(seeds, &axes)?;
        }
        for axis in &axes {
            for value in &axis.values {
                edited(source, &base, &[(axis, value)])?;
            }
        }
        let mut combos: Vec<Vec<toml::Value>> = vec![Vec::new()];
        for axis in &axes {
            combos = combos
                .into_iter()
                .flat_map(|combo| {
                    axis.values.iter().map(move |value| {
                        let mut next = combo.clone();
                        next.push(value.clone());
                        next
                    })
                })
                .collect();
        }
        let points = combos
            .into_iter()
            .map(|values| {
                let assignments: Vec<_> = axes.iter().zip(&values).collect();
                let network = edited(source, &base, &assignments)?;
                Ok(Point { values, network })
            })
            .collect::<Result<Vec<_>, SweepError>>()?;
        Ok(Self {
            axes,
            points,
            seeds,
        })
    }

    /// The axes, in the order given.
    pub fn axes(&self) -> &[Axis] {
        &self.axes
    }

    /// Every point, the last axis varying fastest.
    pub fn points(&self) -> &[Point] {
        &self.points
    }

    /// The seeds point `index` trains with.
    pub fn seeds_of(&self, index: usize) -> Vec<u64> {
        match &self.seeds {
            Some(seeds) => seeds.clone(),
            None => vec![self.points[index].network.seed],
        }
    }

    /// Every run: point by point, seed by seed, fixed then (with `float`) float.
    pub fn runs(&self, float: bool) -> Vec<Run> {
        let models: &[ModelKind] = if float {
            &[ModelKind::Fixed, ModelKind::Float]
        } else {
            &[ModelKind::Fixed]
        };
        (0..self.points.len())
            .flat_map(|point| {
                self.seeds_of(point).into_iter().flat_map(move |seed| {
                    models.iter().map(move |&model| Run { point, seed, model })
                })
            })
            .collect()
    }

    /// `PATH=VALUE` for each axis of point `index`.
    pub fn settings(&self, index: usize) -> Vec<String> {
        self.axes
            .iter()
            .zip(&self.points[index].values)
            .map(|(axis, value)| format!("{}={}", axis.path, value_text(value)))
            .collect()
    }

    /// Check that every point's network fits `data` (inputs and classes).
    pub fn check_dataset(&self, data: &Dataset, spec: &DatasetSpec) -> Result<(), SweepError> {
        for (index, point) in self.points.iter().enumerate() {
            if let Some(message) = crate::train::dataset_mismatch(&point.network, data, spec) {
                return Err(SweepError::Point {
                    settings: self.settings(index),
                    message,
                });
            }
        }
        Ok(())
    }

    /// The progress line of a finished run:
    /// `[3/12] hidden[0].size=256 seed=2 fixed: test 91.11 % (12.3 s)`.
    pub fn progress_line(&self, done: usize, total: usize, result: &RunResult) -> String {
        let mut words = self.settings(result.run.point);
        words.push(format!("seed={}", result.run.seed));
        format!(
            "[{done}/{total}] {} {}: test {:.2} % ({:.1} s)",
            words.join(" "),
            model_name(result.run.model),
            result.test_accuracy * 100.0,
            result.seconds
        )
    }

    /// One summary per point, best first by mean fixed-point test accuracy (ties keep grid
    /// order).
    pub fn summaries(&self, results: &[RunResult]) -> Vec<Summary> {
        let mut summaries: Vec<Summary> = (0..self.points.len())
            .map(|point| {
                let of = |model| {
                    results
                        .iter()
                        .filter(move |r| r.run.point == point && r.run.model == model)
                };
                let fixed: Vec<&RunResult> = of(ModelKind::Fixed).collect();
                let tests: Vec<f64> = fixed.iter().map(|r| r.test_accuracy).collect();
                let float: Vec<f64> = of(ModelKind::Float).map(|r| r.test_accuracy).collect();
                let layers = fixed.iter().map(|r| r.per_layer_rate.len()).max();
                Summary {
                    point,
                    test: mean(&tests),
                    test_sd: sample_sd(&tests),
                    float_test: (!float.is_empty()).then(|| mean(&float)),
                    train: mean(&fixed.iter().map(|r| r.train_accuracy).collect::<Vec<_>>()),
                    rates: (0..layers.unwrap_or(0))
                        .map(|layer| {
                            let rates: Vec<f64> = fixed
                                .iter()
                                .filter_map(|r| r.per_layer_rate.get(layer).copied())
                                .collect();
                            mean(&rates)
                        })
                        .collect(),
                    seconds: mean(&fixed.iter().map(|r| r.seconds).collect::<Vec<_>>()),
                }
            })
            .collect();
        summaries.sort_by(|a, b| b.test.total_cmp(&a.test));
        summaries
    }

    /// The table of `summaries` for stdout: a caption line, a header, one row per point.
    pub fn table(&self, summaries: &[Summary]) -> String {
        let float = summaries.iter().any(|s| s.float_test.is_some());
        let layers = summaries.iter().map(|s| s.rates.len()).max().unwrap_or(0);
        let mut header: Vec<String> = self.axes.iter().map(|a| a.path.to_string()).collect();
        header.extend(["test %".into(), "sd".into()]);
        if float {
            header.push("float test %".into());
        }
        header.push("train %".into());
        header.extend((0..layers).map(|l| format!("rate {}", layer_name(l, layers))));
        header.push("s/run".into());
        let mut rows = vec![header];
        for s in summaries {
            let mut row: Vec<String> = self.points[s.point].values.iter().map(value_text).collect();
            row.push(format!("{:.2}", s.test * 100.0));
            row.push(
                s.test_sd
                    .map_or("-".into(), |sd| format!("{:.2}", sd * 100.0)),
            );
            if float {
                row.push(
                    s.float_test
                        .map_or("-".into(), |f| format!("{:.2}", f * 100.0)),
                );
            }
            row.push(format!("{:.2}", s.train * 100.0));
            row.extend(
                (0..layers).map(|l| s.rates.get(l).map_or("-".into(), |r| format!("{r:.4}"))),
            );
            row.push(format!("{:.1}", s.seconds));
            rows.push(row);
        }
        let seeds = self.seeds.as_ref().map_or(1, Vec::len);
        let caption = format!(
            "{} point(s) x {seeds} seed(s), best first; means over seeds; \
             sd: sample standard deviation of the fixed-point test %",
            self.points.len()
        );
        format!("{caption}\n{}", align(&rows, self.axes.len()))
    }

    /// The CSV of `results`, one row per run, with a header: every axis as its own column,
    /// then `seed,model,test_accuracy,train_accuracy,per_layer_rate,weights_digest,seconds`
    /// (accuracies 0..1, rates joined by `;`, digest hex).
    pub fn csv(&self, results: &[RunResult]) -> String {
        let mut header: Vec<String> = self.axes.iter().map(|a| a.path.to_string()).collect();
        header.extend(
            [
                "seed",
                "model",
                "test_accuracy",
                "train_accuracy",
                "per_layer_rate",
                "weights_digest",
                "seconds",
            ]
            .map(String::from),
        );
        let mut out = csv_line(&header);
        for r in results {
            let mut row: Vec<String> = self.points[r.run.point]
                .values
                .iter()
                .map(value_text)
                .collect();
            row.push(r.run.seed.to_string());
            row.push(model_name(r.run.model).into());
            row.push(r.test_accuracy.to_string());
            row.push(r.train_accuracy.to_string());
            row.push(
                r.per_layer_rate
                    .iter()
                    .map(f64::to_string)
                    .collect::<Vec<_>>()
                    .join(";"),
            );
            row.push(format!("{:016x}", r.weights_digest));
            row.push(format!("{:.3}", r.seconds));
            out += &csv_line(&row);
        }
        out
    }
}

/// Seeds must be distinct, and `--set seed` would be overridden by them.
fn check_seeds(seeds: &[u64], axes: &[Axis]) -> Result<(), SweepError> {
    let fail = |message: String| Err(SweepError::Seeds { message });
    if seeds.is_empty() {
        return fail("no seeds given".into());
    }
    for (i, seed) in seeds.iter().enumerate() {
        if seeds[..i].contains(seed) {
            return fail(format!("seed {seed} is listed twice"));
        }
    }
    if axes.iter().any(|a| a.path.to_string() == "seed") {
        return fail("--seeds and --set seed both set the seed: use one".into());
    }
    Ok(())
}

/// The network `base` makes with `assignments` applied, validated.
fn edited(
    source: &NetworkSource,
    base: &toml::Table,
    assignments: &[(&Axis, &toml::Value)],
) -> Result<NetworkConfig, SweepError> {
    let mut table = base.clone();
    for (axis, value) in assignments {
        set_path(&mut table, &axis.path, (*value).clone()).map_err(|problem| SweepError::Set {
            arg: axis.arg.clone(),
            problem,
        })?;
    }
    let point_error = |message: String| SweepError::Point {
        settings: assignments
            .iter()
            .map(|(axis, value)| format!("{}={}", axis.path, value_text(value)))
            .collect(),
        message,
    };
    let text = toml::to_string(&table).map_err(|e| point_error(e.to_string()))?;
    NetworkConfig::from_toml_str(&text, &source.origin).map_err(|e| {
        point_error(match e {
            // Line and column would point into the edited text, which the user never sees.
            ConfigError::Parse { path, message, .. } => format!("{path}: {message}"),
            other => other.to_string(),
        })
    })
}

/// Train `network` with `run`'s seed and model on `data`.
pub fn run_one(
    network: &NetworkConfig,
    run: Run,
    data: &Dataset,
    opts: &TrainOptions,
) -> RunResult {
    let start = Instant::now();
    let mut network = network.clone();
    network.seed = run.seed;
    let (outcome, weights_digest) = match run.model {
        ModelKind::Fixed => train_model(Network::new(&network), data, opts),
        ModelKind::Float => train_model(FloatNetwork::new(&network), data, opts),
    };
    RunResult {
        run,
        test_accuracy: outcome.test.accuracy,
        train_accuracy: outcome.train.accuracy,
        per_layer_rate: outcome.test.per_layer_rate,
        weights_digest,
        seconds: start.elapsed().as_secs_f64(),
    }
}

fn train_model<M: Model>(mut model: M, data: &Dataset, opts: &TrainOptions) -> (TrainOutcome, u64) {
    let outcome = train(&mut model, data, opts, &mut |_| {});
    (outcome, model.weights_digest())
}

/// Run every run of `grid` on `opts.jobs` threads, sharing `data`. `on_done(done, total,
/// result)` is called from the worker thread as each run finishes. The results are in
/// [`Grid::runs`] order whatever the order of finishing.
pub fn run_sweep(
    grid: &Grid,
    data: &Dataset,
    opts: &SweepOptions,
    on_done: &(dyn Fn(usize, usize, &RunResult) + Sync),
) -> Result<Vec<RunResult>, SweepError> {
    let runs = grid.runs(opts.float);
    let total = runs.len();
    let done = AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.get())
        .build()
        .map_err(|cause| SweepError::Threads {
            jobs: opts.jobs.get(),
            cause,
        })?;
    Ok(pool.install(|| {
        runs.into_par_iter()
            .with_max_len(1)
            .map(|run| {
                let result = run_one(&grid.points[run.point].network, run, data, &opts.train);
                on_done(done.fetch_add(1, Ordering::Relaxed) + 1, total, &result);
                result
            })
            .collect()
    }))
}

/// Write `text` (the CSV) to `path`.
pub fn write_csv(path: &Path, text: &str) -> Result<(), SweepError> {
    std::fs::write(path, text).map_err(|cause| SweepError::Write {
        path: path.to_path_buf(),
        cause,
    })
}

fn model_name(model: ModelKind) -> &'static str {
    match model {
        ModelKind::Fixed => "fixed",
        ModelKind::Float => "float",
    }
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

/// Sample standard deviation (n - 1 in the denominator); `None` below two values.
fn sample_sd(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let m = mean(xs);
    let squares: f64 = xs.iter().map(|x| (x - m) * (x - m)).sum();
    Some((squares / (xs.len() - 1) as f64).sqrt())
}

/// Columns padded to their widest cell: the first `left` left-aligned (settings), the rest
/// right-aligned (numbers).
fn align(rows: &[Vec<String>], left: usize) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|row| row.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &width))| {
                if c < left {
                    format!("{cell:<width$}")
                } else {
                    format!("{cell:>width$}")
                }
            })
            .collect();
        out += cells.join("  ").trim_end();
        out.push('\n');
    }
    out
}

/// One CSV line; fields with a comma, quote or line break are quoted.
fn csv_line(fields: &[String]) -> String {
    let quoted: Vec<String> = fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect();
    quoted.join(",") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> TomlPath {
        s.parse().expect("a valid path")
    }

    fn axis(s: &str) -> Axis {
        s.parse().expect("a valid --set")
    }

    fn axes(args: &[&str]) -> Vec<Axis> {
        args.iter().map(|a| axis(a)).collect()
    }

    /// The error `Grid::new` gives for these `--set` arguments on the default network.
    fn grid_error(args: &[&str], seeds: Option<Vec<u64>>) -> String {
        let parsed: Result<Vec<Axis>, _> = args.iter().map(|a| a.parse::<Axis>()).collect();
        let err = match parsed {
            Err(e) => e,
            Ok(axes) => Grid::new(&NetworkSource::default_network(), axes, seeds)
                .expect_err("the grid must be rejected"),
        };
        let msg = err.to_string();
        assert_eq!(msg.lines().count(), 1, "{msg}");
        msg
    }

    fn default_table() -> toml::Table {
        toml::from_str(DEFAULT_NETWORK_TOML).expect("the default network is TOML")
    }

    fn validate(table: &toml::Table) -> NetworkConfig {
        let text = toml::to_string(table).expect("serialise");
        NetworkConfig::from_toml_str(&text, "edited").expect("the edited network is valid")
    }

    #[test]
    fn path_parses_keys_and_indices() {
        let seg = |key: &str, index| Segment {
            key: key.into(),
            index,
        };
        assert_eq!(path("steps").segments(), [seg("steps", None)]);
        assert_eq!(
            path("classifier.learn_shift").segments(),
            [seg("classifier", None), seg("learn_shift", None)]
        );
        assert_eq!(
            path("hidden[1].threshold").segments(),
            [seg("hidden", Some(1)), seg("threshold", None)]
        );
        assert_eq!(path("hidden[10]").segments(), [seg("hidden", Some(10))]);
        for s in [
            "steps",
            "classifier.learn_shift",
            "hidden[0].size",
            "a-b_c.d[2].e",
        ] {
            assert_eq!(path(s).to_string(), s);
        }
    }

    #[test]
    fn path_rejects_each_malformed_form() {
        let cases = [
            ("", "empty path"),
            (".steps", "empty key"),
            ("classifier.", "empty key"),
            ("classifier..learn_shift", "empty key"),
            ("[0].size", "empty key"),
            ("hidden[0", "missing `]` in `hidden[0`"),
            ("hidden[].size", "index `` is not a number"),
            ("hidden[x].size", "index `x` is not a number"),
            ("hidden[-1].size", "index `-1` is not a number"),
            ("hidden[0]x.size", "unexpected `x` after `]`"),
            ("hidden[0][1].size", "unexpected `[1]` after `]`"),
            (
                "hidden[99999999999999999999999].size",
                "index `99999999999999999999999` is too large",
            ),
            (
                "learn shift",
                "` ` is not allowed in a key (A-Z a-z 0-9 _ -)",
            ),
            ("hidden]0", "`]` is not allowed in a key (A-Z a-z 0-9 _ -)"),
        ];
        for (s, reason) in cases {
            assert_eq!(
                s.parse::<TomlPath>(),
                Err(SetProblem::Path {
                    path: s.into(),
                    reason: reason.into()
                }),
                "{s:?}"
            );
        }
        assert_eq!(
            grid_error(&["hidden[x].size=1"], None),
            "--set 'hidden[x].size=1': malformed path `hidden[x].size`: index `x` is not a number"
        );
    }

    #[test]
    fn values_parse_as_toml_or_as_bare_strings() {
        use toml::Value;
        let a = axis("x=14, 0x10,1.5,true,\"two words\",'lit,eral',self-supervised,\"a\\\",b\"");
        assert_eq!(
            a.values,
            [
                Value::Integer(14),
                Value::Integer(16),
                Value::Float(1.5),
                Value::Boolean(true),
                Value::String("two words".into()),
                Value::String("lit,eral".into()),
                Value::String("self-supervised".into()),
                Value::String("a\",b".into()),
            ]
        );
        let shown: Vec<String> = a.values.iter().map(value_text).collect();
        assert_eq!(
            shown,
            [
                "14",
                "16",
                "1.5",
                "true",
                "two words",
                "lit,eral",
                "self-supervised",
                "a\",b"
            ]
        );
    }

    #[test]
    fn set_arguments_reject_missing_equals_and_empty_or_repeated_values() {
        let cases = [
            ("steps", "--set 'steps': expected PATH=V1,V2,..."),
            ("steps=", "--set 'steps=': no values after '='"),
            ("steps= ", "--set 'steps=': no values after '='"),
            ("steps=8,,16", "--set 'steps=8,,16': value 2 of 3 is empty"),
            ("steps=8,", "--set 'steps=8,': value 2 of 2 is empty"),
            (
                "steps=8,16,8",
                "--set 'steps=8,16,8': value 8 is listed twice",
            ),
            (
                "name=\"open",
                "--set 'name=\"open': value `\"open` is not a valid TOML string",
            ),
        ];
        for (arg, want) in cases {
            assert_eq!(grid_error(&[arg], None), want, "{arg:?}");
        }
    }

    #[test]
    fn set_path_edits_nested_indexed_and_string_values() {
        let mut table = default_table();
        set_path(&mut table, &path("steps"), toml::Value::Integer(12)).expect("steps");
        set_path(
            &mut table,
            &path("classifier.learn_shift"),
            toml::Value::Integer(11),
        )
        .expect("classifier.learn_shift");
        set_path(
            &mut table,
            &path("hidden[0].size"),
            toml::Value::Integer(40),
        )
        .expect("hidden[0].size");
        // A field the file leaves to its default is inserted.
        set_path(
            &mut table,
            &path("classifier.refractory"),
            toml::Value::Integer(2),
        )
        .expect("classifier.refractory");
        let value = parse_value("self-supervised").expect("a bare word");
        set_path(&mut table, &path("negatives"), value).expect("negatives");
        let network = validate(&table);
        assert_eq!(network.steps, 12);
        assert_eq!(network.classifier.learn_shift, 11);
        assert_eq!(network.classifier.refractory, 2);
        assert_eq!(network.hidden[0].size, 40);
        assert_eq!(
            network.negatives,
            crate::config::NegativeMode::SelfSupervised
        );
        // The rest is the default network.
        let default = NetworkConfig::default_network().expect("default");
        assert_eq!(network.hidden[0].threshold, default.hidden[0].threshold);
        assert_eq!(network.seed, default.seed);
    }

    #[test]
    fn set_path_names_missing_sections_and_bad_indices() {
        let cases = [
            (
                "hidden[3].size=256,512",
                "--set 'hidden[3].size=256,512': the network has 1 hidden layer(s)",
            ),
            (
                "foo.bar=1",
                "--set 'foo.bar=1': the network has no section `foo`",
            ),
            (
                "classifier.foo.bar=1",
                "--set 'classifier.foo.bar=1': the network has no section `classifier.foo`",
            ),
            (
                "hidden.size=64",
                "--set 'hidden.size=64': `hidden` is a list: give an index, as in `hidden[0]`",
            ),
            (
                "steps.x=1",
                "--set 'steps.x=1': `steps` is a value, not a section",
            ),
            (
                "classifier[0].size=10",
                "--set 'classifier[0].size=10': `classifier` is not a list",
            ),
            (
                "hidden[1]=1",
                "--set 'hidden[1]=1': the network has 1 hidden layer(s)",
            ),
        ];
        for (arg, want) in cases {
            assert_eq!(grid_error(&[arg], None), want, "{arg:?}");
        }
    }

    #[test]
    fn out_of_range_value_names_the_assignment_field_and_value() {
        assert_eq!(
            grid_error(&["hidden[0].learn_shift=14,25,16"], None),
            "--set 'hidden[0].learn_shift=25': <embedded networks/digits.toml>: \
             hidden[0].learn_shift = 25 is out of range 1..=24"
        );
        assert_eq!(
            grid_error(&["negatives=supervised,unsupervised"], None),
            "--set 'negatives=unsupervised': <embedded networks/digits.toml>: negatives = \
             \"unsupervised\" is out of range \"supervised\" | \"self-supervised\""
        );
        assert_eq!(
            grid_error(&["steps=8,eight"], None),
            "--set 'steps=eight': <embedded networks/digits.toml>: invalid type: string \
             \"eight\", expected i64"
        );
    }

    #[test]
    fn unknown_field_is_a_one_line_error_naming_it() {
        let msg = grid_error(&["hidden[0].learn_rate=3"], None);
        assert!(
            msg.starts_with(
                "--set 'hidden[0].learn_rate=3': <embedded networks/digits.toml>: \
                 unknown field `learn_rate`, expected one of `size`, "
            ),
            "{msg}"
        );
        let msg = grid_error(&["colour=1"], None);
        assert!(
            msg.starts_with(
                "--set 'colour=1': <embedded networks/digits.toml>: unknown field `colour`"
            ),
            "{msg}"
        );
    }

    #[test]
    fn values_are_also_validated_in_combination() {
        // adapt_target = 10 fits the default 256 neurons but not 8.
        assert_eq!(
            grid_error(
                &["hidden[0].size=8,256", "hidden[0].adapt_target=2,10"],
                None
            ),
            "--set 'hidden[0].size=8' --set 'hidden[0].adapt_target=10': \
             <embedded networks/digits.toml>: hidden[0].adapt_target = 10 is out of range 0..=8"
        );
    }

    #[test]
    fn repeated_paths_and_seeds_are_rejected() {
        assert_eq!(
            grid_error(&["steps=8", "classifier.learn_shift=9", "steps=16"], None),
            "--set steps is given twice"
        );
        assert_eq!(
            grid_error(&["steps=8"], Some(vec![1, 2, 1])),
            "--seeds: seed 1 is listed twice"
        );
        assert_eq!(
            grid_error(&["seed=3,4"], Some(vec![1])),
            "--seeds: --seeds and --set seed both set the seed: use one"
        );
        assert_eq!(
            grid_error(&["steps=8"], Some(vec![])),
            "--seeds: no seeds given"
        );
    }

    #[test]
    fn grid_is_the_product_in_order() {
        let grid = Grid::new(
            &NetworkSource::default_network(),
            axes(&[
                "hidden[0].learn_shift=14,15,16",
                "hidden[0].size=32,64",
                "negatives=supervised",
            ]),
            Some(vec![7, 9]),
        )
        .expect("a valid grid");
        assert_eq!(grid.points().len(), 3 * 2);
        let settings: Vec<String> = (0..grid.points().len())
            .map(|i| grid.settings(i).join(" "))
            .collect();
        assert_eq!(
            settings,
            [
                "hidden[0].learn_shift=14 hidden[0].size=32 negatives=supervised",
                "hidden[0].learn_shift=14 hidden[0].size=64 negatives=supervised",
                "hidden[0].learn_shift=15 hidden[0].size=32 negatives=supervised",
                "hidden[0].learn_shift=15 hidden[0].size=64 negatives=supervised",
                "hidden[0].learn_shift=16 hidden[0].size=32 negatives=supervised",
                "hidden[0].learn_shift=16 hidden[0].size=64 negatives=supervised",
            ]
        );
        for point in grid.points() {
            let network = &point.network;
            assert_eq!(
                (
                    i64::from(network.hidden[0].learn_shift),
                    i64::try_from(network.hidden[0].size).expect("small")
                ),
                (
                    point.values[0].as_integer().expect("int"),
                    point.values[1].as_integer().expect("int")
                )
            );
        }
        let runs = grid.runs(false);
        assert_eq!(runs.len(), 6 * 2);
        assert_eq!(
            runs[..3],
            [
                Run {
                    point: 0,
                    seed: 7,
                    model: ModelKind::Fixed
                },
                Run {
                    point: 0,
                    seed: 9,
                    model: ModelKind::Fixed
                },
                Run {
                    point: 1,
                    seed: 7,
                    model: ModelKind::Fixed
                },
            ]
        );
        let runs = grid.runs(true);
        assert_eq!(runs.len(), 6 * 2 * 2);
        assert_eq!(
            runs[..2].iter().map(|r| r.model).collect::<Vec<_>>(),
            [ModelKind::Fixed, ModelKind::Float]
        );
        // Without --set and --seeds: one point, the network's own seed.
        let plain = Grid::new(&NetworkSource::default_network(), Vec::new(), None)
            .expect("the default network");
        assert_eq!(plain.points().len(), 1);
        assert_eq!(
            plain.runs(false),
            [Run {
                point: 0,
                seed: 1,
                model: ModelKind::Fixed
            }]
        );
    }

    fn result(point: usize, seed: u64, model: ModelKind, test: f64) -> RunResult {
        RunResult {
            run: Run { point, seed, model },
            test_accuracy: test,
            train_accuracy: test + 0.05,
            per_layer_rate: vec![0.25, 0.5],
            weights_digest: 0xabc,
            seconds: 2.0,
        }
    }

    #[test]
    fn summaries_rank_best_first_with_sample_sd() {
        let grid = Grid::new(
            &NetworkSource::default_network(),
            axes(&["classifier.learn_shift=12,13,14"]),
            Some(vec![1, 2]),
        )
        .expect("a valid grid");
        let results = [
            result(0, 1, ModelKind::Fixed, 0.5),
            result(0, 1, ModelKind::Float, 0.9),
            result(0, 2, ModelKind::Fixed, 0.7),
            result(0, 2, ModelKind::Float, 0.7),
            result(1, 1, ModelKind::Fixed, 0.8),
            result(1, 2, ModelKind::Fixed, 0.8),
            result(2, 1, ModelKind::Fixed, 0.65),
            result(2, 2, ModelKind::Fixed, 0.65),
        ];
        let summaries = grid.summaries(&results);
        assert_eq!(
            summaries.iter().map(|s| s.point).collect::<Vec<_>>(),
            [1, 2, 0]
        );
        let worst = &summaries[2];
        assert!((worst.test - 0.6).abs() < 1e-12, "{worst:?}");
        // Sample SD of 0.5 and 0.7: sqrt(2 * 0.1^2 / 1).
        let sd = worst.test_sd.expect("two seeds");
        assert!((sd - 0.02f64.sqrt()).abs() < 1e-12, "{sd}");
        assert!(worst.float_test.is_some_and(|f| (f - 0.8).abs() < 1e-12));
        assert_eq!(summaries[0].float_test, None);
        assert_eq!(summaries[0].rates, [0.25, 0.5]);
        let table = grid.table(&summaries);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2 + 3, "{table}");
        assert_eq!(
            lines[1].split_whitespace().collect::<Vec<_>>(),
            [
                "classifier.learn_shift",
                "test",
                "%",
                "sd",
                "float",
                "test",
                "%",
                "train",
                "%",
                "rate",
                "hidden[0]",
                "rate",
                "classifier",
                "s/run"
            ]
        );
        assert_eq!(
            lines[2].split_whitespace().collect::<Vec<_>>(),
            ["13", "80.00", "0.00", "-", "85.00", "0.2500", "0.5000", "2.0"]
        );
        assert_eq!(
            lines[4].split_whitespace().collect::<Vec<_>>(),
            ["12", "60.00", "14.14", "80.00", "65.00", "0.2500", "0.5000", "2.0"]
        );
    }

    #[test]
    fn csv_has_a_column_per_setting_and_a_row_per_run() {
        let grid = Grid::new(
            &NetworkSource::default_network(),
            axes(&["name=\"a,b\",c", "steps=20"]),
            None,
        )
        .expect("a valid grid");
        let results = [
            result(0, 1, ModelKind::Fixed, 0.5),
            result(1, 1, ModelKind::Float, 0.75),
        ];
        assert_eq!(
            grid.csv(&results),
            "name,steps,seed,model,test_accuracy,train_accuracy,per_layer_rate,weights_digest,seconds\n\
             \"a,b\",20,1,fixed,0.5,0.55,0.25;0.5,0000000000000abc,2.000\n\
             c,20,1,float,0.75,0.8,0.25;0.5,0000000000000abc,2.000\n"
        );
    }
}
