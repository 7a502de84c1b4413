//! The serial transport through a pseudo-terminal: `spikeforge cosim --pty` runs as a child
//! process and the other commands reach its chip with `--port /dev/pts/N`, through the
//! operating system's serial code path (the `serialport` crate, termios, the pty driver):
//! the golden chip (`--model sim`), and the Verilated chip at its UART pins (`--model
//! cosim`), on which issue 7's acceptance run trains; and a host that floods the port without
//! reading, after which the next session starts at its first try.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::data::load_digits;
use spikeforge_sim::model::Model;
use spikeforge_sim::network::Network;
use spikeforge_sim::train::{train, TrainOptions};

const DIGITS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/digits.csv.gz");

/// `--timeout-ms` of every session here: the host's timeout and quiet interval for a chip
/// behind a pty, in place of those computed from a board's clock. The Verilated chip runs
/// about 2 M cycles per second alone, slower under CI's load, and the processes of both ends
/// can stall while the other tests run: with timeouts from the default 12 MHz, 3 timeouts in
/// 5,369 requests were seen, with 1 MHz still 1. The longest request here, a RUN_PHASE of 40
/// steps (about 0.3 M cycles), takes 0.15 s at that pace; 5 s leaves a margin for the load.
/// A session starts with one quiet interval (the drain of `docs/spec.md` §7.7 rule 4).
const TIMEOUT_MS: &str = "5000";

