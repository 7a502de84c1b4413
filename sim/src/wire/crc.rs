//! CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR.

/// Generator polynomial (x^16 + x^12 + x^5 + 1, the x^16 term implied).
pub const CRC_POLYNOMIAL: u16 = 0x1021;
/// Register value before the first byte.
pub const CRC_INIT: u16 = 0xFFFF;

/// The CRC register after one more byte: the byte enters at the top, most significant bit
/// first, and the register shifts left eight times. This is the per-byte step of the RTL.
pub fn crc16_update(crc: u16, byte: u8) -> u16 {
    let mut crc = crc ^ (u16::from(byte) << 8);
    for _ in 0..8 {
        crc = if crc & 0x8000 != 0 {
            (crc << 1) ^ CRC_POLYNOMIAL
        } else {
            crc << 1
        };
    }
    crc
}

/// CRC-16/CCITT-FALSE of `data`.
pub fn crc16(data: &[u8]) -> u16 {
    data.iter()
        .fold(CRC_INIT, |crc, &byte| crc16_update(crc, byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value_of_the_catalogue() {
        // The "check" value of CRC-16/CCITT-FALSE (also called CRC-16/IBM-3740).
        assert_eq!(crc16(b"123456789"), 0x29B1);
    }

    #[test]
    fn known_vectors() {
        assert_eq!(crc16(&[]), 0xFFFF);
        assert_eq!(crc16(&[0x00]), 0xE1F0);
        assert_eq!(crc16(b"A"), 0xB915);
    }

    #[test]
    fn appending_the_crc_big_endian_leaves_zero() {
        // A CRC without reflection or final XOR divides the message followed by its own CRC
        // (most significant byte first) exactly.
        let message = b"spikeforge";
        let crc = crc16(message);
        let mut framed = message.to_vec();
        framed.extend_from_slice(&crc.to_be_bytes());
        assert_eq!(crc16(&framed), 0);
    }
}
