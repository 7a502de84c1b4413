//! The pin-level comparison must catch a wrong answer: the golden model's expected response
//! is corrupted on purpose (a flipped byte, a byte missing, a byte too many) and the exchange
//! must fail with a report naming the exchange, the byte offset and both values.

use spikeforge_sim::wire::Command;
use spikeforge_testbenches::model::CHIP_SMALL;
use spikeforge_testbenches::{ExchangeError, Failure, PinChip};

/// A chip that answered one good exchange, the bytes of an `IDENTIFY` with `seq` 7 and the
/// golden model's answer to it (the golden model already fed).
fn identify() -> (PinChip, Vec<u8>, Vec<u8>) {
    let mut chip = PinChip::new(&CHIP_SMALL);
    let first = Command::LinkStatus
        .request(6)
        .encode()
        .expect("LINK_STATUS");
    chip.exchange(&first);
    let bytes = Command::Identify.request(7).encode().expect("IDENTIFY");
    let expected = chip.golden_mut().feed(&bytes);
    assert_eq!(
        expected.len(),
        34 + 9,
        "IDENTIFY response: 34 bytes of payload"
    );
    (chip, bytes, expected)
}

fn failure(chip: &mut PinChip, bytes: &[u8], expected: &[u8]) -> ExchangeError {
    match chip.expect(bytes, expected) {
        Ok(received) => panic!("a wrong expectation passed: the RTL sent {received:02x?}"),
        Err(err) => err,
    }
}

#[test]
fn t_uart_corrupted_bad() {
    let (mut chip, bytes, mut expected) = identify();
    let right = expected[9];
    expected[9] ^= 0x20;
    let err = failure(&mut chip, &bytes, &expected);
    assert_eq!(err.exchange, 1);
    assert_eq!(
        err.failure,
        Failure::Differs {
            offset: 9,
            rtl: right,
            model: right ^ 0x20
        }
    );
    assert_eq!(
        err.received.len(),
        10,
        "the RTL's bytes up to the difference"
    );
    let message = err.to_string();
    println!("{message}");
    let want = format!(
        "exchange 1: response byte 9 is {right:#04x} from the RTL, {:#04x} from the golden Chip",
        right ^ 0x20
    );
    assert!(message.starts_with(&want), "{message}");
}

#[test]
fn t_uart_extra_byte_bad() {
    let (mut chip, bytes, mut expected) = identify();
    // The golden answer without its delimiter: the RTL's delimiter comes in the quiet period.
    expected.pop();
    let err = failure(&mut chip, &bytes, &expected);
    assert_eq!(
        err.failure,
        Failure::Extra {
            offset: expected.len(),
            rtl: 0
        }
    );
    assert!(
        err.to_string()
            .starts_with("exchange 1: the RTL sent byte 42 (0x00) after the golden Chip's"),
        "{err}"
    );
}

#[test]
fn t_uart_missing_byte_bad() {
    let (mut chip, bytes, mut expected) = identify();
    expected.push(0);
    let err = failure(&mut chip, &bytes, &expected);
    let Failure::Hang { cycles } = err.failure else {
        panic!("{err}")
    };
    // IDENTIFY takes (8 + 44) bytes of 40 cycles; the limit is a few times that, not more.
    assert!((52 * 40..50_000).contains(&cycles), "{err}");
    assert_eq!(err.received.len(), 43, "{err}");
    assert!(
        err.to_string().contains("no complete response after"),
        "{err}"
    );
}
