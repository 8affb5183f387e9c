//! What the dialects' hand-written encoders share when they escape text: each dialect has its own set of
//! bytes to replace and its own replacements; finding the runs between them is the same everywhere.

/// The bytes an encoder replaces, as a lookup table indexed by byte.
pub type ByteSet = [bool; 256];

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
