//! What the dialects' hand-written encoders share when they escape text: each dialect has its own set of
//! bytes to replace and its own replacements; finding the runs between them is the same everywhere.

/// The bytes an encoder replaces, as a lookup table indexed by byte.
pub type ByteSet = [bool; 256];

/// The bytes a JSON string escapes (controls, `"` and `\\`), with the bytes of `extra` and, when `non_ascii`,
/// every byte of a non-ASCII character.
pub const fn json_escapes(extra: &[u8], non_ascii: bool) -> ByteSet {
    let mut set = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        set[byte] = byte < 0x20 || byte == b'"' as usize || byte == b'\\' as usize || (non_ascii && byte >= 0x80);
        byte += 1;
    }
    let mut at = 0;
    while at < extra.len() {
        set[extra[at] as usize] = true;
        at += 1;
    }
    set
}

/// The length of the longest prefix of `bytes` holding no byte of `set`. Eight bytes are looked up per
/// branch: most text in an answer (keys, names, dates) is long runs of bytes that stand for themselves.
pub fn clean_run(bytes: &[u8], set: &ByteSet) -> usize {
    let mut at = 0;
    for chunk in bytes.chunks_exact(8) {
        if chunk.iter().fold(false, |any, &byte| any | set[usize::from(byte)]) {
            break;
        }
        at += 8;
    }
    at + bytes[at..].iter().position(|&byte| set[usize::from(byte)]).unwrap_or(bytes.len() - at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_hold_the_mandatory_bytes_and_what_is_asked() {
        let plain = json_escapes(b"", false);
        let wide = json_escapes(b"/<", true);
        for byte in 0..=255u8 {
            let mandatory = byte < 0x20 || byte == b'"' || byte == b'\\';
            assert_eq!(plain[usize::from(byte)], mandatory, "{byte:#04x}");
            assert_eq!(wide[usize::from(byte)], mandatory || byte >= 0x80 || byte == b'/' || byte == b'<', "{byte:#04x}");
        }
    }

    #[test]
    fn the_first_byte_of_the_set_is_found_wherever_it_is() {
        let mut set = [false; 256];
        set[usize::from(b'"')] = true;
        set[0xc3] = true;
        let clean = "abcdefghijklmnopqrstuvwxyz0123456789";
        assert_eq!(clean_run(clean.as_bytes(), &set), clean.len());
        assert_eq!(clean_run(b"", &set), 0);
        for at in 0..=clean.len() {
            for special in ["\"", "é"] {
                let text = format!("{}{special}{}\"", &clean[..at], &clean[at..]);
                assert_eq!(clean_run(text.as_bytes(), &set), at, "{special:?} at {at}");
            }
        }
    }
}