fn dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("test directory");
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A `spikeforge cosim --pty` child process, killed and reaped on drop (also when a test
/// fails), so that no test leaves a process behind.
struct PtyServer {
    child: Child,
    path: String,
    stderr: Arc<Mutex<String>>,
    reader: Option<JoinHandle<()>>,
}

impl PtyServer {
    /// Start `spikeforge cosim --pty` with `args` and read the pty path it prints.
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_spikeforge"))
            .args(["cosim", "--pty"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start spikeforge cosim");
        let stderr = Arc::new(Mutex::new(String::new()));
        let reader = child.stderr.take().map(|mut pipe| {
            let stderr = Arc::clone(&stderr);
            std::thread::spawn(move || {
                let mut buf = [0u8; 1024];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut text) = stderr.lock() {
                        text.push_str(&String::from_utf8_lossy(&buf[..n]));
                    }
                }
            })
        });
        let mut server = Self {
            child,
            path: String::new(),
            stderr,
            reader,
        };
        let stdout = server.child.stdout.take().expect("stdout pipe");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the pty line");
        server.path = match line.trim_end().strip_prefix("pty: ") {
            Some(path) => path.to_string(),
            None => panic!(
                "cosim printed {line:?}, not \"pty: <path>\"; stderr: {}",
                server.stderr()
            ),
        };
        assert!(
            Path::new(&server.path).exists(),
            "{} does not exist",
            server.path
        );
        server
    }

    /// What the server wrote on stderr so far.
    fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Wait up to `limit` for `needle` in the server's stderr (it notices a host closing the
    /// port within its idle wait); the stderr so far.
    fn wait_log(&self, needle: &str, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let log = self.stderr();
            if log.contains(needle) || start.elapsed() >= limit {
                return log;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait up to `limit` for the server to exit on its own; its exit status.
    fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for PtyServer {
    fn drop(&mut self) {
        // Already exited: kill fails harmlessly; wait reaps it either way.
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// Run `spikeforge` with `args` against `server`'s pty (with [`TIMEOUT_MS`]), require
/// success, return stdout and stderr.
fn ok(server: &PtyServer, args: &[&str]) -> (String, String) {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_spikeforge"))
        .args(args)
        .args(["--port", &server.path, "--timeout-ms", TIMEOUT_MS])
        .output()
        .expect("run spikeforge");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        out.status.success(),
        "spikeforge {args:?} --port {}: {stderr}\ncosim: {}",
        server.path,
        server.stderr()
    );
    (stdout, stderr)
}

/// Wait until the server has logged that host `n` closed the port, and return its log. A pty
/// cannot show a close that a new host's open follows at once (the hang-up is gone when the
/// server next polls), so a test that counts hosts lets each one be seen leaving first.
fn wait_closed(server: &PtyServer, n: usize) -> String {
    let needle = format!("host {n} closed the port");
    let log = server.wait_log(&needle, Duration::from_secs(10));
    assert!(log.contains(&needle), "{log}");
    log
}

fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("JSON file");
    serde_json::from_str(&text).expect("valid JSON")
}

#[test]
fn t_pty_golden_chip_identify_train_verify() {
    let server = PtyServer::start(&["--model", "sim"]);
    let (stdout, stderr) = ok(&server, &["identify"]);
    assert!(
        stdout.contains(&format!("link: {} at 3000000 baud", server.path)),
        "{stdout}"
    );
    assert!(stdout.contains("(same as network \"digits\")"), "{stdout}");
    assert!(
        stdout.contains("link status: 0 rx overflows, 0 framing errors, 0 link errors"),
        "{stdout}"
    );
    assert!(stderr.contains("0 retransmissions"), "{stderr}");
    wait_closed(&server, 1);

    // Training through the pty gives the golden model's weights and accuracy.
    let report = dir("t_pty_golden").join("report.json");
    let dataset = format!("digits:{DIGITS}");
    let (stdout, _) = ok(
        &server,
        &[
            "train",
            "--dataset",
            &dataset,
            "--epochs",
            "1",
            "--train-samples",
            "20",
            "--test-samples",
            "10",
            "--report",
            report.to_str().expect("path"),
        ],
    );
    let (digest, accuracy) = golden(20, 10);
    assert_eq!(stdout.lines().last(), Some(accuracy.as_str()), "{stdout}");
    let report = json(&report);
    assert_eq!(report["weights_digest"], digest.as_str());
    assert_eq!(
        report["port"],
        format!("{} at 3000000 baud", server.path).as_str()
    );
    assert_eq!(report["link"]["retransmissions"], 0, "{}", report["link"]);
    wait_closed(&server, 2);

    // A third session on the same port: the chip and the golden model agree everywhere.
    let (stdout, _) = ok(
        &server,
        &[
            "verify",
            "--dataset",
            &dataset,
            "--train-samples",
            "10",
            "--test-samples",
            "10",
        ],
    );
    assert!(
        stdout.contains("phases: 50 on ") && stdout.contains(", 0 differ in prediction"),
        "{stdout}"
    );
    assert!(stdout.ends_with("verify: 0 differences\n"), "{stdout}");
    let log = wait_closed(&server, 3);
    assert!(log.contains("host 3 connected"), "{log}");
}

/// The golden model trained by the same loop: its weights digest and the test accuracy line.
fn golden(train_samples: usize, test_samples: usize) -> (String, String) {
    let cfg = NetworkConfig::default_network().expect("default network");
    let data = load_digits(Path::new(DIGITS)).expect("digits");
    let mut net = Network::new(&cfg);
    let opts = TrainOptions {
        epochs: 1,
        train_samples: Some(train_samples),
        test_samples: Some(test_samples),
    };
    let outcome = train(&mut net, &data, &opts, &mut |_| {});
    (
        format!("{:016x}", net.weights_digest()),
        format!("test accuracy: {:.2}%", outcome.test.accuracy * 100.0),
    )
}

/// Issue 7's acceptance, as stated: `spikeforge train --port <pty> --dataset
/// digits:data/digits.csv.gz --train-samples 200 --test-samples 100` on the pty of `spikeforge
/// cosim --pty --model cosim` (the Verilated default chip at its UART pins) trains through the
/// serial transport and ends with the golden model's weights digest and test accuracy, without
/// a retransmission; then `spikeforge verify` on the same port reports 0 differences.
///
/// Measured on the 2-core machine: the training run takes 130 s alone, 150 to 185 s while the
/// other tests of this file run. `verify` here runs its default 20 training and 20 test
/// samples (100 phases, about 17 s), not 200 and 100: that run takes another 128 s (0
/// differences in 900 phases and 20,345 values; the README shows the session), which would
/// bring this test past 4 minutes.
#[cfg(feature = "cosim")]
#[test]
fn t_pty_cosim_chip_trains_200_samples_and_verifies() {
    let server = PtyServer::start(&["--model", "cosim"]);
    let report = dir("t_pty_cosim").join("report.json");
    let dataset = format!("digits:{DIGITS}");
    let started = Instant::now();
    let (stdout, stderr) = ok(
        &server,
        &[
            "train",
            "--dataset",
            &dataset,
            "--epochs",
            "1",
            "--train-samples",
            "200",
            "--test-samples",
            "100",
            "--report",
            report.to_str().expect("path"),
        ],
    );
    let trained = started.elapsed();
    let (digest, accuracy) = golden(200, 100);
    assert_eq!(stdout.lines().last(), Some(accuracy.as_str()), "{stdout}");
    let report = json(&report);
    assert_eq!(report["weights_digest"], digest.as_str());
    assert_eq!(report["train_samples"], 200, "{report}");
    assert_eq!(report["test_samples"], 100, "{report}");
    assert_eq!(report["link"]["retransmissions"], 0, "{}", report["link"]);
    assert!(
        stderr.contains("chip link status: 0 rx overflows, 0 framing errors, 0 link errors"),
        "{stderr}"
    );
    let log = server.stderr();
    assert!(log.contains("Verilated chip_default"), "{log}");

    let started = Instant::now();
    let (stdout, _) = ok(&server, &["verify", "--dataset", &dataset]);
    assert!(
        stdout.contains("phases: 100 on ") && stdout.contains(", 0 differ in prediction"),
        "{stdout}"
    );
    assert!(
        stdout.contains("state: 0 of 20345 values differ"),
        "{stdout}"
    );
    assert!(stdout.ends_with("verify: 0 differences\n"), "{stdout}");
    eprintln!(
        "train 200 + 100 samples: {:.1} s; verify 20 + 20: {:.1} s",
        trained.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn t_pty_once_exits_when_the_host_closes() {
    let mut server = PtyServer::start(&["--model", "sim", "--once"]);
    ok(&server, &["identify"]);
    // A hang guard, not a speed limit: the other tests of this binary train in parallel.
    let status = server.wait_exit(Duration::from_secs(60));
    let log = server.stderr();
    assert!(
        status.is_some_and(|s| s.success()),
        "{status:?}; cosim: {log}"
    );
    assert!(
        log.contains("cosim: 1 hosts, 17 bytes in, 60 bytes out"),
        "{log}"
    );
}

#[test]
fn t_pty_cosim_needs_pty_and_a_model() {
    for (args, needle) in [
        (vec!["cosim", "--model", "sim"], "--pty"),
        (vec!["cosim", "--pty", "--model", "fpga"], "fpga"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_spikeforge"))
            .args(&args)
            .output()
            .expect("run spikeforge");
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
        assert!(stderr.contains(needle), "{stderr:?} should name {needle:?}");
    }
}

/// Write `\x01\x00` (an empty COBS block and a delimiter: a frame too short for the chip,
/// answered by a link error) to the pty at `path` for `duration` as fast as it takes them,
/// without reading; the bytes written.
#[cfg(feature = "cosim")]
fn flood(path: &str, duration: Duration) -> usize {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDWR | OFlags::NOCTTY | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let port = rustix::fs::open(path, flags, Mode::empty()).expect("open the pty");
    let burst = [1u8, 0].repeat(2048);
    let mut written = 0;
    let started = Instant::now();
    while started.elapsed() < duration {
        match rustix::io::write(&port, &burst) {
            Ok(n) => written += n,
            Err(rustix::io::Errno::AGAIN) => std::thread::sleep(Duration::from_millis(1)),
            Err(err) => panic!("write to {path}: {err}"),
        }
    }
    written
}

/// The number before `what` in `text` (`"12 link errors"`).
#[cfg(feature = "cosim")]
fn count_before(text: &str, what: &str) -> u64 {
    let Some(at) = text.find(what) else {
        panic!("no {what:?} in {text:?}");
    };
    let digits: String = text[..at]
        .trim_end()
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    let digits: String = digits.chars().rev().collect();
    digits
        .parse()
        .unwrap_or_else(|err| panic!("{what:?} in {text:?}: {err}"))
}

/// Issue 15: a host that wrote `\x01\x00` to the port of the Verilated chip for seconds
/// without reading left its link-error answers queued behind the pty, and the next
/// `spikeforge identify` failed with "no valid response after 17 attempts", time after time.
/// Those answers belong to the flood's bytes, not to the next session's: its IDENTIFY
/// succeeds at the first try (`--max-retries 0`), the answers still on the link when it
/// starts are drained, and nothing counts against a request.
#[cfg(feature = "cosim")]
#[test]
fn t_pty_identify_after_a_flood_of_link_errors() {
    let server = PtyServer::start(&["--model", "cosim"]);
    let written = flood(&server.path, Duration::from_millis(1500));
    let (stdout, stderr) = ok(&server, &["identify", "--max-retries", "0"]);
    let chip = stdout
        .lines()
        .find(|line| line.starts_with("link status: "))
        .unwrap_or_else(|| panic!("no link status in {stdout}"));
    // The flood reached the chip (the counter saturates at 65,535).
    assert!(count_before(chip, " link errors") > 100, "{chip}");
    assert!(
        stderr.contains("0 retransmissions (0 link errors, 0 damaged responses, 0 timeouts)"),
        "{stderr}"
    );
    // The flood's answers were still arriving when the session started.
    let drained = count_before(&stderr, " stale bytes drained");
    assert!(drained > 0, "{stderr}");
    eprintln!("flood of {written} bytes; identify: {stderr}");
}
