//! What an uploaded file really is, from its first bytes (the declared type is not trusted).

/// A file type the sandbox recognises, with its MIME type and usual extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Media {
    pub mime: &'static str,
    pub extension: &'static str,
}

impl Media {
    pub fn is_image(self) -> bool {
        self.mime.starts_with("image/")
    }
}

/// The type of `data` when it is one of `mimes` (each provider takes its own list).
pub fn sniff_among(data: &[u8], mimes: &[&str]) -> Option<Media> {
    sniff(data).filter(|media| mimes.contains(&media.mime))
}

/// The type of `data` when it is an image or a PDF (the kinds KYC documents come as).
pub fn sniff(data: &[u8]) -> Option<Media> {
    let kind = infer::get(data)?;
    let wanted = matches!(kind.matcher_type(), infer::MatcherType::Image)
        || kind.mime_type() == "application/pdf";
    wanted.then(|| Media {
        mime: kind.mime_type(),
        extension: kind.extension(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_and_pdfs_are_recognised_and_nothing_else() {
        let png = include_bytes!("../../fixtures/images/document.png");
        assert_eq!(sniff(png).map(|m| m.extension), Some("png"));
        assert!(sniff(png).unwrap().is_image());
        assert_eq!(
            sniff(b"BM\x1e\0\0\0\0\0\0\0\x1a\0\0\0\x0c\0\0\0").map(|m| m.mime),
            Some("image/bmp")
        );
        assert_eq!(
            sniff(b"%PDF-1.7\n").map(|m| m.mime),
            Some("application/pdf")
        );
        assert_eq!(sniff(b"PK\x03\x04zip"), None);
        assert_eq!(sniff(b"hello"), None);
    }
}
